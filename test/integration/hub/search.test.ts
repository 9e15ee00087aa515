/**
 * searchModels against the loopback fake Hub (task filter, download order, limit, offline, an
 * unreachable Hub) and listCachedModels on a cache that pullModel wrote.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HubError, listCachedModels, pullModel, repoIdOfCacheFolder, searchModels } from '../../../src/core/hub/index.js';
import { FakeHub, seededBytes } from '../../helpers/fake-hub.js';

const VOCAB = readFileSync(new URL('../../fixtures/tokenizers/bert-base-uncased/vocab.txt', import.meta.url));
const files = (labels: string[]): Record<string, string | Uint8Array> => ({
  'config.json': JSON.stringify({ model_type: 'bert', id2label: Object.fromEntries(labels.map((l, i) => [i, l])) }),
  'vocab.txt': VOCAB,
  'model.safetensors': seededBytes(1000, 3),
});

let hub: FakeHub;
before(async () => {
  hub = await FakeHub.start();
  hub.addModel('org/sentiment-small', files(['neg', 'pos']), { infoOverrides: { pipeline_tag: 'text-classification', downloads: 50 } });
  hub.addModel('org/sentiment-large', files(['neg', 'pos']), { infoOverrides: { pipeline_tag: 'text-classification', downloads: 900 } });
  hub.addModel('org/bert-mlm', files(['a']), { infoOverrides: { pipeline_tag: 'fill-mask', downloads: 400 } });
  hub.addModel('org/sentiment-gpt', files(['a']), { infoOverrides: { pipeline_tag: 'text-generation', downloads: 5000 } });
  hub.addModel('org/private-sentiment', files(['a']), { private: true, infoOverrides: { pipeline_tag: 'text-classification', downloads: 1e6 } });
});
after(async () => {
  await hub.close();
});

describe('searchModels', () => {
  const cases: { name: string; query: string; limit?: number; tasks?: string[]; want: string[] }[] = [
    { name: 'classifiers and masked LMs, most downloaded first', query: '', want: ['org/sentiment-large', 'org/bert-mlm', 'org/sentiment-small'] },
    { name: 'the query matches the id (any case)', query: 'SENTIMENT', want: ['org/sentiment-large', 'org/sentiment-small'] },
    { name: 'limit', query: '', limit: 1, want: ['org/sentiment-large'] },
    { name: 'one task', query: '', tasks: ['fill-mask'], want: ['org/bert-mlm'] },
    { name: 'nothing matches', query: 'roberta', want: [] },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const hits = await searchModels(c.query, { endpoint: hub.url, env: {}, ...(c.limit ? { limit: c.limit } : {}), ...(c.tasks ? { tasks: c.tasks } : {}) });
      assert.deepEqual(
        hits.map((h) => h.id),
        c.want,
      );
    });
  }

  test('hits carry the task and downloads, and the request asks the Hub to sort by downloads', async () => {
    hub.clearRequests();
    const [top] = await searchModels('large', { endpoint: hub.url, env: {} });
    assert.deepEqual(top, { id: 'org/sentiment-large', task: 'text-classification', downloads: 900, likes: 0, private: false, gated: false });
    const q = new URLSearchParams(hub.requestsTo('/api/models')[0]!.query);
    assert.equal(q.get('sort'), 'downloads');
    assert.equal(q.get('search'), 'large');
  });

  test('offline mode refuses without asking the Hub', async () => {
    hub.clearRequests();
    await assert.rejects(searchModels('x', { endpoint: hub.url, env: { HF_HUB_OFFLINE: '1' } }), (e: unknown) => e instanceof HubError && e.kind === 'offline');
    assert.equal(hub.requestsTo('/api/models').length, 0);
  });

  test('an unreachable Hub is a network error', async () => {
    await assert.rejects(
      searchModels('x', { endpoint: 'http://127.0.0.1:9', env: {}, retry: { maxRetries: 0 } }),
      (e: unknown) => e instanceof HubError && e.kind === 'network',
    );
  });
});

describe('listCachedModels', () => {
  test('lists pulled models with their snapshot folder; ignores datasets and repos without a config', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'finetune-cache-list-'));
    try {
      const pulled = await pullModel('org/sentiment-small', { endpoint: hub.url, cacheDir: cache, env: {} });
      mkdirSync(join(cache, 'datasets--org--data', 'refs'), { recursive: true });
      mkdirSync(join(cache, 'models--org--empty', 'refs'), { recursive: true });
      writeFileSync(join(cache, 'models--org--empty', 'refs', 'main'), 'a'.repeat(40));
      const list = await listCachedModels(cache);
      assert.deepEqual(
        list.map((m) => [m.repoId, m.folder, m.commit]),
        [['org/sentiment-small', pulled.folder, pulled.commit]],
      );
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  test('a missing cache folder lists nothing', async () => {
    assert.deepEqual(await listCachedModels(join(tmpdir(), 'no-such-cache-folder-xyz')), []);
  });

  for (const [name, want] of [
    ['models--org--name', 'org/name'],
    ['models--bert-base-uncased', 'bert-base-uncased'],
    ['datasets--org--name', undefined],
    ['models--', undefined],
  ] as const) {
    test(`repoIdOfCacheFolder(${name})`, () => assert.equal(repoIdOfCacheFolder(name), want));
  }
});
