/**
 * find-label-errors' events as a progress notification (no vscode: unit-tested): a line per stage,
 * fold and step, and the share done, where each of the K folds is 1/K of the bar and a fold moves
 * with its optimizer steps. Also the modal's words for the cost.
 */
import type { LabelErrorsPlan, TrainingEvent } from '../../core/contract/events.js';

export interface FoldProgressState {
  fold: number;
  folds: number;
  /** Share done, 0..1, as last reported. */
  done: number;
}

export interface ProgressReport {
  message?: string;
  /** Percent to add to the bar (VS Code's withProgress increments). */
  increment?: number;
}

export function initialProgress(): FoldProgressState {
  return { fold: 0, folds: 0, done: 0 };
}

/** What one event says to the person watching, and how far the bar moves; undefined when it says nothing. */
export function foldProgress(s: FoldProgressState, e: TrainingEvent): ProgressReport | undefined {
  const move = (share: number): number | undefined => {
    const next = Math.min(1, Math.max(s.done, share));
    const inc = 100 * (next - s.done);
    s.done = next;
    return inc > 0 ? inc : undefined;
  };
  const of = (): string => `fold ${s.fold} of ${s.folds}`;
  const report = (message: string, share?: number): ProgressReport => {
    const increment = share === undefined ? undefined : move(share);
    return { message, ...(increment !== undefined ? { increment } : {}) };
  };
  switch (e.type) {
    case 'stage':
      return s.fold === 0 && e.total === undefined ? report(e.message) : undefined;
    case 'fold':
      s.fold = e.fold;
      s.folds = e.folds;
      if (e.phase === 'start') return report(`${of()}: training on ${e.trainRows} rows`, (e.fold - 1) / e.folds);
      return report(`${of()}: held-out accuracy ${(e.heldOutAccuracy ?? 0).toFixed(3)}`, e.fold / e.folds);
    case 'progress':
      if (s.fold === 0 || s.folds === 0) return undefined;
      return report(`${of()}: step ${e.step} of ${e.totalSteps}`, (s.fold - 1 + e.step / Math.max(1, e.totalSteps)) / s.folds);
    case 'label-issues':
      return report('ranking the rows (confident learning)', 1);
    default:
      return undefined;
  }
}

/** The modal that asks before the K trainings: a question and the detail under it. */
export function planMessage(plan: LabelErrorsPlan, file: string, model: string): { title: string; detail: string } {
  return {
    title: `Find label errors in ${file}? It trains ${plan.folds} models.`,
    detail:
      `${plan.folds}-fold cross-validation: ${plan.folds} trainings of ${model} on about ${plan.rowsPerTraining.toLocaleString('en-US')} of the ${plan.rows.toLocaleString('en-US')} rows each, ` +
      `${plan.totalSteps.toLocaleString('en-US')} optimizer steps in all (${plan.ratio.toFixed(1)}× one training on every row). ` +
      'Each model predicts the rows it did not see; the rows whose label disagrees most are flagged. Nothing in the data file changes.',
  };
}
