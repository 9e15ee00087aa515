/** What the dashboard shows, from a run summary and its series. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TrainingEvent } from '../../../../src/core/contract/events.js';
import type { RunSummary } from '../../../../src/protocol/webview.js';
import { RunSeries } from '../../../../webview/dashboard/series.js';
import { confusionView, MetricColors, metricChips, progressView, runStatus } from '../../../../webview/dashboard/view-model.js';
import { evalEvent, progress, runEvents, runSummary, startEvent } from '../../../helpers/webview-fixtures.js';

function series(events: TrainingEvent[]): RunSeries {
  const s = new RunSeries();
  for (const e of events) s.add(e);
  return s;
}

const done = (cancelled: boolean): TrainingEvent => ({
  type: 'done',
  outputDir: '/o',
  modelDir: '/o',
  results: {},
  bestCheckpoint: null,
  stoppedEarly: false,
  cancelled,
});

describe('runStatus', () => {
  const table: [string, RunSummary | undefined, TrainingEvent[], RunSummary['status']][] = [
    ['no summary, no events', undefined, [], 'running'],
    ['running, no end yet', runSummary(), runEvents(3), 'running'],
    ['an error event', runSummary(), [startEvent(), { type: 'error', message: 'x' }], 'failed'],
    ['a cancelled done event', runSummary(), [startEvent(), done(true)], 'cancelled'],
    ['a done event', runSummary(), [startEvent(), done(false)], 'done'],
    ['the host has the last word once it ended', runSummary({ status: 'done' }), [startEvent(), { type: 'error', message: 'x' }], 'done'],
  ];
  for (const [name, run, events, want] of table) test(name, () => assert.equal(runStatus(run, series(events)), want));
});

describe('progressView', () => {
  test('before the first step', () => {
    assert.deepEqual(progressView(series([]), 'running'), {
      max: 1,
      value: 0,
      indeterminate: true,
      step: '–',
      epoch: '–',
      eta: '–',
      speed: '–',
      stage: '',
    });
    assert.deepEqual(progressView(series([startEvent(), { type: 'stage', stage: 'tokenize', message: 'Tokenizing', done: 3, total: 9 }]), 'running'), {
      max: 12,
      value: 0,
      indeterminate: false,
      step: '0 / 12',
      epoch: '0.00 / 3',
      eta: '–',
      speed: '–',
      stage: 'Tokenizing (3/9)',
    });
  });

  test('while it runs, and once it ended', () => {
    const s = series([startEvent(), progress(1), progress(4)]);
    assert.deepEqual(progressView(s, 'running'), {
      max: 12,
      value: 4,
      indeterminate: false,
      step: '4 / 12',
      epoch: '1.00 / 3',
      eta: '00:12',
      speed: '160.0 samples/s',
      stage: '',
    });
    assert.equal(progressView(s, 'done').value, 12);
    assert.equal(progressView(s, 'cancelled').value, 4);
    assert.equal(progressView(s, 'cancelled').eta, 'cancelled');
  });

  test('a resumed run starts at its checkpoint step', () => assert.equal(progressView(series([startEvent({ resumedFromStep: 8 })]), 'running').step, '8 / 12'));
});

describe('metricChips', () => {
  test('the last evaluation without timings, then the best metric', () => {
    const chips = metricChips(series([evalEvent(1)]), runSummary({ bestMetric: { name: 'eval_f1', value: 0.87612 } }));
    assert.deepEqual(
      chips.map((c) => [c.key, c.name, c.value, c.best]),
      [
        ['eval_loss', 'loss', '0.5', false],
        ['eval_accuracy', 'accuracy', '0.75', false],
        ['eval_precision', 'precision', '0.7273', false],
        ['eval_recall', 'recall', '0.8', false],
        ['eval_f1', 'f1', '0.7619', false],
        [undefined, 'best f1', '0.8761', true],
      ],
    );
    assert.deepEqual(metricChips(series([]), runSummary()), []);
  });
});

describe('confusionView', () => {
  test('before an evaluation, and for regression', () => {
    assert.deepEqual(confusionView(series([startEvent()])), { title: 'Confusion matrix', empty: 'Shown after the first evaluation.' });
    assert.deepEqual(confusionView(series([startEvent({ problemType: 'regression', labels: [] })])), {
      title: 'Confusion matrix',
      empty: 'Regression: no confusion matrix.',
    });
  });

  test('counts with their row share, per-class scores', () => {
    const v = confusionView(series([startEvent(), evalEvent(1)]));
    assert.ok('rows' in v);
    assert.equal(v.title, 'Confusion matrix — step 4, epoch 1.00');
    assert.deepEqual(v.labels, ['negative', 'positive']);
    assert.deepEqual(v.rows[1], {
      label: 'positive',
      cells: [
        { count: 4, diag: false, share: 0.2 },
        { count: 16, diag: true, share: 0.8 },
      ],
      scores: ['0.727', '0.800', '0.762', '20'],
    });
  });

  test('labels that do not fit the matrix: class indices', () => {
    const v = confusionView(
      series([
        {
          type: 'eval',
          step: 2,
          epoch: 0,
          metrics: {},
          confusionMatrix: [
            [1, 0],
            [0, 1],
          ],
          labels: ['only'],
        },
      ]),
    );
    assert.ok('rows' in v);
    assert.equal(v.title, 'Confusion matrix — step 2');
    assert.deepEqual(v.labels, ['0', '1']);
  });
});

describe('MetricColors', () => {
  test('known metrics have their colour, others take the spare ones in turn', () => {
    const c = new MetricColors();
    assert.deepEqual(
      ['eval_f1', 'eval_custom', 'eval_other', 'eval_third', 'eval_custom'].map((m) => c.of(m)),
      ['purple', 'yellow', 'red', 'yellow', 'yellow'],
    );
    c.clear();
    assert.equal(c.of('eval_other'), 'yellow');
  });
});
