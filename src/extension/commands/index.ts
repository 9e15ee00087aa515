/**
 * The command table, assembled from one module per area; activate() registers it under the ids
 * of ../command-ids.ts. A command missing from the table, or one the manifest does not know, is a
 * compile error (the table's type is keyed by the command names).
 */
import * as vscode from 'vscode';
import { COMMAND_IDS, type CommandName } from '../command-ids.js';
import type { Ctx } from '../ctx.js';
import type { LabelIssuesView } from '../label-issues/view.js';
import type { TrainingViewProvider } from '../webviews/sidebar.js';
import { classifyCommands } from './classify.js';
import { exportCommands } from './export.js';
import { hubCommands } from './hub.js';
import { labelErrorCommands } from './label-errors.js';
import type { CommandTable } from './table.js';
import { trainingCommands } from './training.js';

export type { CommandHandler, CommandTable } from './table.js';
export { toSignal } from './table.js';

export function commandTable(ctx: Ctx, sidebar: TrainingViewProvider, labelIssues: LabelIssuesView): CommandTable {
  return {
    ...trainingCommands(ctx, sidebar),
    ...classifyCommands(ctx),
    ...hubCommands(ctx),
    ...exportCommands(ctx),
    ...labelErrorCommands(ctx, sidebar, labelIssues),
  };
}

/** Registers every command of the table under its prefixed id. */
export function registerCommands(table: CommandTable): vscode.Disposable[] {
  return (Object.keys(COMMAND_IDS) as CommandName[]).map((name) => vscode.commands.registerCommand(COMMAND_IDS[name], table[name]));
}
