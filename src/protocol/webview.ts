/**
 * Typed messages between the extension host and its webviews (no vscode, no DOM imports).
 *
 * Every webview starts with `ready`; the host answers with `bootstrap` carrying the whole state
 * (the host owns data and metrics; after a reload a view gets the whole history, then appends).
 * Commands are fire-and-forget; requests carry a `requestId` and get exactly one `response` with
 * the same id (`ok: false` with a message for a person on failure).
 */
import type { ArgSpec, RunArgs } from '../core/train/args.js';
import type { TrainingEvent } from './events.js';

export type PageKind = 'sidebar' | 'dashboard' | 'dataset' | 'predict';

/** A training run as the sidebar and the dashboard list it. */
export interface RunSummary {
  runId: string;
  name: string;
  outputDir: string;
  model: string;
  trainFile: string;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  startedAt: string;
  /** Headline metrics of the last evaluation (eval_accuracy, eval_f1, ...). */
  metrics?: Record<string, number>;
  bestMetric?: { name: string; value: number };
  /** The final model folder, when the run finished. */
  modelDir?: string;
  error?: string;
  /** While running: the last optimizer step. */
  progress?: { step: number; totalSteps: number };
}

/** What the sidebar form needs to render the flags (from the run table: same names as the CLI). */
export interface FormField {
  name: keyof RunArgs & string;
  type: ArgSpec['type'];
  label: string;
  help: string;
  choices?: readonly string[];
  min?: number;
  max?: number;
  advanced: boolean;
  value: unknown;
}

export interface DatasetInfo {
  file: string;
  columns: string[];
  /** Suggested roles from the header (as the CLI would choose them). */
  textColumn?: string;
  pairColumn?: string;
  labelColumn?: string;
  rows?: number;
}

export interface SidebarState {
  fields: FormField[];
  recentModels: string[];
  dataset?: DatasetInfo;
  runs: RunSummary[];
  activeRunId?: string;
}

export interface DashboardState {
  run: RunSummary;
  /** Every event of the run so far, in order. */
  events: TrainingEvent[];
  /** Other runs that can be overlaid. */
  otherRuns: RunSummary[];
}

export interface ColumnProfile {
  name: string;
  kind: 'text' | 'integer' | 'number' | 'list' | 'empty';
  empty: number;
  distinct: number;
}

export interface DatasetPreviewState {
  file: string;
  columns: ColumnProfile[];
  /** First rows, as strings. */
  rows: string[][];
  totalRows: number;
  textColumn?: string;
  pairColumn?: string;
  labelColumn?: string;
  problemType?: string;
  labelCounts?: Record<string, number>;
  /** Token-length histogram for the chosen tokenizer: bucket upper bounds and counts. */
  lengths?: { buckets: number[]; counts: number[]; maxSeqLength: number; truncatedShare: number; p50: number; p95: number; max: number; tokenizer: string };
  warnings: string[];
  error?: string;
}

export interface PredictModel {
  id: string;
  label: string;
  dir: string;
}

export interface PredictState {
  models: PredictModel[];
  selected?: string;
  /** The model takes sentence pairs (its training data had a pair column). */
  pairs?: boolean;
}

export interface LabelScore {
  label: string;
  score: number;
}

// ---- messages ---------------------------------------------------------------------------------

/** Webview -> host. */
export type ViewMessage =
  | { type: 'ready'; page: PageKind }
  // sidebar
  | { type: 'pickDataset'; requestId: number }
  | { type: 'pickFolder'; requestId: number; purpose: 'model' | 'output' }
  | { type: 'startRun'; requestId: number; args: Partial<Record<string, unknown>> }
  | { type: 'cancelRun'; runId?: string }
  | { type: 'openDashboard'; runId: string }
  | { type: 'openPredict'; runId?: string }
  | { type: 'previewDataset'; file?: string }
  // dashboard
  | { type: 'overlay'; requestId: number; runId: string }
  // dataset preview
  | { type: 'analyze'; requestId: number; textColumn?: string; pairColumn?: string; labelColumn?: string; tokenizer?: string; maxSeqLength?: number }
  | { type: 'trainOnThis' }
  // predict
  | { type: 'predict'; requestId: number; model: string; text: string; pair?: string };

