/**
 * pullModel against the loopback fake Hub: file choice, the huggingface_hub cache layout, cache
 * reuse, revisions, resume, retries, verification, unsafe listings, error advice, offline mode,
 * abort.
 */
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { HubError, pullModel, type HubProgressEvent, type PullOptions } from '../../../src/core/hub/index.js';
import { DEFAULT_TOKEN, FakeHub, gitBlobSha1, seededBytes, sha256Hex } from '../../helpers/fake-hub.js';

const VOCAB = readFileSync(new URL('../../fixtures/tokenizers/bert-base-uncased/vocab.txt', import.meta.url));
const CONFIG = JSON.stringify({ model_type: 'bert', hidden_size: 32, num_labels: 2, id2label: { 0: 'neg', 1: 'pos' } }, null, 2);
const WEIGHTS = seededBytes(600_000, 7);

/** A realistic model repo: what a classifier needs plus what it must not download. */
function modelFiles(extra: Record<string, string | Uint8Array> = {}): Record<string, string | Uint8Array> {
  return {
    'config.json': CONFIG,
    'vocab.txt': VOCAB,
    'tokenizer_config.json': '{"do_lower_case": true}',
    'special_tokens_map.json': '{"unk_token": "[UNK]"}',
    'model.safetensors': WEIGHTS,
    'pytorch_model.bin': seededBytes(50_000, 8),
    'tf_model.h5': seededBytes(40_000, 9),
    'flax_model.msgpack': seededBytes(30_000, 10),
    'onnx/model.onnx': seededBytes(20_000, 11),
    'README.md': '# a model\n',
    ...extra,
  };
}

const FAST: PullOptions['retry'] = { baseDelayMs: 5, maxDelayMs: 20 };

/** The start of a `bytes=N-` Range header. */
function resumedFrom(range: string | undefined): number {
  const m = /^bytes=(\d+)-$/.exec(range ?? '');
  return m ? Number(m[1]) : -1;
}

let hub: FakeHub;
let cache: string;
let events: HubProgressEvent[];

before(async () => {
  hub = await FakeHub.start();
});
after(async () => {
  await hub.close();
});
beforeEach(() => {
  cache = mkdtempSync(join(tmpdir(), 'finetune-hub-cache-'));
  events = [];
  hub.reset();
});
afterEach(() => {
  rmSync(cache, { recursive: true, force: true });
});

let repoCounter = 0;
function newRepo(files = modelFiles(), options: Parameters<FakeHub['addModel']>[2] = {}): { id: string; commit: string } {
  const id = `org/model-${++repoCounter}`;
  return { id, commit: hub.addModel(id, files, options) };
}

function opts(extra: Partial<PullOptions> = {}): PullOptions {
  return { cacheDir: cache, endpoint: hub.url, retry: FAST, env: {}, progressIntervalMs: 0, onProgress: (e) => events.push(e), ...extra };
}

