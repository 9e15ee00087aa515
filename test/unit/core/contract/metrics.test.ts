/** The metric table: names, directions, model-card tags. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultArgs, greaterIsBetter } from '../../../../src/core/contract/args.js';
import { higherIsBetter, metricInfo, metricKeys } from '../../../../src/core/contract/metrics.js';

describe('metrics table', () => {
  const cases: [string, boolean][] = [
    ['eval_loss', false],
    ['eval_accuracy', true],
    ['eval_f1', true],
    ['test_mse', false],
    ['mae', false],
    ['eval_r2', true],
    ['eval_pearson', true],
    ['eval_ece', false],
    // not in the table: transformers' rule (a name ending in "loss" is lower-is-better)
    ['eval_custom_loss', false],
    ['eval_bleu', true],
  ];
  for (const [key, higher] of cases) test(`${key}: ${higher ? 'higher' : 'lower'} is better`, () => assert.equal(higherIsBetter(key), higher));

  test('metric_for_best_model follows the table unless greater_is_better is given', () => {
    const a = defaultArgs();
    assert.equal(greaterIsBetter({ ...a, metric_for_best_model: 'mse' }), false);
    assert.equal(greaterIsBetter({ ...a, metric_for_best_model: 'f1' }), true);
    assert.equal(greaterIsBetter({ ...a, metric_for_best_model: null }), false, 'the default is eval_loss');
    assert.equal(greaterIsBetter({ ...a, metric_for_best_model: 'f1', greater_is_better: false }), false);
  });

  test('metricKeys: computed metrics only (no timings), in table order; headline ones on request', () => {
    const keys = ['eval_runtime', 'eval_f1', 'eval_loss', 'eval_accuracy', 'eval_f1_macro', 'eval_samples_per_second', 'epoch'];
    assert.deepEqual(metricKeys(keys), ['eval_loss', 'eval_accuracy', 'eval_f1', 'eval_f1_macro']);
    assert.deepEqual(metricKeys(keys, { headline: true }), ['eval_loss', 'eval_accuracy', 'eval_f1']);
    assert.equal(metricInfo('eval_r2')?.cardTag, 'r_squared');
  });
});
