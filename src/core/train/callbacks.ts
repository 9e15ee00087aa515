/**
 * What the training loop tells whoever listens, as transformers' TrainerCallback: the run began,
 * a log entry, an evaluation (with every row's logits, for error analysis), a checkpoint written,
 * the run ended. The CLI / worker events are emitted by the trainer itself; callbacks carry the rest
 * (TensorBoard, Hub pushes, features that read predictions).
 */
import type { RowOrder } from '../data/index.js';
import type { LogEntry, TrainerState } from './checkpoint.js';

export interface Evaluation {
  step: number;
  epoch: number;
  metrics: Record<string, number>;
  /** The split's logits in row order: one row per data row (per document when sliding windows chunk them). */
  logits: RowOrder;
}

export interface TrainerCallback {
  onTrainBegin?(state: TrainerState): void | Promise<void>;
  onLog?(entry: LogEntry, state: TrainerState): void | Promise<void>;
  onEvaluate?(evaluation: Evaluation, state: TrainerState): void | Promise<void>;
  /** `epochEnd`: the checkpoint was saved at the end of an epoch. */
  onSave?(dir: string, state: TrainerState, epochEnd: boolean): void | Promise<void>;
  onTrainEnd?(state: TrainerState, metrics: Record<string, number>): void | Promise<void>;
}

/** Calls `event` on every callback that has it, in order. */
export async function notify<K extends keyof TrainerCallback>(
  callbacks: readonly TrainerCallback[],
  event: K,
  ...args: Parameters<NonNullable<TrainerCallback[K]>>
): Promise<void> {
  for (const cb of callbacks) {
    const f = cb[event] as ((...a: typeof args) => void | Promise<void>) | undefined;
    if (f) await f.apply(cb, args);
  }
}
