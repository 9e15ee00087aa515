/**
 * pushFolder and deploySpace against the loopback fake Hub, through the real `@huggingface/hub`
 * upload path (preupload → LFS batch → PUT → NDJSON commit).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import {
  GRADIO_VERSION,
  HubError,
  TRANSFORMERS_JS_URL,
  deploySpace,
  pullModel,
  pushFiles,
  pushFolder,
  readFrontMatter,
  type DeploySpaceOptions,
  type HubProgressEvent,
  type PushOptions,
} from '../../../src/core/hub/index.js';
import { DEFAULT_TOKEN, FakeHub, seededBytes } from '../../helpers/fake-hub.js';

const TOKEN = DEFAULT_TOKEN;
const CONFIG = JSON.stringify({ model_type: 'bert', num_labels: 2 });

let hub: FakeHub;
let dir: string;
/** Fresh weights for each test: the fake keeps LFS objects, and an object already there is not uploaded again. */
let WEIGHTS: Buffer;
let seed = 100;
let events: HubProgressEvent[];
let n = 0;

before(async () => {
  hub = await FakeHub.start({
    users: {
      [TOKEN]: { name: 'alice', orgs: ['finetune-org'] },
      hf_readOnlyTokenReadOnlyToken0000: { name: 'bob', canWrite: false },
    },
  });
});
after(async () => {
  await hub.close();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'finetune-push-'));
  WEIGHTS = seededBytes(2_500_000, ++seed);
  events = [];
  hub.reset();
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A saved model folder as core/export writes it. */
function savedModel(extra: Record<string, string | Buffer> = {}): string {
  const files: Record<string, string | Buffer> = {
    'config.json': CONFIG,
    'model.safetensors': WEIGHTS,
    'tokenizer.json': '{"version":"1.0"}',
    'tokenizer_config.json': '{}',
    'vocab.txt': '[PAD]\n[UNK]\n[CLS]\n[SEP]\n',
    'onnx/model.onnx': seededBytes(30_000, ++seed),
    'README.md': '---\nlibrary_name: transformers\n---\n# model\n',
    ...extra,
  };
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, ...name.split('/').slice(0, -1)), { recursive: true });
    writeFileSync(join(dir, ...name.split('/')), content);
  }
  return dir;
}

function opts<T extends Partial<DeploySpaceOptions>>(extra?: T): PushOptions & T {
  const base: PushOptions = { token: TOKEN, endpoint: hub.url, env: {}, retry: { baseDelayMs: 5 }, progressIntervalMs: 0, onProgress: (e) => events.push(e) };
  return { ...base, ...extra } as PushOptions & T;
}

async function rejectsWith(p: Promise<unknown>, kind: string, message?: RegExp): Promise<HubError> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof HubError, `expected a HubError, got ${String(caught)}`);
  assert.equal(caught.kind, kind, caught.message);
  if (message) assert.match(caught.message, message);
  return caught;
}

