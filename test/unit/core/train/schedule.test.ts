import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  learningRate,
  lrLambda,
  type PlateauState,
  ReduceLROnPlateau,
  SCHEDULER_KWARGS,
  SCHEDULER_TYPES,
  ScheduleError,
  type SchedulerType,
  validateSchedulerKwargs,
  warmupSteps,
} from '../../../../src/core/train/schedule.js';

type JsonNum = number | 'inf' | '-inf' | 'nan';
interface Fixture {
  lambda_cases: { name: string; type: SchedulerType; base_lr: number; warmup: number; total: number; kwargs: Record<string, unknown>; lrs: number[] }[];
  plateau_cases: {
    name: string;
    base_lr: number;
    kwargs: Record<string, unknown>;
    metrics: JsonNum[];
    lrs: number[];
    states: { best: JsonNum; num_bad_epochs: number; cooldown_counter: number; last_epoch: number }[];
  }[];
  warmup_cases: { total: number; warmup_steps: number; expected: number }[];
}

// Written by scripts/make_schedule_fixtures.py from transformers' schedule lambdas run through torch's LambdaLR / ReduceLROnPlateau.
const FIX = JSON.parse(readFileSync(join(import.meta.dirname, '../../../fixtures/schedules/schedules.json'), 'utf8')) as Fixture;
const num = (x: JsonNum): number => (x === 'nan' ? NaN : x === 'inf' ? Infinity : x === '-inf' ? -Infinity : x);

