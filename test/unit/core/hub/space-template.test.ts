import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { probabilitiesOf } from '../../../../src/core/predict/calibration.js';
import type { LabelScore } from '../../../../src/core/predict/predictor.js';
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
    assert.match(app, /outputs=\[gr\.Label\(label="Prediction", num_top_classes=5\), gr\.Textbox\(label="Decision"\)\]/);
    assert.match(app, /EXAMPLES = \["很好吃", "too \\"slow\\""\]/);
    assert.match(app, /demo\.launch\(\)/);
  });
  test('app.py applies calibration.json: raw logits / T, softmax or sigmoid, thresholds, abstain rule', () => {
    const app = file(files, 'app.py');
    assert.match(app, /hf_hub_download\(MODEL_ID, "calibration\.json"\)/);
    assert.match(app, /options = \{\} if CALIBRATION is None else \{"function_to_apply": "none"\}/);
    assert.match(app, /z = \{item\["label"\]: float\(item\["score"\]\) \/ t for item in scores\}/);
    assert.match(app, /if p > cal\.get\("thresholds", \{\}\)\.get\(label, 0\.5\)/);
    assert.match(app, /if abstain and p < abstain\["threshold"\]:/);
    const pinned = file(renderSpaceTemplate({ template: 'gradio', modelRepoId: 'a/b', revision: 'v1' }), 'app.py');
    assert.match(pinned, /hf_hub_download\(MODEL_ID, "calibration\.json", revision="v1"\)/);
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

describe('static template: calibration.json applied in the page', () => {
  /** The page's calibration code (from `let calibration` to `function render`), run with a fetch that serves `cal`. */
  async function pageFunctions(cal: unknown): Promise<{ url: string; calibrate: (s: LabelScore[]) => LabelScore[]; decide: (s: LabelScore[]) => string }> {
    const html = file(renderSpaceTemplate({ template: 'static', modelRepoId: 'alice/m', revision: 'v 1', remoteHost: 'http://127.0.0.1:9/' }), 'index.html');
    const code = html.slice(html.indexOf('let calibration = null;'), html.indexOf('function render('));
    const config = JSON.parse(/const CONFIG = (\{.*\});/.exec(html)![1]!) as { calibrationUrl: string };
    type PageFunctions = { calibrate: (s: LabelScore[]) => LabelScore[]; decide: (s: LabelScore[]) => string };
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...a: string[]) => (...v: unknown[]) => Promise<PageFunctions>;
    const run = new AsyncFunction('CONFIG', 'fetch', `${code}\nreturn { calibrate, decide };`);
    const fetch = async (url: string) => ({ ok: cal !== null && url === config.calibrationUrl, json: async () => cal });
    return { url: config.calibrationUrl, ...(await run(config, fetch)) };
  }

  test("the URL is the model host's resolve path", async () => {
    assert.equal((await pageFunctions(null)).url, 'http://127.0.0.1:9/alice/m/resolve/v%201/calibration.json');
  });

  test('calibration: false (the repo has none): no URL, the page asks for nothing and shows the raw scores', async () => {
    const html = file(renderSpaceTemplate({ template: 'static', modelRepoId: 'alice/m', calibration: false }), 'index.html');
    const config = JSON.parse(/const CONFIG = (\{.*\});/.exec(html)![1]!) as { calibrationUrl: string | null };
    assert.equal(config.calibrationUrl, null);
    const code = html.slice(html.indexOf('let calibration = null;'), html.indexOf('function render('));
    const asked: string[] = [];
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
      ...a: string[]
    ) => (...v: unknown[]) => Promise<(s: LabelScore[]) => LabelScore[]>;
    const calibrate = await new AsyncFunction('CONFIG', 'fetch', `${code}\nreturn calibrate;`)(config, async (url: string) => asked.push(url));
    assert.deepEqual(asked, []);
    const raw = [
      { label: 'a', score: 0.7 },
      { label: 'b', score: 0.3 },
    ];
    assert.deepEqual(calibrate(raw), raw);
  });

  test("single-label: softmax(z / T) from the pipeline's softmax(z); abstains below the threshold", async () => {
    const z = [2, -1, 0.5];
    const raw = probabilitiesOf(false, z).map((score, k) => ({ label: ['a', 'b', 'c'][k]!, score }));
    const cal = { problem_type: 'single_label_classification', temperature: 2.5, abstain: { threshold: 0.6 } };
    const { calibrate, decide } = await pageFunctions(cal);
    const got = calibrate(raw);
    const want = probabilitiesOf(false, z, 2.5);
    for (const { label, score } of got) assert.ok(Math.abs(score - want[['a', 'b', 'c'].indexOf(label)]!) < 1e-6, label);
    assert.equal(got[0]!.label, 'a');
    assert.match(decide(got), /^Abstained: confidence 0\.5\d\d is below 0\.600\.$/);
    assert.equal(decide(raw), 'Prediction: a');
  });

  test('multi-label: sigmoid(logit(p) / T) per label, labels above their own thresholds', async () => {
    const z = [1.2, -0.4];
    const raw = probabilitiesOf(true, z).map((score, k) => ({ label: ['x', 'y'][k]!, score }));
    const { calibrate, decide } = await pageFunctions({ problem_type: 'multi_label_classification', temperature: 0.5, thresholds: { x: 0.9, y: 0.1 } });
    const got = calibrate(raw);
    const want = probabilitiesOf(true, z, 0.5);
    got.forEach(({ score }, k) => assert.ok(Math.abs(score - want[k]!) < 1e-6));
    assert.equal(decide(got), 'Labels: x, y');
  });

  test('without calibration.json the scores pass through', async () => {
    const raw = [
      { label: 'a', score: 0.7 },
      { label: 'b', score: 0.3 },
    ];
    const { calibrate, decide } = await pageFunctions(null);
    assert.deepEqual(calibrate(raw), raw);
    assert.equal(decide(raw), 'Prediction: a');
  });
});