describe('push', () => {
  test('creates the repo, uploads every file (weights through LFS) in one commit, returns the URL', async () => {
    const folder = savedModel();
    const id = `alice/pushed-${++n}`;
    const r = await pushFolder(folder, id, opts({ commitMessage: 'Fine-tuned on waimai_10k' }));
    assert.equal(r.url, `${hub.url}/${id}`);
    assert.equal(r.repoId, id);
    assert.equal(r.created, true);
    assert.equal(r.commit, hub.head(id));
    assert.equal(r.commitUrl, `${hub.url}/${id}/commit/${r.commit}`);
    assert.deepEqual(r.files, ['README.md', 'config.json', 'model.safetensors', 'onnx/model.onnx', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']);

    const create = hub.requestsTo('/api/repos/create', 'POST');
    assert.equal(create.length, 1);
    assert.deepEqual(JSON.parse(create[0]?.body ?? '{}'), { name: `pushed-${n}`, organization: 'alice', type: 'model' });
    // One commit on top of the repo's initial one, with every file byte for byte.
    assert.deepEqual(hub.listFiles(id), ['.gitattributes', ...r.files].sort());
    for (const f of r.files) assert.deepEqual(hub.fileAt(id, f), readFileSync(join(folder, ...f.split('/'))), f);
    const commit = hub.repo(id)?.commits.get(r.commit);
    assert.equal(commit?.title, 'Fine-tuned on waimai_10k');
    // LFS for the binary files, regular for the text files.
    assert.equal(hub.fileEntry(id, 'model.safetensors')?.lfs, true);
    assert.equal(hub.fileEntry(id, 'onnx/model.onnx')?.lfs, true);
    assert.equal(hub.fileEntry(id, 'config.json')?.lfs, false);
    const batch = hub.requestsTo(`/${id}.git/info/lfs/objects/batch`, 'POST');
    assert.equal(batch.length, 1);
    assert.equal(hub.requestsTo('/upload/', 'PUT').length, 2);
    const puts = hub.requestsTo('/upload/', 'PUT');
    assert.ok(puts.some((q) => q.bodyBytes === WEIGHTS.length));
    for (const q of puts) assert.equal(q.headers['authorization'], undefined, 'no token to the storage host');
    const ndjson = hub.requestsTo(`/api/models/${id}/commit/main`, 'POST')[0]?.body ?? '';
    const ops = ndjson.split('\n').map((l) => JSON.parse(l) as { key: string; value: { path?: string } });
    assert.deepEqual(
      ops
        .filter((o) => o.key === 'lfsFile')
        .map((o) => o.value.path)
        .sort(),
      ['model.safetensors', 'onnx/model.onnx'],
    );
  });

  test('progress: upload bytes per file and in total, file-done for every file', async () => {
    const folder = savedModel();
    const r = await pushFolder(folder, `alice/progress-${++n}`, opts());
    const weights = events.filter(
      (e): e is Extract<HubProgressEvent, { type: 'file-progress' }> => e.type === 'file-progress' && e.file === 'model.safetensors',
    );
    assert.ok(weights.length >= 3, `only ${weights.length} progress events`);
    assert.ok(
      weights.some((e) => e.loaded > 0 && e.loaded < WEIGHTS.length),
      'intermediate progress',
    );
    assert.equal(weights.at(-1)?.loaded, WEIGHTS.length);
    const total = events.filter((e) => e.type === 'total-progress').at(-1);
    assert.ok(total && total.type === 'total-progress' && total.loaded === total.total);
    assert.deepEqual(
      events
        .filter((e) => e.type === 'file-done')
        .map((e) => (e.type === 'file-done' ? e.file : ''))
        .sort(),
      [...r.files].sort(),
    );
  });

  test('private repo; an existing repo is fine and keeps its files', async () => {
    const folder = savedModel();
    const id = `finetune-org/priv-${++n}`;
    const first = await pushFolder(folder, id, opts({ private: true }));
    assert.equal(hub.repo(id)?.private, true);
    assert.deepEqual(JSON.parse(hub.requestsTo('/api/repos/create')[0]?.body ?? '{}').visibility, 'private');
    writeFileSync(join(folder, 'config.json'), JSON.stringify({ model_type: 'bert', num_labels: 3 }));
    hub.reset();
    const second = await pushFolder(folder, id, opts());
    assert.equal(second.created, false);
    assert.notEqual(second.commit, first.commit);
    assert.match(hub.fileAt(id, 'config.json')?.toString() ?? '', /"num_labels":3/);
    // The weights were already on the Hub: the LFS batch said so and nothing was uploaded again.
    assert.equal(hub.requestsTo('/upload/', 'PUT').length, 0);
  });

  test('a name without namespace goes under the token owner', async () => {
    const r = await pushFolder(savedModel(), `bare-${++n}`, opts());
    assert.equal(r.repoId, `alice/bare-${n}`);
    assert.equal(hub.requestsTo('/api/whoami-v2').length, 1);
  });

  test('a pushed model pulls back identically', async () => {
    const folder = savedModel();
    const id = `alice/roundtrip-${++n}`;
    await pushFolder(folder, id, opts());
    const cache = join(dir, 'cache');
    const pulled = await pullModel(id, { cacheDir: cache, endpoint: hub.url, env: {} });
    for (const f of pulled.files) assert.deepEqual(readFileSync(join(pulled.folder, f)), readFileSync(join(folder, f)), f);
  });

  test('a file containing the token is refused before anything is sent', async () => {
    const folder = savedModel({ 'training_args.json': JSON.stringify({ hub_token: TOKEN }) });
    const err = await rejectsWith(
      pushFolder(folder, `alice/leak-${++n}`, opts()),
      'token-in-file',
      /refusing to upload training_args\.json: it contains your Hugging Face access token/,
    );
    assert.equal(err.file, 'training_args.json');
    assert.ok(!err.message.includes(TOKEN));
    assert.equal(hub.requests.length, 0);
    assert.equal(hub.repo(`alice/leak-${n}`), undefined);
  });

  test('the token is never in an uploaded file or a request body', async () => {
    const id = `alice/clean-${++n}`;
    await pushFolder(savedModel(), id, opts());
    for (const q of hub.requests) assert.ok(!(q.body ?? '').includes(TOKEN), `${q.method} ${q.path}`);
    for (const f of hub.listFiles(id)) assert.ok(!hub.fileAt(id, f)?.includes(TOKEN), f);
    assert.ok(!JSON.stringify(events).includes(TOKEN));
  });

  test('unsafe names are refused when pushing', async () => {
    for (const bad of ['../outside.txt', '/abs.txt', 'a\\b.txt', 'a//b.txt', 'nul\0.txt']) {
      await rejectsWith(pushFiles(`alice/unsafe-${++n}`, 'model', [{ path: bad, content: new Blob(['x']) }], opts()), 'unsafe-path');
    }
    // A local file whose name has a backslash (legal on Linux) cannot go to the Hub either.
    const folder = savedModel({ 'weird\\name.txt': 'x' });
    await rejectsWith(pushFolder(folder, `alice/unsafe-${++n}`, opts()), 'unsafe-path', /backslash/);
    assert.equal(hub.requests.length, 0);
  });

  test('no token, a read-only token, another namespace: errors that say what to do', async () => {
    await rejectsWith(
      pushFolder(savedModel(), `alice/x-${++n}`, opts({ token: '' })),
      'unauthorized',
      /set a token: HF_TOKEN or Finetune: Set Hugging Face Token/,
    );
    await rejectsWith(pushFolder(dir, `bob/x-${++n}`, opts({ token: 'hf_readOnlyTokenReadOnlyToken0000' })), 'forbidden', /403 Forbidden.*write access/);
    await rejectsWith(pushFolder(dir, `someone-else/x-${++n}`, opts()), 'forbidden', /403/);
    await rejectsWith(pushFolder(dir, `alice/x-${++n}`, opts({ token: 'hf_notAValidTokenAtAll000000' })), 'unauthorized', /token was rejected/);
  });

  test('a 503 on the LFS upload is retried', async () => {
    hub.fail({ server: 'cdn', method: 'PUT', status: 503 });
    const id = `alice/retry-${++n}`;
    await pushFolder(savedModel(), id, opts());
    assert.deepEqual(hub.fileAt(id, 'model.safetensors'), WEIGHTS);
    assert.equal(hub.requestsTo('/upload/', 'PUT').filter((q) => q.status === 503).length, 1);
  });

  test('a folder that does not exist or is empty', async () => {
    await rejectsWith(pushFolder(join(dir, 'missing'), 'alice/x', opts()), 'invalid-argument', /cannot read the folder/);
    await rejectsWith(pushFolder(dir, 'alice/x', opts()), 'invalid-argument', /is empty/);
  });

  test('abort before the commit', async () => {
    const controller = new AbortController();
    const onProgress = (e: HubProgressEvent) => {
      if (e.type === 'log' && /uploading large files/.test(e.message)) controller.abort();
    };
    const id = `alice/abort-${++n}`;
    await rejectsWith(pushFolder(savedModel(), id, opts({ signal: controller.signal, onProgress })), 'aborted');
    assert.deepEqual(hub.listFiles(id), ['.gitattributes'], 'nothing committed');
  });
});

describe('deploy a demo Space', () => {
  test('gradio: app.py, requirements.txt, README front matter; Space created with sdk gradio', async () => {
    const r = await deploySpace(
      'alice/waimai-rbt3',
      opts({ template: 'gradio', title: 'Waimai reviews', emoji: '🍜', colorFrom: 'yellow', colorTo: 'red', examples: ['很好吃'] }),
    );
    assert.equal(r.repoId, 'alice/waimai-rbt3-demo');
    assert.equal(r.url, `${hub.url}/spaces/alice/waimai-rbt3-demo`);
    const space = hub.repo('alice/waimai-rbt3-demo', 'space');
    assert.equal(space?.sdk, 'gradio');
    assert.deepEqual(JSON.parse(hub.requestsTo('/api/repos/create')[0]?.body ?? '{}'), {
      name: 'waimai-rbt3-demo',
      organization: 'alice',
      type: 'space',
      sdk: 'gradio',
    });
    assert.deepEqual(hub.listFiles(r.repoId, 'main', 'space'), ['.gitattributes', 'README.md', 'app.py', 'requirements.txt']);
    const fm = readFrontMatter(hub.fileAt(r.repoId, 'README.md', 'main', 'space')?.toString() ?? '');
    assert.equal(fm['title'], 'Waimai reviews');
    assert.equal(fm['emoji'], '🍜');
    assert.equal(fm['colorFrom'], 'yellow');
    assert.equal(fm['colorTo'], 'red');
    assert.equal(fm['sdk'], 'gradio');
    assert.equal(fm['sdk_version'], GRADIO_VERSION);
    assert.equal(fm['app_file'], 'app.py');
    assert.equal(fm['pinned'], 'false');
    const app = hub.fileAt(r.repoId, 'app.py', 'main', 'space')?.toString() ?? '';
    assert.match(app, /MODEL_ID = "alice\/waimai-rbt3"/);
    assert.match(app, /pipeline\("text-classification", model=MODEL_ID\)/);
    assert.match(app, /gr\.Textbox\(/);
    assert.match(app, /gr\.Label\(/);
    assert.deepEqual(
      hub
        .fileAt(r.repoId, 'requirements.txt', 'main', 'space')
        ?.toString()
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(/[<>=]/)[0]),
      ['transformers', 'torch'],
    );
  });

  test('static: index.html with Transformers.js from jsDelivr; README sdk static; redeploy updates it', async () => {
    const r = await deploySpace('alice/waimai-rbt3', opts({ template: 'static', spaceId: 'alice/waimai-static' }));
    assert.equal(r.url, `${hub.url}/spaces/alice/waimai-static`);
    assert.equal(hub.repo('alice/waimai-static', 'space')?.sdk, 'static');
    const html = hub.fileAt('alice/waimai-static', 'index.html', 'main', 'space')?.toString() ?? '';
    assert.ok(html.includes(`from "${TRANSFORMERS_JS_URL}"`));
    assert.match(html, /pipeline\('text-classification', CONFIG\.model/);
    assert.match(html, /"model":"alice\/waimai-rbt3"/);
    // a Hub other than huggingface.co: Transformers.js is pointed at it (env.remoteHost)
    assert.ok(html.includes(`"remoteHost":"${hub.url}/"`), 'remoteHost is the Hub the model was pushed to');
    const fm = readFrontMatter(hub.fileAt('alice/waimai-static', 'README.md', 'main', 'space')?.toString() ?? '');
    assert.equal(fm['sdk'], 'static');
    assert.equal(fm['pinned'], 'false');
    const again = await deploySpace('alice/waimai-rbt3', opts({ template: 'static', spaceId: 'alice/waimai-static', title: 'New title' }));
    assert.equal(again.created, false);
    assert.equal(readFrontMatter(hub.fileAt('alice/waimai-static', 'README.md', 'main', 'space')?.toString() ?? '')['title'], 'New title');
  });

  test("static: the page asks for calibration.json only when the model repo has one (the Hub's raw HEAD answers)", async () => {
    const config = (space: string): { calibrationUrl: string | null } =>
      JSON.parse(/const CONFIG = (\{.*\});/.exec(hub.fileAt(space, 'index.html', 'main', 'space')?.toString() ?? '')![1]!) as { calibrationUrl: string | null };
    hub.addModel('alice/plain', { 'config.json': '{}' });
    hub.addModel('alice/calibrated', { 'config.json': '{}', 'calibration.json': '{"temperature": 1.2}' });
    await deploySpace('alice/plain', opts({ template: 'static', spaceId: 'alice/plain-static' }));
    assert.equal(config('alice/plain-static').calibrationUrl, null);
    await deploySpace('alice/calibrated', opts({ template: 'static', spaceId: 'alice/calibrated-static' }));
    // the page loads the model, and its calibration.json, from the Hub it was pushed to
    assert.equal(config('alice/calibrated-static').calibrationUrl, `${hub.url}/alice/calibrated/resolve/main/calibration.json`);
    assert.ok(hub.requestsTo('/alice/calibrated/raw/main/calibration.json', 'HEAD').length >= 1);
  });

  test('a Space README never carries the token', async () => {
    await rejectsWith(deploySpace('alice/m', opts({ template: 'gradio', description: `token ${TOKEN}` })), 'token-in-file', /README\.md|app\.py/);
    assert.equal(hub.requests.length, 0);
  });
});