function assertRel(actual: number, expected: number, what: string): void {
  const tol = 1e-12 * Math.max(Math.abs(actual), Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} != ${expected} (rel ${Math.abs(actual - expected) / Math.abs(expected)})`);
}

describe('learning-rate schedules against transformers + torch LambdaLR (fixture)', () => {
  test('the fixture covers every per-step schedule', () => {
    const covered = new Set(FIX.lambda_cases.map((c) => c.type));
    assert.deepEqual(
      SCHEDULER_TYPES.filter((t) => t !== 'reduce_lr_on_plateau' && !covered.has(t)),
      [],
    );
  });
  for (const c of FIX.lambda_cases) {
    test(c.name, () => {
      const kwargs = validateSchedulerKwargs(c.type, c.kwargs, c.base_lr);
      const opts = { type: c.type, warmupSteps: c.warmup, totalSteps: c.total, kwargs };
      assert.equal(c.lrs.length, c.total + 3);
      c.lrs.forEach((want, step) => assertRel(learningRate(c.base_lr, opts, step), want, `step ${step}`));
    });
  }
  test('lrLambda is the multiplier (polynomial divides by the base learning rate it is given)', () => {
    const opts = { type: 'polynomial' as const, warmupSteps: 0, totalSteps: 10, baseLr: 1e-3, kwargs: { lr_end: 1e-4 } };
    assertRel(lrLambda(opts, 5), (0.9e-3 * 0.5 + 1e-4) / 1e-3, 'halfway');
    assert.equal(lrLambda(opts, 11), 0.1);
    assert.throws(() => lrLambda({ ...opts, baseLr: undefined }, 5), /needs ScheduleOptions.baseLr/);
  });
  test('reduce_lr_on_plateau has no per-step multiplier', () => {
    assert.throws(() => lrLambda({ type: 'reduce_lr_on_plateau', warmupSteps: 0, totalSteps: 10 }, 0), /ReduceLROnPlateau class/);
  });
});

describe('warmupSteps (TrainingArguments.get_warmup_steps, float warmup_steps)', () => {
  for (const c of FIX.warmup_cases) {
    test(`total ${c.total}, warmup_steps ${c.warmup_steps} -> ${c.expected}`, () => assert.equal(warmupSteps(c.total, c.warmup_steps), c.expected));
  }
  test('warmup_steps 0 falls back to warmup_ratio (rounded up); warmup_steps wins when both are set', () => {
    assert.equal(warmupSteps(101, 0, 0.1), 11);
    assert.equal(warmupSteps(100, 7, 0.5), 7);
    assert.equal(warmupSteps(100, 0.2, 0.5), 20);
    assert.equal(warmupSteps(100, 0, 0), 0);
  });
});

describe('ReduceLROnPlateau against torch (fixture)', () => {
  const stateOf = (p: ReduceLROnPlateau) => {
    const s = p.stateDict();
    return { best: s.best, num_bad_epochs: s.num_bad_epochs, cooldown_counter: s.cooldown_counter, last_epoch: s.last_epoch };
  };
  for (const c of FIX.plateau_cases) {
    test(c.name, () => {
      const p = new ReduceLROnPlateau(c.base_lr, validateSchedulerKwargs('reduce_lr_on_plateau', c.kwargs, c.base_lr));
      c.metrics.forEach((m, i) => {
        const before = p.lr;
        const reduced = p.step(num(m));
        assert.equal(p.lr, c.lrs[i], `lr after metric ${i}`);
        assert.equal(reduced, p.lr !== before);
        assert.deepEqual(stateOf(p), c.states[i], `state after metric ${i}`);
      });
    });
    test(`${c.name}: resumed from a JSON state after every evaluation, it continues exactly`, () => {
      for (let cut = 0; cut <= c.metrics.length; cut++) {
        const first = new ReduceLROnPlateau(c.base_lr, validateSchedulerKwargs('reduce_lr_on_plateau', c.kwargs, c.base_lr));
        c.metrics.slice(0, cut).forEach((m) => first.step(num(m)));
        const saved = JSON.parse(JSON.stringify(first.stateDict())) as PlateauState;
        const resumed = new ReduceLROnPlateau(1, {});
        resumed.loadStateDict(saved);
        c.metrics.slice(cut).forEach((m, j) => {
          resumed.step(num(m));
          assert.equal(resumed.lr, c.lrs[cut + j], `cut ${cut}, metric ${cut + j}`);
        });
      }
    });
  }
  test('defaults are torch ReduceLROnPlateau defaults; mode stays "min" (the Trainer does not pass greater_is_better)', () => {
    const s = new ReduceLROnPlateau(5e-5).stateDict();
    assert.deepEqual(
      { ...s },
      {
        mode: 'min',
        factor: 0.1,
        patience: 10,
        threshold: 1e-4,
        threshold_mode: 'rel',
        cooldown: 0,
        min_lrs: [0],
        eps: 1e-8,
        best: 'inf',
        num_bad_epochs: 0,
        cooldown_counter: 0,
        last_epoch: 0,
        _last_lr: [5e-5],
      },
    );
    assert.equal(new ReduceLROnPlateau(5e-5, { mode: 'max' }).stateDict().best, '-inf');
  });
});

describe('lr_scheduler_kwargs validation', () => {
  const bad: { type: SchedulerType; kwargs: Record<string, unknown>; lr?: number; message: RegExp; key: string }[] = [
    { type: 'cosine', kwargs: { num_cycle: 2 }, message: /"num_cycle" is not a setting of the cosine schedule \(it takes num_cycles\)/, key: 'num_cycle' },
    { type: 'linear', kwargs: { num_cycles: 2 }, message: /not a setting of the linear schedule \(it takes none\)/, key: 'num_cycles' },
    {
      type: 'warmup_stable_decay',
      kwargs: { num_decay_steps: 5, decay: 'linear' },
      message: /it takes num_decay_steps, num_stable_steps, warmup_type, decay_type, min_lr_ratio, num_cycles/,
      key: 'decay',
    },
    { type: 'warmup_stable_decay', kwargs: {}, message: /warmup_stable_decay needs num_decay_steps/, key: 'num_decay_steps' },
    {
      type: 'warmup_stable_decay',
      kwargs: { num_decay_steps: 2.5 },
      message: /"num_decay_steps" for warmup_stable_decay: expects a whole number/,
      key: 'num_decay_steps',
    },
    {
      type: 'warmup_stable_decay',
      kwargs: { num_decay_steps: 5, decay_type: 'exp' },
      message: /must be one of "linear", "cosine", "1-sqrt"/,
      key: 'decay_type',
    },
    { type: 'cosine_with_min_lr', kwargs: {}, message: /needs min_lr \(absolute\) or min_lr_rate/, key: 'min_lr' },
    { type: 'cosine_with_min_lr', kwargs: { min_lr: 1e-6, min_lr_rate: 0.1 }, message: /set only one of min_lr and min_lr_rate/, key: 'min_lr' },
    { type: 'polynomial', kwargs: { lr_end: 1e-3 }, lr: 1e-4, message: /lr_end \(0.001\) must be smaller than the learning rate \(0.0001\)/, key: 'lr_end' },
    { type: 'polynomial', kwargs: { power: 'two' }, message: /"power" for polynomial: expects a number \(got "two"\)/, key: 'power' },
    { type: 'inverse_sqrt', kwargs: { timescale: 0 }, message: /must be greater than 0/, key: 'timescale' },
    { type: 'reduce_lr_on_plateau', kwargs: { factor: 1 }, message: /"factor" for reduce_lr_on_plateau: must be less than 1/, key: 'factor' },
    { type: 'reduce_lr_on_plateau', kwargs: { mode: 'maximum' }, message: /must be one of "min", "max"/, key: 'mode' },
    { type: 'reduce_lr_on_plateau', kwargs: { patience: -1 }, message: /must be at least 0/, key: 'patience' },
  ];
  for (const row of bad) {
    test(`${row.type} ${JSON.stringify(row.kwargs)}`, () => {
      assert.throws(
        () => validateSchedulerKwargs(row.type, row.kwargs, row.lr ?? 5e-5),
        (e: unknown) => e instanceof ScheduleError && e.key === row.key && row.message.test(e.message),
      );
    });
  }
  test('strings convert as TrainingArguments converts a JSON string from the command line', () => {
    assert.deepEqual(validateSchedulerKwargs('cosine_with_restarts', { num_cycles: '3' }, 1e-3), { num_cycles: 3 });
    assert.deepEqual(validateSchedulerKwargs('reduce_lr_on_plateau', { patience: '2', factor: '0.5', verbose: 'false' }, 1e-3), {
      patience: 2,
      factor: 0.5,
      verbose: false,
    });
  });
  test('every schedule has a kwargs table', () => assert.deepEqual(Object.keys(SCHEDULER_KWARGS).sort(), [...SCHEDULER_TYPES].sort()));
});
