/**
 * The host <-> webview protocol as a whole (no vscode, no DOM imports). Each page has its own
 * protocol file under ./webviews/ (commands, requests with their result types, notifications,
 * built on ./webviews/ipc.ts); this module gathers them: the data types, every message either
 * side can send, and the validation of what a view sends (untrusted input).
 *
 * Every webview starts with `ready`; the host answers with `bootstrap` carrying the whole state.
 * Commands are fire-and-forget; requests carry a `requestId` and get exactly one `response` with
 * the same id (`ok: false` with a message for a person on failure).
 */
import { compareProtocol } from './webviews/compare.js';
import { dashboardProtocol } from './webviews/dashboard.js';
import { datasetProtocol } from './webviews/dataset.js';
import { type AnyPage, type HostMessageOf, type ViewMessageOf, callTable, parseMessage } from './webviews/ipc.js';
import { predictProtocol } from './webviews/predict.js';
import { sidebarProtocol } from './webviews/sidebar.js';

export { PAGE_KINDS, type PageKind, type RunSummary } from './webviews/base.js';
export type { CompareRun, CompareState } from './webviews/compare.js';
export type { DashboardState } from './webviews/dashboard.js';
export type { ColumnProfile, DatasetPreviewState, DatasetWarning, LengthHistogram } from './webviews/dataset.js';
export type { Abstained, LabelScore, PredictModel, PredictResult, PredictState } from './webviews/predict.js';
export type { DatasetInfo, FormField, RunEstimate, RunForm, SidebarState } from './webviews/sidebar.js';

/** Every page's protocol, by page kind. */
export const PROTOCOLS = {
  sidebar: sidebarProtocol,
  dashboard: dashboardProtocol,
  dataset: datasetProtocol,
  predict: predictProtocol,
  compare: compareProtocol,
} as const;

type Protocols = (typeof PROTOCOLS)[keyof typeof PROTOCOLS];
type EachView<P> = P extends AnyPage ? ViewMessageOf<P> : never;
type EachHost<P> = P extends AnyPage ? HostMessageOf<P> : never;

/** Webview -> host: any page's commands and requests. */
export type ViewMessage = EachView<Protocols>;

/** Host -> webview: any page's notifications (bootstrap included) and responses. */
export type HostMessage = EachHost<Protocols>;

const ALL_CALLS = callTable(Object.values(PROTOCOLS));

/** Validates a message from any webview (untrusted input); throws with what is wrong. */
export function parseViewMessage(v: unknown): ViewMessage {
  return parseMessage(ALL_CALLS, v).message as ViewMessage;
}
