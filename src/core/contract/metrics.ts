/**
 * The metrics a run reports, in one table: the name `evaluate` gives them (eval_ / test_ prefixed in
 * results), whether higher is better (best-model tracking, early stopping, plateau, the UI's arrows),
 * the model card's metric tag, and which ones a summary shows (the model card's training-results
 * table, the dashboard's charts). Everything that needs a list of metric names reads it here.
 */

export interface MetricInfo {
  /** As computed, without the eval_ / test_ prefix. */
  name: string;
  greaterIsBetter: boolean;
  /** The Hugging Face model card `metrics:` tag (an `evaluate` metric id). */
  cardTag: string;
  /** Shown in summaries (training-results table, charts). */
  headline: boolean;
  /** A few words for people. */
  label: string;
}

export const METRICS: readonly MetricInfo[] = [
  { name: 'loss', greaterIsBetter: false, cardTag: 'loss', headline: true, label: 'loss' },
  { name: 'accuracy', greaterIsBetter: true, cardTag: 'accuracy', headline: true, label: 'accuracy' },
  { name: 'precision', greaterIsBetter: true, cardTag: 'precision', headline: true, label: 'precision' },
  { name: 'recall', greaterIsBetter: true, cardTag: 'recall', headline: true, label: 'recall' },
  { name: 'f1', greaterIsBetter: true, cardTag: 'f1', headline: true, label: 'F1' },
  { name: 'f1_micro', greaterIsBetter: true, cardTag: 'f1', headline: false, label: 'micro F1' },
  { name: 'f1_macro', greaterIsBetter: true, cardTag: 'f1', headline: false, label: 'macro F1' },
  { name: 'mse', greaterIsBetter: false, cardTag: 'mse', headline: true, label: 'mean squared error' },
  { name: 'mae', greaterIsBetter: false, cardTag: 'mae', headline: true, label: 'mean absolute error' },
  { name: 'r2', greaterIsBetter: true, cardTag: 'r_squared', headline: true, label: 'R²' },
  { name: 'pearson', greaterIsBetter: true, cardTag: 'pearsonr', headline: true, label: 'Pearson r' },
  { name: 'ece', greaterIsBetter: false, cardTag: 'ece', headline: false, label: 'expected calibration error' },
  { name: 'nll', greaterIsBetter: false, cardTag: 'nll', headline: false, label: 'negative log-likelihood' },
  { name: 'ece_calibrated', greaterIsBetter: false, cardTag: 'ece', headline: false, label: 'expected calibration error (calibrated)' },
  { name: 'nll_calibrated', greaterIsBetter: false, cardTag: 'nll', headline: false, label: 'negative log-likelihood (calibrated)' },
];

const BY_NAME = new Map(METRICS.map((m) => [m.name, m]));

/** The metric's name without its split prefix: eval_f1 -> f1, test_loss -> loss. */
export function bareMetricName(key: string): string {
  return key.replace(/^(eval|test|train)_/, '');
}

export function metricInfo(key: string): MetricInfo | undefined {
  return BY_NAME.get(bareMetricName(key));
}

/**
 * Whether a higher value of `key` is better: the table's answer for a known metric; for another
 * name, transformers' rule (a name ending in "loss" is lower-is-better).
 */
export function higherIsBetter(key: string): boolean {
  return metricInfo(key)?.greaterIsBetter ?? !bareMetricName(key).endsWith('loss');
}

/** The computed metrics among `keys` (timings and counts are not metrics), in the table's order. */
export function metricKeys(keys: Iterable<string>, opts: { headline?: boolean } = {}): string[] {
  const present = [...keys];
  const order = (k: string): number => METRICS.findIndex((m) => m.name === bareMetricName(k));
  return present.filter((k) => metricInfo(k) && (!opts.headline || metricInfo(k)!.headline)).sort((a, b) => order(a) - order(b));
}
