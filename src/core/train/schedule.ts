/**
 * Learning-rate schedules with transformers' semantics (`get_scheduler`, TrainingArguments'
 * `lr_scheduler_type` and `lr_scheduler_kwargs`, `get_warmup_steps`).
 *
 * Every schedule but one is a pure multiplier of the base learning rate for the optimizer step
 * about to be taken, counted from 0 (LambdaLR's last_epoch): `lrLambda(opts, step)`. The exception
 * is `reduce_lr_on_plateau`, torch's ReduceLROnPlateau: it has no warmup and no per-step curve, the
 * Trainer steps it with the evaluation metric (`metric_for_best_model`, default eval_loss) after
 * each evaluation, and the learning rate changes only then: the `ReduceLROnPlateau` class below,
 * whose `stateDict()` / `loadStateDict()` let a resumed run continue exactly.
 */
import {
  SCHEDULER_KWARGS,
  SCHEDULER_TYPES,
  ScheduleError,
  type LambdaSchedulerType,
  type SchedulerKwargs,
  type SchedulerType,
  type WsdShape,
  validateSchedulerKwargs,
} from '../contract/schedule-args.js';

export {
  SCHEDULER_KWARGS,
  SCHEDULER_TYPES,
  ScheduleError,
  validateSchedulerKwargs,
  type LambdaSchedulerType,
  type SchedulerKwargs,
  type SchedulerType,
  type WsdShape,
};

export interface ScheduleOptions {
  type: SchedulerType;
  warmupSteps: number;
  totalSteps: number;
  /**
   * The optimizer's initial learning rate. polynomial needs it (it computes an absolute learning
   * rate from lr_end and divides by it, as transformers does), and so does min_lr;
   * `learningRate()` fills it in.
   */
  baseLr?: number;
  kwargs?: SchedulerKwargs;
}

const warmup = (step: number, w: number): number => step / Math.max(1, w);

function linear(o: ScheduleOptions, step: number): number {
  const { warmupSteps: w, totalSteps: t } = o;
  if (step < w) return warmup(step, w);
  return Math.max(0, (t - step) / Math.max(1, t - w));
}

function cosine(o: ScheduleOptions, step: number, minLrRate = 0): number {
  const { warmupSteps: w, totalSteps: t } = o;
  if (step < w) return warmup(step, w);
  const progress = (step - w) / Math.max(1, t - w);
  const factor = 0.5 * (1 + Math.cos(Math.PI * (o.kwargs?.num_cycles ?? 0.5) * 2 * progress));
  return Math.max(0, factor * (1 - minLrRate) + minLrRate);
}

function cosineWithRestarts(o: ScheduleOptions, step: number): number {
  const { warmupSteps: w, totalSteps: t } = o;
  if (step < w) return warmup(step, w);
  const progress = (step - w) / Math.max(1, t - w);
  if (progress >= 1) return 0;
  return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * (((o.kwargs?.num_cycles ?? 1) * progress) % 1))));
}

function polynomial(o: ScheduleOptions, step: number): number {
  const { warmupSteps: w, totalSteps: t } = o;
  const lrInit = needBaseLr(o);
  const lrEnd = o.kwargs?.lr_end ?? 1e-7;
  if (step < w) return warmup(step, w);
  // transformers divides by zero here (warmup >= total, at the last step); the limit is lr_end.
  if (step > t || t === w) return lrEnd / lrInit;
  const pctRemaining = 1 - (step - w) / (t - w);
  return ((lrInit - lrEnd) * pctRemaining ** (o.kwargs?.power ?? 1) + lrEnd) / lrInit;
}

function inverseSqrt(o: ScheduleOptions, step: number): number {
  const w = o.warmupSteps;
  if (step < w) return warmup(step, w);
  const timescale = o.kwargs?.timescale ?? (w || 10_000);
  return 1 / Math.sqrt((step + timescale - w) / timescale);
}

/** min_lr_rate, or min_lr over the base learning rate. */
function minLrRate(o: ScheduleOptions): number {
  const k = o.kwargs ?? {};
  if (k.min_lr_rate !== undefined) return k.min_lr_rate;
  if (k.min_lr !== undefined) return k.min_lr / needBaseLr(o);
  throw new ScheduleError('min_lr', `${o.type} needs min_lr or min_lr_rate in lr_scheduler_kwargs`);
}

/** transformers' cosine_warmup_with_min_lr: warmup counts from step + 1, the cosine from step - warmup + 1. */
function cosineWarmupWithMinLr(o: ScheduleOptions, step: number): number {
  const { warmupSteps: w, totalSteps: t } = o;
  const rate = minLrRate(o);
  const warmupLrRate = o.kwargs?.warmup_lr_rate;
  if (step < w) {
    if (warmupLrRate === undefined) return (step + 1) / Math.max(1, w);
    return warmupLrRate + ((1 - warmupLrRate) * step) / Math.max(1, w - 1);
  }
  const progress = (step - w + 1) / Math.max(1, t - w);
  const factor = 0.5 * (1 + Math.cos(Math.PI * (o.kwargs?.num_cycles ?? 0.5) * 2 * progress));
  return Math.max(0, factor * (1 - rate) + rate);
}

