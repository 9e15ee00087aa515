/** The "Training" sidebar view: the run form and the workspace's runs. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import {
  Dataset,
  Form,
  Runs,
  sidebarProtocol,
  type DatasetInfo,
  type RunForm,
  type SidebarProtocol,
  type SidebarState,
} from '../../protocol/webviews/sidebar.js';
import { COMMAND_IDS, VIEW_IDS } from '../command-ids.js';
import type { Ctx } from '../ctx.js';
import { pageHtml, webviewOptions } from '../html.js';
import { pickModel } from '../models.js';
import { type PageHandlers, WebviewHost } from './host.js';

export class TrainingViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewType = VIEW_IDS.training;
  private host: WebviewHost<SidebarProtocol> | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private dataset: DatasetInfo | undefined;
  private pendingForm: RunForm | undefined;
  private values: Record<string, unknown> | undefined;

  constructor(private readonly ctx: Ctx) {
    this.disposables.push(
      ctx.runs.onDidChangeRuns((runs) => this.host?.notify(Runs, { runs, ...(ctx.runs.activeId ? { activeRunId: ctx.runs.activeId } : {}) })),
    );
  }

  /** Sets the dataset (explorer "Train on This File") and tells the view. */
  async setDataset(file: string): Promise<void> {
    this.dataset = await this.ctx.datasetInfo(file);
    this.host?.notify(Dataset, { dataset: this.dataset });
  }

  /** Puts a run's settings in the form (the walkthrough's sample run); kept for the view's bootstrap when it is not shown yet. */
  setForm(form: RunForm): void {
    if (form.dataset) this.dataset = form.dataset;
    if (this.host?.isReady) this.host.notify(Form, { form });
    else this.pendingForm = form;
  }

  /** The form's values as the person left them (as Start would send them), once the view has been shown. */
  get formValues(): Record<string, unknown> | undefined {
    return this.values;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    view.webview.options = webviewOptions(this.ctx.extensionUri);
    this.host?.dispose();
    this.host = new WebviewHost(view.webview, sidebarProtocol, this.handlers(), this.ctx.log);
    view.webview.html = pageHtml(view.webview, this.ctx.extensionUri, 'sidebar', 'Training');
    this.disposables.push(view.onDidDispose(() => this.host?.dispose()));
  }

  private state(): SidebarState {
    const ctx = this.ctx;
    return {
      fields: ctx.formFields(),
      recentModels: ctx.recentModels(),
      ...(this.dataset ? { dataset: this.dataset } : {}),
      runs: ctx.runs.list(),
      ...(ctx.runs.activeId ? { activeRunId: ctx.runs.activeId } : {}),
      ...(this.pendingForm ? { form: this.pendingForm } : {}),
    };
  }

  private handlers(): PageHandlers<SidebarProtocol> {
    const ctx = this.ctx;
    const run = (id: string, ...args: unknown[]): void => void vscode.commands.executeCommand(id, ...args);
    return {
      bootstrap: () => this.state(),
      requests: {
        pickDataset: async () => {
          const file = await ctx.pickDatasetFile();
          if (!file) return null;
          this.dataset = await ctx.datasetInfo(file);
          return this.dataset;
        },
        pickFolder: async ({ purpose }) => (await ctx.pickFolder(purpose)) ?? null,
        startRun: async ({ args }) => {
          this.pendingForm = undefined;
          return ctx.startRun(args);
        },
        pickModel: async () => (await pickModel(ctx, 'train')) ?? null,
        estimate: async ({ args }) => {
          // measured in a temporary folder of the worker's own (the run's folder is not touched)
          const { args: runArgs } = ctx.runArgs(args, join(tmpdir(), 'finetune-estimate'));
          return vscode.window.withProgress({ location: { viewId: VIEW_IDS.training }, title: 'Finetune: timing a few training steps' }, async () =>
            ctx.runs.client().estimate(runArgs, await ctx.hubToken()),
          );
        },
        reRun: async ({ runId }) => {
          const form = await ctx.runForm(runId);
          if (form.dataset) this.dataset = form.dataset;
          return form;
        },
      },
      commands: {
        cancelRun: ({ runId }) => {
          ctx.runs.cancel(runId);
        },
        openDashboard: ({ runId }) => run(COMMAND_IDS.openDashboard, runId),
        openPredict: ({ runId }) => run(COMMAND_IDS.openPredictBox, runId),
        previewDataset: ({ file }) => {
          const target = file || this.dataset?.file;
          run(COMMAND_IDS.previewDataset, target ? vscode.Uri.file(target) : undefined);
        },
        resumeRun: async ({ runId }) => {
          await ctx.runs.resume(runId, await ctx.hubToken());
          run(COMMAND_IDS.openDashboard, runId);
        },
        compareRuns: () => run(COMMAND_IDS.compareRuns),
        formChanged: ({ args }) => {
          this.values = args;
        },
      },
    };
  }

  dispose(): void {
    this.host?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
