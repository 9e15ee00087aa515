import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { GraphBuilder } from '../../../../src/core/engine/graph.js';
import { serialize } from '../../../../src/core/engine/onnx/serialize.js';
import { createSession } from '../../../../src/core/engine/runtime.js';
import { defaultSessionCacheDir } from '../../../../src/core/engine/session-cache.js';
import { createModel } from '../../../../src/core/model/presets.js';
import { TrainingEngine } from '../../../../src/core/step/engine.js';
import { syntheticBatch } from '../../../helpers/batches.js';

const root = mkdtempSync(join(tmpdir(), 'session-cache-'));
after(() => rmSync(root, { recursive: true, force: true }));

function model(): Uint8Array {
  const g = new GraphBuilder('cache-test');
  const a = g.input('a', 'float32', ['n', 4]);
  const w = g.input('w', 'float32', [4, 3]);
  g.output(g.gelu(g.add(g.matmul(a, w), g.scalarConst('float32', 0.5))), 'y');
  return serialize(g);
}

async function run(cacheDir: string | undefined): Promise<number[]> {
  const s = await createSession(model(), { threads: 1, ...(cacheDir ? { cacheDir } : {}) });
  const out = await s.run({
    a: { dtype: 'float32', dims: [2, 4], data: Float32Array.of(1, 2, 3, 4, -1, 0.5, 0, 2) },
    w: { dtype: 'float32', dims: [4, 3], data: Float32Array.from({ length: 12 }, (_, i) => (i - 6) / 7) },
  });
  await s.dispose();
  return Array.from(out.y!.data as Float32Array);
}

const entries = (dir: string): string[] => readdirSync(dir).filter((n) => n.endsWith('.onnx'));

describe('session cache', () => {
  test('where: FINETUNE_SESSION_CACHE, off, or the user cache folder', () => {
    for (const [env, want] of [
      [{ FINETUNE_SESSION_CACHE: '/x/y' }, '/x/y'],
      [{ FINETUNE_SESSION_CACHE: 'off' }, undefined],
      [{ XDG_CACHE_HOME: '/c' }, join('/c', 'finetune', 'sessions')],
    ] as const) {
      assert.equal(defaultSessionCacheDir(env), want, JSON.stringify(env));
    }
    assert.match(defaultSessionCacheDir({})!, /[\\/]\.cache[\\/]finetune[\\/]sessions$/);
  });

  test('a miss writes the optimized model, a hit loads it, and both compute what an uncached session does', async () => {
    const dir = join(root, 'a');
    const plain = await run(undefined);
    assert.deepEqual(await run(dir), plain);
    assert.equal(entries(dir).length, 1);
    assert.deepEqual(await run(dir), plain);
    assert.equal(entries(dir).length, 1, 'the same model, the same entry');
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.endsWith('.tmp')),
      [],
      'no temporary file left',
    );
  });

  test('an entry ONNX Runtime cannot load is made again', async () => {
    const dir = join(root, 'b');
    const plain = await run(dir);
    const [entry] = entries(dir);
    writeFileSync(join(dir, entry!), 'not a model');
    assert.deepEqual(await run(dir), plain);
    assert.ok(readdirSync(dir).includes(entry!));
    assert.deepEqual(await run(dir), plain);
  });

  test('training through cached sessions gives the gradients of uncached ones, bit for bit', async () => {
    const dir = join(root, 'c');
    const grads = async (sessionCacheDir?: string) => {
      const m = createModel({ preset: 'bert-tiny', vocabSize: 60, numLabels: 2, seed: 3 });
      const e = new TrainingEngine({ config: m.config, weights: m.weights, threads: 1, dropoutSeed: 2, ...(sessionCacheDir ? { sessionCacheDir } : {}) });
      await e.accumulate(syntheticBatch({ batch: 3, seq: 7, vocab: 60, numLabels: 2, ragged: true, seed: 4 }), 1, true);
      const out = new Map(e.trainable.map((n) => [n, e.gradient(n)!.slice()]));
      await e.dispose();
      return out;
    };
    const plain = await grads();
    await grads(dir); // miss: writes the entry
    assert.equal(entries(dir).length, 1);
    const hit = await grads(dir);
    for (const [n, g] of plain) assert.deepEqual(hit.get(n), g, n);
  });
});
