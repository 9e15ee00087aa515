/**
 * The editor panels (dashboard per run, dataset preview per file, predict box) and the sidebar
 * "Training" view. Each owns its WebviewHost and listeners, disposed with it.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { DatasetInfo, DatasetPreviewState, HostMessage, PredictModel, RunSummary } from '../../protocol/webview.js';
import type { Ctx } from '../ctx.js';
import { pageHtml, webviewOptions } from '../html.js';
import { WebviewHost } from './host.js';

function panel(ctx: Ctx, viewType: string, title: string, column = vscode.ViewColumn.Active): vscode.WebviewPanel {
  return vscode.window.createWebviewPanel(viewType, title, column, { ...webviewOptions(ctx.extensionUri), retainContextWhenHidden: true });
}

// ---- dashboard ----------------------------------------------------------------------------

export class DashboardPanel {
  private static readonly open = new Map<string, DashboardPanel>();
  private readonly disposables: vscode.Disposable[] = [];

  static show(ctx: Ctx, run: RunSummary): void {
    const existing = DashboardPanel.open.get(run.runId);
    if (existing) {
      existing.panel.reveal();
      return;
    }
    DashboardPanel.open.set(run.runId, new DashboardPanel(ctx, run.runId));
  }

  private readonly panel: vscode.WebviewPanel;
  private readonly host: WebviewHost;

  private constructor(
    private readonly ctx: Ctx,
    private readonly runId: string,
  ) {
    const run = ctx.runs.get(runId)!;
    this.panel = panel(ctx, 'finetune.dashboard', `Training: ${run.name}`);
    this.panel.iconPath = vscode.Uri.joinPath(ctx.extensionUri, 'media', 'finetune.svg');
    this.host = new WebviewHost(
      this.panel.webview,
      {
        bootstrap: async () => ({
          type: 'bootstrap',
          page: 'dashboard',
          state: { run: ctx.runs.get(runId)!, events: await ctx.runs.history(runId), otherRuns: ctx.runs.list().filter((r) => r.runId !== runId) },
        }),
        request: async (m) => {
          if (m.type === 'overlay') return { run: ctx.runs.get(m.runId), events: await ctx.runs.history(m.runId) };
          throw new Error(`${m.type} is not handled by the dashboard`);
        },
        command: (m) => {
          if (m.type === 'cancelRun') ctx.runs.cancel(m.runId ?? runId);
          else if (m.type === 'openPredict') void vscode.commands.executeCommand('finetune.openPredictBox', m.runId ?? runId);
        },
      },
      ctx.log,
    );
    this.panel.webview.html = pageHtml(this.panel.webview, ctx.extensionUri, 'dashboard', run.name);
    this.disposables.push(
      this.host,
      ctx.runs.onDidAppendEvents(({ runId: id, events }) => {
        if (id === this.runId) this.host.post({ type: 'events', runId: id, events });
      }),
      ctx.runs.onDidChangeRuns(() => {
        const r = ctx.runs.get(this.runId);
        if (r) this.host.post({ type: 'run', run: r });
      }),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  private dispose(): void {
    DashboardPanel.open.delete(this.runId);
    for (const d of this.disposables) d.dispose();
  }
}

// ---- dataset preview ------------------------------------------------------------------------

export class DatasetPanel {
  private static readonly open = new Map<string, DatasetPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly panel: vscode.WebviewPanel;
  private state: DatasetPreviewState | undefined;

  static show(ctx: Ctx, file: string): void {
    const existing = DatasetPanel.open.get(file);
    if (existing) {
      existing.panel.reveal();
      return;
    }
    DatasetPanel.open.set(file, new DatasetPanel(ctx, file));
  }

  private constructor(
    private readonly ctx: Ctx,
    private readonly file: string,
  ) {
    this.panel = panel(ctx, 'finetune.dataset', `Dataset: ${basename(file)}`);
    const host = new WebviewHost(
      this.panel.webview,
      {
        bootstrap: async () => ({ type: 'bootstrap', page: 'dataset', state: (this.state ??= await this.analyze({})) }),
        request: async (m) => {
          if (m.type !== 'analyze') throw new Error(`${m.type} is not handled by the dataset preview`);
          this.state = await this.analyze({
            ...(m.textColumn ? { textColumn: m.textColumn } : {}),
            ...(m.pairColumn ? { pairColumn: m.pairColumn } : {}),
            ...(m.labelColumn ? { labelColumn: m.labelColumn } : {}),
            ...(m.tokenizer ? { tokenizer: await ctx.resolveTokenizer(m.tokenizer) } : {}),
            ...(m.maxSeqLength ? { maxSeqLength: m.maxSeqLength } : {}),
          });
          return this.state;
        },
        command: (m) => {
          if (m.type === 'trainOnThis') void vscode.commands.executeCommand('finetune.trainOnFile', vscode.Uri.file(this.file));
        },
      },
      ctx.log,
    );
    this.panel.webview.html = pageHtml(this.panel.webview, ctx.extensionUri, 'dataset', basename(file));
    this.disposables.push(
      host,
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  private async analyze(o: {
    textColumn?: string;
    pairColumn?: string;
    labelColumn?: string;
    tokenizer?: string;
    maxSeqLength?: number;
  }): Promise<DatasetPreviewState> {
    return await vscode.window.withProgress({ location: { viewId: 'finetune.training' }, title: `Analyzing ${basename(this.file)}` }, () =>
      this.ctx.runs.client().analyze({ file: this.file, ...o }),
    );
  }

  private dispose(): void {
    DatasetPanel.open.delete(this.file);
    for (const d of this.disposables) d.dispose();
  }
}

// ---- predict box ----------------------------------------------------------------------------

/** A run's final model and its checkpoints, newest first. */
export async function modelsOf(run: RunSummary): Promise<PredictModel[]> {
  const out: PredictModel[] = [];
  if (run.modelDir) out.push({ id: run.modelDir, label: `${run.name} (final)`, dir: run.modelDir });
  try {
    const names = (await readdir(run.outputDir)).filter((n) => /^checkpoint-\d+$/.test(n)).sort((a, b) => Number(b.split('-')[1]) - Number(a.split('-')[1]));
    for (const n of names) {
      const dir = join(run.outputDir, n);
      if ((await stat(join(dir, 'config.json')).catch(() => undefined))?.isFile()) out.push({ id: dir, label: `${run.name} / ${n}`, dir });
    }
  } catch {
    // the folder is gone
  }
  return out;
}

