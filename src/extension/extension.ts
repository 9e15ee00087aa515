/**
 * Finetune's VS Code entry point. activate() stays thin: one context object, the sidebar view
 * provider, and the command table registered under one prefix.
 */
import * as vscode from 'vscode';
import { COMMAND_IDS, type CommandName } from './command-ids.js';
import { commandTable } from './commands.js';
import { Ctx } from './ctx.js';
import { TrainingViewProvider } from './webviews/panels.js';

export function activate(context: vscode.ExtensionContext): void {
  const ctx = new Ctx(context);
  const sidebar = new TrainingViewProvider(ctx);
  context.subscriptions.push(
    ctx,
    sidebar,
    vscode.window.registerWebviewViewProvider(TrainingViewProvider.viewType, sidebar, { webviewOptions: { retainContextWhenHidden: true } }),
  );
  const table = commandTable(ctx, sidebar);
  for (const name of Object.keys(COMMAND_IDS) as CommandName[]) {
    context.subscriptions.push(vscode.commands.registerCommand(COMMAND_IDS[name], table[name]));
  }
  void vscode.commands.executeCommand('setContext', 'finetune.activated', true);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions (the worker is shut down by RunManager).
}
