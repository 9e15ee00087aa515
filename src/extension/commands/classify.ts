/** "Classify Selection": each selected line classified by the worker, the top label shown after it. */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { Prediction } from '../../protocol/worker.js';
import { formatScore, predictionText, selectionItems } from '../command-ids.js';
import type { Ctx } from '../ctx.js';
import { pickModel } from '../models.js';
import { type CommandTable, showError } from './table.js';

type Item = { line: number; text: string };

const resultDecoration = vscode.window.createTextEditorDecorationType({
  after: { margin: '0 0 0 1.5em', color: new vscode.ThemeColor('editorCodeLens.foreground'), fontStyle: 'italic' },
  rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
});

/** The model "classify selection" uses: the last used, else the newest finished run's, else the model picker (any Hub classifier). */
async function classificationModel(ctx: Ctx): Promise<string | undefined> {
  if (ctx.lastModel) return ctx.lastModel;
  const finished = ctx.runs.list().find((r) => r.status === 'done' && r.modelDir);
  if (finished?.modelDir) return finished.modelDir;
  return pickModel(ctx, 'predict', 'Finetune: Classify Selection with which model?');
}

/** Puts each line's top label after it (all scores on hover), until the document changes. */
function decorate(editor: vscode.TextEditor, items: Item[], predictions: Prediction[]): void {
  const decorations = items.map((item, k) => {
    const line = editor.document.lineAt(item.line);
    const end = item.line === editor.selection.end.line ? editor.selection.end : line.range.end;
    return {
      range: new vscode.Range(end, end),
      renderOptions: { after: { contentText: `⟶ ${predictionText(predictions[k]!)}` } },
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
}

/** Several lines: each in the output channel; one line: the status bar. */
function report(ctx: Ctx, model: string, items: Item[], predictions: Prediction[]): void {
  if (items.length > 1) {
    ctx.output.info(`classified ${items.length} lines with ${model}:`);
    predictions.forEach((p, k) => ctx.output.info(`  line ${items[k]!.line + 1}: ${predictionText(p)}  ${p.text}`));
    ctx.output.show(true);
  } else {
    const p = predictions[0]!;
    void vscode.window.setStatusBarMessage(`Finetune: ${predictionText(p)}`, 8000);
  }
}

async function classifySelection(ctx: Ctx): Promise<void> {
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
      async () =>
        ctx.runs.client().predict(
          model,
          items.map((i) => i.text),
          undefined,
          await ctx.predictOptions(),
        ),
    );
    ctx.lastModel = model;
    decorate(editor, items, predictions);
    report(ctx, model, items, predictions);
  } catch (e) {
    showError(e);
  }
}

export function classifyCommands(ctx: Ctx): Pick<CommandTable, 'classifySelection'> {
  return { classifySelection: () => classifySelection(ctx) };
}