function wsdShape(shape: WsdShape, progress: number, rising: boolean, numCycles: number): number {
  if (shape === 'linear') return rising ? progress : 1 - progress;
  if (shape === 'cosine') return rising ? 0.5 * (1 - Math.cos(Math.PI * progress)) : 0.5 * (1 + Math.cos(Math.PI * numCycles * 2 * progress));
  return rising ? 1 - Math.sqrt(1 - progress) : 1 - Math.sqrt(progress);
}

/** transformers' get_wsd_schedule: warmup, stable (default total - warmup - decay, possibly negative), decay, then min_lr_ratio. */
function warmupStableDecay(o: ScheduleOptions, step: number): number {
  const k = o.kwargs ?? {};
  const w = o.warmupSteps;
  if (k.num_decay_steps === undefined) throw new ScheduleError('num_decay_steps', 'warmup_stable_decay needs num_decay_steps in lr_scheduler_kwargs');
  const decay = k.num_decay_steps;
  const stable = k.num_stable_steps ?? o.totalSteps - w - decay;
  const minRatio = k.min_lr_ratio ?? 0;
  const numCycles = k.num_cycles ?? 0.5;
  if (step < w) {
    const f = wsdShape(k.warmup_type ?? 'linear', step / Math.max(1, w), true, numCycles);
    return Math.max(0, f * (1 - minRatio) + minRatio);
  }
  if (step < w + stable) return 1;
  if (step < w + stable + decay) {
    const f = wsdShape(k.decay_type ?? 'cosine', (step - w - stable) / Math.max(1, decay), false, numCycles);
    return Math.max(0, f * (1 - minRatio) + minRatio);
  }
  return minRatio;
}

function needBaseLr(o: ScheduleOptions): number {
  if (o.baseLr === undefined) throw new Error(`the ${o.type} schedule needs ScheduleOptions.baseLr (the optimizer's initial learning rate)`);
  return o.baseLr;
}

const LAMBDAS: Record<LambdaSchedulerType, (o: ScheduleOptions, step: number) => number> = {
  linear,
  constant: () => 1,
  constant_with_warmup: (o, step) => (step < o.warmupSteps ? warmup(step, o.warmupSteps) : 1),
  cosine: (o, step) => cosine(o, step),
  cosine_with_restarts: cosineWithRestarts,
  polynomial,
  inverse_sqrt: inverseSqrt,
  cosine_with_min_lr: (o, step) => cosine(o, step, minLrRate(o)),
  cosine_warmup_with_min_lr: cosineWarmupWithMinLr,
  warmup_stable_decay: warmupStableDecay,
};

/** The multiplier of the base learning rate for optimizer step `step` (from 0). */
export function lrLambda(opts: ScheduleOptions, step: number): number {
  if (opts.type === 'reduce_lr_on_plateau') {
    throw new Error('reduce_lr_on_plateau follows the evaluation metric, not the step: use the ReduceLROnPlateau class');
  }
  return LAMBDAS[opts.type](opts, step);
}

export function learningRate(baseLr: number, opts: ScheduleOptions, step: number): number {
  return baseLr * lrLambda(opts.baseLr === undefined ? { ...opts, baseLr } : opts, step);
}

/**
 * TrainingArguments.get_warmup_steps (transformers 5, where warmup_steps is a float): a value >= 1
 * is a step count (int(), so truncated), one in (0, 1) a share of the total steps, rounded up.
 * A warmup_steps of 0 falls back to the older warmup_ratio flag (also rounded up); when both are
 * set, warmup_steps wins (transformers 4's rule).
 */
export function warmupSteps(totalSteps: number, warmupStepsArg: number, warmupRatio = 0): number {
  if (warmupStepsArg >= 1) return Math.trunc(warmupStepsArg);
  if (warmupStepsArg > 0) return Math.ceil(totalSteps * warmupStepsArg);
  return Math.ceil(totalSteps * warmupRatio);
}

/** torch's ReduceLROnPlateau state_dict (one parameter group), JSON-safe: an infinite `best` is the string "inf" or "-inf". */
export interface PlateauState {
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  threshold: number;
  threshold_mode: 'rel' | 'abs';
  cooldown: number;
  min_lrs: number[];
  eps: number;
  best: number | 'inf' | '-inf' | 'nan';
  num_bad_epochs: number;
  cooldown_counter: number;
  /** Evaluations seen (torch's step counter for this scheduler). */
  last_epoch: number;
  /** The learning rate now (torch keeps it in the optimizer's param group). */
  _last_lr: number[];
}

