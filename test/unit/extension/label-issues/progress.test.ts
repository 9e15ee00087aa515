/** find-label-errors' events as a progress notification: the lines, the bar's increments, the modal's words. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TrainingEvent } from '../../../../src/core/contract/events.js';
import { foldProgress, initialProgress, planMessage } from '../../../../src/extension/label-issues/progress.js';

const fold = (k: number, phase: 'start' | 'end', acc?: number): TrainingEvent => ({
  type: 'fold',
  fold: k,
  folds: 2,
  trainRows: 20,
  heldOutRows: 20,
  phase,
  elapsedSeconds: 1,
  ...(acc !== undefined ? { heldOutAccuracy: acc } : {}),
});
const step = (s: number, total = 4): TrainingEvent => ({
  type: 'progress',
  step: s,
  totalSteps: total,
  epoch: s / total,
  loss: 0.5,
  learningRate: 1e-3,
  gradNorm: 1,
  samplesPerSecond: 10,
  etaSeconds: 1,
});

describe('foldProgress', () => {
  test('a 2-fold run: stages, each fold half the bar, its steps within it, 100 in all', () => {
    const s = initialProgress();
    const events: TrainingEvent[] = [
      { type: 'stage', stage: 'load-model', message: 'loading tiny-model' },
      { type: 'info', message: 'find-label-errors: 2-fold cross-validation = ...' },
      fold(1, 'start'),
      {
        type: 'start',
        runId: 'x',
        outputDir: '/o',
        model: 'm',
        totalSteps: 4,
        stepsPerEpoch: 4,
        epochs: 1,
        trainRows: 20,
        evalRows: 0,
        labels: [],
        problemType: 'x',
        resumedFromStep: 0,
        executionProvider: 'cpu',
      },
      step(1),
      step(2),
      { type: 'stage', stage: 'tokenize', message: 'a stage inside a fold says nothing' },
      step(4),
      fold(1, 'end', 0.85),
      fold(2, 'start'),
      step(2),
      fold(2, 'end', 0.9),
      {
        type: 'label-issues',
        path: '/o/label_issues.csv',
        dataFile: '/d.csv',
        labelColumn: 'label',
        hasHeader: true,
        labels: [],
        rows: 40,
        issues: 3,
        rankedBy: 'self_confidence',
        folds: 2,
        cvAccuracy: 0.87,
      },
    ];
    const reports = events.map((e) => foldProgress(s, e));
    assert.deepEqual(reports, [
      { message: 'loading tiny-model' },
      undefined,
      { message: 'fold 1 of 2: training on 20 rows' },
      undefined,
      { message: 'fold 1 of 2: step 1 of 4', increment: 12.5 },
      { message: 'fold 1 of 2: step 2 of 4', increment: 12.5 },
      undefined,
      { message: 'fold 1 of 2: step 4 of 4', increment: 25 },
      { message: 'fold 1 of 2: held-out accuracy 0.850' },
      { message: 'fold 2 of 2: training on 20 rows' },
      { message: 'fold 2 of 2: step 2 of 4', increment: 25 },
      { message: 'fold 2 of 2: held-out accuracy 0.900', increment: 25 },
      { message: 'ranking the rows (confident learning)' },
    ]);
    assert.equal(
      reports.reduce((a, r) => a + (r?.increment ?? 0), 0),
      100,
    );
  });
  test('steps before any fold (none expected) move nothing', () => assert.equal(foldProgress(initialProgress(), step(1)), undefined));
});

test('planMessage: the question and the cost', () => {
  assert.deepEqual(planMessage({ folds: 5, rows: 2000, rowsPerTraining: 1600, totalSteps: 1500, ratio: 4, message: '' }, 'sms.csv', 'bert-tiny'), {
    title: 'Find label errors in sms.csv? It trains 5 models.',
    detail:
      '5-fold cross-validation: 5 trainings of bert-tiny on about 1,600 of the 2,000 rows each, 1,500 optimizer steps in all (4.0× one training on every row). Each model predicts the rows it did not see; the rows whose label disagrees most are flagged. Nothing in the data file changes.',
  });
});
