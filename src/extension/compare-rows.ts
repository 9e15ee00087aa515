/**
 * The comparison table's rows, from each run's events and settings (no vscode: unit-tested):
 * the last evaluation's metrics, each metric's best, the training time, the hyperparameters people
 * compare runs by, and the curves to overlay.
 */
import type { RunArgs } from '../core/contract/args.js';
import type { TrainingEvent } from '../core/contract/events.js';
import type { RunSummary } from '../protocol/webviews/base.js';
import type { CompareRun, CurvePoint } from '../protocol/webviews/compare.js';

/** Flags shown as columns of the comparison (when a run has them). */
export const COMPARED_FLAGS = [
  'learning_rate',
  'num_train_epochs',
  'max_steps',
  'per_device_train_batch_size',
  'max_seq_length',
  'weight_decay',
  'warmup_ratio',
  'lr_scheduler_type',
  'seed',
] as const;

/** Metrics where lower is better. */
const LOWER_IS_BETTER = /(loss|mse|mae|rmse)$/;

/** The metric a run's curve and headline show: F1, else accuracy, else the loss. */
export function headlineMetric(metrics: Iterable<string>): string {
  const names = new Set(metrics);
  return ['eval_f1', 'eval_accuracy', 'eval_r2', 'eval_loss'].find((m) => names.has(m)) ?? 'eval_loss';
}

const NOT_METRICS = new Set(['eval_runtime', 'eval_samples_per_second', 'eval_steps_per_second', 'epoch']);

export function compareRow(run: RunSummary, events: readonly TrainingEvent[], args: Partial<RunArgs> | undefined): CompareRun {
  const final: Record<string, number> = {};
  const best: Record<string, number> = {};
  const loss: CurvePoint[] = [];
  const evals: { step: number; metrics: Record<string, number> }[] = [];
  let seconds: number | undefined;
  for (const e of events) {
    if (e.type === 'log') loss.push({ x: e.step, y: e.loss });
    else if (e.type === 'eval') evals.push({ step: e.step, metrics: e.metrics });
    else if (e.type === 'done' && e.results.train_runtime !== undefined) seconds = e.results.train_runtime;
    else if (e.type === 'start' && e.resumedFromStep > 0) loss.splice(0, loss.length, ...loss.filter((p) => p.x <= e.resumedFromStep));
  }
  for (const { metrics } of evals) {
    for (const [k, v] of Object.entries(metrics)) {
      if (NOT_METRICS.has(k) || !Number.isFinite(v)) continue;
      final[k] = v;
      const lower = LOWER_IS_BETTER.test(k);
      if (best[k] === undefined || (lower ? v < best[k] : v > best[k])) best[k] = v;
    }
  }
  if (seconds === undefined && run.finishedAt) seconds = (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000;
  const metricName = headlineMetric(Object.keys(final));
  const a = (args ?? {}) as Record<string, unknown>;
  const hyper: CompareRun['hyper'] = {};
  for (const k of COMPARED_FLAGS) {
    const v = a[k];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) hyper[k] = v;
  }
  return {
    run,
    final,
    best,
    ...(seconds !== undefined && Number.isFinite(seconds) ? { seconds } : {}),
    hyper,
    loss,
    metric: evals.filter((e) => e.metrics[metricName] !== undefined).map((e) => ({ x: e.step, y: e.metrics[metricName]! })),
    metricName,
  };
}

/** What compareRows needs of the run manager. */
export interface RunSource {
  list(): RunSummary[];
  history(runId: string): Promise<TrainingEvent[]>;
  settings(runId: string): Promise<{ args: RunArgs } | undefined>;
}

/** Every run of the workspace, newest first. */
export async function compareRows(runs: RunSource): Promise<CompareRun[]> {
  const out: CompareRun[] = [];
  for (const r of runs.list()) out.push(compareRow(r, await runs.history(r.runId), (await runs.settings(r.runId))?.args));
  return out;
}