const toJsonNumber = (x: number): PlateauState['best'] => (Number.isNaN(x) ? 'nan' : x === Infinity ? 'inf' : x === -Infinity ? '-inf' : x);
const fromJsonNumber = (x: PlateauState['best']): number => (x === 'nan' ? NaN : x === 'inf' ? Infinity : x === '-inf' ? -Infinity : x);

/**
 * transformers' `reduce_lr_on_plateau`: torch.optim.lr_scheduler.ReduceLROnPlateau with the
 * `lr_scheduler_kwargs` as its arguments (defaults mode "min", factor 0.1, patience 10, threshold
 * 1e-4 relative, cooldown 0, min_lr 0, eps 1e-8). The Trainer does not pass greater_is_better
 * on: mode stays "min" unless lr_scheduler_kwargs says {"mode": "max"}, also for a metric such as
 * accuracy.
 *
 * Use: train every step at `lr` (no warmup); after each evaluation call `step(metrics[metricForBest(args)])`;
 * save `stateDict()` with a checkpoint and `loadStateDict()` it on resume.
 */
export class ReduceLROnPlateau {
  /** The learning rate for the next optimizer steps. */
  lr: number;
  private s: Omit<PlateauState, 'best' | '_last_lr'> & { best: number };

  constructor(baseLr: number, kwargs: SchedulerKwargs = {}) {
    const factor = kwargs.factor ?? 0.1;
    if (factor >= 1) throw new ScheduleError('factor', 'reduce_lr_on_plateau: factor should be < 1.0');
    const mode = kwargs.mode ?? 'min';
    this.lr = baseLr;
    this.s = {
      mode,
      factor,
      patience: kwargs.patience ?? 10,
      threshold: kwargs.threshold ?? 1e-4,
      threshold_mode: kwargs.threshold_mode ?? 'rel',
      cooldown: kwargs.cooldown ?? 0,
      min_lrs: [kwargs.min_lr ?? 0],
      eps: kwargs.eps ?? 1e-8,
      best: mode === 'min' ? Infinity : -Infinity,
      num_bad_epochs: 0,
      cooldown_counter: 0,
      last_epoch: 0,
    };
  }

  isBetter(a: number, best: number): boolean {
    const { mode, threshold: t, threshold_mode: tm } = this.s;
    if (mode === 'min') return tm === 'rel' ? a < best * (1 - t) : a < best - t;
    return tm === 'rel' ? a > best * (t + 1) : a > best + t;
  }

  /** One evaluation's metric; returns true when it lowered the learning rate. */
  step(metric: number): boolean {
    const s = this.s;
    s.last_epoch += 1;
    if (this.isBetter(metric, s.best)) {
      s.best = metric;
      s.num_bad_epochs = 0;
    } else s.num_bad_epochs += 1;
    if (s.cooldown_counter > 0) {
      s.cooldown_counter -= 1;
      s.num_bad_epochs = 0;
    }
    if (s.num_bad_epochs <= s.patience) return false;
    s.cooldown_counter = s.cooldown;
    s.num_bad_epochs = 0;
    const newLr = Math.max(this.lr * s.factor, s.min_lrs[0]!);
    if (!(this.lr - newLr > s.eps)) return false;
    this.lr = newLr;
    return true;
  }

  stateDict(): PlateauState {
    return { ...this.s, min_lrs: [...this.s.min_lrs], best: toJsonNumber(this.s.best), _last_lr: [this.lr] };
  }

  loadStateDict(state: PlateauState): void {
    const { best, _last_lr, ...rest } = state;
    this.s = { ...rest, min_lrs: [...rest.min_lrs], best: fromJsonNumber(best) };
    if (_last_lr[0] !== undefined) this.lr = _last_lr[0];
  }
}

/**
 * The learning rate of each optimizer step: the lambda schedules from the step count, or
 * reduce_lr_on_plateau's rate, lowered after evaluations. Its state goes into scheduler.json.
 */
export class LearningRates {
  private readonly plateau?: ReduceLROnPlateau;

  constructor(
    private readonly baseLr: number,
    private readonly opts: ScheduleOptions,
  ) {
    if (opts.type === 'reduce_lr_on_plateau') this.plateau = new ReduceLROnPlateau(baseLr, opts.kwargs);
  }

  /** The rate for optimizer step `step` (counted from 0, the steps taken so far). */
  at(step: number): number {
    return this.plateau ? this.plateau.lr : learningRate(this.baseLr, this.opts, step);
  }

  /** Whether the schedule steps on an evaluation metric (reduce_lr_on_plateau). */
  get followsMetric(): boolean {
    return this.plateau !== undefined;
  }

  /** After an evaluation: the metric (metric_for_best_model); true when the rate was lowered. */
  evaluated(metric: number): boolean {
    return this.plateau?.step(metric) ?? false;
  }

  stateDict(): PlateauState | undefined {
    return this.plateau?.stateDict();
  }

  loadStateDict(state: PlateauState | undefined): void {
    if (state && this.plateau) this.plateau.loadStateDict(state);
  }
}
