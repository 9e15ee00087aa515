/**
 * Learning-rate schedules with transformers' semantics (`get_scheduler`): the multiplier for the
 * optimizer step about to be taken, counted from 0 (LambdaLR's last_epoch).
 */

export type SchedulerType = 'linear' | 'constant' | 'constant_with_warmup' | 'cosine';

export const SCHEDULER_TYPES: readonly SchedulerType[] = ['linear', 'constant', 'constant_with_warmup', 'cosine'];

export interface ScheduleOptions {
  type: SchedulerType;
  warmupSteps: number;
  totalSteps: number;
  /** Cosine only: number of waves (transformers' num_cycles, default 0.5). */
  numCycles?: number;
}

export function lrLambda(opts: ScheduleOptions, step: number): number {
  const { warmupSteps: w, totalSteps: t } = opts;
  switch (opts.type) {
    case 'constant':
      return 1;
    case 'constant_with_warmup':
      return step < w ? step / Math.max(1, w) : 1;
    case 'linear':
      if (step < w) return step / Math.max(1, w);
      return Math.max(0, (t - step) / Math.max(1, t - w));
    case 'cosine': {
      if (step < w) return step / Math.max(1, w);
      const progress = (step - w) / Math.max(1, t - w);
      return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * (opts.numCycles ?? 0.5) * 2 * progress)));
    }
  }
}

export function learningRate(baseLr: number, opts: ScheduleOptions, step: number): number {
  return baseLr * lrLambda(opts, step);
}

/** TrainingArguments.get_warmup_steps: warmup_steps if > 0, else ceil(warmup_ratio * total). */
export function warmupSteps(totalSteps: number, warmupStepsArg: number, warmupRatio: number): number {
  return warmupStepsArg > 0 ? warmupStepsArg : Math.ceil(totalSteps * warmupRatio);
}
