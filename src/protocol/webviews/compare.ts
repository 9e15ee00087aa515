/**
 * The run comparison's protocol: every run of the workspace as a table row (final and best
 * metrics, time, model, key hyperparameters) with its curves to overlay; opening a run's dashboard.
 */
import { page, type RunSummary } from './base.js';
import { notification, shape } from './ipc.js';
import { OpenDashboard } from './sidebar.js';

export interface CurvePoint {
  x: number;
  y: number;
}

export interface CompareRun {
  run: RunSummary;
  /** The last evaluation's eval_* metrics. */
  final: Record<string, number>;
  /** Each eval_* metric's best value over the run (lowest for losses and errors). */
  best: Record<string, number>;
  /** Training time in seconds (train_runtime, else start to finish). */
  seconds?: number;
  /** The hyperparameters people compare runs by (flag names as the CLI's). */
  hyper: Record<string, string | number | boolean | null>;
  /** Logged training loss by step. */
  loss: CurvePoint[];
  /** The headline metric by step (eval_f1, else eval_accuracy, else eval_loss). */
  metric: CurvePoint[];
  metricName: string;
}

export interface CompareState {
  runs: CompareRun[];
}

/** The runs changed (one finished, a new one started). */
export const CompareUpdate = notification('compareUpdate', shape<{ state: CompareState }>());

export const compareProtocol = page({
  page: 'compare',
  state: shape<CompareState>(),
  commands: { openDashboard: OpenDashboard },
  requests: {},
  notifications: { compareUpdate: CompareUpdate },
});
export type CompareProtocol = typeof compareProtocol;
