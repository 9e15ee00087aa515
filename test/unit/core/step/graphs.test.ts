import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createModel } from '../../../../src/core/model/presets.js';
import { buildGraph, gradName, STATE_KINDS, stateInputName, stateOutputName } from '../../../../src/core/step/graphs.js';
import { ADAMW_DEFAULTS } from '../../../../src/core/step/adamw.js';

const config = createModel({ preset: 'bert-tiny', vocabSize: 40, numLabels: 2, seed: 1 }).config;

describe('training graphs', () => {
  test("the names of a parameter's gradient, state inputs and stepped outputs", () => {
    const p = 'bert.pooler.dense.weight';
    assert.equal(gradName(p), 'grad.bert.pooler.dense.weight');
    assert.deepEqual(
      STATE_KINDS.map((k) => [stateInputName(k, p), stateOutputName(k, p)]),
      [
        [p, 'new.bert.pooler.dense.weight'],
        ['m.bert.pooler.dense.weight', 'new_m.bert.pooler.dense.weight'],
        ['v.bert.pooler.dense.weight', 'new_v.bert.pooler.dense.weight'],
      ],
    );
  });

  test("the fused graph takes and returns each trainable parameter's weight and moments, and nothing for frozen ones", () => {
    const trainable = (n: string): boolean => n.startsWith('classifier.');
    const built = buildGraph({ kind: 'fused', config, trainable });
    assert.deepEqual(built.trainable, ['classifier.weight', 'classifier.bias']);
    for (const n of built.params) {
      const on = trainable(n);
      assert.ok(built.inputs.includes(n), n);
      for (const k of ['m', 'v'] as const) assert.equal(built.inputs.includes(stateInputName(k, n)), on, `${k} of ${n}`);
      for (const k of STATE_KINDS) assert.equal(built.outputs.includes(stateOutputName(k, n)), on, `new ${k} of ${n}`);
    }
    assert.deepEqual(built.outputs.slice(0, 3), ['loss', 'logits', 'grad_norm']);
  });

  test("the fused graph's AdamW defaults are the optimizer's", () => {
    const bytes = (adam?: typeof ADAMW_DEFAULTS) => Buffer.from(buildGraph({ kind: 'fused', config, ...(adam ? { adam } : {}) }).model);
    assert.ok(bytes().equals(bytes(ADAMW_DEFAULTS)));
    assert.ok(!bytes().equals(bytes({ ...ADAMW_DEFAULTS, beta2: 0.98 })));
  });
});
