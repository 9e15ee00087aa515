/**
 * Finetune's VS Code entry point. activate() stays thin: one context object, the sidebar view
 * provider, and the command table registered under one prefix.
 */
import * as vscode from 'vscode';
import { commandTable, registerCommands } from './commands/index.js';
import { PREFIX } from './command-ids.js';
import { Ctx } from './ctx.js';
import { LabelIssuesView } from './label-issues/view.js';
import { TrainingViewProvider } from './webviews/sidebar.js';

export function activate(context: vscode.ExtensionContext): void {
  const ctx = new Ctx(context);
  const sidebar = new TrainingViewProvider(ctx);
  const labelIssues = new LabelIssuesView(context.workspaceState);
  context.subscriptions.push(
    ctx,
    sidebar,
    labelIssues,
    vscode.window.registerWebviewViewProvider(TrainingViewProvider.viewType, sidebar, { webviewOptions: { retainContextWhenHidden: true } }),
    ...registerCommands(commandTable(ctx, sidebar, labelIssues)),
  );
  void vscode.commands.executeCommand('setContext', `${PREFIX}.activated`, true);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions (the worker is shut down by RunManager).
}
