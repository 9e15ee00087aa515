/** The comparison table's cells, from the host's rows, with no DOM (unit-tested in Node). */
import type { CompareRun } from '../../src/protocol/webviews/compare.js';
import { clock, metricText, shortModel } from '../format.js';

export interface CompareColumn {
  key: string;
  title: string;
  /** Numbers are right-aligned. */
  num: boolean;
}

/** The metric every row is compared on: the one most runs have as their headline. */
export function sharedMetric(rows: readonly CompareRun[]): string {
  const votes = new Map<string, number>();
  for (const r of rows) if (Object.keys(r.final).length) votes.set(r.metricName, (votes.get(r.metricName) ?? 0) + 1);
  return [...votes].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'eval_loss';
}

const HYPER_TITLES: Record<string, string> = {
  learning_rate: 'lr',
  num_train_epochs: 'epochs',
  max_steps: 'max steps',
  per_device_train_batch_size: 'batch',
  max_seq_length: 'max len',
  weight_decay: 'wd',
  warmup_ratio: 'warmup',
  lr_scheduler_type: 'schedule',
  seed: 'seed',
};

/** The table's columns: run, status, model, the metric (best and final), loss, time, then the hyperparameters any run has. */
export function compareColumns(rows: readonly CompareRun[]): CompareColumn[] {
  const metric = sharedMetric(rows).replace(/^eval_/, '');
  const hyper = Object.keys(HYPER_TITLES).filter((k) => rows.some((r) => r.hyper[k] !== undefined && r.hyper[k] !== null && r.hyper[k] !== -1));
  return [
    { key: 'run', title: 'run', num: false },
    { key: 'status', title: 'status', num: false },
    { key: 'model', title: 'model', num: false },
    { key: 'best', title: `best ${metric}`, num: true },
    { key: 'final', title: `final ${metric}`, num: true },
    { key: 'loss', title: 'final eval loss', num: true },
    { key: 'time', title: 'time', num: true },
    ...hyper.map((k) => ({ key: `hyper:${k}`, title: HYPER_TITLES[k]!, num: true })),
  ];
}

/** One row's cell texts by column key ('' where the run has no value). */
export function compareCells(r: CompareRun, columns: readonly CompareColumn[], metric: string): Record<string, string> {
  const num = (v: number | undefined): string => (v === undefined ? '' : metricText(v));
  const out: Record<string, string> = {};
  for (const c of columns) {
    if (c.key === 'run') out[c.key] = r.run.name;
    else if (c.key === 'status') out[c.key] = r.run.status;
    else if (c.key === 'model') out[c.key] = shortModel(r.run.model);
    else if (c.key === 'best') out[c.key] = num(r.best[metric]);
    else if (c.key === 'final') out[c.key] = num(r.final[metric]);
    else if (c.key === 'loss') out[c.key] = num(r.final.eval_loss);
    else if (c.key === 'time') out[c.key] = r.seconds === undefined ? '' : clock(r.seconds);
    else {
      const v = r.hyper[c.key.slice('hyper:'.length)];
      out[c.key] = v === undefined || v === null || v === -1 ? '' : typeof v === 'number' && v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v);
    }
  }
  return out;
}

/** The row whose best metric is best (lowest for a loss): highlighted. */
export function bestRunId(rows: readonly CompareRun[], metric: string): string | undefined {
  const lower = /loss$/.test(metric);
  let best: CompareRun | undefined;
  for (const r of rows) {
    const v = r.best[metric];
    if (v === undefined) continue;
    const b = best?.best[metric];
    if (b === undefined || (lower ? v < b : v > b)) best = r;
  }
  return best?.run.runId;
}
