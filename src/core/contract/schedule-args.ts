/**
 * The learning-rate schedules a run may ask for (transformers' SchedulerType names) and their
 * `lr_scheduler_kwargs`, checked per schedule: part of the run's contract (args.ts reads them; the
 * schedules themselves are in train/schedule.ts).
 */
import { UserError } from '../errors.js';

export const SCHEDULER_TYPES = [
  'linear',
  'constant',
  'constant_with_warmup',
  'cosine',
  'cosine_with_restarts',
  'polynomial',
  'inverse_sqrt',
  'cosine_with_min_lr',
  'cosine_warmup_with_min_lr',
  'warmup_stable_decay',
  'reduce_lr_on_plateau',
] as const;

export type SchedulerType = (typeof SCHEDULER_TYPES)[number];

/** The schedules `lrLambda` computes (all but the metric-driven reduce_lr_on_plateau). */
export type LambdaSchedulerType = Exclude<SchedulerType, 'reduce_lr_on_plateau'>;

/** warmup_stable_decay's warmup_type / decay_type. */
export type WsdShape = 'linear' | 'cosine' | '1-sqrt';

/** `lr_scheduler_kwargs`, with transformers' (and torch's) key names; which keys a schedule takes: SCHEDULER_KWARGS. */
export interface SchedulerKwargs {
  /** cosine, cosine_with_min_lr, cosine_warmup_with_min_lr, warmup_stable_decay: waves (default 0.5); cosine_with_restarts: hard restarts (default 1). */
  num_cycles?: number;
  /** polynomial: the learning rate it ends at (absolute, default 1e-7). */
  lr_end?: number;
  /** polynomial: the power of the decay (default 1). */
  power?: number;
  /** inverse_sqrt: default num_warmup_steps, or 10000 without warmup. */
  timescale?: number;
  /** cosine_with_min_lr / cosine_warmup_with_min_lr: the floor (absolute); reduce_lr_on_plateau: the lowest learning rate (default 0). */
  min_lr?: number;
  /** cosine_with_min_lr / cosine_warmup_with_min_lr: the floor as a share of the base learning rate. */
  min_lr_rate?: number;
  /** cosine_warmup_with_min_lr: where warmup starts, as a share of the base learning rate. */
  warmup_lr_rate?: number;
  /** warmup_stable_decay (required): steps of the decay phase. */
  num_decay_steps?: number;
  /** warmup_stable_decay: steps at the peak (default: total - warmup - decay). */
  num_stable_steps?: number;
  warmup_type?: WsdShape;
  decay_type?: WsdShape;
  /** warmup_stable_decay: where warmup starts and decay ends, as a share of the base learning rate (default 0). */
  min_lr_ratio?: number;
  // reduce_lr_on_plateau (torch's ReduceLROnPlateau arguments and defaults)
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  threshold_mode?: 'rel' | 'abs';
  cooldown?: number;
  eps?: number;
  verbose?: boolean;
}

/** A user's mistake in `lr_scheduler_kwargs`, naming the key. */
export class ScheduleError extends UserError {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = 'ScheduleError';
  }
}

type KwargSpec = { kind: 'int' | 'number'; min?: number; above?: number; below?: number } | { kind: 'enum'; choices: readonly string[] } | { kind: 'bool' };

const NUM_CYCLES: KwargSpec = { kind: 'number' };
const SHAPES = ['linear', 'cosine', '1-sqrt'] as const;

/** The `lr_scheduler_kwargs` keys each schedule takes (the keyword arguments of transformers' schedule functions). */
export const SCHEDULER_KWARGS: Readonly<Record<SchedulerType, Readonly<Record<string, KwargSpec>>>> = {
  linear: {},
  constant: {},
  constant_with_warmup: {},
  cosine: { num_cycles: NUM_CYCLES },
  cosine_with_restarts: { num_cycles: NUM_CYCLES },
  polynomial: { lr_end: { kind: 'number', min: 0 }, power: { kind: 'number' } },
  inverse_sqrt: { timescale: { kind: 'number', above: 0 } },
  cosine_with_min_lr: { num_cycles: NUM_CYCLES, min_lr: { kind: 'number', min: 0 }, min_lr_rate: { kind: 'number', min: 0 } },
  cosine_warmup_with_min_lr: {
    num_cycles: NUM_CYCLES,
    min_lr: { kind: 'number', min: 0 },
    min_lr_rate: { kind: 'number', min: 0 },
    warmup_lr_rate: { kind: 'number', min: 0 },
  },
  warmup_stable_decay: {
    num_decay_steps: { kind: 'int', min: 0 },
    num_stable_steps: { kind: 'int' },
    warmup_type: { kind: 'enum', choices: SHAPES },
    decay_type: { kind: 'enum', choices: SHAPES },
    min_lr_ratio: { kind: 'number', min: 0 },
    num_cycles: NUM_CYCLES,
  },
  reduce_lr_on_plateau: {
    mode: { kind: 'enum', choices: ['min', 'max'] },
    factor: { kind: 'number', min: 0, below: 1 },
    patience: { kind: 'int', min: 0 },
    threshold: { kind: 'number' },
    threshold_mode: { kind: 'enum', choices: ['rel', 'abs'] },
    cooldown: { kind: 'int', min: 0 },
    min_lr: { kind: 'number', min: 0 },
    eps: { kind: 'number', min: 0 },
    verbose: { kind: 'bool' },
  },
};

