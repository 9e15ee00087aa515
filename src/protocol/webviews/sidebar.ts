/**
 * The "Training" sidebar's protocol: the run form (fields from the run table, recent models, the
 * data file and its columns), the runs of the workspace, starting and cancelling a run.
 */
import type { ArgSpec, RunArgs } from '../../core/contract/args.js';
import type { RunEstimate } from '../worker.js';
import { CancelRun, OpenPredict, page, type RunSummary } from './base.js';
import { command, notification, oneOf, optional, record, request, shape, string } from './ipc.js';

export type { RunEstimate } from '../worker.js';

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
  /** Settings to put in the form (sent before the view was shown). */
  form?: RunForm;
}

export type FolderPurpose = 'model' | 'output';

/** A run's settings as the form holds them (flag names as the CLI's, as StartRun sends them), and its data file's columns. */
export interface RunForm {
  args: Record<string, unknown>;
  dataset?: DatasetInfo;
}

/** Asks the person for a data file: its columns, or null when the dialog was cancelled. */
export const PickDataset = request('pickDataset', {}, shape<DatasetInfo | null>());

/** Asks the person for a folder (a model, or where runs go): the path, or null when cancelled. */
export const PickFolder = request('pickFolder', { purpose: oneOf<FolderPurpose>(['model', 'output']) }, shape<string | null>());

/** Starts a run from the form's values (flag names as the CLI's); answers with the new run. */
export const StartRun = request('startRun', { args: record() }, shape<RunSummary>());

/** The model picker (recent, runs, folders, cached and Hub models; a Hub model is pulled): the choice, or null. */
export const PickModel = request('pickModel', {}, shape<string | null>());

/** Measures a few training steps of the form's run on this machine: time per epoch and peak memory, as ranges. */
export const Estimate = request('estimate', { args: record() }, shape<RunEstimate>());

/** A past run's settings, to start it again (edited or not). */
export const ReRun = request('reRun', { runId: string() }, shape<RunForm>());

/** Continues a stopped run from its last checkpoint. */
export const ResumeRun = command('resumeRun', { runId: string() });

/** The form's values changed (as StartRun would send them): commands that use the sidebar's settings (Find Label Errors) read them. */
export const FormChanged = command('formChanged', { args: record() });

/** Opens the comparison of the workspace's runs. */
export const CompareRuns = command('compareRuns', {});

export const OpenDashboard = command('openDashboard', { runId: string() });

/** Opens the dataset preview of `file` (or of the sidebar's data file). */
export const PreviewDataset = command('previewDataset', { file: optional(string()) });

/** The runs changed (a run started, progressed, ended). */
export const Runs = notification('runs', shape<{ runs: RunSummary[]; activeRunId?: string }>());

/** The data file was set from outside the view (explorer "Train on This File"). */
export const Dataset = notification('dataset', shape<{ dataset: DatasetInfo }>());

/** Settings to put in the form (the walkthrough's sample run). */
export const Form = notification('form', shape<{ form: RunForm }>());

export const sidebarProtocol = page({
  page: 'sidebar',
  state: shape<SidebarState>(),
  commands: {
    cancelRun: CancelRun,
    openDashboard: OpenDashboard,
    openPredict: OpenPredict,
    previewDataset: PreviewDataset,
    resumeRun: ResumeRun,
    compareRuns: CompareRuns,
    formChanged: FormChanged,
  },
  requests: { pickDataset: PickDataset, pickFolder: PickFolder, startRun: StartRun, pickModel: PickModel, estimate: Estimate, reRun: ReRun },
  notifications: { runs: Runs, dataset: Dataset, form: Form },
});
export type SidebarProtocol = typeof sidebarProtocol;
