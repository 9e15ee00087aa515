/**
 * One row's label rewritten in place, as a minimal text edit: the range of the label's cell (CSV /
 * TSV field, JSON value) and the text to put there, so an editor can apply it as one undoable edit
 * (VS Code: a WorkspaceEdit.replace with `range`) and nothing else in the file moves. The row is
 * named as the prediction and label-issue tables name it: `line` (1-based line where it starts)
 * and, for JSON files, where several records can share a line, `index` (0-based data row).
 * `expected` guards against a file changed since the table was made.
 */
import { DataError, show } from './errors.js';
import { LineIndex, arrayElements, objectMembers, valueAt, valueEnd } from './json-offsets.js';
import { type DataFormat, dedupeHeader, sniffDelimiter } from './read.js';

export interface LabelEditRequest {
  /** The file's name (for messages). */
  file: string;
  format: DataFormat;
  /** 1-based line where the row starts (the tables' `line`). */
  line: number;
  /** JSON: the 0-based data row (the tables' `index`); CSV / TSV / JSONL do not need it. */
  index?: number;
  /** The label column's name, or a 0-based position for a CSV / TSV without a header. */
  labelColumn: string | number;
  /** The new label; several (multi-label) as a list, written as the cell held them. */
  newLabel: string | number | readonly string[];
  /** The label the row holds now (as the tables print it); a mismatch is a 'stale-row' error. */
  expected?: string;
  /** CSV / TSV reading, as the file was read (defaults as readTable's). */
  delimiter?: string;
  quote?: string | false;
  hasHeader?: boolean;
  /** Multi-label labels in one CSV cell, joined with this. */
  labelDelimiter?: string;
}

export interface Position {
  /** 0-based line. */
  line: number;
  /** 0-based UTF-16 code unit in the line (what VS Code's Position counts). */
  character: number;
}

export interface LabelEdit {
  /** Offsets into the text (UTF-16 code units), end exclusive. */
  start: number;
  end: number;
  range: { start: Position; end: Position };
  oldText: string;
  newText: string;
}

interface Field {
  start: number;
  end: number;
  value: string;
  quoted: boolean;
}

/** The fields of the CSV record that starts at `at`. */
function csvRecord(text: string, at: number, delimiter: string, quote: string | false): Field[] {
  const fields: Field[] = [];
  let i = at;
  for (;;) {
    const start = i;
    let value = '';
    let quoted = false;
    if (quote !== false && text[i] === quote) {
      quoted = true;
      i++;
      for (; i < text.length; i++) {
        if (text[i] !== quote) value += text[i];
        else if (text[i + 1] === quote) value += text[i++];
        else break;
      }
      i++;
    }
    while (i < text.length && text[i] !== delimiter && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) value += text[i++];
    fields.push({ start, end: i, value, quoted });
    if (text[i] !== delimiter) return fields;
    i += delimiter.length;
  }
}

function stale(r: LabelEditRequest, what: string): DataError {
  return new DataError('stale-row', r.file, `${r.file}, line ${r.line}: ${what}. The file changed since the table was made: run it again.`, { row: r.line });
}

function position(index: LineIndex, offset: number): Position {
  const line = index.line(offset);
  return { line: line - 1, character: offset - index.start(line)! };
}

function edit(text: string, start: number, end: number, newText: string): LabelEdit {
  const index = new LineIndex(text);
  return { start, end, range: { start: position(index, start), end: position(index, end) }, oldText: text.slice(start, end), newText };
}

function csvEdit(text: string, r: LabelEditRequest, index: LineIndex): LabelEdit {
  const quote = r.quote !== undefined ? r.quote : r.format === 'tsv' ? false : '"';
  let first = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (/^[ \t]*\r?\n/.test(text.slice(first, first + 200))) first = text.indexOf('\n', first) + 1;
  const delimiter = r.delimiter ?? (r.format === 'tsv' ? '\t' : sniffDelimiter(text.slice(first).split('\n', 1)[0]!, quote));
  const headerFields = csvRecord(text, first, delimiter, quote);
  const names = r.hasHeader === false ? headerFields.map((_, i) => String(i)) : dedupeHeader(headerFields.map((f) => f.value.trim()));
  const col = typeof r.labelColumn === 'number' ? r.labelColumn : names.indexOf(r.labelColumn);
  if (col < 0 || col >= names.length) throw stale(r, `no label column ${show(r.labelColumn)} (the columns are ${names.join(', ')})`);
  const at = index.start(r.line);
  if (at === undefined) throw stale(r, 'the file has fewer lines');
  const field = csvRecord(text, at, delimiter, quote)[col];
  if (!field || (at === first && r.hasHeader !== false)) throw stale(r, `the line is not a data row with a ${show(r.labelColumn)} field`);
  if (r.expected !== undefined && field.value !== r.expected) throw stale(r, `the label is ${show(field.value)}, not ${show(r.expected)}`);
  const value = Array.isArray(r.newLabel) ? r.newLabel.join(r.labelDelimiter ?? '|') : String(r.newLabel);
  const special = value.includes(delimiter) || /[\r\n]/.test(value) || (quote !== false && value.includes(quote));
  if (quote === false && special) throw stale(r, `the new label ${show(value)} holds the delimiter or a line break, which this file cannot quote`);
  const newText = quote !== false && (special || field.quoted) ? `${quote}${value.split(quote).join(quote + quote)}${quote}` : value;
  return edit(text, field.start, field.end, newText);
}

