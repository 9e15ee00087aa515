/**
 * The predict box: one panel listing every run's final model and checkpoints and the models picked
 * before (Hub classifiers, folders); the model picker adds one. A Hub model runs as it is, before
 * any training (the worker pulls it on first use). Each model says whether it takes sentence pairs.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { resolveCachedSnapshot } from '../../core/hub/index.js';
import type { RunSummary } from '../../protocol/webview.js';
import { Models, predictProtocol, type PredictModel, type PredictProtocol, type PredictState } from '../../protocol/webviews/predict.js';
import { VIEW_IDS } from '../command-ids.js';
import type { Ctx } from '../ctx.js';
import { explainText } from '../explain.js';
import { pageHtml } from '../html.js';
import { takesPairs } from '../model-info.js';
import { hubCacheDir, isHubId, pickModel } from '../models.js';
import { type PageHandlers, WebviewHost } from './host.js';
import { createPanel } from './panel.js';

const PICKED_KEY = 'finetune.predictModels';

/** A run's final model and its checkpoints, newest first. */
export async function modelsOf(run: RunSummary): Promise<PredictModel[]> {
  const out: PredictModel[] = [];
  if (run.modelDir) out.push({ id: run.modelDir, label: `${run.name} (final)`, dir: run.modelDir, source: 'run' });
  try {
    const names = (await readdir(run.outputDir)).filter((n) => /^checkpoint-\d+$/.test(n)).sort((a, b) => Number(b.split('-')[1]) - Number(a.split('-')[1]));
    for (const n of names) {
      const dir = join(run.outputDir, n);
      if ((await stat(join(dir, 'config.json')).catch(() => undefined))?.isFile()) out.push({ id: dir, label: `${run.name} / ${n}`, dir, source: 'run' });
    }
  } catch {
    // the folder is gone
  }
  return out;
}

/** A model picked outside the runs: a Hub id (its cached snapshot says whether it takes pairs) or a folder. */
async function pickedModel(ctx: Ctx, id: string): Promise<PredictModel> {
  const hub = isHubId(id);
  const folder = hub ? (await resolveCachedSnapshot(hubCacheDir(ctx), id, 'main'))?.folder : id;
  return {
    id,
    label: hub ? `${id} (Hub)` : basename(id),
    dir: id,
    source: hub ? 'hub' : 'folder',
    ...(folder && (await takesPairs(folder)) ? { pairs: true } : {}),
  };
}

export class PredictPanel {
  private static current: PredictPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly panel: vscode.WebviewPanel;
  private readonly host: WebviewHost<PredictProtocol>;
  /** The runs' ids and statuses at the last refresh: progress alone changes no model. */
  private runsKey = '';

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
      ctx.runs.onDidChangeRuns((runs) => {
        const key = runs.map((r) => `${r.runId}:${r.status}:${r.lastCheckpoint ?? ''}`).join(',');
        if (key !== this.runsKey) void this.refresh();
        this.runsKey = key;
      }),
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
          const [p] = await ctx.runs.client().predict(m.model, [m.text], m.pair !== undefined ? [m.pair] : undefined, await ctx.predictOptions());
          return { scores: p!.scores, ...(p!.abstained ? { abstained: p!.abstained } : {}), ...(p!.read ? { read: p!.read } : {}) };
        },
        explain: (m) =>
          explainText(ctx, m.model, m.text, { ...(m.pair !== undefined ? { pair: m.pair } : {}), ...(m.label !== undefined ? { label: m.label } : {}) }),
        chooseModel: async () => {
          const id = await pickModel(ctx, 'predict', 'Finetune: Predict with which model?');
          if (!id) return null;
          const picked = ctx.context.workspaceState.get<string[]>(PICKED_KEY) ?? [];
          await ctx.context.workspaceState.update(PICKED_KEY, [id, ...picked.filter((p) => p !== id)].slice(0, 10));
          this.selected = id;
          return this.state();
        },
      },
      commands: {},
    };
  }

  private async state(): Promise<PredictState> {
    const models: PredictModel[] = [];
    for (const r of this.ctx.runs.list()) for (const m of await modelsOf(r)) models.push({ ...m, ...((await takesPairs(m.dir)) ? { pairs: true } : {}) });
    const picked = [...(this.ctx.context.workspaceState.get<string[]>(PICKED_KEY) ?? []), ...(this.selected ? [this.selected] : [])];
    for (const id of picked) if (!models.some((m) => m.id === id)) models.push(await pickedModel(this.ctx, id));
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
