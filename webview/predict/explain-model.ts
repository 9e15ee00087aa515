/**
 * The predict box's explanation, with no DOM (unit-tested in Node): the text cut into segments —
 * each word shaded by its attribution toward the label (its sign: for or against; its strength:
 * |attribution| over the explanation's largest, so the strongest word is fully shaded), the parts
 * the model did not read, the text between — with each word's tooltip and accessible name; the
 * legend, the label choices, the top words and the small print.
 */
import {
  completenessNote,
  directions,
  needsMoreSteps,
  readingNote,
  signed,
  topWords,
  type TextExplanation,
  type TextReading,
  type TextSpan,
  type WordAttribution,
} from '../../src/protocol/explain.js';
import type { LabelScore } from '../../src/protocol/webviews/predict.js';

export type Sign = 'for' | 'against';

/** Words at least this share of the strongest are also underlined (solid for, dotted against): the sign without colour. */
export const STRONG = 0.2;

export interface ShadedWord {
  attribution: number;
  sign: Sign;
  /** |attribution| / the largest |attribution| of the explanation, 0..1. */
  strength: number;
  /** Tooltip and accessible name: the word, its attribution, which way. */
  title: string;
}

export interface Segment {
  text: string;
  /** A word with its shading (absent: the text between words, or a part not read). */
  word?: ShadedWord;
  /** A part of the text the model did not read (truncation, head + tail). */
  unread?: true;
}

/** The full-strength shade: the largest |attribution| of the explanation's words, both texts of a pair together. */
export function shadeMax(words: readonly WordAttribution[]): number {
  return words.reduce((m, w) => Math.max(m, Math.abs(w.attribution)), 0);
}

/** A word's shade, 0 (none) to 1 (the strongest word). */
export function strength(attribution: number, max: number): number {
  return max > 0 ? Math.min(1, Math.abs(attribution) / max) : 0;
}

type Explained = Pick<TextExplanation, 'label' | 'regression'>;

/** "wonderful": +0.412 toward pos (the strongest word) / (45% of the strongest); a regression model's: raises the value. */
export function wordTitle(word: string, attribution: number, max: number, e: Explained): string {
  const s = strength(attribution, max);
  const d = directions(e);
  const share = s >= 0.9995 ? 'the strongest word' : `${Math.round(100 * s)}% of the strongest`;
  return `“${word}”: ${signed(attribution)} ${attribution < 0 ? d.against : d.for} (${share})`;
}

/** One text of the explanation as segments in text order: words (shaded), unread parts, and the plain text between. */
export function segments(text: string, words: readonly WordAttribution[], unread: readonly TextSpan[], max: number, e: Explained): Segment[] {
  type Mark = { start: number; end: number; word?: WordAttribution };
  const marks: Mark[] = [...words.map((w) => ({ start: w.start, end: w.end, word: w })), ...unread.map((u) => ({ start: u.start, end: u.end }))].sort(
    (a, b) => a.start - b.start,
  );
  const out: Segment[] = [];
  let at = 0;
  for (const m of marks) {
    if (m.start < at || m.end > text.length) continue;
    if (m.start > at) out.push({ text: text.slice(at, m.start) });
    const piece = text.slice(m.start, m.end);
    if (m.word) {
      const a = m.word.attribution;
      out.push({ text: piece, word: { attribution: a, sign: a < 0 ? 'against' : 'for', strength: strength(a, max), title: wordTitle(piece, a, max, e) } });
    } else out.push({ text: piece, unread: true });
    at = m.end;
  }
  if (at < text.length) out.push({ text: text.slice(at) });
  return out;
}

/** The texts of an explanation (one, or the text and the second text of a pair), each as segments. */
export function explainedTexts(e: TextExplanation): { title: string; segments: Segment[] }[] {
  const max = shadeMax(e.words);
  const one = (seq: 0 | 1, text: string): Segment[] =>
    segments(
      text,
      e.words.filter((w) => w.sequence === seq),
      e.unread.filter((u) => u.sequence === seq),
      max,
      e,
    );
  if (e.pair === undefined) return [{ title: 'Text', segments: one(0, e.text) }];
  return [
    { title: 'Text', segments: one(0, e.text) },
    { title: 'Second text', segments: one(1, e.pair) },
  ];
}

/** The labels one can explain: the prediction's, best first (regression: the value). */
export function explainLabels(scores: readonly LabelScore[]): string[] {
  return [...scores].sort((a, b) => b.score - a.score).map((s) => s.label);
}

/** The legend's two entries. */
export function legend(e: Explained): { sign: Sign; text: string }[] {
  const d = directions(e);
  return [
    { sign: 'for', text: d.for },
    { sign: 'against', text: d.against },
  ];
}

/** The words that push most each way: "Toward pos: wonderful +0.412, really +0.120" and "Against pos: ...". */
export function topWordLines(e: TextExplanation): string[] {
  const top = topWords(e.words);
  const list = (ws: readonly WordAttribution[]): string => ws.map((w) => `${w.text} ${signed(w.attribution)}`).join(', ');
  const lines: string[] = [];
  const d = directions(e);
  const cap = (x: string): string => `${x.charAt(0).toUpperCase()}${x.slice(1)}`;
  if (top.for.length) lines.push(`${cap(d.for)}: ${list(top.for)}`);
  if (top.against.length) lines.push(`${cap(d.against)}: ${list(top.against)}`);
  if (!lines.length) lines.push(`No word moves the ${e.regression ? 'value' : `${e.label} logit`} away from the baseline's.`);
  return lines;
}

/** The small print: the method, the completeness check, the time, and what to do when the check is off. */
export function smallPrint(e: TextExplanation): string {
  const chunks = e.chunks > 1 ? ` over ${e.chunks} chunks` : '';
  const time = e.seconds >= 0.05 ? ` · ${e.seconds.toFixed(1)} s` : '';
  const more = needsMoreSteps(e) ? ' The sum is off by more than 5% of the gap: raise the finetune.igSteps setting for a closer one.' : '';
  return `Integrated Gradients${chunks}: ${completenessNote(e)}${time}.${more}`;
}

/** The line under the prediction when the model read the text in chunks or in part ('' when it read it whole). */
export function readLine(read: TextReading | undefined): string {
  const note = readingNote(read);
  return note ? `${note.charAt(0).toUpperCase()}${note.slice(1)}.` : '';
}
