/** Commands around runs: the form, the dataset preview, the dashboard, the predict box, cancelling. */
import * as vscode from 'vscode';
import { FOCUS_TRAINING_VIEW } from '../command-ids.js';
import type { Ctx } from '../ctx.js';
import { copySample, sampleRunForm } from '../sample.js';
import { ComparePanel } from '../webviews/compare.js';
import { DashboardPanel } from '../webviews/dashboard.js';
import { DatasetPanel } from '../webviews/dataset.js';
import { PredictPanel, modelsOf } from '../webviews/predict.js';
import type { TrainingViewProvider } from '../webviews/sidebar.js';
import type { CommandTable } from './table.js';

const DATA_EXT = /\.(csv|tsv|json|jsonl)$/i;

export type TrainingCommands = Pick<
  CommandTable,
  'newTrainingRun' | 'previewDataset' | 'trainOnFile' | 'openDashboard' | 'openPredictBox' | 'cancelTraining' | 'compareRuns' | 'openSampleData' | 'trainSample'
>;

/** The sample data file in the workspace (copied there the first time; never over a file); opened in an editor. */
async function openSample(ctx: Ctx): Promise<string | undefined> {
  const folder = ctx.workspaceRoot() ?? ctx.context.globalStorageUri.fsPath;
  try {
    const file = await copySample(ctx.extensionUri.fsPath, folder);
    await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
    return file;
  } catch (e) {
    void vscode.window.showErrorMessage(`Finetune: the sample data could not be copied: ${(e as Error).message}`);
    return undefined;
  }
}

/** Fills the form with a short run on the sample and starts it (the dashboard opens). */
async function trainSample(ctx: Ctx, sidebar: TrainingViewProvider): Promise<void> {
  const file = await openSample(ctx);
  if (!file) return;
  const args = sampleRunForm(ctx.extensionUri.fsPath, file);
  const dataset = await ctx.datasetInfo(file);
  await vscode.commands.executeCommand(FOCUS_TRAINING_VIEW);
  sidebar.setForm({ args, dataset });
  try {
    await ctx.startRun(args);
  } catch (e) {
    void vscode.window.showErrorMessage(`Finetune: ${(e as Error).message}`);
  }
}

async function pickRun(ctx: Ctx, placeHolder: string): Promise<string | undefined> {
  const runs = ctx.runs.list();
  if (runs.length === 0) {
    void vscode.window.showInformationMessage('Finetune: no training runs yet. Start one from the Finetune sidebar.');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    runs.map((r) => ({
      label: r.name,
      description: `${r.status}${r.bestMetric ? ` · ${r.bestMetric.name} ${r.bestMetric.value.toFixed(3)}` : ''}`,
      runId: r.runId,
    })),
    { placeHolder },
  );
  return pick?.runId;
}

/** The file a menu passed, else the active editor's data file, else one the person picks. */
async function datasetFile(ctx: Ctx, uri: unknown): Promise<string | undefined> {
  if (uri instanceof vscode.Uri) return uri.fsPath;
  const active = vscode.window.activeTextEditor?.document.uri;
  return active && DATA_EXT.test(active.fsPath) ? active.fsPath : await ctx.pickDatasetFile();
}

export function trainingCommands(ctx: Ctx, sidebar: TrainingViewProvider): TrainingCommands {
  return {
    newTrainingRun: () => vscode.commands.executeCommand(FOCUS_TRAINING_VIEW),

    previewDataset: async (uri?: unknown) => {
      const file = await datasetFile(ctx, uri);
      if (file) DatasetPanel.show(ctx, file);
    },

    trainOnFile: async (uri?: unknown) => {
      const file = uri instanceof vscode.Uri ? uri.fsPath : await ctx.pickDatasetFile();
      if (!file) return;
      await vscode.commands.executeCommand(FOCUS_TRAINING_VIEW);
      await sidebar.setDataset(file);
    },

    openDashboard: async (runId?: unknown) => {
      const id = typeof runId === 'string' ? runId : (ctx.runs.activeId ?? (await pickRun(ctx, 'Open the dashboard of which run?')));
      const run = id ? ctx.runs.get(id) : undefined;
      if (run) DashboardPanel.show(ctx, run);
    },

    openPredictBox: async (arg?: unknown) => {
      let selected: string | undefined;
      if (typeof arg === 'string') {
        const run = ctx.runs.get(arg);
        selected = run ? (await modelsOf(run))[0]?.dir : arg;
      }
      PredictPanel.show(ctx, selected);
    },

    cancelTraining: () => {
      if (!ctx.runs.cancel()) void vscode.window.showInformationMessage('Finetune: no training run is in progress.');
    },

    compareRuns: () => ComparePanel.show(ctx),

    openSampleData: async () => {
      await openSample(ctx);
    },

    trainSample: () => trainSample(ctx, sidebar),
  };
}
