import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HubError } from '../../../../src/core/hub/errors.js';
import { GRADIO_VERSION, TRANSFORMERS_JS_URL, readFrontMatter, renderSpaceTemplate, type SpaceFile } from '../../../../src/core/hub/space-template.js';

function file(files: SpaceFile[], path: string): string {
  const f = files.find((x) => x.path === path);
  assert.ok(f, `missing ${path}`);
  return f.content;
}

describe('gradio template', () => {
  const files = renderSpaceTemplate({
    template: 'gradio',
    modelRepoId: 'alice/waimai-rbt3',
    title: 'Waimai sentiment',
    emoji: '🍜',
    colorFrom: 'green',
    colorTo: 'blue',
    examples: ['很好吃', 'too "slow"'],
  });
  test('files', () =>
    assert.deepEqual(
      files.map((f) => f.path),
      ['README.md', 'app.py', 'requirements.txt'],
    ));
  test('README front matter', () => {
    const fm = readFrontMatter(file(files, 'README.md'));
    assert.deepEqual(fm, {
      title: 'Waimai sentiment',
      emoji: '🍜',
      colorFrom: 'green',
      colorTo: 'blue',
      sdk: 'gradio',
      sdk_version: GRADIO_VERSION,
      app_file: 'app.py',
      pinned: 'false',
      models: 'alice/waimai-rbt3',
    });
    assert.match(GRADIO_VERSION, /^5\.\d+\.\d+$/);
  });
  test('app.py: pipeline("text-classification", model=REPO), Textbox -> Label', () => {
    const app = file(files, 'app.py');
    assert.match(app, /from transformers import pipeline/);
    assert.match(app, /MODEL_ID = "alice\/waimai-rbt3"/);
    assert.match(app, /pipeline\("text-classification", model=MODEL_ID\)/);
    assert.match(app, /inputs=gr\.Textbox\(/);
    assert.match(app, /outputs=gr\.Label\(/);
    assert.match(app, /EXAMPLES = \["很好吃", "too \\"slow\\""\]/);
    assert.match(app, /demo\.launch\(\)/);
  });
  test('requirements: transformers + torch', () => {
    const req = file(files, 'requirements.txt').split('\n').filter(Boolean);
    assert.ok(req.some((l) => l.startsWith('transformers')));
    assert.ok(req.includes('torch'));
  });
  test('a revision other than main is pinned', () =>
    assert.match(file(renderSpaceTemplate({ template: 'gradio', modelRepoId: 'a/b', revision: 'v1' }), 'app.py'), /model=MODEL_ID, revision="v1"\)/));
});

describe('static template', () => {
  const files = renderSpaceTemplate({ template: 'static', modelRepoId: 'alice/waimai-rbt3' });
  test('files and front matter', () => {
    assert.deepEqual(
      files.map((f) => f.path),
      ['README.md', 'index.html'],
    );
    const fm = readFrontMatter(file(files, 'README.md'));
    assert.equal(fm['sdk'], 'static');
    assert.equal(fm['title'], 'waimai-rbt3 demo');
    assert.equal(fm['emoji'], '🤗');
    assert.equal(fm['pinned'], 'false');
    assert.equal(fm['sdk_version'], undefined);
    assert.ok(fm['colorFrom'] && fm['colorTo']);
  });
  test('imports Transformers.js 4.3.1 from jsDelivr and runs the pipeline on the repo', () => {
    const html = file(files, 'index.html');
    assert.equal(TRANSFORMERS_JS_URL, 'https://cdn.jsdelivr.net/npm/@huggingface/transformers@4.3.1');
    assert.ok(html.includes(`import { pipeline, env } from "${TRANSFORMERS_JS_URL}";`));
    assert.match(html, /pipeline\('text-classification', CONFIG\.model/);
    assert.match(html, /"model":"alice\/waimai-rbt3"/);
    assert.match(html, /"remoteHost":null/);
    assert.match(html, /"dtype":"fp32"/);
  });
  test('module URL and model host can point at a local server', () => {
    const local = renderSpaceTemplate({
      template: 'static',
      modelRepoId: 'alice/m',
      transformersJsUrl: 'http://127.0.0.1:9999/transformers.web.js',
      remoteHost: 'http://127.0.0.1:9998/',
      dtype: 'q8',
    });
    const html = file(local, 'index.html');
    assert.ok(html.includes('from "http://127.0.0.1:9999/transformers.web.js"'));
    assert.match(html, /"remoteHost":"http:\/\/127\.0\.0\.1:9998\/"/);
    assert.match(html, /env\.remoteHost = CONFIG\.remoteHost;/);
    assert.match(html, /env\.remotePathTemplate = '\{model\}\/resolve\/\{revision\}\/';/);
    assert.match(html, /"dtype":"q8"/);
  });
  test('title and examples are escaped for HTML and script', () => {
    const html = file(
      renderSpaceTemplate({ template: 'static', modelRepoId: 'a/b', title: '<img src=x onerror=alert(1)>', examples: ['</script><script>alert(1)</script>'] }),
      'index.html',
    );
    assert.ok(!html.includes('<img src=x'));
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.equal(html.split('</script>').length, 2, 'only the real closing tag');
  });
  test('pure: same input, same output', () =>
    assert.deepEqual(renderSpaceTemplate({ template: 'static', modelRepoId: 'a/b' }), renderSpaceTemplate({ template: 'static', modelRepoId: 'a/b' })));
});

describe('template options are checked', () => {
  const bad: [string, () => unknown][] = [
    ['unknown template', () => renderSpaceTemplate({ template: 'docker' as 'static', modelRepoId: 'a/b' })],
    ['bad repo id', () => renderSpaceTemplate({ template: 'static', modelRepoId: '../x' })],
    ['bad colour', () => renderSpaceTemplate({ template: 'static', modelRepoId: 'a/b', colorFrom: 'black' as 'red' })],
    ['gradio 4', () => renderSpaceTemplate({ template: 'gradio', modelRepoId: 'a/b', gradioVersion: '4.44.1' })],
    ['module URL not http', () => renderSpaceTemplate({ template: 'static', modelRepoId: 'a/b', transformersJsUrl: 'javascript:alert(1)' })],
  ];
  for (const [name, fn] of bad) test(name, () => assert.throws(fn, (e: unknown) => e instanceof HubError && e.kind === 'invalid-argument'));
});
