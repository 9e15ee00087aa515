/** The run dashboard: one panel per run, fed the run's history, then its new events and status. */
import * as vscode from 'vscode';
import type { RunSummary } from '../../protocol/webview.js';
import { Events, Run, dashboardProtocol, type DashboardProtocol, type DashboardState } from '../../protocol/webviews/dashboard.js';
import { COMMAND_IDS, VIEW_IDS } from '../command-ids.js';
import { openAtLine } from '../editor.js';
import type { Ctx } from '../ctx.js';
import { pageHtml } from '../html.js';
import { latestPredictions, readErrorTable } from '../prediction-rows.js';
import { type PageHandlers, WebviewHost } from './host.js';
import { createPanel } from './panel.js';

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
  private readonly host: WebviewHost<DashboardProtocol>;

  private constructor(
    private readonly ctx: Ctx,
    private readonly runId: string,
  ) {
    const run = ctx.runs.get(runId)!;
    this.panel = createPanel(ctx, VIEW_IDS.dashboard, `Training: ${run.name}`);
    this.panel.iconPath = vscode.Uri.joinPath(ctx.extensionUri, 'media', 'finetune.svg');
    this.host = new WebviewHost(this.panel.webview, dashboardProtocol, this.handlers(), ctx.log);
    this.panel.webview.html = pageHtml(this.panel.webview, ctx.extensionUri, 'dashboard', run.name);
    this.disposables.push(
      this.host,
      ctx.runs.onDidAppendEvents(({ runId: id, events }) => {
        if (id === this.runId) this.host.notify(Events, { runId: id, events });
      }),
      ctx.runs.onDidChangeRuns(() => {
        const r = ctx.runs.get(this.runId);
        if (r) this.host.notify(Run, { run: r });
      }),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  private handlers(): PageHandlers<DashboardProtocol> {
    const { ctx, runId } = this;
    return {
      bootstrap: async (): Promise<DashboardState> => ({
        run: ctx.runs.get(runId)!,
        events: await ctx.runs.history(runId),
        otherRuns: ctx.runs.list().filter((r) => r.runId !== runId),
      }),
      requests: {
        overlay: async ({ runId: id }) => {
          const run = ctx.runs.get(id);
          return { ...(run ? { run } : {}), events: await ctx.runs.history(id) };
        },
        errorRows: async ({ runId: id }) => {
          const e = latestPredictions(await ctx.runs.history(id));
          return e ? readErrorTable(e) : null;
        },
      },
      commands: {
        cancelRun: ({ runId: id }) => {
          ctx.runs.cancel(id ?? runId);
        },
        openPredict: ({ runId: id }) => {
          void vscode.commands.executeCommand(COMMAND_IDS.openPredictBox, id ?? runId);
        },
        openRow: async ({ runId: id, line }) => {
          // only the data file of the run's own prediction table: the page names a line, not a file
          const e = latestPredictions(await ctx.runs.history(id));
          if (!e) throw new Error('this run has no prediction table (eval_predictions.csv) to open a row of');
          await openAtLine(e.dataFile, line, vscode.ViewColumn.Beside);
        },
      },
    };
  }

  private dispose(): void {
    DashboardPanel.open.delete(this.runId);
    for (const d of this.disposables) d.dispose();
  }
}
