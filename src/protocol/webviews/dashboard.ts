/**
 * The run dashboard's protocol: the run and every event so far at bootstrap, then appended events
 * and summary changes; another run's events to overlay; Cancel and Predict.
 */
import type { TrainingEvent } from '../../core/contract/events.js';
import { CancelRun, OpenPredict, page, type RunSummary } from './base.js';
import { notification, request, shape, string } from './ipc.js';

export interface DashboardState {
  run: RunSummary;
  /** Every event of the run so far, in order. */
  events: TrainingEvent[];
  /** Other runs that can be overlaid. */
  otherRuns: RunSummary[];
}

/** Another run's events to draw dashed over this one's (and its summary, when the host knows it). */
export const Overlay = request('overlay', { runId: string() }, shape<{ run?: RunSummary; events: TrainingEvent[] }>());

/** New events of a run (the dashboard keeps those of its own run). */
export const Events = notification('events', shape<{ runId: string; events: TrainingEvent[] }>());

/** A run's summary changed (its status, best metric). */
export const Run = notification('run', shape<{ run: RunSummary }>());

export const dashboardProtocol = page({
  page: 'dashboard',
  state: shape<DashboardState>(),
  commands: { cancelRun: CancelRun, openPredict: OpenPredict },
  requests: { overlay: Overlay },
  notifications: { events: Events, run: Run },
});
export type DashboardProtocol = typeof dashboardProtocol;
