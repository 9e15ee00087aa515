/** What the editor panels share: creating one with the webview options every page gets. */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx.js';
import { webviewOptions } from '../html.js';

export function createPanel(ctx: Ctx, viewType: string, title: string, column = vscode.ViewColumn.Active): vscode.WebviewPanel {
  return vscode.window.createWebviewPanel(viewType, title, column, { ...webviewOptions(ctx.extensionUri), retainContextWhenHidden: true });
}
