/** Hugging Face Hub commands: pull a model, push one, deploy a demo Space, set the token. */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { HubError, deploySpace, pushFolder } from '../../core/hub/index.js';
import { COMMAND_IDS, FOCUS_TRAINING_VIEW } from '../command-ids.js';
import type { Ctx } from '../ctx.js';
import { pullWithProgress } from '../models.js';
import { type CommandTable, toSignal } from './table.js';

export type HubCommands = Pick<CommandTable, 'pullModel' | 'pushModel' | 'deploySpace' | 'setHubToken'>;

function hubMessage(e: unknown): string {
  return e instanceof HubError ? e.message : (e as Error).message;
}

function showHubError(e: unknown): void {
  void vscode.window.showErrorMessage(`Finetune: ${hubMessage(e)}`);
}

function endpoint(ctx: Ctx): { endpoint?: string } {
  return ctx.settings.hubEndpoint ? { endpoint: ctx.settings.hubEndpoint } : {};
}

/** The Hub token, or nothing after offering to set one (`what` needs write access). */
async function writeToken(ctx: Ctx, what: string): Promise<string | undefined> {
  const token = await ctx.hubToken();
  if (token) return token;
  const set = await vscode.window.showErrorMessage(`Finetune: ${what} needs a Hugging Face token with write access.`, 'Set Hugging Face Token');
  if (set) await vscode.commands.executeCommand(COMMAND_IDS.setHubToken);
  return undefined;
}

async function pull(ctx: Ctx): Promise<void> {
  const repo = await vscode.window.showInputBox({
    prompt: 'Hugging Face model to download',
    placeHolder: 'google-bert/bert-base-uncased',
    value: ctx.settings.defaultModel,
    validateInput: (v) => (/^[\w.-]+(\/[\w.-]+)?$/.test(v.trim()) ? undefined : 'a repo id such as org/name'),
  });
  if (!repo) return;
  const r = await pullWithProgress(ctx, repo.trim());
  if (!r) return;
  await ctx.rememberModel(repo.trim());
  const choice = await vscode.window.showInformationMessage(`Finetune: ${repo} is in the cache (${r.commit.slice(0, 8)}).`, 'Train with It', 'Try It');
  if (choice === 'Train with It') await vscode.commands.executeCommand(FOCUS_TRAINING_VIEW);
  if (choice === 'Try It') await vscode.commands.executeCommand(COMMAND_IDS.openPredictBox, repo.trim());
}

/** The model folder to push: the one given, a finished run's, or one the person browses to. */
async function pushSource(ctx: Ctx, folder: unknown): Promise<string | undefined> {
  if (typeof folder === 'string') return folder;
  const runs = ctx.runs.list().filter((r) => r.modelDir);
  const pick = await vscode.window.showQuickPick(
    [...runs.map((r) => ({ label: r.name, description: r.modelDir, dir: r.modelDir! })), { label: 'Browse…', description: 'a saved model folder', dir: '' }],
    { placeHolder: 'Push which model?' },
  );
  if (!pick) return undefined;
  return pick.dir || (await ctx.pickFolder('model'));
}

async function push(ctx: Ctx, folder: unknown): Promise<void> {
  const dir = await pushSource(ctx, folder);
  if (!dir) return;
  const token = await writeToken(ctx, 'pushing');
  if (!token) return;
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
        pushFolder(dir, repo, {
          token,
          private: visibility === 'Private',
          ...endpoint(ctx),
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
    showHubError(e);
  }
}

const TEMPLATES = [
  { label: 'Gradio', description: 'a Python app running the transformers pipeline', value: 'gradio' as const },
  { label: 'Static', description: 'a page running Transformers.js in the browser on the onnx/ export', value: 'static' as const },
];

async function deploy(ctx: Ctx, modelRepo: unknown): Promise<void> {
  const token = await writeToken(ctx, 'deploying a Space');
  if (!token) return;
  const repo =
    typeof modelRepo === 'string'
      ? modelRepo
      : await vscode.window.showInputBox({ prompt: 'The model repository the demo classifies with', placeHolder: 'your-name/my-classifier' });
  if (!repo) return;
  const template = await vscode.window.showQuickPick(TEMPLATES, { placeHolder: 'Demo kind' });
  if (!template) return;
  try {
    const r = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Deploying a ${template.label} Space for ${repo}`, cancellable: true },
      (_p, ct) => deploySpace(repo, { template: template.value, token, ...endpoint(ctx), signal: toSignal(ct) }),
    );
    const choice = await vscode.window.showInformationMessage(`Finetune: Space deployed at ${r.url}`, 'Open');
    if (choice) void vscode.env.openExternal(vscode.Uri.parse(r.url));
  } catch (e) {
    showHubError(e);
  }
}

async function setToken(ctx: Ctx): Promise<void> {
  const token = await vscode.window.showInputBox({
    prompt: 'Hugging Face access token (stored in VS Code SecretStorage; leave empty to remove)',
    password: true,
    ignoreFocusOut: true,
    placeHolder: 'hf_…',
  });
  if (token === undefined) return;
  await ctx.setHubToken(token.trim() || undefined);
  void vscode.window.showInformationMessage(token.trim() ? 'Finetune: token saved in SecretStorage.' : 'Finetune: token removed.');
}

export function hubCommands(ctx: Ctx): HubCommands {
  return {
    pullModel: () => pull(ctx),
    pushModel: (folder?: unknown) => push(ctx, folder),
    deploySpace: (modelRepo?: unknown) => deploy(ctx, modelRepo),
    setHubToken: () => setToken(ctx),
  };
}
