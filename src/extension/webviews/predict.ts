/** The predict box: one panel, listing every run's final model and checkpoints. */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { RunSummary } from '../../protocol/webview.js';
import { Models, predictProtocol, type PredictModel, type PredictProtocol, type PredictState } from '../../protocol/webviews/predict.js';
import { VIEW_IDS } from '../command-ids.js';
import type { Ctx } from '../ctx.js';
import { pageHtml } from '../html.js';
import { type PageHandlers, WebviewHost } from './host.js';
import { createPanel } from './panel.js';

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
  private readonly host: WebviewHost<PredictProtocol>;

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
    this.panel = createPanel(ctx, VIEW_IDS.predict, 'Finetune: Predict', vscode.ViewColumn.Beside);
    this.host = new WebviewHost(this.panel.webview, predictProtocol, this.handlers(), ctx.log);
    this.panel.webview.html = pageHtml(this.panel.webview, ctx.extensionUri, 'predict', 'Predict');
    this.disposables.push(
      this.host,
      ctx.runs.onDidChangeRuns(() => void this.refresh()),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  private handlers(): PageHandlers<PredictProtocol> {
    const ctx = this.ctx;
    return {
      bootstrap: () => this.state(),
      requests: {
        predict: async (m) => {
          ctx.lastModel = m.model;
          const [p] = await ctx.runs.client().predict(m.model, [m.text], m.pair !== undefined ? [m.pair] : undefined);
          return p!.scores;
        },
      },
      commands: {},
    };
  }

  private async state(): Promise<PredictState> {
    const models: PredictModel[] = [];
    for (const r of this.ctx.runs.list()) models.push(...(await modelsOf(r)));
    if (this.selected && !models.some((m) => m.id === this.selected)) models.unshift({ id: this.selected, label: basename(this.selected), dir: this.selected });
    const selected = this.selected ?? this.ctx.lastModel ?? models[0]?.id;
    return { models, ...(selected ? { selected } : {}) };
  }

  private async refresh(selected?: string): Promise<void> {
    if (selected) this.selected = selected;
    this.host.notify(Models, { state: await this.state() });
  }

  private dispose(): void {
    PredictPanel.current = undefined;
    for (const d of this.disposables) d.dispose();
  }
}
