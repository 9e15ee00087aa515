/**
 * When the training loop logs, evaluates and saves: a pure function of the run's arguments and the
 * step that just ended, as transformers' DefaultFlowCallback decides it (on_step_end with the
 * `steps` strategies, on_epoch_end with the `epoch` ones). The loop does what it says.
 */
import type { RunArgs } from '../contract/args.js';

export type FlowArgs = Pick<RunArgs, 'logging_strategy' | 'logging_steps' | 'eval_strategy' | 'eval_steps' | 'save_strategy' | 'save_steps'>;

export interface StepEnd {
  /** The global step just taken (1-based). */
  step: number;
  /** The step ended an epoch (its last batch was the epoch's last). */
  epochEnded: boolean;
  /** There is a validation split to evaluate on. */
  hasValidation: boolean;
}

export interface Control {
  log: boolean;
  evaluate: boolean;
  save: boolean;
}

/** Evaluation every N steps: --eval_steps, else --logging_steps (as TrainingArguments.__post_init__). */
export function evalInterval(a: Pick<RunArgs, 'eval_steps' | 'logging_steps'>): number {
  return a.eval_steps ?? a.logging_steps;
}

const due = (strategy: 'no' | 'steps' | 'epoch', every: number, e: StepEnd): boolean =>
  (strategy === 'steps' && e.step % every === 0) || (strategy === 'epoch' && e.epochEnded);

export function stepControl(a: FlowArgs, e: StepEnd): Control {
  return {
    log: due(a.logging_strategy, a.logging_steps, e),
    evaluate: e.hasValidation && due(a.eval_strategy, evalInterval(a), e),
    save: due(a.save_strategy, a.save_steps, e),
  };
}