function logs(): string[] {
  return events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
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

const resolves = () => hub.requests.filter((r) => r.path.includes('/resolve/') || r.path.startsWith('/lfs/'));

describe('pull: files and cache layout', () => {
  test('chooses config, tokenizer files and model.safetensors only', async () => {
    const { id, commit } = newRepo();
    const r = await pullModel(id, opts());
    assert.equal(r.commit, commit);
    assert.deepEqual(r.files, ['config.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt', 'model.safetensors']);
    assert.deepEqual([...r.downloaded].sort(), [...r.files].sort());
    assert.equal(r.weights, 'safetensors');
    assert.equal(r.fromCache, false);
    assert.deepEqual(readdirSync(r.folder).sort(), [...r.files].sort());
    assert.deepEqual(readFileSync(join(r.folder, 'model.safetensors')), WEIGHTS);
    assert.deepEqual(readFileSync(join(r.folder, 'vocab.txt')), VOCAB);
    const downloaded = resolves().map((q) => q.path);
    for (const unwanted of ['pytorch_model.bin', 'tf_model.h5', 'flax_model.msgpack', 'onnx/model.onnx', 'README.md']) {
      assert.ok(!downloaded.some((p) => p.endsWith(unwanted)), `${unwanted} was downloaded`);
    }
  });

  test('cache layout is exactly the one huggingface_hub writes', async () => {
    const { id, commit } = newRepo();
    const r = await pullModel(id, opts());
    const repoDir = join(cache, `models--${id.replace('/', '--')}`);
    assert.equal(r.folder, join(repoDir, 'snapshots', commit));
    assert.deepEqual(readdirSync(repoDir).sort(), ['blobs', 'refs', 'snapshots']);
    assert.equal(readFileSync(join(repoDir, 'refs', 'main'), 'utf8'), commit, 'refs/main holds the commit sha, no newline');
    const expectedBlobs = new Map<string, string>([
      ['config.json', gitBlobSha1(Buffer.from(CONFIG))],
      ['vocab.txt', gitBlobSha1(VOCAB)],
      ['tokenizer_config.json', gitBlobSha1(Buffer.from('{"do_lower_case": true}'))],
      ['special_tokens_map.json', gitBlobSha1(Buffer.from('{"unk_token": "[UNK]"}'))],
      ['model.safetensors', sha256Hex(WEIGHTS)],
    ]);
    assert.deepEqual(readdirSync(join(repoDir, 'blobs')).sort(), [...expectedBlobs.values()].sort());
    for (const [file, etag] of expectedBlobs) {
      const link = join(r.folder, file);
      assert.ok(lstatSync(link).isSymbolicLink(), `${file} is a symlink`);
      assert.equal(readlinkSync(link), `../../blobs/${etag}`);
    }
    // LFS blobs are named by sha256 (64 hex), regular files by git blob sha1 (40 hex).
    assert.equal(sha256Hex(readFileSync(join(repoDir, 'blobs', sha256Hex(WEIGHTS)))), sha256Hex(WEIGHTS));
  });

  test('second pull uses the cache: no download', async () => {
    const { id } = newRepo();
    const first = await pullModel(id, opts());
    hub.clearRequests();
    events = [];
    const second = await pullModel(id, opts());
    assert.equal(second.folder, first.folder);
    assert.deepEqual(second.downloaded, []);
    assert.deepEqual(resolves(), [], 'no file was requested');
    assert.equal(hub.requestsTo('/paths-info/').length, 0);
    const done = events.filter((e) => e.type === 'file-done');
    assert.equal(done.length, first.files.length);
    assert.ok(done.every((e) => e.type === 'file-done' && e.cached));
  });

  test('sharded safetensors: index, then every shard it names', async () => {
    const s1 = seededBytes(70_000, 21);
    const s2 = seededBytes(50_000, 22);
    const index = JSON.stringify({
      metadata: { total_size: 120000 },
      weight_map: { 'a.weight': 'model-00001-of-00002.safetensors', 'b.weight': 'model-00002-of-00002.safetensors' },
    });
    const { id } = newRepo({
      'config.json': CONFIG,
      'vocab.txt': VOCAB,
      'model.safetensors.index.json': index,
      'model-00001-of-00002.safetensors': s1,
      'model-00002-of-00002.safetensors': s2,
      'pytorch_model.bin': seededBytes(10, 1),
    });
    const r = await pullModel(id, opts());
    assert.equal(r.weights, 'safetensors-sharded');
    assert.deepEqual(r.files, [
      'config.json',
      'vocab.txt',
      'model.safetensors.index.json',
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
    ]);
    assert.deepEqual(readFileSync(join(r.folder, 'model-00002-of-00002.safetensors')), s2);
    assert.ok(!existsSync(join(r.folder, 'pytorch_model.bin')));
  });

  test('pytorch_model.bin when there is no safetensors; sharded pytorch too', async () => {
    const bin = seededBytes(40_000, 31);
    const single = newRepo({ 'config.json': CONFIG, 'vocab.json': '{}', 'merges.txt': '#v\n', 'pytorch_model.bin': bin, 'tf_model.h5': 'x' });
    const r = await pullModel(single.id, opts());
    assert.equal(r.weights, 'pytorch');
    assert.deepEqual(r.files, ['config.json', 'vocab.json', 'merges.txt', 'pytorch_model.bin']);
    assert.deepEqual(readFileSync(join(r.folder, 'pytorch_model.bin')), bin);

    const sharded = newRepo({
      'config.json': CONFIG,
      'sentencepiece.bpe.model': seededBytes(3000, 5),
      'pytorch_model.bin.index.json': JSON.stringify({ weight_map: { w: 'pytorch_model-00001-of-00001.bin' } }),
      'pytorch_model-00001-of-00001.bin': bin,
    });
    const r2 = await pullModel(sharded.id, opts());
    assert.equal(r2.weights, 'pytorch-sharded');
    assert.deepEqual(r2.files, ['config.json', 'sentencepiece.bpe.model', 'pytorch_model.bin.index.json', 'pytorch_model-00001-of-00001.bin']);
  });

  test('a TF-only repo is refused with a clear message', async () => {
    const { id } = newRepo({ 'config.json': CONFIG, 'tf_model.h5': 'x', 'onnx/model.onnx': 'y' });
    await rejectsWith(pullModel(id, opts()), 'unsupported', /TensorFlow, Flax and ONNX-only/);
  });

  test('progress: per-file and total bytes, then file-done', async () => {
    const { id } = newRepo();
    await pullModel(id, opts());
    const fileProgress = events.filter(
      (e): e is Extract<HubProgressEvent, { type: 'file-progress' }> => e.type === 'file-progress' && e.file === 'model.safetensors',
    );
    assert.ok(fileProgress.length >= 2);
    assert.equal(fileProgress.at(-1)?.loaded, WEIGHTS.length);
    assert.equal(fileProgress.at(-1)?.total, WEIGHTS.length);
    const totals = events.filter((e): e is Extract<HubProgressEvent, { type: 'total-progress' }> => e.type === 'total-progress');
    const last = totals.at(-1);
    assert.ok(last && last.loaded === last.total && last.total > WEIGHTS.length);
    for (let i = 1; i < totals.length; i++) assert.ok((totals[i]?.loaded ?? 0) >= (totals[i - 1]?.loaded ?? 0), 'total never goes back');
    assert.ok(events.some((e) => e.type === 'file-done' && e.file === 'model.safetensors' && !e.cached));
  });
});

describe('pull: revisions', () => {
  test('branch, tag and commit sha; refs written as huggingface_hub does; blobs shared', async () => {
    const { id, commit: c1 } = newRepo();
    hub.createTag(id, 'v1', c1);
    hub.createBranch(id, 'dev', c1);
    const c2 = hub.commitFiles(id, { 'config.json': CONFIG.replace('"pos"', '"positive"') }, { branch: 'dev' });
    const repoDir = join(cache, `models--${id.replace('/', '--')}`);

    const dev = await pullModel(id, opts({ revision: 'dev' }));
    assert.equal(dev.commit, c2);
    assert.match(readFileSync(join(dev.folder, 'config.json'), 'utf8'), /"positive"/);
    assert.equal(readFileSync(join(repoDir, 'refs', 'dev'), 'utf8'), c2);

    hub.clearRequests();
    const tag = await pullModel(id, opts({ revision: 'v1' }));
    assert.equal(tag.commit, c1);
    assert.equal(readFileSync(join(repoDir, 'refs', 'v1'), 'utf8'), c1);
    assert.match(readFileSync(join(tag.folder, 'config.json'), 'utf8'), /"pos"/);
    // The weights did not change between the commits: their blob is reused, not downloaded again.
    assert.deepEqual(tag.downloaded, ['config.json']);
    assert.equal(hub.requestsTo('/lfs/').length, 0);

    const bySha = await pullModel(id, opts({ revision: c1 }));
    assert.equal(bySha.folder, tag.folder);
    assert.deepEqual(readdirSync(join(repoDir, 'refs')).sort(), ['dev', 'v1'], 'no ref is written for a commit sha');
    assert.deepEqual(readdirSync(join(repoDir, 'snapshots')).sort(), [c1, c2].sort());
  });

  test('unknown revision: not-found with advice', async () => {
    const { id } = newRepo();
    await rejectsWith(pullModel(id, opts({ revision: 'nope' })), 'not-found', /revision not found \(404\): check the repo id and revision/);
  });
});

describe('pull: resume, retry, verification', () => {
  test('a download cut in the middle is resumed with a Range request', async () => {
    const { id } = newRepo();
    hub.fail({ server: 'cdn', path: '/lfs/', cutAfterBytes: 200_000 });
    const r = await pullModel(id, opts());
    assert.deepEqual(readFileSync(join(r.folder, 'model.safetensors')), WEIGHTS);
    const cdn = hub.requestsTo('/lfs/', 'GET');
    assert.equal(cdn.length, 2);
    assert.equal(cdn[0]?.headers['range'], undefined);
    // The server cut after 200000 bytes; the client resumes from what it had written (bytes still
    // queued in the stream when the connection broke are not on disk, so it may be a little less).
    assert.ok(resumedFrom(cdn[1]?.headers['range']) > 0 && resumedFrom(cdn[1]?.headers['range']) <= 200_000, String(cdn[1]?.headers['range']));
    assert.equal(cdn[1]?.status, 206);
    assert.ok(logs().some((m) => /download interrupted/.test(m)));
  });

  test('repeated cuts that each make progress do not use up the retries', async () => {
    const { id } = newRepo();
    hub.fail({ server: 'cdn', path: '/lfs/', cutAfterBytes: 100_000, times: 4 });
    const r = await pullModel(id, opts({ retry: { ...FAST, maxRetries: 1 } }));
    assert.deepEqual(readFileSync(join(r.folder, 'model.safetensors')), WEIGHTS);
    const ranges = hub.requestsTo('/lfs/', 'GET').map((q) => q.headers['range']);
    assert.equal(ranges.length, 5);
    assert.equal(ranges[0], undefined);
    // Each cut (after 100000 bytes of its answer) made progress, so the retries were not used up.
    const starts = ranges.slice(1).map(resumedFrom);
    starts.forEach((s, i) => assert.ok(s > (i ? starts[i - 1]! : 0) && s <= (i + 1) * 100_000, `resume ${i + 1} from ${s}`));
  });

  test('a partial file left by an earlier pull is resumed by the next one', async () => {
    const { id } = newRepo();
    hub.fail({ server: 'cdn', path: '/lfs/', cutAfterBytes: 123_456 });
    const err = await rejectsWith(
      pullModel(id, opts({ retry: { maxRetries: 0 } })),
      'network',
      /partial file is kept.*check the connection or set HF_HUB_OFFLINE=1/,
    );
    assert.equal(err.file, 'model.safetensors');
    const incomplete = join(cache, `models--${id.replace('/', '--')}`, 'blobs', `${sha256Hex(WEIGHTS)}.incomplete`);
    const kept = statSync(incomplete).size;
    assert.ok(kept > 0 && kept <= 123_456, `kept ${kept} bytes`);
    hub.clearRequests();
    const r = await pullModel(id, opts());
    assert.deepEqual(readFileSync(join(r.folder, 'model.safetensors')), WEIGHTS);
    const cdn = hub.requestsTo('/lfs/', 'GET');
    assert.equal(cdn.length, 1);
    assert.equal(cdn[0]?.headers['range'], `bytes=${kept}-`);
    assert.ok(!existsSync(incomplete));
  });

  test('a stale partial file that fails verification is downloaded again from the start', async () => {
    const { id } = newRepo();
    const blobs = join(cache, `models--${id.replace('/', '--')}`, 'blobs');
    mkdirSync(blobs, { recursive: true });
    writeFileSync(join(blobs, `${sha256Hex(WEIGHTS)}.incomplete`), Buffer.alloc(1000, 0x42));
    const r = await pullModel(id, opts());
    assert.deepEqual(readFileSync(join(r.folder, 'model.safetensors')), WEIGHTS);
    const ranges = hub.requestsTo('/lfs/', 'GET').map((q) => q.headers['range']);
    assert.deepEqual(ranges, ['bytes=1000-', undefined]);
  });

  test('429 with Retry-After, then success', async () => {
    const { id } = newRepo();
    hub.fail({ path: '/api/models/', status: 429, headers: { 'Retry-After': '1' } });
    const start = Date.now();
    const r = await pullModel(id, opts());
    assert.ok(Date.now() - start >= 950, 'waited for Retry-After');
    assert.ok(r.files.length > 0);
    assert.equal(hub.requestsTo('/api/models/').filter((q) => q.status === 429).length, 1);
    assert.ok(logs().some((m) => /rate limited \(429\); retrying in 1\.0 s/.test(m)));
  });

  test('5xx and a refused connection on a file are retried with backoff', async () => {
    const { id } = newRepo();
    hub.fail({ path: '/resolve/', status: 503, times: 2 });
    hub.fail({ server: 'cdn', status: 502 });
    const r = await pullModel(id, opts());
    assert.deepEqual(readFileSync(join(r.folder, 'model.safetensors')), WEIGHTS);
    assert.equal(logs().filter((m) => /the Hub answered 50[23]; retrying/.test(m)).length, 3);
  });

  test('persistent 429 ends with the rate-limit advice', async () => {
    const { id } = newRepo();
    hub.fail({ path: '/api/models/', status: 429, times: 10 });
    await rejectsWith(pullModel(id, opts({ retry: { ...FAST, maxRetries: 2 } })), 'rate-limited', /rate limited; retry later/);
    assert.equal(hub.requestsTo('/api/models/').length, 3);
  });

  test('a file whose sha256 does not match is rejected and not in the cache', async () => {
    const { id } = newRepo();
    hub.corrupt(id, 'model.safetensors');
    await rejectsWith(pullModel(id, opts()), 'integrity', /model\.safetensors: the downloaded bytes do not match the Hub's sha256.*not put in the cache/);
    const repoDir = join(cache, `models--${id.replace('/', '--')}`);
    assert.deepEqual(
      readdirSync(join(repoDir, 'blobs')).filter((b) => b.startsWith(sha256Hex(WEIGHTS))),
      [],
      'no blob, no .incomplete',
    );
    const snap = readdirSync(join(repoDir, 'snapshots'))[0];
    assert.ok(snap);
    assert.ok(!existsSync(join(repoDir, 'snapshots', snap, 'model.safetensors')));
  });

  test('a regular file is checked against its git blob sha1', async () => {
    const { id } = newRepo();
    hub.corrupt(id, 'vocab.txt');
    await rejectsWith(pullModel(id, opts()), 'integrity', /vocab\.txt: the downloaded bytes do not match the Hub's git-sha1/);
    const blobs = readdirSync(join(cache, `models--${id.replace('/', '--')}`, 'blobs'));
    assert.ok(!blobs.includes(gitBlobSha1(VOCAB)));
  });
});

describe('pull: unsafe listings', () => {
  for (const bad of ['../../evil.json', '/etc/passwd', 'a\\..\\b', 'x//y', 'nul\0byte']) {
    test(`a listing with ${JSON.stringify(bad)} is refused and nothing is written`, async () => {
      const files = modelFiles();
      const siblings = [...Object.keys(files), '.gitattributes', bad].map((rfilename) => ({ rfilename }));
      const { id } = newRepo(files, { infoOverrides: { siblings } });
      await rejectsWith(pullModel(id, opts()), 'unsafe-path', /refusing listed file name/);
      assert.deepEqual(readdirSync(cache), []);
      assert.deepEqual(resolves(), []);
    });
  }
  test('a shard index that points outside the snapshot is refused', async () => {
    const { id } = newRepo({
      'config.json': CONFIG,
      'model.safetensors.index.json': JSON.stringify({ weight_map: { w: '../../../../.bashrc.safetensors' } }),
    });
    await rejectsWith(pullModel(id, opts()), 'unsafe-path', /shard file name/);
  });
  test('an invalid commit sha from the server is refused', async () => {
    const { id } = newRepo(modelFiles(), { infoOverrides: { sha: '../../../tmp/x' } });
    await rejectsWith(pullModel(id, opts()), 'http', /invalid commit sha/);
    assert.deepEqual(readdirSync(cache), []);
  });
});

describe('pull: access errors say what to do', () => {
  const SECRET = DEFAULT_TOKEN;
  test('401: private repo without a token', async () => {
    const { id } = newRepo(modelFiles(), { private: true });
    const err = await rejectsWith(pullModel(id, opts()), 'unauthorized', /set a token: HF_TOKEN or Finetune: Set Hugging Face Token/);
    assert.equal(err.status, 401);
  });
  test('private repo with the owner token works, and the token goes to the Hub only', async () => {
    const id = `alice/private-${++repoCounter}`;
    hub.addModel(id, modelFiles(), { private: true });
    await pullModel(id, opts({ token: SECRET }));
    for (const q of hub.requests) {
      if (q.server === 'hub') assert.equal(q.headers['authorization'], `Bearer ${SECRET}`, q.path);
      else assert.equal(q.headers['authorization'], undefined, `token sent to the CDN: ${q.path}`);
    }
  });
  test('401: a rejected token', async () => {
    const { id } = newRepo();
    const err = await rejectsWith(pullModel(id, opts({ token: 'hf_wrongwrongwrongwrong' })), 'unauthorized', /token was rejected.*set a token/);
    assert.ok(!err.message.includes('hf_wrongwrongwrongwrong'));
  });
  test('403: gated model', async () => {
    const { id } = newRepo(modelFiles(), { gated: true });
    const err = await rejectsWith(pullModel(id, opts({ token: SECRET })), 'gated', new RegExp(`accept the model's conditions at ${hub.url}/${id}`));
    assert.equal(err.status, 403);
    assert.ok(!err.message.includes(SECRET));
    assert.ok(!JSON.stringify(err).includes(SECRET));
    hub.grantAccess(id, 'alice');
    await pullModel(id, opts({ token: SECRET }));
  });
  test('401: gated model without a token', async () => {
    const { id } = newRepo(modelFiles(), { gated: true });
    await rejectsWith(pullModel(id, opts()), 'gated', /accept the model's conditions at .*then set a token: HF_TOKEN/);
  });
  test('404: no such repo', async () => {
    await rejectsWith(pullModel('org/does-not-exist', opts({ token: SECRET })), 'not-found', /org\/does-not-exist.*check the repo id and revision/);
  });
  test('network: nothing listening', async () => {
    const closed = await FakeHub.start();
    const url = closed.url;
    await closed.close();
    await rejectsWith(
      pullModel('org/any', opts({ endpoint: url, retry: { maxRetries: 1, baseDelayMs: 1 } })),
      'network',
      /could not reach .*check the connection or set HF_HUB_OFFLINE=1 to use the cache/,
    );
  });
  test('the token is never in a log line, an error or the cache', async () => {
    const { id } = newRepo(modelFiles(), { gated: true });
    hub.grantAccess(id, 'alice');
    hub.fail({ path: '/api/models/', status: 429, body: { error: `echo ${SECRET}` } });
    hub.fail({ server: 'cdn', path: '/lfs/', cutAfterBytes: 1000 });
    const r = await pullModel(id, opts({ token: SECRET }));
    assert.ok(!JSON.stringify(events).includes(SECRET));
    assert.ok(!JSON.stringify(r).includes(SECRET));
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
    for (const f of walk(cache)) assert.ok(!readFileSync(f).includes(SECRET), f);
  });
});

describe('pull: offline and caches written by others', () => {
  test('HF_HUB_OFFLINE=1 resolves from the cache with no request', async () => {
    const { id } = newRepo();
    const online = await pullModel(id, opts());
    hub.clearRequests();
    const offline = await pullModel(id, opts({ env: { HF_HUB_OFFLINE: '1' } }));
    assert.equal(offline.folder, online.folder);
    assert.equal(offline.commit, online.commit);
    assert.deepEqual(offline.files, online.files);
    assert.equal(offline.fromCache, true);
    assert.equal(hub.requests.length, 0);
  });

  test('HF_HUB_OFFLINE and HF_HUB_CACHE from process.env', async () => {
    const { id } = newRepo();
    await pullModel(id, opts());
    const saved = { off: process.env['HF_HUB_OFFLINE'], cache: process.env['HF_HUB_CACHE'] };
    process.env['HF_HUB_OFFLINE'] = '1';
    process.env['HF_HUB_CACHE'] = cache;
    try {
      hub.clearRequests();
      const r = await pullModel(id, { endpoint: hub.url });
      assert.ok(r.folder.startsWith(cache));
      assert.equal(hub.requests.length, 0);
    } finally {
      for (const [k, v] of [
        ['HF_HUB_OFFLINE', saved.off],
        ['HF_HUB_CACHE', saved.cache],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  test('offline and not cached: a clear error', async () => {
    await rejectsWith(
      pullModel('org/never-pulled', opts({ offline: true })),
      'offline',
      /org\/never-pulled \(revision main\) is not in the cache at .* and offline mode is on \(HF_HUB_OFFLINE=1\): pull it once online/,
    );
    assert.equal(hub.requests.length, 0);
  });

  test('offline with a cached but incomplete snapshot: a clear error', async () => {
    const { id, commit } = newRepo();
    const repoDir = join(cache, `models--${id.replace('/', '--')}`);
    mkdirSync(join(repoDir, 'refs'), { recursive: true });
    mkdirSync(join(repoDir, 'snapshots', commit), { recursive: true });
    writeFileSync(join(repoDir, 'refs', 'main'), commit);
    writeFileSync(join(repoDir, 'snapshots', commit, 'config.json'), CONFIG);
    await rejectsWith(pullModel(id, opts({ offline: true })), 'offline', /incomplete .*no PyTorch weights/);
  });

  test('a cache written in the huggingface_hub layout by another tool is reused', async () => {
    const { id, commit } = newRepo();
    // What Python's snapshot_download leaves: blobs by etag, relative symlinks, refs/main.
    const repoDir = join(cache, `models--${id.replace('/', '--')}`);
    mkdirSync(join(repoDir, 'blobs'), { recursive: true });
    mkdirSync(join(repoDir, 'refs'), { recursive: true });
    const snap = join(repoDir, 'snapshots', commit);
    mkdirSync(snap, { recursive: true });
    writeFileSync(join(repoDir, 'refs', 'main'), commit);
    const files = modelFiles();
    for (const name of ['config.json', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json', 'model.safetensors', 'tf_model.h5']) {
      const content = Buffer.from(files[name] as string | Uint8Array);
      const etag = name.endsWith('.safetensors') || name.endsWith('.h5') ? sha256Hex(content) : gitBlobSha1(content);
      writeFileSync(join(repoDir, 'blobs', etag), content);
      symlinkSync(`../../blobs/${etag}`, join(snap, name));
    }
    const online = await pullModel(id, opts());
    assert.equal(online.folder, snap);
    assert.deepEqual(online.downloaded, []);
    assert.deepEqual(resolves(), []);
    assert.deepEqual(readFileSync(join(online.folder, 'model.safetensors')), WEIGHTS);
    hub.clearRequests();
    const offline = await pullModel(id, opts({ offline: true }));
    assert.equal(offline.folder, snap);
    assert.equal(hub.requests.length, 0);
  });

  test('Hub unreachable but the snapshot is cached: the cache is used, with a log line', async () => {
    const { id } = newRepo();
    const online = await pullModel(id, opts());
    const closed = await FakeHub.start();
    const url = closed.url;
    await closed.close();
    events = [];
    const r = await pullModel(id, opts({ endpoint: url, retry: { maxRetries: 0 } }));
    assert.equal(r.folder, online.folder);
    assert.equal(r.fromCache, true);
    assert.ok(logs().some((m) => /could not be reached.*using the cached snapshot/.test(m)));
  });

  test('HF_ENDPOINT is where the Hub is', async () => {
    const { id } = newRepo();
    const r = await pullModel(id, { cacheDir: cache, env: { HF_ENDPOINT: hub.url }, retry: FAST });
    assert.ok(existsSync(join(r.folder, 'config.json')));
    assert.ok(hub.requests.length > 0);
  });
});

describe('pull: abort', () => {
  test('AbortSignal mid-download stops it, keeps the partial file, and the next pull resumes', async () => {
    const { id } = newRepo();
    hub.throttle = { chunkBytes: 16_384, delayMs: 5 };
    const controller = new AbortController();
    const onProgress = (e: HubProgressEvent) => {
      events.push(e);
      if (e.type === 'file-progress' && e.file === 'model.safetensors' && e.loaded >= 100_000) controller.abort();
    };
    const err = await rejectsWith(pullModel(id, opts({ signal: controller.signal, onProgress })), 'aborted');
    assert.equal(err.message, 'cancelled');
    const repoDir = join(cache, `models--${id.replace('/', '--')}`);
    const partial = join(repoDir, 'blobs', `${sha256Hex(WEIGHTS)}.incomplete`);
    const have = statSync(partial).size;
    assert.ok(have >= 100_000 && have < WEIGHTS.length, `partial size ${have}`);
    assert.ok(!existsSync(join(repoDir, 'blobs', sha256Hex(WEIGHTS))));
    hub.throttle = undefined;
    hub.clearRequests();
    const r = await pullModel(id, opts());
    assert.deepEqual(readFileSync(join(r.folder, 'model.safetensors')), WEIGHTS);
    assert.equal(hub.requestsTo('/lfs/', 'GET')[0]?.headers['range'], `bytes=${have}-`);
  });

  test('an already aborted signal does nothing', async () => {
    const { id } = newRepo();
    const controller = new AbortController();
    controller.abort();
    await rejectsWith(pullModel(id, opts({ signal: controller.signal })), 'aborted');
    assert.deepEqual(readdirSync(cache), []);
  });

  test('abort during a Retry-After wait', async () => {
    const { id } = newRepo();
    hub.fail({ path: '/api/models/', status: 429, headers: { 'Retry-After': '30' } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const start = Date.now();
    await rejectsWith(pullModel(id, opts({ signal: controller.signal })), 'aborted');
    assert.ok(Date.now() - start < 5000);
  });
});
