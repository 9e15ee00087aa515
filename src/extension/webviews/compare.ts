/** The run comparison: one panel, every run of the workspace as a row with its curves, refreshed when the runs change. */
import * as vscode from 'vscode';
import { CompareUpdate, compareProtocol, type CompareProtocol } from '../../protocol/webviews/compare.js';
import { COMMAND_IDS, VIEW_IDS } from '../command-ids.js';
import { compareRows } from '../compare-rows.js';
import type { Ctx } from '../ctx.js';
import { pageHtml } from '../html.js';
import { type PageHandlers, WebviewHost } from './host.js';
import { createPanel } from './panel.js';

export class ComparePanel {
  private static current: ComparePanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly panel: vscode.WebviewPanel;
  private readonly host: WebviewHost<CompareProtocol>;
  private lastStatus = '';

  static show(ctx: Ctx): void {
    if (ComparePanel.current) ComparePanel.current.panel.reveal();
    else ComparePanel.current = new ComparePanel(ctx);
  }

  private constructor(private readonly ctx: Ctx) {
    this.panel = createPanel(ctx, VIEW_IDS.compare, 'Finetune: Compare Runs');
    this.panel.iconPath = vscode.Uri.joinPath(ctx.extensionUri, 'media', 'finetune.svg');
    this.host = new WebviewHost(this.panel.webview, compareProtocol, this.handlers(), ctx.log);
    this.panel.webview.html = pageHtml(this.panel.webview, ctx.extensionUri, 'compare', 'Compare Runs');
    this.disposables.push(
      this.host,
      // A run started or stopped (not every progress step): rebuild the rows.
      ctx.runs.onDidChangeRuns((runs) => {
        const status = runs.map((r) => `${r.runId}:${r.status}`).join(',');
        if (status === this.lastStatus) return;
        this.lastStatus = status;
        void this.state().then((state) => this.host.notify(CompareUpdate, { state }));
      }),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  private async state(): Promise<{ runs: Awaited<ReturnType<typeof compareRows>> }> {
    return { runs: await compareRows(this.ctx.runs) };
  }

  private handlers(): PageHandlers<CompareProtocol> {
    return {
      bootstrap: () => this.state(),
      requests: {},
      commands: {
        openDashboard: ({ runId }) => void vscode.commands.executeCommand(COMMAND_IDS.openDashboard, runId),
      },
    };
  }

  private dispose(): void {
    ComparePanel.current = undefined;
    for (const d of this.disposables) d.dispose();
  }
}
