/** The comparison table's columns and cells. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CompareRun } from '../../../../src/protocol/webview.js';
import { bestRunId, compareCells, compareColumns, sharedMetric } from '../../../../webview/compare/view-model.js';
import { runSummary } from '../../../helpers/webview-fixtures.js';

const row = (runId: string, metricName: string, best: Record<string, number>, hyper: CompareRun['hyper'] = {}): CompareRun => ({
  run: runSummary({ runId, name: runId, model: '/ws/models/bert-mini' }),
  final: best,
  best,
  seconds: 3725,
  hyper,
  loss: [],
  metric: [],
  metricName,
});

test('the shared metric is the headline of most runs; the best run by it (lowest for a loss)', () => {
  const rows = [row('a', 'eval_f1', { eval_f1: 0.8 }), row('b', 'eval_f1', { eval_f1: 0.9 }), row('c', 'eval_loss', { eval_loss: 0.2 })];
  assert.equal(sharedMetric(rows), 'eval_f1');
  assert.equal(bestRunId(rows, 'eval_f1'), 'b');
  assert.equal(bestRunId(rows, 'eval_loss'), 'c');
  assert.equal(sharedMetric([]), 'eval_loss');
});

test('columns: hyperparameters only when a run has them; cells as a person reads them', () => {
  const rows = [row('a', 'eval_f1', { eval_f1: 0.87654, eval_loss: 0.31 }, { learning_rate: 2e-5, max_steps: -1, seed: null })];
  const cols = compareColumns(rows);
  assert.deepEqual(
    cols.map((c) => c.title),
    ['run', 'status', 'model', 'best f1', 'final f1', 'final eval loss', 'time', 'lr'],
  );
  assert.deepEqual(compareCells(rows[0]!, cols, 'eval_f1'), {
    run: 'a',
    status: 'running',
    model: 'bert-mini',
    best: '0.8765',
    final: '0.8765',
    loss: '0.31',
    time: '1:02:05',
    'hyper:learning_rate': '2e-5',
  });
});
