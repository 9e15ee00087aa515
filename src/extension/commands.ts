/** The command table: one handler per contributed command, registered in activate(). */
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { HubError, deploySpace, pullModel, pushFolder } from '../core/hub/index.js';
import { COMMAND_IDS, type CommandName, formatScore, selectionItems } from './command-ids.js';
import type { Ctx } from './ctx.js';
import { DashboardPanel, DatasetPanel, PredictPanel, type TrainingViewProvider, modelsOf } from './webviews/panels.js';

/** CancellationToken -> AbortSignal. */
export function toSignal(token: vscode.CancellationToken): AbortSignal {
  const ac = new AbortController();
  if (token.isCancellationRequested) ac.abort();
  token.onCancellationRequested(() => ac.abort());
  return ac.signal;
}

const DATA_EXT = /\.(csv|tsv|json|jsonl)$/i;

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

/** The model "classify selection" uses: the last used, else the newest finished run's, else ask. */
async function classificationModel(ctx: Ctx): Promise<string | undefined> {
  if (ctx.lastModel) return ctx.lastModel;
  const finished = ctx.runs.list().find((r) => r.status === 'done' && r.modelDir);
  if (finished?.modelDir) return finished.modelDir;
  const folder = await ctx.pickFolder('model');
  return folder;
}

const resultDecoration = vscode.window.createTextEditorDecorationType({
  after: { margin: '0 0 0 1.5em', color: new vscode.ThemeColor('editorCodeLens.foreground'), fontStyle: 'italic' },
  rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
});

function hubMessage(e: unknown): string {
  return e instanceof HubError ? e.message : (e as Error).message;
}

