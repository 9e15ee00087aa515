/** The typed command table: one handler per contributed command (ids in ../command-ids.ts). */
import * as vscode from 'vscode';
import type { CommandName } from '../command-ids.js';

/** A command's handler: VS Code passes whatever the caller gave (a Uri from a menu, a run id, nothing). */
export type CommandHandler = (...args: unknown[]) => unknown;

export type CommandTable = Record<CommandName, CommandHandler>;

/** CancellationToken -> AbortSignal. */
export function toSignal(token: vscode.CancellationToken): AbortSignal {
  const ac = new AbortController();
  if (token.isCancellationRequested) ac.abort();
  token.onCancellationRequested(() => ac.abort());
  return ac.signal;
}

/** Shows a failure as VS Code shows errors, prefixed with the extension's name. */
export function showError(e: unknown): void {
  void vscode.window.showErrorMessage(`Finetune: ${(e as Error).message}`);
}
