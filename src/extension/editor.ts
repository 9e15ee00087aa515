/** Opening a data file in an editor at a row's line (the errors table, the Label Issues view). */
import * as vscode from 'vscode';

/** Shows `file` with its 1-based `line` selected and in view; `column` is where (the active group by default). */
export async function openAtLine(file: string, line: number, column?: vscode.ViewColumn): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const at = Math.min(Math.max(0, line - 1), doc.lineCount - 1);
  const range = doc.lineAt(at).range;
  const editor = await vscode.window.showTextDocument(doc, {
    selection: new vscode.Range(range.start, range.end),
    preview: true,
    ...(column !== undefined ? { viewColumn: column } : {}),
  });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return editor;
}
