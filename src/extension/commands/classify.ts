/**
 * "Classify Selection": each selected line classified by the worker, the top label shown after it
 * (with the chunks it was read in, when the model reads long texts in sliding windows); hovering a
 * classified line shows its scores and top words (classify-hover.ts).
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { readingNote, shortReading } from '../../protocol/explain.js';
import type { Prediction } from '../../protocol/worker.js';
import { predictionText, selectionItems } from '../command-ids.js';
import type { Ctx } from '../ctx.js';
import { pickModel } from '../models.js';
import { ClassifiedLines } from './classify-hover.js';
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

/** The text of each classified line (where its text is on the line). */
function itemRange(editor: vscode.TextEditor, item: Item): vscode.Range {
  const line = editor.document.lineAt(item.line);
  const at = line.text.indexOf(item.text);
  return at >= 0 ? new vscode.Range(item.line, at, item.line, at + item.text.length) : line.range;
}

/** Puts each line's top label after it (scores and top words on hover: classify-hover.ts), until the document changes. */
function decorate(editor: vscode.TextEditor, items: Item[], predictions: Prediction[]): void {
  const decorations = items.map((item, k) => {
    const line = editor.document.lineAt(item.line);
    const end = item.line === editor.selection.end.line ? editor.selection.end : line.range.end;
    const read = shortReading(predictions[k]!.read);
    return {
      range: new vscode.Range(end, end),
      renderOptions: { after: { contentText: `⟶ ${predictionText(predictions[k]!)}${read ? ` · ${read}` : ''}` } },
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
    predictions.forEach((p, k) => {
      const read = readingNote(p.read);
      ctx.output.info(`  line ${items[k]!.line + 1}: ${predictionText(p)}${read ? ` (${read})` : ''}  ${p.text}`);
    });
    ctx.output.show(true);
  } else {
    const p = predictions[0]!;
    const read = readingNote(p.read);
    void vscode.window.setStatusBarMessage(`Finetune: ${predictionText(p)}${read ? ` (${read})` : ''}`, 8000);
  }
}

async function classifySelection(ctx: Ctx, hover: ClassifiedLines): Promise<void> {
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
    hover.set(
      editor.document,
      model,
      basename(model),
      items.map((item, k) => ({ range: itemRange(editor, item), text: item.text, prediction: predictions[k]! })),
    );
    report(ctx, model, items, predictions);
  } catch (e) {
    showError(e);
  }
}

export function classifyCommands(ctx: Ctx): Pick<CommandTable, 'classifySelection'> {
  const hover = new ClassifiedLines(ctx);
  ctx.context.subscriptions.push(vscode.languages.registerHoverProvider('*', hover));
  return { classifySelection: () => classifySelection(ctx, hover) };
}
