/** How the sidebar lists a run, with no DOM (unit-tested in Node). */
import type { RunSummary } from '../../src/protocol/webviews/base.js';
import { metricText, shortModel } from '../format.js';

export interface RunRow {
  /** The active run, still running: it gets the progress bar. */
  active: boolean;
  /** Model · best metric · step, as far as known. */
  meta: string;
  /** The bar: at a step of a known total, or indeterminate. */
  progress?: { value?: number; max?: number; indeterminate: boolean };
  /** Stopped before the end with a checkpoint to continue from. */
  resumable: boolean;
}

export function runRow(r: RunSummary, activeRunId: string | undefined): RunRow {
  const active = r.runId === activeRunId && r.status === 'running';
  const metric = r.bestMetric ? `${r.bestMetric.name.replace(/^eval_/, '')} ${metricText(r.bestMetric.value)}` : '';
  const p = active ? r.progress : undefined;
  const step = p ? `step ${p.step}/${p.totalSteps}` : '';
  return {
    active,
    resumable: !active && (r.status === 'cancelled' || r.status === 'failed') && !!r.lastCheckpoint,
    meta: [shortModel(r.model), metric, step].filter(Boolean).join(' · '),
    ...(active ? { progress: p ? { value: p.step, max: Math.max(1, p.totalSteps), indeterminate: false } : { indeterminate: true } } : {}),
  };
}