export class PredictPanel {
  private static current: PredictPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly panel: vscode.WebviewPanel;
  private readonly host: WebviewHost;

  static show(ctx: Ctx, selected?: string): void {
    if (PredictPanel.current) {
      PredictPanel.current.panel.reveal();
      void PredictPanel.current.refresh(selected);
      return;
    }
    PredictPanel.current = new PredictPanel(ctx, selected);
  }

  private constructor(
    private readonly ctx: Ctx,
    private selected: string | undefined,
  ) {
    this.panel = panel(ctx, 'finetune.predict', 'Finetune: Predict', vscode.ViewColumn.Beside);
    this.host = new WebviewHost(
      this.panel.webview,
      {
        bootstrap: async () => ({ type: 'bootstrap', page: 'predict', state: await this.state() }),
        request: async (m) => {
          if (m.type !== 'predict') throw new Error(`${m.type} is not handled by the predict box`);
          ctx.lastModel = m.model;
          const [p] = await ctx.runs.client().predict(m.model, [m.text], m.pair !== undefined ? [m.pair] : undefined);
          return p!.scores;
        },
      },
      ctx.log,
    );
    this.panel.webview.html = pageHtml(this.panel.webview, ctx.extensionUri, 'predict', 'Predict');
    this.disposables.push(
      this.host,
      ctx.runs.onDidChangeRuns(() => void this.refresh()),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  private async state(): Promise<Extract<HostMessage, { page: 'predict' }>['state']> {
    const models: PredictModel[] = [];
    for (const r of this.ctx.runs.list()) models.push(...(await modelsOf(r)));
    if (this.selected && !models.some((m) => m.id === this.selected)) models.unshift({ id: this.selected, label: basename(this.selected), dir: this.selected });
    const selected = this.selected ?? this.ctx.lastModel ?? models[0]?.id;
    return { models, ...(selected ? { selected } : {}) };
  }

  private async refresh(selected?: string): Promise<void> {
    if (selected) this.selected = selected;
    this.host.post({ type: 'models', state: await this.state() });
  }

  private dispose(): void {
    PredictPanel.current = undefined;
    for (const d of this.disposables) d.dispose();
  }
}

// ---- sidebar ---------------------------------------------------------------------------------

export class TrainingViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewType = 'finetune.training';
  private host: WebviewHost | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private dataset: DatasetInfo | undefined;

  constructor(private readonly ctx: Ctx) {
    this.disposables.push(
      ctx.runs.onDidChangeRuns((runs) => this.host?.post({ type: 'runs', runs, ...(ctx.runs.activeId ? { activeRunId: ctx.runs.activeId } : {}) })),
    );
  }

  /** Sets the dataset (explorer "Train on This File") and tells the view. */
  async setDataset(file: string): Promise<void> {
    this.dataset = await this.ctx.datasetInfo(file);
    this.host?.post({ type: 'dataset', dataset: this.dataset });
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    view.webview.options = webviewOptions(this.ctx.extensionUri);
    this.host?.dispose();
    const ctx = this.ctx;
    this.host = new WebviewHost(
      view.webview,
      {
        bootstrap: () => ({
          type: 'bootstrap',
          page: 'sidebar',
          state: {
            fields: ctx.formFields(),
            recentModels: ctx.recentModels(),
            ...(this.dataset ? { dataset: this.dataset } : {}),
            runs: ctx.runs.list(),
            ...(ctx.runs.activeId ? { activeRunId: ctx.runs.activeId } : {}),
          },
        }),
        request: async (m) => {
          switch (m.type) {
            case 'pickDataset': {
              const file = await ctx.pickDatasetFile();
              if (!file) return null;
              this.dataset = await ctx.datasetInfo(file);
              return this.dataset;
            }
            case 'pickFolder':
              return (await ctx.pickFolder(m.purpose)) ?? null;
            case 'startRun': {
              const run = await ctx.startRun(m.args);
              return run;
            }
            default:
              throw new Error(`${m.type} is not handled by the sidebar`);
          }
        },
        command: (m) => {
          switch (m.type) {
            case 'cancelRun':
              ctx.runs.cancel(m.runId);
              break;
            case 'openDashboard':
              void vscode.commands.executeCommand('finetune.openDashboard', m.runId);
              break;
            case 'openPredict':
              void vscode.commands.executeCommand('finetune.openPredictBox', m.runId);
              break;
            case 'previewDataset':
              void vscode.commands.executeCommand(
                'finetune.previewDataset',
                m.file ? vscode.Uri.file(m.file) : this.dataset ? vscode.Uri.file(this.dataset.file) : undefined,
              );
              break;
          }
        },
      },
      ctx.log,
    );
    view.webview.html = pageHtml(view.webview, ctx.extensionUri, 'sidebar', 'Training');
    this.disposables.push(view.onDidDispose(() => this.host?.dispose()));
  }

  dispose(): void {
    this.host?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
