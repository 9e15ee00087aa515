/**
 * "Export Model": a model (a run's, a checkpoint, a cached Hub model, a folder) written in the
 * Hugging Face layout plus ONNX by the worker. The target follows the CLI's rule for every write
 * into a person's folder (core/export checkReplaceable): a folder holding anything but a model is
 * never replaced; the export offers a new folder inside it instead. The write itself is atomic
 * (a temporary folder renamed into place).
 */
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { readdir } from 'node:fs/promises';
import { MODEL_FOLDER_ENTRIES, checkReplaceable } from '../../core/export/index.js';
import type { Ctx } from '../ctx.js';
import { isHubId, pickModel } from '../models.js';
import { type CommandTable, showError } from './table.js';

/** The folder to write to: `target` when it may be replaced, else (asked) a new folder inside it; undefined when the person declines. */
export async function exportTarget(target: string, name: string): Promise<string | undefined> {
  try {
    await checkReplaceable(target, 'Export Model', 'the export folder');
    return target;
  } catch {
    const foreign = (await readdir(target)).filter((e) => !MODEL_FOLDER_ENTRIES.has(e)).sort();
    const shown = `${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ` and ${foreign.length - 3} more` : ''}`;
    const choice = await vscode.window.showWarningMessage(
      `Finetune: ${target} already holds ${shown}, which is not a model. An export replaces its folder whole, so Finetune does not export there: nothing in it is touched. Export into a new folder inside it?`,
      { modal: true },
      `Export into ${basename(target)}/${name}`,
    );
    return choice ? exportTarget(join(target, name), name) : undefined;
  }
}

async function exportModel(ctx: Ctx, folder: unknown): Promise<void> {
  const model = typeof folder === 'string' ? folder : await pickModel(ctx, 'export', 'Finetune: Export which model?');
  if (!model) return;
  const name = `${basename(model)}-export`;
  const suggested = isHubId(model) ? join(ctx.workspaceRoot() ?? '.', name) : join(dirname(model), name);
  const typed = await vscode.window.showInputBox({
    prompt: 'Write the exported model (Hugging Face layout + ONNX) to this folder (a folder with other files is never replaced)',
    value: suggested,
  });
  if (!typed) return;
  const target = await exportTarget(ctx.resolvePath(typed), name);
  if (!target) return;
  try {
    const files = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Exporting ${basename(model)}` }, () =>
      ctx.runs.client().exportModel(ctx.resolveModel(model), target),
    );
    void vscode.window.showInformationMessage(`Finetune: exported ${files.length} files to ${target} (onnx/model.onnx loads in Transformers.js).`);
  } catch (e) {
    showError(e);
  }
}

export function exportCommands(ctx: Ctx): Pick<CommandTable, 'exportModel'> {
  return { exportModel: (folder?: unknown) => exportModel(ctx, folder) };
}
