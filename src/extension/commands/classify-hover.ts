/**
 * Classify Selection's hover: on a classified line, its scores and — computed when the hover first
 * opens there, in the worker — the words that push most toward the predicted label (Integrated
 * Gradients, finetune.igSteps steps), how the model read the line (chunks, truncation) and the cost
 * when it was slow. The lines stay explained until the document changes (its version moves on).
 */
import * as vscode from 'vscode';
import type { TextExplanation } from '../../protocol/explain.js';
import type { Prediction } from '../../protocol/worker.js';
import type { Ctx } from '../ctx.js';
import { explainText } from '../explain.js';
import { hoverMarkdown } from '../explain-text.js';

interface ClassifiedLine {
  range: vscode.Range;
  text: string;
  prediction: Prediction;
  explanation?: Promise<TextExplanation>;
}

export class ClassifiedLines implements vscode.HoverProvider {
  private doc: { uri: string; version: number; model: string; name: string } | undefined;
  private lines: ClassifiedLine[] = [];

  constructor(private readonly ctx: Ctx) {}

  /** The lines of `document` just classified with `model` (`name`: how the hover names it). */
  set(document: vscode.TextDocument, model: string, name: string, lines: { range: vscode.Range; text: string; prediction: Prediction }[]): void {
    this.doc = { uri: document.uri.toString(), version: document.version, model, name };
    this.lines = lines.map((l) => ({ ...l }));
  }

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const d = this.doc;
    if (!d || d.uri !== document.uri.toString() || d.version !== document.version) return undefined;
    const line = this.lines.find((l) => l.range.contains(position));
    if (!line) return undefined;
    const label = line.prediction.scores[0]?.label;
    line.explanation ??= explainText(this.ctx, d.model, line.text, label !== undefined ? { label } : {});
    let md: string;
    try {
      md = hoverMarkdown(line.prediction, d.name, await line.explanation);
    } catch (e) {
      line.explanation = undefined; // asked again at the next hover
      md = hoverMarkdown(line.prediction, d.name, { error: (e as Error).message });
    }
    if (token.isCancellationRequested) return undefined;
    return new vscode.Hover(new vscode.MarkdownString(md), line.range);
  }
}