export function commandTable(ctx: Ctx, sidebar: TrainingViewProvider): Record<CommandName, (...args: unknown[]) => unknown> {
  return {
    newTrainingRun: () => vscode.commands.executeCommand('finetune.training.focus'),

    previewDataset: async (uri?: unknown) => {
      let file = uri instanceof vscode.Uri ? uri.fsPath : undefined;
      if (!file) {
        const active = vscode.window.activeTextEditor?.document.uri;
        file = active && DATA_EXT.test(active.fsPath) ? active.fsPath : await ctx.pickDatasetFile();
      }
      if (file) DatasetPanel.show(ctx, file);
    },

    trainOnFile: async (uri?: unknown) => {
      const file = uri instanceof vscode.Uri ? uri.fsPath : await ctx.pickDatasetFile();
      if (!file) return;
      await vscode.commands.executeCommand('finetune.training.focus');
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

    classifySelection: async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || editor.selection.isEmpty) {
        void vscode.window.showWarningMessage('Finetune: select some text to classify (one line, or several lines to classify each).');
        return;
      }
      const items = selectionItems(editor.document.getText(editor.selection), editor.selection.start.line);
      if (items.length === 0) return;
      const model = await classificationModel(ctx);
      if (!model) return;
      try {
        const predictions = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Window, title: `Finetune: classifying with ${basename(model)}` },
          () =>
            ctx.runs.client().predict(
              model,
              items.map((i) => i.text),
            ),
        );
        ctx.lastModel = model;
        const decorations = items.map((item, k) => {
          const top = predictions[k]!.scores[0]!;
          const line = editor.document.lineAt(item.line);
          const end = item.line === editor.selection.end.line ? editor.selection.end : line.range.end;
          return {
            range: new vscode.Range(end, end),
            renderOptions: { after: { contentText: `⟶ ${formatScore(top.label, top.score)}` } },
            hoverMessage: predictions[k]!.scores.map((s) => formatScore(s.label, s.score)).join(' · '),
          };
        });
        editor.setDecorations(resultDecoration, decorations);
        const sub = vscode.workspace.onDidChangeTextDocument((e) => {
          if (e.document === editor.document) {
            editor.setDecorations(resultDecoration, []);
            sub.dispose();
          }
        });
        if (items.length > 1) {
          ctx.output.info(`classified ${items.length} lines with ${model}:`);
          predictions.forEach((p, k) => ctx.output.info(`  line ${items[k]!.line + 1}: ${formatScore(p.scores[0]!.label, p.scores[0]!.score)}  ${p.text}`));
          ctx.output.show(true);
        } else {
          const p = predictions[0]!;
          void vscode.window.setStatusBarMessage(`Finetune: ${formatScore(p.scores[0]!.label, p.scores[0]!.score)}`, 8000);
        }
      } catch (e) {
        void vscode.window.showErrorMessage(`Finetune: ${(e as Error).message}`);
      }
    },

    cancelTraining: () => {
      if (!ctx.runs.cancel()) void vscode.window.showInformationMessage('Finetune: no training run is in progress.');
    },

    pullModel: async () => {
      const repo = await vscode.window.showInputBox({
        prompt: 'Hugging Face model to download',
        placeHolder: 'google-bert/bert-base-uncased',
        value: ctx.settings.defaultModel,
        validateInput: (v) => (/^[\w.-]+(\/[\w.-]+)?$/.test(v.trim()) ? undefined : 'a repo id such as org/name'),
      });
      if (!repo) return;
      try {
        const r = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Pulling ${repo}`, cancellable: true },
          async (progress, token) => {
            let last = 0;
            const token_ = await ctx.hubToken();
            return pullModel(repo.trim(), {
              ...(token_ ? { token: token_ } : {}),
              ...(ctx.settings.cacheDir ? { cacheDir: ctx.settings.cacheDir } : {}),
              ...(ctx.settings.hubEndpoint ? { endpoint: ctx.settings.hubEndpoint } : {}),
              signal: toSignal(token),
              onProgress: (e) => {
                if (e.type === 'total-progress' && e.total > 0) {
                  const pct = (100 * e.loaded) / e.total;
                  progress.report({ increment: pct - last, message: `${(e.loaded / 1e6).toFixed(1)} / ${(e.total / 1e6).toFixed(1)} MB` });
                  last = pct;
                }
              },
            });
          },
        );
        const choice = await vscode.window.showInformationMessage(`Finetune: ${repo} is in the cache (${r.commit.slice(0, 8)}).`, 'Train with It');
        if (choice) await vscode.commands.executeCommand('finetune.training.focus');
      } catch (e) {
        void vscode.window.showErrorMessage(`Finetune: ${hubMessage(e)}`);
      }
    },

    pushModel: async (folder?: unknown) => {
      let dir = typeof folder === 'string' ? folder : undefined;
      if (!dir) {
        const runs = ctx.runs.list().filter((r) => r.modelDir);
        const pick = await vscode.window.showQuickPick(
          [
            ...runs.map((r) => ({ label: r.name, description: r.modelDir, dir: r.modelDir! })),
            { label: 'Browse…', description: 'a saved model folder', dir: '' },
          ],
          { placeHolder: 'Push which model?' },
        );
        if (!pick) return;
        dir = pick.dir || (await ctx.pickFolder('model'));
      }
      if (!dir) return;
      const token = await ctx.hubToken();
      if (!token) {
        const set = await vscode.window.showErrorMessage('Finetune: pushing needs a Hugging Face token with write access.', 'Set Hugging Face Token');
        if (set) await vscode.commands.executeCommand(COMMAND_IDS.setHubToken);
        return;
      }
      const repo = await vscode.window.showInputBox({
        prompt: 'Repository to push to (created if missing)',
        placeHolder: 'your-name/my-classifier',
        value: basename(dir),
      });
      if (!repo) return;
      const visibility = await vscode.window.showQuickPick(['Public', 'Private'], { placeHolder: 'Visibility of a new repository' });
      if (!visibility) return;
      try {
        const r = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Pushing to ${repo}`, cancellable: true },
          (progress, ct) =>
            pushFolder(dir!, repo, {
              token,
              private: visibility === 'Private',
              ...(ctx.settings.hubEndpoint ? { endpoint: ctx.settings.hubEndpoint } : {}),
              signal: toSignal(ct),
              onProgress: (e) => {
                if (e.type === 'file-done') progress.report({ message: e.file });
              },
            }),
        );
        const choice = await vscode.window.showInformationMessage(`Finetune: pushed to ${r.url}`, 'Open', 'Deploy Demo Space');
        if (choice === 'Open') void vscode.env.openExternal(vscode.Uri.parse(r.url));
        if (choice === 'Deploy Demo Space') void vscode.commands.executeCommand(COMMAND_IDS.deploySpace, r.repoId);
      } catch (e) {
        void vscode.window.showErrorMessage(`Finetune: ${hubMessage(e)}`);
      }
    },

    deploySpace: async (modelRepo?: unknown) => {
      const token = await ctx.hubToken();
      if (!token) {
        const set = await vscode.window.showErrorMessage('Finetune: deploying a Space needs a Hugging Face token with write access.', 'Set Hugging Face Token');
        if (set) await vscode.commands.executeCommand(COMMAND_IDS.setHubToken);
        return;
      }
      const repo =
        typeof modelRepo === 'string'
          ? modelRepo
          : await vscode.window.showInputBox({ prompt: 'The model repository the demo classifies with', placeHolder: 'your-name/my-classifier' });
      if (!repo) return;
      const template = await vscode.window.showQuickPick(
        [
          { label: 'Gradio', description: 'a Python app running the transformers pipeline', value: 'gradio' as const },
          { label: 'Static', description: 'a page running Transformers.js in the browser on the onnx/ export', value: 'static' as const },
        ],
        { placeHolder: 'Demo kind' },
      );
      if (!template) return;
      try {
        const r = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Deploying a ${template.label} Space for ${repo}`, cancellable: true },
          (_p, ct) =>
            deploySpace(repo, {
              template: template.value,
              token,
              ...(ctx.settings.hubEndpoint ? { endpoint: ctx.settings.hubEndpoint } : {}),
              signal: toSignal(ct),
            }),
        );
        const choice = await vscode.window.showInformationMessage(`Finetune: Space deployed at ${r.url}`, 'Open');
        if (choice) void vscode.env.openExternal(vscode.Uri.parse(r.url));
      } catch (e) {
        void vscode.window.showErrorMessage(`Finetune: ${hubMessage(e)}`);
      }
    },

    setHubToken: async () => {
      const token = await vscode.window.showInputBox({
        prompt: 'Hugging Face access token (stored in VS Code SecretStorage; leave empty to remove)',
        password: true,
        ignoreFocusOut: true,
        placeHolder: 'hf_…',
      });
      if (token === undefined) return;
      await ctx.setHubToken(token.trim() || undefined);
      void vscode.window.showInformationMessage(token.trim() ? 'Finetune: token saved in SecretStorage.' : 'Finetune: token removed.');
    },

    exportModel: async (folder?: unknown) => {
      const dir = typeof folder === 'string' ? folder : await ctx.pickFolder('model');
      if (!dir) return;
      const target = await vscode.window.showInputBox({
        prompt: 'Write the exported model (Hugging Face layout + ONNX) to',
        value: join(dirname(dir), `${basename(dir)}-export`),
      });
      if (!target) return;
      try {
        const files = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Exporting ${basename(dir)}` }, () =>
          ctx.runs.client().exportModel(dir, ctx.resolvePath(target)),
        );
        void vscode.window.showInformationMessage(`Finetune: exported ${files.length} files to ${target} (onnx/model.onnx loads in Transformers.js).`);
      } catch (e) {
        void vscode.window.showErrorMessage(`Finetune: ${(e as Error).message}`);
      }
    },
  };
}
