/** The comparison's rows from a run's events and settings. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultArgs } from '../../../src/core/contract/args.js';
import { compareRow, headlineMetric } from '../../../src/extension/compare-rows.js';
import { evalEvent, logEvent, runEvents, runSummary, startEvent } from '../../helpers/webview-fixtures.js';

test('final and best metrics, loss curve, headline curve, hyperparameters, time from the done event', () => {
  const events = [
    ...runEvents(12),
    { type: 'done' as const, outputDir: '/o', modelDir: '/o', results: { train_runtime: 42.5 }, bestCheckpoint: null, stoppedEarly: false, cancelled: false },
  ];
  const r = compareRow(runSummary({ status: 'done' }), events, { ...defaultArgs(), learning_rate: 3e-5 });
  const last = evalEvent(3).metrics;
  assert.equal(r.final.eval_f1, last.eval_f1);
  assert.equal(r.best.eval_loss, Math.min(...[1, 2, 3].map((e) => evalEvent(e).metrics.eval_loss!)));
  assert.equal(r.final.eval_runtime, undefined);
  assert.equal(r.metricName, 'eval_f1');
  assert.deepEqual(
    r.metric.map((p) => p.x),
    [4, 8, 12],
  );
  assert.equal(r.loss.length, 6);
  assert.equal(r.seconds, 42.5);
  assert.equal(r.hyper.learning_rate, 3e-5);
  assert.equal(r.hyper.max_steps, -1);
});

test('a resumed run drops the loss points after its checkpoint; time from start to finish without a done event', () => {
  const events = [startEvent(), logEvent(2), logEvent(4), logEvent(6), startEvent({ resumedFromStep: 4 }), logEvent(6)];
  const r = compareRow(runSummary({ startedAt: '2025-01-01T10:00:00.000Z', finishedAt: '2025-01-01T10:01:30.000Z' }), events, undefined);
  assert.deepEqual(
    r.loss.map((p) => p.x),
    [2, 4, 6],
  );
  assert.equal(r.seconds, 90);
  assert.deepEqual(r.hyper, {});
});

test('headlineMetric: F1, else accuracy, else R², else the loss', () => {
  assert.equal(headlineMetric(['eval_loss', 'eval_accuracy', 'eval_f1']), 'eval_f1');
  assert.equal(headlineMetric(['eval_loss', 'eval_accuracy']), 'eval_accuracy');
  assert.equal(headlineMetric(['eval_mse', 'eval_r2']), 'eval_r2');
  assert.equal(headlineMetric([]), 'eval_loss');
});
