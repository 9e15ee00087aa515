/**
 * The "Training" sidebar: the run form (model, data file and columns, hyperparameters from the
 * host's `fields`, output folder), Start / Cancel, and the workspace's runs.
 *
 * Protocol (src/protocol/webviews/sidebar.ts): bootstrap(SidebarState) → render; `dataset` → the
 * data section; `runs` → the runs list and the active run's progress. Requests: pickFolder
 * (model | output), pickDataset, startRun. Commands: cancelRun, previewDataset, openDashboard,
 * openPredict. UI state (unsent edits) survives a reload through getState/setState.
 */
import { CancelRun, OpenPredict } from '../../src/protocol/webviews/base.js';
import {
  CompareRuns,
  Dataset,
  Estimate,
  Form,
  FormChanged,
  OpenDashboard,
  PickDataset,
  PickFolder,
  PickModel,
  PreviewDataset,
  ReRun,
  ResumeRun,
  Runs,
  StartRun,
  sidebarProtocol,
  type FolderPurpose,
  type RunForm,
  type SidebarProtocol,
  type SidebarState,
} from '../../src/protocol/webviews/sidebar.js';
import { Api } from '../api.js';
import { loading } from '../layout.js';
import { SidebarForm, type FormActions } from './form.js';
import { FormModel, estimateLines, type SidebarUiState } from './form-model.js';
import { RunsList } from './runs-list.js';

export type SidebarApi = Api<SidebarProtocol, SidebarUiState>;

class SidebarPage {
  private readonly form = new FormModel();
  private view: SidebarForm | undefined;
  private readonly runs: RunsList;
  private starting = false;

  constructor(
    private readonly root: HTMLElement,
    private readonly api: SidebarApi,
  ) {
    this.runs = new RunsList({
      openDashboard: (runId) => api.command(OpenDashboard, { runId }),
      openPredict: (runId) => api.command(OpenPredict, { runId }),
      reRun: (runId) => void this.reRun(runId),
      resume: (runId) => api.command(ResumeRun, { runId }),
      compare: () => api.command(CompareRuns, {}),
    });
  }

  private readonly actions: FormActions = {
    changed: () => this.save(),
    pickFolder: (purpose) => void this.pickFolder(purpose),
    pickModel: () => void this.pickModel(),
    pickDataset: () => void this.pickDataset(),
    estimate: () => void this.estimate(),
    previewDataset: () => this.api.command(PreviewDataset, this.form.dataset ? { file: this.form.dataset.file } : {}),
    start: () => void this.start(),
    cancel: () => this.api.command(CancelRun, this.form.activeRunId ? { runId: this.form.activeRunId } : {}),
    advancedToggled: (open) => this.api.patchState({ advancedOpen: open }),
  };

  private save(): void {
    this.api.patchState(this.form.uiState());
    this.api.command(FormChanged, { args: this.form.args() });
  }

  render(state: SidebarState): void {
    const ui = this.api.getState();
    this.form.load(state, ui);
    if (state.form) this.form.loadForm(state.form);
    this.build();
  }

  /** (Re)builds the form from the form state: after the bootstrap, and when a run's settings are loaded. */
  private build(): void {
    this.view = new SidebarForm(this.form, this.actions, this.api.getState().advancedOpen === true);
    this.root.replaceChildren(this.view.el, this.runs.el);
    this.view.renderDataset();
    this.save();
    this.renderRuns();
  }

  /** A run's settings into the form (Re-run, the walkthrough), editable before Start. */
  loadForm(form: RunForm): void {
    this.form.loadForm(form);
    if (this.view) this.build();
  }

  /** The data file chosen here or sent by the host (before the first render: kept for it). */
  setDataset(d: SidebarState['dataset']): void {
    if (!this.view) {
      this.form.dataset = d;
      return;
    }
    this.form.setDataset(d);
    this.view.renderDataset();
    this.save();
  }

  setRuns(runs: SidebarState['runs'], activeRunId: string | undefined): void {
    this.form.setRuns(runs, activeRunId);
    if (this.view) this.renderRuns();
  }

  private renderRuns(): void {
    this.runs.render(this.form.runs, this.form.activeRunId);
    this.view?.renderCancel();
  }

  private async pickFolder(purpose: FolderPurpose): Promise<void> {
    try {
      const dir = await this.api.request(PickFolder, { purpose });
      if (!dir) return;
      this.view?.setFolder(purpose, dir);
      this.save();
    } catch (err) {
      this.view?.showError((err as Error).message);
    }
  }

  private async pickModel(): Promise<void> {
    try {
      const m = await this.api.request(PickModel, {});
      if (!m) return;
      this.view?.setFolder('model', m);
      this.save();
    } catch (err) {
      this.view?.showError((err as Error).message);
    }
  }

  private async reRun(runId: string): Promise<void> {
    try {
      this.loadForm(await this.api.request(ReRun, { runId }));
      this.root.scrollTo?.({ top: 0 });
      this.view?.showError('');
    } catch (err) {
      this.view?.showError((err as Error).message);
    }
  }

  private async estimate(): Promise<void> {
    const view = this.view;
    if (!view) return;
    view.showError('');
    const problem = this.form.problem();
    if (problem) return view.showError(problem);
    view.showEstimate(['Timing a few training steps on this machine…'], true);
    try {
      view.showEstimate(estimateLines(await this.api.request(Estimate, { args: this.form.args() })));
    } catch (err) {
      view.showEstimate([]);
      view.showError((err as Error).message);
    }
  }

  private async pickDataset(): Promise<void> {
    try {
      const d = await this.api.request(PickDataset, {});
      if (d) this.setDataset(d);
    } catch (err) {
      this.view?.showError((err as Error).message);
    }
  }

  private async start(): Promise<void> {
    const view = this.view;
    if (this.starting || !view) return;
    view.showError('');
    const problem = this.form.problem();
    if (problem) return view.showError(problem);
    this.starting = true;
    view.setStarting(true);
    try {
      await this.api.request(StartRun, { args: this.form.args() });
    } catch (err) {
      view.showError((err as Error).message);
    } finally {
      this.starting = false;
      view.setStarting(false);
    }
  }
}

export function mountSidebar(root: HTMLElement, api: SidebarApi = new Api(sidebarProtocol)): void {
  const page = new SidebarPage(root, api);
  api.on(sidebarProtocol.bootstrap, ({ state }) => page.render(state));
  api.on(Dataset, ({ dataset }) => page.setDataset(dataset));
  api.on(Runs, ({ runs, activeRunId }) => page.setRuns(runs, activeRunId));
  api.on(Form, ({ form }) => page.loadForm(form));
  root.replaceChildren(loading());
  api.start();
}
