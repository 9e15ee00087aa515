/** The dataset preview: one panel per file, analysed by the worker (again when the page asks). */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { datasetProtocol, type DatasetPreviewState, type DatasetProtocol } from '../../protocol/webviews/dataset.js';
import { COMMAND_IDS, VIEW_IDS } from '../command-ids.js';
import type { Ctx } from '../ctx.js';
import { pageHtml } from '../html.js';
import { pickModel } from '../models.js';
import { type PageHandlers, WebviewHost } from './host.js';
import { createPanel } from './panel.js';

interface AnalyzeOptions {
  textColumn?: string;
  pairColumn?: string;
  labelColumn?: string;
  tokenizer?: string;
  maxSeqLength?: number;
  docStride?: number;
}

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
    this.panel = createPanel(ctx, VIEW_IDS.dataset, `Dataset: ${basename(file)}`);
    const host = new WebviewHost(this.panel.webview, datasetProtocol, this.handlers(), ctx.log);
    this.panel.webview.html = pageHtml(this.panel.webview, ctx.extensionUri, 'dataset', basename(file));
    this.disposables.push(
      host,
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  private handlers(): PageHandlers<DatasetProtocol> {
    return {
      bootstrap: async () => (this.state ??= await this.analyze({})),
      requests: {
        analyze: async (m) => {
          this.state = await this.analyze({
            ...(m.textColumn ? { textColumn: m.textColumn } : {}),
            ...(m.pairColumn ? { pairColumn: m.pairColumn } : {}),
            ...(m.labelColumn ? { labelColumn: m.labelColumn } : {}),
            ...(m.tokenizer ? { tokenizer: this.ctx.resolveModel(m.tokenizer) } : {}),
            ...(m.maxSeqLength ? { maxSeqLength: m.maxSeqLength } : {}),
            ...(m.docStride !== undefined ? { docStride: m.docStride } : {}),
          });
          return this.state;
        },
        pickTokenizer: async () => (await pickModel(this.ctx, 'tokenizer', 'Finetune: Tokenizer for the token lengths')) ?? null,
      },
      commands: {
        trainOnThis: () => {
          void vscode.commands.executeCommand(COMMAND_IDS.trainOnFile, vscode.Uri.file(this.file));
        },
      },
    };
  }

  private async analyze(o: AnalyzeOptions): Promise<DatasetPreviewState> {
    const token = await this.ctx.hubToken();
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Finetune: analyzing ${basename(this.file)}` }, () =>
      this.ctx.runs.client().analyze({ file: this.file, ...o, ...(token ? { token } : {}) }),
    );
  }

  private dispose(): void {
    DatasetPanel.open.delete(this.file);
    for (const d of this.disposables) d.dispose();
  }
}
