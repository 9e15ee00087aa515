/**
 * transformers' EarlyStoppingCallback: after each evaluation, the patience counter resets when the
 * metric beats the best so far by more than the threshold, else counts up; the run stops when it
 * reaches the patience. Its counter travels in trainer_state.json's stateful_callbacks, so a resumed
 * run goes on counting.
 */

/** Whether `value` beats `best` (none yet: it does) in the metric's direction. */
export function isImprovement(value: number, best: number | null, greaterIsBetter: boolean): boolean {
  return best === null || (greaterIsBetter ? value > best : value < best);
}

export interface EarlyStoppingEntry {
  args: { early_stopping_patience: number; early_stopping_threshold: number };
  attributes: { early_stopping_patience_counter: number };
}

export class EarlyStopping {
  constructor(
    readonly patience: number,
    readonly threshold: number,
    private readonly greater: boolean,
    public counter = 0,
  ) {}

  /** Reads the counter a checkpoint's stateful_callbacks kept (0 when there is none). */
  static counterFrom(statefulCallbacks: Record<string, unknown>): number {
    const cb = statefulCallbacks.EarlyStoppingCallback as { attributes?: { early_stopping_patience_counter?: number } } | undefined;
    return cb?.attributes?.early_stopping_patience_counter ?? 0;
  }

  /** One evaluation's metric against the best before it; true when the run should stop. */
  update(value: number, best: number | null): boolean {
    const improved = isImprovement(value, best, this.greater) && (best === null || Math.abs(value - best) > this.threshold);
    this.counter = improved ? 0 : this.counter + 1;
    return this.counter >= this.patience;
  }

  entry(): { EarlyStoppingCallback: EarlyStoppingEntry } {
    return {
      EarlyStoppingCallback: {
        args: { early_stopping_patience: this.patience, early_stopping_threshold: this.threshold },
        attributes: { early_stopping_patience_counter: this.counter },
      },
    };
  }
}
