/**
 * `finetune export-script`, the data half: the rows Finetune would train, validate and predict on —
 * text columns joined, rows with an empty text or label dropped, the stratified seeded validation
 * split carved out, max_*_samples applied — written as JSON lines next to train.py, so the script
 * trains on exactly those rows. And, for a local tokenizer folder holding only a vocab.txt (which
 * transformers' AutoTokenizer cannot open), the tokenizer files Finetune converts it to.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type ClassificationData, type DataSplit, loadClassificationData } from '../../data/index.js';
import { Tokenizer } from '../../tokenizer/index.js';
import type { RunArgs } from '../../contract/args.js';
import { trainDataOptions } from '../data-options.js';

export async function loadExportData(a: RunArgs): Promise<ClassificationData> {
  return loadClassificationData(trainDataOptions(a));
}

/** The shortest decimal that reads back as the same float32 (the value Finetune trains on). */
export function float32Decimal(v: number): number {
  for (let p = 1; p < 17; p++) {
    const x = Number(v.toPrecision(p));
    if (Math.fround(x) === v) return x;
  }
  return v;
}

/**
 * One JSON object a line: {"text", "text_pair"?, "label"?}; the label is the label name
 * (single-label), the list of label names (multi-label) or the number (regression); rows without
 * a label (a test file to predict) have none.
 */
export function splitJsonl(split: DataSplit, labelNames: readonly string[], withSkipped = false): string {
  const rows: { index: number; line: string }[] = [];
  const l = split.labels;
  for (let i = 0; i < split.texts.length; i++) {
    const row: Record<string, unknown> = { index: split.rowIndices[i]!, line: split.rowNumbers[i]!, text: split.texts[i]! };
    if (split.pairs) row.text_pair = split.pairs[i]!;
    const has = !split.labelled || split.labelled[i] === 1;
    if (l?.kind === 'single' && has) row.label = labelNames[l.ids[i]!]!;
    else if (l?.kind === 'multi' && has) row.label = labelNames.filter((_, k) => l.multiHot[i * l.numLabels + k] === 1);
    else if (l?.kind === 'regression' && has) row.label = float32Decimal(l.values[i]!);
    rows.push({ index: split.rowIndices[i]!, line: JSON.stringify(row) });
  }
  // A file to predict answers every row: the rows Finetune could not predict go along, marked.
  if (withSkipped) for (const s of split.skipped) rows.push({ index: s.index, line: JSON.stringify({ index: s.index, line: s.line, skipped: s.reason }) });
  rows.sort((a, b) => a.index - b.index);
  return rows.length ? `${rows.map((r) => r.line).join('\n')}\n` : '';
}

/** data/train.jsonl, data/validation.jsonl and data/test.jsonl, for the splits the run has. */
export function dataFiles(data: ClassificationData): Record<string, string> {
  const files: Record<string, string> = { 'data/train.jsonl': splitJsonl(data.train, data.labels) };
  if (data.validation) files['data/validation.jsonl'] = splitJsonl(data.validation, data.labels);
  if (data.test) files['data/test.jsonl'] = splitJsonl(data.test, data.labels, true);
  return files;
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Where train.py loads the tokenizer from. A local folder with only vocab.txt (no tokenizer.json,
 * tokenizer_config.json or config.json for AutoTokenizer to go by) is converted as Finetune
 * converts it and shipped as ./tokenizer; any other local folder is named by its absolute path;
 * anything else is a Hub id.
 */
export async function tokenizerSource(nameOrPath: string, absolute: (p: string) => string): Promise<{ name: string; files: Record<string, string> }> {
  if (!(await isDir(nameOrPath))) return { name: nameOrPath, files: {} };
  const has = async (f: string): Promise<boolean> => isFile(join(nameOrPath, f));
  const autoLoadable = (await has('tokenizer.json')) || (await has('tokenizer_config.json')) || (await has('config.json'));
  if (autoLoadable || !(await has('vocab.txt'))) return { name: absolute(nameOrPath), files: {} };
  const saved = (await Tokenizer.fromFolder(nameOrPath)).saveFiles() as unknown as Record<string, string>;
  return { name: './tokenizer', files: Object.fromEntries(Object.entries(saved).map(([f, text]) => [`tokenizer/${f}`, text])) };
}

/** A local model folder by its absolute path; a Hub id as given. A path that does not exist is refused by the caller. */
export async function isLocalFolder(p: string): Promise<boolean> {
  return isDir(p);
}
