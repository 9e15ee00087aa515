/** "Export Model": a saved model in the Hugging Face layout plus ONNX, written by the worker. */
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../ctx.js';
import { type CommandTable, showError } from './table.js';

async function exportModel(ctx: Ctx, folder: unknown): Promise<void> {
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
    showError(e);
  }
}

export function exportCommands(ctx: Ctx): Pick<CommandTable, 'exportModel'> {
  return { exportModel: (folder?: unknown) => exportModel(ctx, folder) };
}