/** Host -> webview. */
export type HostMessage =
  | { type: 'bootstrap'; page: 'sidebar'; state: SidebarState }
  | { type: 'bootstrap'; page: 'dashboard'; state: DashboardState }
  | { type: 'bootstrap'; page: 'dataset'; state: DatasetPreviewState }
  | { type: 'bootstrap'; page: 'predict'; state: PredictState }
  | { type: 'response'; requestId: number; ok: true; result?: unknown }
  | { type: 'response'; requestId: number; ok: false; error: string }
  // sidebar
  | { type: 'runs'; runs: RunSummary[]; activeRunId?: string }
  | { type: 'dataset'; dataset: DatasetInfo }
  // dashboard
  | { type: 'events'; runId: string; events: TrainingEvent[] }
  | { type: 'run'; run: RunSummary }
  // dataset preview
  | { type: 'preview'; state: DatasetPreviewState }
  // predict
  | { type: 'models'; state: PredictState };

const VIEW_TYPES = new Set([
  'ready',
  'pickDataset',
  'pickFolder',
  'startRun',
  'cancelRun',
  'openDashboard',
  'openPredict',
  'previewDataset',
  'overlay',
  'analyze',
  'trainOnThis',
  'predict',
]);
const PAGES = new Set<PageKind>(['sidebar', 'dashboard', 'dataset', 'predict']);
const REQUESTS = new Set(['pickDataset', 'pickFolder', 'startRun', 'overlay', 'analyze', 'predict']);

/** Validates a message from a webview (untrusted input); throws with what is wrong. */
export function parseViewMessage(v: unknown): ViewMessage {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('webview message: not an object');
  const m = v as Record<string, unknown>;
  if (typeof m.type !== 'string' || !VIEW_TYPES.has(m.type)) throw new Error(`webview message: unknown type ${JSON.stringify(m.type)}`);
  if (REQUESTS.has(m.type) && (typeof m.requestId !== 'number' || !Number.isInteger(m.requestId)))
    throw new Error(`webview message ${m.type}: requestId must be an integer`);
  const str = (k: string, optional = false): void => {
    if (optional && m[k] === undefined) return;
    if (typeof m[k] !== 'string') throw new Error(`webview message ${m.type}: ${k} must be a string`);
  };
  switch (m.type) {
    case 'ready':
      if (!PAGES.has(m.page as PageKind)) throw new Error(`webview message ready: unknown page ${JSON.stringify(m.page)}`);
      break;
    case 'pickFolder':
      if (m.purpose !== 'model' && m.purpose !== 'output') throw new Error('webview message pickFolder: purpose must be model or output');
      break;
    case 'startRun':
      if (typeof m.args !== 'object' || m.args === null || Array.isArray(m.args)) throw new Error('webview message startRun: args must be an object');
      break;
    case 'cancelRun':
    case 'openPredict':
      str('runId', true);
      break;
    case 'openDashboard':
    case 'overlay':
      str('runId');
      break;
    case 'previewDataset':
      str('file', true);
      break;
    case 'analyze':
      for (const k of ['textColumn', 'pairColumn', 'labelColumn', 'tokenizer']) str(k, true);
      if (m.maxSeqLength !== undefined && (typeof m.maxSeqLength !== 'number' || m.maxSeqLength < 2))
        throw new Error('webview message analyze: maxSeqLength must be a number >= 2');
      break;
    case 'predict':
      str('model');
      str('text');
      str('pair', true);
      if ((m.text as string).length > 100_000) throw new Error('webview message predict: text is too long (100,000 characters at most)');
      break;
  }
  return m as unknown as ViewMessage;
}
