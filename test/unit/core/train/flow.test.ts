/** The training loop's parts without ONNX Runtime: the flow (log / evaluate / save), early stopping, checkpoint rotation, learning rates. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CheckpointRotation } from '../../../../src/core/train/checkpoint.js';
import { EarlyStopping, isImprovement } from '../../../../src/core/train/early-stopping.js';
import { type FlowArgs, stepControl } from '../../../../src/core/train/flow.js';
import { LearningRates } from '../../../../src/core/train/schedule.js';

const ARGS: FlowArgs = { logging_strategy: 'steps', logging_steps: 5, eval_strategy: 'no', eval_steps: null, save_strategy: 'steps', save_steps: 500 };

describe('stepControl (DefaultFlowCallback)', () => {
  const cases: { name: string; args: Partial<FlowArgs>; step: number; epochEnded?: boolean; hasValidation?: boolean; want: [boolean, boolean, boolean] }[] = [
    { name: 'logs every logging_steps', args: {}, step: 10, want: [true, false, false] },
    { name: 'not between logs', args: {}, step: 7, want: [false, false, false] },
    { name: 'logging_strategy epoch: at epoch ends only', args: { logging_strategy: 'epoch' }, step: 10, epochEnded: false, want: [false, false, false] },
    { name: 'logging_strategy epoch, epoch end', args: { logging_strategy: 'epoch' }, step: 7, epochEnded: true, want: [true, false, false] },
    { name: 'logging_strategy no', args: { logging_strategy: 'no' }, step: 5, want: [false, false, false] },
    { name: 'eval steps without eval_steps: every logging_steps', args: { eval_strategy: 'steps' }, step: 15, want: [true, true, false] },
    { name: 'eval_steps wins', args: { eval_strategy: 'steps', eval_steps: 4 }, step: 8, want: [false, true, false] },
    { name: 'nothing to evaluate on', args: { eval_strategy: 'steps', eval_steps: 4 }, step: 8, hasValidation: false, want: [false, false, false] },
    { name: 'eval and save per epoch', args: { eval_strategy: 'epoch', save_strategy: 'epoch' }, step: 3, epochEnded: true, want: [false, true, true] },
    { name: 'save_steps', args: { save_steps: 3 }, step: 9, want: [false, false, true] },
    { name: 'save_strategy no', args: { save_strategy: 'no', save_steps: 1 }, step: 9, want: [false, false, false] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = stepControl({ ...ARGS, ...c.args }, { step: c.step, epochEnded: c.epochEnded ?? false, hasValidation: c.hasValidation ?? true });
      assert.deepEqual([got.log, got.evaluate, got.save], c.want);
    });
  }
});

describe('EarlyStopping (EarlyStoppingCallback)', () => {
  test('counts evaluations without an improvement beyond the threshold; stops at the patience', () => {
    const e = new EarlyStopping(2, 0.01, true);
    let best: number | null = null;
    const seen: [number, boolean][] = [];
    for (const v of [0.5, 0.6, 0.605, 0.7, 0.69, 0.7]) {
      const stop = e.update(v, best);
      seen.push([e.counter, stop]);
      if (isImprovement(v, best, true)) best = v;
    }
    assert.deepEqual(seen, [
      [0, false],
      [0, false],
      [1, false], // 0.605 beats 0.6 by less than the threshold
      [0, false],
      [1, false],
      [2, true],
    ]);
  });

  test('lower is better for a loss; the counter round-trips through stateful_callbacks', () => {
    const e = new EarlyStopping(3, 0, false, 1);
    assert.equal(e.update(0.9, 1.0), false);
    assert.equal(e.counter, 0);
    e.update(0.95, 0.9);
    assert.equal(EarlyStopping.counterFrom(e.entry()), 1);
    assert.equal(EarlyStopping.counterFrom({}), 0);
  });
});

describe('CheckpointRotation (save_total_limit)', () => {
  test('removes the oldest beyond the limit, never the best', () => {
    const r = new CheckpointRotation(['o/checkpoint-5'], 2);
    assert.deepEqual(r.add('o/checkpoint-10', null), []);
    assert.deepEqual(r.add('o/checkpoint-15', 'o/checkpoint-5'), ['o/checkpoint-10']);
    assert.deepEqual(r.add('o/checkpoint-20', 'o/checkpoint-5'), ['o/checkpoint-15']);
    assert.equal(r.last, 'o/checkpoint-20');
  });
  test('no limit keeps everything', () => {
    const r = new CheckpointRotation([], null);
    for (let i = 1; i <= 5; i++) assert.deepEqual(r.add(`o/checkpoint-${i}`, null), []);
  });
});

describe('LearningRates', () => {
  test('a lambda schedule by the optimizer step; evaluations do not move it', () => {
    const lrs = new LearningRates(1e-3, { type: 'linear', warmupSteps: 2, totalSteps: 10 });
    assert.deepEqual(
      [0, 1, 2, 6].map((s) => lrs.at(s)),
      [0, 5e-4, 1e-3, 5e-4],
    );
    assert.equal(lrs.evaluated(1), false);
    assert.equal(lrs.followsMetric, false);
  });
  test('reduce_lr_on_plateau: lowered after patience evaluations without improvement; resumes exactly', () => {
    const lrs = new LearningRates(1e-3, { type: 'reduce_lr_on_plateau', warmupSteps: 0, totalSteps: 10, kwargs: { patience: 1, factor: 0.5 } });
    assert.equal(lrs.at(7), 1e-3);
    lrs.evaluated(1.0);
    lrs.evaluated(1.0);
    assert.equal(lrs.evaluated(1.0), true);
    assert.equal(lrs.at(0), 5e-4);
    const copy = new LearningRates(1e-3, { type: 'reduce_lr_on_plateau', warmupSteps: 0, totalSteps: 10, kwargs: { patience: 1, factor: 0.5 } });
    copy.loadStateDict(JSON.parse(JSON.stringify(lrs.stateDict())));
    assert.equal(copy.at(0), 5e-4);
    assert.equal(copy.evaluated(1.0), lrs.evaluated(1.0));
  });
});