/** One value, converted as TrainingArguments converts a JSON string from the command line ("2" -> 2, "true" -> true). */
function kwargValue(type: SchedulerType, key: string, spec: KwargSpec, raw: unknown): number | string | boolean {
  const bad = (what: string): never => {
    throw new ScheduleError(key, `lr_scheduler_kwargs "${key}" for ${type}: ${what} (got ${JSON.stringify(raw)})`);
  };
  if (spec.kind === 'bool') {
    if (typeof raw === 'boolean') return raw;
    if (raw === 'true' || raw === 'false') return raw === 'true';
    return bad('expects true or false');
  }
  if (spec.kind === 'enum') {
    if (typeof raw !== 'string' || !spec.choices.includes(raw)) return bad(`must be one of ${spec.choices.map((c) => `"${c}"`).join(', ')}`);
    return raw;
  }
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(n)) return bad('expects a number');
  if (spec.kind === 'int' && !Number.isInteger(n)) return bad('expects a whole number of steps');
  if (spec.min !== undefined && n < spec.min) return bad(`must be at least ${spec.min}`);
  if (spec.above !== undefined && n <= spec.above) return bad(`must be greater than ${spec.above}`);
  if (spec.below !== undefined && n >= spec.below) return bad(`must be less than ${spec.below}`);
  return n;
}

/**
 * Checks `lr_scheduler_kwargs` for a schedule: each key one the schedule takes (with its type and
 * range), plus the checks transformers makes when it builds the schedule (min_lr xor min_lr_rate,
 * num_decay_steps required, lr_end below the learning rate). Throws a ScheduleError naming the key.
 */
export function validateSchedulerKwargs(type: SchedulerType, raw: Readonly<Record<string, unknown>>, baseLr: number): SchedulerKwargs {
  const specs = SCHEDULER_KWARGS[type];
  const allowed = Object.keys(specs);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const spec = specs[key];
    if (!spec) {
      const takes = allowed.length ? `it takes ${allowed.join(', ')}` : 'it takes none';
      throw new ScheduleError(key, `lr_scheduler_kwargs "${key}" is not a setting of the ${type} schedule (${takes})`);
    }
    out[key] = kwargValue(type, key, spec, value);
  }
  const k = out as SchedulerKwargs;
  if (type === 'cosine_with_min_lr' || type === 'cosine_warmup_with_min_lr') {
    if (k.min_lr !== undefined && k.min_lr_rate !== undefined) throw new ScheduleError('min_lr', `${type}: set only one of min_lr and min_lr_rate`);
    if (k.min_lr === undefined && k.min_lr_rate === undefined) {
      throw new ScheduleError(
        'min_lr',
        `${type} needs min_lr (absolute) or min_lr_rate (share of the learning rate) in lr_scheduler_kwargs, e.g. {"min_lr_rate": 0.1}`,
      );
    }
  }
  if (type === 'warmup_stable_decay' && k.num_decay_steps === undefined) {
    throw new ScheduleError('num_decay_steps', 'warmup_stable_decay needs num_decay_steps in lr_scheduler_kwargs, e.g. {"num_decay_steps": 100}');
  }
  if (type === 'polynomial' && !(baseLr > (k.lr_end ?? 1e-7))) {
    throw new ScheduleError('lr_end', `polynomial: lr_end (${k.lr_end ?? 1e-7}) must be smaller than the learning rate (${baseLr})`);
  }
  return k;
}
