/**
 * Classify Selection's hover as Markdown (no vscode import, so unit-tested): the scores, how the model
 * read the line, the words that push most toward the predicted label and against it, and the
 * completeness check with the cost when it took a while.
 */
import { completenessNote, readingNote, signed, topWords, type TextExplanation, type WordAttribution } from '../protocol/explain.js';
import type { Prediction } from '../protocol/worker.js';
import { formatScore } from './command-ids.js';

/** An explanation slower than this says how long it took (and which setting sets its cost). */
export const SLOW_SECONDS = 1;

/** A word as inline code (Markdown-safe: backticks in it widen the fence). */
export function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

const list = (ws: readonly WordAttribution[]): string => ws.map((w) => `${code(w.text)} ${signed(w.attribution)}`).join(' · ');

/** The hover's Markdown: the scores first, then the explanation, or why there is none. */
export function hoverMarkdown(p: Prediction, model: string, e: TextExplanation | { error: string }): string {
  const [top, ...rest] = p.scores;
  const lines = [`**${formatScore(top!.label, top!.score)}**${rest.map((s) => ` · ${formatScore(s.label, s.score)}`).join('')} — Finetune, ${model}`];
  const read = readingNote(p.read);
  if (read) lines.push(`${read.charAt(0).toUpperCase()}${read.slice(1)}.`);
  if ('error' in e) {
    lines.push(`No explanation: ${e.error}`);
    return lines.join('\n\n');
  }
  const t = topWords(e.words);
  if (e.regression) {
    lines.push(t.for.length ? `Words raising the value: ${list(t.for)}` : 'No word raises the value.');
    if (t.against.length) lines.push(`Lowering it: ${list(t.against)}`);
  } else {
    lines.push(t.for.length ? `Top words toward **${e.label}**: ${list(t.for)}` : `No word pushes toward **${e.label}**.`);
    if (t.against.length) lines.push(`Against: ${list(t.against)}`);
  }
  const cost = e.seconds >= SLOW_SECONDS ? `; ${e.seconds.toFixed(1)} s (the finetune.igSteps setting sets the steps)` : '';
  lines.push(`_Integrated Gradients: ${completenessNote(e)}${cost}_`);
  return lines.join('\n\n');
}
