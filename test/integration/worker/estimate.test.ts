/**
 * The estimate before Start: a few measured steps of the form's run give time and memory ranges
 * that contain the measured figures, the run's plan (steps per epoch, total), and nothing is
 * written where the run would write; the figures combine as documented (estimateFrom).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { defaultArgs, type RunArgs } from '../../../src/core/contract/args.js';
import type { StartEvent } from '../../../src/core/contract/events.js';
import { EVAL_BATCHES, EVAL_COST, MEASURED_STEPS, estimateFrom, estimateRun } from '../../../src/worker/estimate.js';
import { sentimentSentences } from '../../helpers/sentences.js';

const dir = mkdtempSync(join(tmpdir(), 'finetune-estimate-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const csv = join(dir, 'train.csv');
writeFileSync(
  csv,
  `text,label\n${sentimentSentences(200, 5)
    .map((r) => `${r.text},${r.label ? 'pos' : 'neg'}`)
    .join('\n')}\n`,
);

const args = (over: Partial<RunArgs> = {}): RunArgs => ({
  ...defaultArgs(),
  model_name_or_path: 'preset:bert-tiny',
  tokenizer_name: 'test/fixtures/tokenizers/bert-base-uncased',
  train_file: csv,
  do_train: true,
  do_eval: true,
  output_dir: join(dir, 'run'),
  num_train_epochs: 3,
  per_device_train_batch_size: 8,
  max_seq_length: 32,
  eval_strategy: 'epoch',
  threads: 1,
  ...over,
});

describe('estimateRun', () => {
  test('measures a few steps; the plan is the run’s; nothing is written into its folder', async () => {
    const e = await estimateRun(args(), { env: {} });
    // 200 rows, 10% held out for validation: 180 / 8 = 23 steps per epoch
    assert.equal(e.stepsPerEpoch, 23);
    assert.equal(e.totalSteps, 69);
    assert.equal(e.epochs, 3);
    assert.equal(e.measuredSteps, MEASURED_STEPS);
    assert.ok(e.secondsPerStep[0] > 0 && e.secondsPerStep[0] <= e.secondsPerStep[1], JSON.stringify(e.secondsPerStep));
    assert.ok(e.secondsPerEpoch[0] >= 23 * e.secondsPerStep[0]);
    assert.ok(e.totalSeconds[1] >= e.totalSeconds[0] && e.totalSeconds[0] >= e.startupSeconds);
    assert.ok(e.peakMemoryBytes[0] > 50e6 && e.peakMemoryBytes[1] >= e.peakMemoryBytes[0], JSON.stringify(e.peakMemoryBytes));
    assert.equal(e.executionProvider, 'cpu');
    assert.equal(existsSync(join(dir, 'run')), false);
  });
});

describe('estimateFrom', () => {
  const start = { stepsPerEpoch: 10, totalSteps: 30, evalRows: 64, executionProvider: 'cpu' } as StartEvent;
  const m = { start, steps: [1, 1, 1, 1], evals: [], evalRows: 64, startupSeconds: 5, rssFirst: 100e6, rssPeak: 150e6 };
  test('measured evaluations: the run’s validation batches at the measured time per batch', () => {
    const e = estimateFrom(
      { ...m, evals: [0.4 * EVAL_BATCHES, 0.6 * EVAL_BATCHES], evalRows: 100 },
      { eval_strategy: 'epoch', eval_steps: null, per_device_eval_batch_size: 32, do_eval: true },
      16,
    );
    // 10 steps + 4 batches × 0.5 s
    assert.deepEqual(e.secondsPerEpoch, [12, 12]);
    assert.deepEqual(e.totalSeconds, [5 + 3 * 12 + 2, 5 + 3 * 12 + 2]);
  });
  test('steady steps: a point range; without a measured evaluation, EVAL_COST of a step per row', () => {
    const e = estimateFrom(m, { eval_strategy: 'epoch', eval_steps: null, per_device_eval_batch_size: 32, do_eval: true }, 16);
    assert.deepEqual(e.secondsPerStep, [1, 1]);
    // 10 steps + 2 eval batches × 1 s × EVAL_COST × 32/16
    const evaluation = 2 * EVAL_COST * 2;
    const epoch = 10 + evaluation;
    assert.deepEqual(e.secondsPerEpoch, [epoch, epoch]);
    // startup, 3 epochs, and the final evaluation
    assert.deepEqual(e.totalSeconds, [5 + 3 * epoch + evaluation, 5 + 3 * epoch + evaluation]);
    assert.deepEqual(e.peakMemoryBytes, [150e6, 200e6]);
  });
  test('no evaluation: steps only; spread steps widen the range around the mean', () => {
    const e = estimateFrom({ ...m, steps: [0.5, 1.5, 1, 1] }, { eval_strategy: 'no', eval_steps: null, per_device_eval_batch_size: 32, do_eval: false }, 16);
    assert.ok(e.secondsPerStep[0] < 1 && e.secondsPerStep[1] > 1);
    assert.deepEqual(e.secondsPerEpoch, [10 * e.secondsPerStep[0], 10 * e.secondsPerStep[1]]);
  });
});