/** The JSON value to write: the new label in the old value's kind (number, list, string). */
function jsonValue(old: string, label: LabelEditRequest['newLabel']): string {
  if (Array.isArray(label)) return JSON.stringify(label);
  if (/^-?\d/.test(old.trim()) && typeof label !== 'object' && /^-?\d+(\.\d+)?$/.test(String(label))) return String(label);
  return JSON.stringify(String(label));
}

/** The label's value in the object at `obj`. */
function member(text: string, obj: number, r: LabelEditRequest): { start: number; end: number } {
  const m = objectMembers(text, obj).find((x) => x.key === String(r.labelColumn));
  if (!m) throw stale(r, `the record there has no ${show(String(r.labelColumn))}`);
  return m;
}

/** Element `r.index` of the array at `at`, checked to start on `r.line` (or the first that does). */
function element(text: string, at: number, r: LabelEditRequest, index: LineIndex): number {
  const all = arrayElements(text, at);
  const e = r.index !== undefined ? all[r.index] : all.find((o) => index.line(o) === r.line);
  if (e === undefined || index.line(e) !== r.line) throw stale(r, `no record${r.index !== undefined ? ` ${r.index}` : ''} starts there`);
  return e;
}

/** The label's span: JSON Lines (the object on the line), an array of records (root or under a field), a dict of columns. */
function jsonSpan(text: string, r: LabelEditRequest, index: LineIndex): { start: number; end: number } {
  const root = valueAt(text, []);
  const lineStart = index.start(r.line);
  if (lineStart === undefined || root === undefined) throw stale(r, 'the file has fewer lines');
  if (text[root] === '[') return member(text, element(text, root, r, index), r);
  const members = r.format === 'jsonl' ? [] : objectMembers(text, root);
  const records = members.find((m) => text[m.start] === '[' && text[arrayElements(text, m.start)[0] ?? -1] === '{');
  if (records) return member(text, element(text, records.start, r, index), r);
  const column = members.find((m) => m.key === String(r.labelColumn) && text[m.start] === '[');
  if (column && r.index !== undefined) {
    const at = arrayElements(text, column.start)[r.index];
    if (at === undefined) throw stale(r, `the column ${show(String(r.labelColumn))} has no value ${r.index}`);
    return { start: at, end: valueEnd(text, at) };
  }
  // JSON Lines (also in a .json file), or a single record.
  return member(text, text.indexOf('{', lineStart), r);
}

function jsonEdit(text: string, r: LabelEditRequest, index: LineIndex): LabelEdit {
  const span = jsonSpan(text, r, index);
  const old = text.slice(span.start, span.end);
  if (r.expected !== undefined) {
    const v = JSON.parse(old) as unknown;
    const shown = Array.isArray(v) ? v.join('|') : String(v);
    if (shown !== r.expected) throw stale(r, `the label is ${show(shown)}, not ${show(r.expected)}`);
  }
  return edit(text, span.start, span.end, jsonValue(old, r.newLabel));
}

/** The edit that gives the row at `line` the new label (see the module comment). */
export function labelEdit(text: string, r: LabelEditRequest): LabelEdit {
  const index = new LineIndex(text);
  return r.format === 'csv' || r.format === 'tsv' ? csvEdit(text, r, index) : jsonEdit(text, r, index);
}

/** The text with an edit applied (what the editor will show). */
export function applyEdit(text: string, e: Pick<LabelEdit, 'start' | 'end' | 'newText'>): string {
  return text.slice(0, e.start) + e.newText + text.slice(e.end);
}
