/**
 * The run dashboard's protocol: the run and every event so far at bootstrap, then appended events
 * and summary changes; another run's events to overlay; Cancel and Predict; the final evaluation's
 * errors (from eval_predictions.csv) and opening a data file at a row's line.
 */
import type { TrainingEvent } from '../../core/contract/events.js';
import { CancelRun, OpenPredict, page, type RunSummary } from './base.js';
import { command, notification, number, request, shape, string } from './ipc.js';

export interface DashboardState {
  run: RunSummary;
  /** Every event of the run so far, in order. */
  events: TrainingEvent[];
  /** Other runs that can be overlaid. */
  otherRuns: RunSummary[];
}

/** Another run's events to draw dashed over this one's (and its summary, when the host knows it). */
export const Overlay = request('overlay', { runId: string() }, shape<{ run?: RunSummary; events: TrainingEvent[] }>());

/** One row of the errors table: a prediction of the final evaluation (eval_predictions.csv). */
export interface ErrorRow {
  /** 0-based data row, and the 1-based line of the data file where it starts. */
  index: number;
  line: number;
  text: string;
  pair?: string;
  /** The given label. */
  label: string;
  /** The predicted label ('' when the model abstained). */
  predicted: string;
  /** The predicted label's probability (the top one when it abstained). */
  score: number;
  /** wrong: predicted another label; abstained: below the confidence threshold; unsure: right, among the least confident. */
  kind: 'wrong' | 'abstained' | 'unsure';
}

/** The errors and the least-confident rows of a run's final evaluation, at most a few hundred of them. */
export interface ErrorTable {
  /** eval_predictions.csv (or predict_results.csv of a labelled test file). */
  path: string;
  /** The data file the rows came from (a row opens there at its line). */
  dataFile: string;
  labels: string[];
  rows: ErrorRow[];
  /** Labelled rows predicted, wrong ones, abstained ones (the whole file). */
  total: number;
  wrong: number;
  abstained: number;
  /** Wrong and abstained rows left out (over the cap: the most confident wrong ones are kept). */
  leftOut: number;
  /** Right rows sent: the least confident ones. */
  unsure: number;
}

/** The run's latest prediction table as the errors table shows it, or null when it has none. */
export const ErrorRows = request('errorRows', { runId: string() }, shape<ErrorTable | null>());

/** Opens the data file of the run's prediction table at a 1-based line (a row of the errors table). */
export const OpenRow = command('openRow', { runId: string(), line: number({ min: 1 }) });

/** New events of a run (the dashboard keeps those of its own run). */
export const Events = notification('events', shape<{ runId: string; events: TrainingEvent[] }>());

/** A run's summary changed (its status, best metric). */
export const Run = notification('run', shape<{ run: RunSummary }>());

export const dashboardProtocol = page({
  page: 'dashboard',
  state: shape<DashboardState>(),
  commands: { cancelRun: CancelRun, openPredict: OpenPredict, openRow: OpenRow },
  requests: { overlay: Overlay, errorRows: ErrorRows },
  notifications: { events: Events, run: Run },
});
export type DashboardProtocol = typeof dashboardProtocol;
