/**
 * The "Training" sidebar's protocol: the run form (fields from the run table, recent models, the
 * data file and its columns), the runs of the workspace, starting and cancelling a run.
 */
import type { ArgSpec, RunArgs } from '../../core/contract/args.js';
import { CancelRun, OpenPredict, page, type RunSummary } from './base.js';
import { command, notification, oneOf, optional, record, request, shape, string } from './ipc.js';

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

export type FolderPurpose = 'model' | 'output';

/** Asks the person for a data file: its columns, or null when the dialog was cancelled. */
export const PickDataset = request('pickDataset', {}, shape<DatasetInfo | null>());

/** Asks the person for a folder (a model, or where runs go): the path, or null when cancelled. */
export const PickFolder = request('pickFolder', { purpose: oneOf<FolderPurpose>(['model', 'output']) }, shape<string | null>());

/** Starts a run from the form's values (flag names as the CLI's); answers with the new run. */
export const StartRun = request('startRun', { args: record() }, shape<RunSummary>());

export const OpenDashboard = command('openDashboard', { runId: string() });

/** Opens the dataset preview of `file` (or of the sidebar's data file). */
export const PreviewDataset = command('previewDataset', { file: optional(string()) });

/** The runs changed (a run started, progressed, ended). */
export const Runs = notification('runs', shape<{ runs: RunSummary[]; activeRunId?: string }>());

/** The data file was set from outside the view (explorer "Train on This File"). */
export const Dataset = notification('dataset', shape<{ dataset: DatasetInfo }>());

export const sidebarProtocol = page({
  page: 'sidebar',
  state: shape<SidebarState>(),
  commands: { cancelRun: CancelRun, openDashboard: OpenDashboard, openPredict: OpenPredict, previewDataset: PreviewDataset },
  requests: { pickDataset: PickDataset, pickFolder: PickFolder, startRun: StartRun },
  notifications: { runs: Runs, dataset: Dataset },
});
export type SidebarProtocol = typeof sidebarProtocol;
