/**
 * find-label-errors as a worker job through the host-side client: the cost comes before any fold
 * trains (declined: nothing written), folds report, the result is announced; cancel stops it with
 * nothing written; a bad file is a message for a person. And predictions that abstain below a
 * model's confidence threshold say so.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { defaultArgs, type RunArgs } from '../../../src/core/contract/args.js';
import type { LabelErrorsPlan, TrainingEvent } from '../../../src/core/contract/events.js';
import { CALIBRATION_FILE } from '../../../src/core/predict/calibration.js';
import { type JobListener, WorkerClient } from '../../../src/worker/client.js';
import { sentimentSentences } from '../../helpers/sentences.js';

const dir = mkdtempSync(join(tmpdir(), 'finetune-worker-kym-'));
const csv = join(dir, 'noisy.csv');
// 40 rows, every 10th label flipped
writeFileSync(
  csv,
  `text,label\n${sentimentSentences(40, 7)
    .map((r, i) => `${r.text.replace(/,/g, ' ')},${(i % 10 === 3 ? !r.label : r.label) ? 'pos' : 'neg'}`)
    .join('\n')}\n`,
);
const regression = join(dir, 'scores.csv');
writeFileSync(regression, 'text,score\ngood,0.9\nbad,0.1\nok,0.5\nfine,0.7\n');

function args(out: string, extra: Partial<RunArgs> = {}): RunArgs {
  return {
    ...defaultArgs(),
    model_name_or_path: 'preset:bert-tiny',
    tokenizer_name: 'test/fixtures/tokenizers/bert-base-uncased',
    train_file: csv,
    do_train: true,
    output_dir: out,
    num_train_epochs: 1,
    per_device_train_batch_size: 8,
    learning_rate: 1e-3,
    max_seq_length: 24,
    threads: 1,
    ...extra,
  };
}

/** Runs a job to its end: its events, the plan it asked about, its exit code. */
function job(
  w: WorkerClient,
  a: RunArgs,
  answer: (plan: LabelErrorsPlan) => boolean,
  onEvent: (e: TrainingEvent) => void = () => undefined,
): Promise<{ events: TrainingEvent[]; plans: LabelErrorsPlan[]; code: number }> {
  const events: TrainingEvent[] = [];
  const plans: LabelErrorsPlan[] = [];
  return new Promise((resolve, reject) => {
    const l: JobListener = {
      onEvent: (e) => (events.push(e), onEvent(e)),
      confirm: async (plan) => (plans.push(plan), answer(plan)),
      onExit: (code) => resolve({ events, plans, code }),
    };
    w.findLabelErrors(a, 2, l).then(undefined, reject);
  });
}

describe('find-label-errors in the worker', () => {
  const runs: string[] = [];
  const w = new WorkerClient({ modulePath: 'src/worker/main.ts', execArgv: ['--import', 'tsx'], onEvent: (runId) => runs.push(runId) });
  after(() => w.dispose());

  test('the cost is asked first; declined, no fold trains and nothing is written', async () => {
    const out = join(dir, 'declined');
    const r = await job(w, args(out), () => false);
    assert.equal(r.code, 130);
    assert.deepEqual(
      r.plans.map((p) => [p.folds, p.rows, p.rowsPerTraining, p.totalSteps]),
      [[2, 40, 20, 6]],
    );
    assert.match(r.plans[0]!.message, /2-fold cross-validation = 2 trainings of about 20 rows each, 6 optimizer steps in all/);
    assert.ok(!r.events.some((e) => e.type === 'fold' || e.type === 'progress'), 'no fold trained');
    assert.ok(!existsSync(out), 'nothing written');
    assert.deepEqual(runs, [], "the job's events go to its listener, not to the runs");
  });

  test('confirmed: each fold reports, then label_issues.csv is announced', async () => {
    const out = join(dir, 'confirmed');
    const r = await job(w, args(out), () => true);
    assert.equal(r.code, 0);
    const folds = r.events.filter((e) => e.type === 'fold').map((e) => (e.type === 'fold' ? `${e.fold}/${e.folds} ${e.phase}` : ''));
    assert.deepEqual(folds, ['1/2 start', '1/2 end', '2/2 start', '2/2 end']);
    const issues = r.events.find((e) => e.type === 'label-issues');
    assert.ok(issues && issues.type === 'label-issues');
    assert.equal(issues.path, join(out, 'label_issues.csv'));
    assert.equal(issues.dataFile, csv);
    assert.equal(issues.rows, 40);
    assert.ok(existsSync(issues.path));
  });

  test('cancelled in a fold: stops, nothing written', async () => {
    const out = join(dir, 'cancelled');
    const r = await job(
      w,
      args(out, { num_train_epochs: 30 }),
      () => true,
      (e) => e.type === 'progress' && e.step === 2 && w.cancel(false),
    );
    assert.equal(r.code, 130);
    assert.ok(!existsSync(join(out, 'label_issues.csv')));
  });

  test('regression data: a message for a person, no stack trace', async () => {
    const r = await job(w, args(join(dir, 'regression'), { train_file: regression, label_column_name: 'score' }), () => true);
    assert.equal(r.code, 1);
    const err = r.events.find((e) => e.type === 'error');
    assert.ok(err && err.type === 'error', JSON.stringify(r.events));
    assert.match(err.message, /find-label-errors works on single-label classification; .*scores\.csv is regression/);
    assert.doesNotMatch(err.message, /\n\s+at /);
  });

  test('a training run and a job do not share the worker', async () => {
    await w.train('run-a', args(join(dir, 'run-a'), { num_train_epochs: 30 }));
    await assert.rejects(
      job(w, args(join(dir, 'other')), () => true),
      /a training run \(run-a\) is in progress/,
    );
    w.cancel(false);
    while (w.busy) await new Promise((r) => setTimeout(r, 20));
  });

  test('predictions below the model calibration.json threshold say they abstained (Predictor.classify)', async () => {
    const model = join(dir, 'run-b');
    await w.train('run-b', args(model, { max_steps: 2, save_strategy: 'no' }));
    while (w.busy) await new Promise((r) => setTimeout(r, 20));
    const fit = { file: csv, rows: 8, bins: 15, ece_before: 0.1, ece_after: 0.1, nll_before: 0.7, nll_after: 0.7 };
    const abstain = { threshold: 0.999, target_precision: 0.99, precision: 1, coverage: 0.1 };
    writeFileSync(
      join(model, CALIBRATION_FILE),
      JSON.stringify({ method: 'temperature', problem_type: 'single_label_classification', labels: ['neg', 'pos'], temperature: 1, abstain, fit }),
    );
    const [p] = await w.predict(model, ['the food was fine']);
    assert.deepEqual(p!.abstained, { threshold: 0.999, targetPrecision: 0.99 });
    assert.equal(p!.scores.length, 2);
    assert.ok(p!.scores[0]!.score >= p!.scores[1]!.score);
  });
});
