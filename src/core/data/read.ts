/**
 * Readers: CSV / TSV (csv-parse, streamed), JSON (an array of objects, an object holding one under
 * a field as HF datasets' `field=`, or a dict of columns) and JSON Lines, chosen by extension.
 * The result is a table of raw values (strings for CSV/TSV, JSON values for JSON) with, for every
 * row, the 1-based line where it starts in the file as an editor shows it (a quoted CSV field's
 * newlines counted; for JSON the line of the record's opening brace), so later errors, prediction
 * tables and the editor can name it.
 */
import { extname } from 'node:path';
import { parse as parseCsv, type Parser } from 'csv-parse';
import { DataError, show } from './errors.js';
import { LineIndex, arrayElements, valueAt } from './json-offsets.js';
import { decodeFile, type DecodeProgress } from './utf8.js';

export type DataFormat = 'csv' | 'tsv' | 'json' | 'jsonl';

export interface ReadOptions {
  /** Overrides the format the extension implies (.csv, .tsv/.tab, .json, .jsonl/.ndjson). */
  format?: DataFormat;
  /** CSV/TSV: the first row names the columns (default true). false: columns are "0", "1", ... */
  hasHeader?: boolean;
  /** CSV/TSV field delimiter. Default: "\t" for TSV; for CSV "," unless the first line has none
   * and has ";", "\t" or "|". */
  delimiter?: string;
  /** CSV/TSV quote character, or false for none. Default '"' for CSV, false for TSV (GLUE and
   * most TSV files use quotes as plain characters). */
  quote?: string | false;
  /** JSON: the key of the array of records (HF datasets' `field`). */
  jsonField?: string;
  /** Stop after this many data rows (previews). */
  maxRows?: number;
  signal?: AbortSignal;
  onProgress?: (p: DecodeProgress) => void;
}

export interface Table {
  file: string;
  format: DataFormat;
  columns: string[];
  /** rows[i][c] is the value of column c (undefined when a JSON record lacks the key). */
  rows: unknown[][];
  /** 1-based line where each row starts, as an editor numbers lines (JSON: the record's opening brace; a dict of columns: its first column's value). */
  rowNumbers: number[];
  /** Always 'line' now ('record' was JSON's record number). */
  rowUnit: 'line' | 'record';
  /** Blank lines skipped. */
  emptyLines: number;
  /** The CSV delimiter used (CSV/TSV only). */
  delimiter?: string;
}

/** "line 7" / "record 3" for row `i` of a table. */
export function whereRow(table: Pick<Table, 'rowNumbers' | 'rowUnit'>, i: number): string {
  return `${table.rowUnit} ${table.rowNumbers[i] ?? i + 1}`;
}

export function formatFromName(file: string): DataFormat | undefined {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.tsv' || ext === '.tab') return 'tsv';
  if (ext === '.json') return 'json';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  return undefined;
}

export function resolveFormat(file: string, format?: DataFormat): DataFormat {
  if (format !== undefined) {
    if (!['csv', 'tsv', 'json', 'jsonl'].includes(format)) {
      throw new DataError('unknown-format', file, `${file}: unknown format ${show(format)}; use csv, tsv, json or jsonl.`);
    }
    return format;
  }
  const f = formatFromName(file);
  if (!f) {
    throw new DataError(
      'unknown-format',
      file,
      `${file}: cannot tell the format from the extension ${show(extname(file) || '(none)')}; ` +
        `rename it to .csv, .tsv, .json or .jsonl, or pass the format (csv, tsv, json, jsonl).`,
    );
  }
  return f;
}

/** Reads a data file into a table (see the module comment). */
export async function readTable(file: string, options: ReadOptions = {}): Promise<Table> {
  const format = resolveFormat(file, options.format);
  const chunks = decodeFile(file, { signal: options.signal, onProgress: options.onProgress });
  let table: Table;
  if (format === 'csv' || format === 'tsv') table = await readDelimited(file, format, chunks, options);
  else if (format === 'jsonl') table = await readJsonLines(file, chunks, options, 'jsonl');
  else table = await readJson(file, chunks, options);
  if (table.columns.length === 0 && table.rows.length === 0) {
    throw new DataError('empty-file', file, `${file} is empty: it has no header and no rows. Pick a file with data.`);
  }
  if (table.rows.length === 0) {
    throw new DataError(
      'empty-file',
      file,
      `${file} has no data rows${format === 'csv' || format === 'tsv' ? ` (only the header: ${table.columns.join(table.delimiter ?? ',')})` : ''}. Add rows or pick another file.`,
    );
  }
  return table;
}

// ---------------------------------------------------------------------------------------------
// CSV / TSV

export function sniffDelimiter(firstLine: string, quote: string | false): string {
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
    ['|', 0],
  ]);
  let inQuote = false;
  for (const ch of firstLine) {
    if (quote !== false && ch === quote) inQuote = !inQuote;
    else if (!inQuote && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  if (counts.get(',')! > 0) return ',';
  let best = ',';
  let bestN = 0;
  for (const [d, n] of counts) {
    if (n > bestN) {
      best = d;
      bestN = n;
    }
  }
  return best;
}

/** Column names as pandas (and so HF datasets) makes them: blanks become "Unnamed: i", repeats get ".1", ".2". */
export function dedupeHeader(names: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Map<string, number>();
  names.forEach((raw, i) => {
    let name = raw === '' ? `Unnamed: ${i}` : raw;
    const base = name;
    let n = seen.get(base) ?? 0;
    while (out.includes(name)) {
      n++;
      name = `${base}.${n}`;
    }
    seen.set(base, n);
    out.push(name);
  });
  return out;
}

function isBlank(record: readonly string[]): boolean {
  return record.length === 1 && record[0]!.trim() === '';
}

function countChar(s: string, ch: string): number {
  let n = 0;
  for (let i = s.indexOf(ch); i >= 0; i = s.indexOf(ch, i + 1)) n++;
  return n;
}

function delimiterName(d: string): string {
  return d === '\t' ? 'tab' : JSON.stringify(d);
}

/** The error for a row with more or fewer fields than the header (or the first row), with what to do. */
function raggedRowError(
  file: string,
  line: number,
  expected: number,
  found: number,
  o: { hasHeader: boolean; quote: string | false; delimiter: string },
): DataError {
  const fix =
    found > expected && o.quote !== false
      ? `Put fields that contain the delimiter (${delimiterName(o.delimiter)}) in quotes, or fix the row.`
      : found > expected
        ? `A field contains the delimiter (${delimiterName(o.delimiter)}); fix the row or pass a quote character.`
        : 'Fill in the missing fields (empty ones are fine) or remove the row.';
  return new DataError(
    'ragged-row',
    file,
    `${file}, line ${line}: expected ${expected} columns (${o.hasHeader ? 'as in the header' : 'as in the first row'}), found ${found}. ${fix}`,
    { row: line },
  );
}

/** Takes csv-parse's records into a table: the header, line numbers (quoted newlines counted), blank lines, ragged rows. */
class DelimitedRows {
  private expected = -1;
  /** The line the next record starts at. */
  nextLine = 1;
  failure: DataError | undefined;
  full = false;

  constructor(
    private readonly table: Table,
    private readonly o: { hasHeader: boolean; quote: string | false; delimiter: string; maxRows: number },
  ) {}

  add(record: string[]): void {
    if (this.failure || this.full) return;
    const line = this.nextLine;
    let inner = 0;
    for (const f of record) if (f.length > 0 && f.includes('\n')) inner += countChar(f, '\n');
    this.nextLine = line + 1 + inner;
    if (isBlank(record)) {
      this.table.emptyLines++;
      return;
    }
    if (this.expected < 0) {
      this.expected = record.length;
      if (this.o.hasHeader) {
        this.table.columns = dedupeHeader(record.map((h) => h.trim()));
        return;
      }
      this.table.columns = record.map((_, i) => String(i));
    }
    if (record.length !== this.expected) {
      this.failure = raggedRowError(this.table.file, line, this.expected, record.length, this.o);
      return;
    }
    this.table.rows.push(record);
    this.table.rowNumbers.push(line);
    if (this.table.rows.length >= this.o.maxRows) this.full = true;
  }
}

/**
 * Writes the chunks into the parser (waiting for drain) until they end or `halted()` says stop, then
 * ends the parser or destroys it; resolves with the parser's error, if any.
 */
async function feedParser(parser: Parser, first: string, chunks: AsyncGenerator<string, void, undefined>, halted: () => boolean): Promise<unknown> {
  let parseError: unknown;
  let ended = false;
  const settled = new Promise<void>((resolve) => {
    parser.on('end', () => {
      ended = true;
      resolve();
    });
    parser.on('error', (e) => {
      parseError ??= e;
      resolve();
    });
    parser.on('close', () => resolve());
  });
  const write = async (text: string): Promise<void> => {
    if (parser.write(text)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        parser.off('drain', done);
        parser.off('error', done);
        parser.off('close', done);
        resolve();
      };
      parser.on('drain', done);
      parser.on('error', done);
      parser.on('close', done);
    });
  };
  const stopped = (): boolean => halted() || parseError !== undefined;
  try {
    await write(first);
    while (!stopped()) {
      const next = await chunks.next();
      if (next.done) break;
      await write(next.value);
    }
  } catch (e) {
    parser.destroy();
    throw e;
  }
  if (stopped()) {
    await chunks.return();
    if (!ended) parser.destroy();
  } else {
    parser.end();
    await settled;
  }
  return parseError;
}

async function readDelimited(file: string, format: 'csv' | 'tsv', chunks: AsyncGenerator<string, void, undefined>, options: ReadOptions): Promise<Table> {
  const quote = options.quote !== undefined ? options.quote : format === 'tsv' ? false : '"';
  const hasHeader = options.hasHeader ?? true;
  const first = await chunks.next();
  if (first.done || first.value.trim() === '') {
    await chunks.return();
    throw new DataError('empty-file', file, `${file} is empty. Pick a file with a header and rows.`);
  }
  const delimiter = options.delimiter ?? (format === 'tsv' ? '\t' : sniffDelimiter(first.value.split('\n', 1)[0]!, quote));
  const parser: Parser = parseCsv({ delimiter, quote: quote === false ? false : quote, relax_column_count: true, relax_quotes: true, skip_empty_lines: false });
  const table: Table = { file, format, columns: [], rows: [], rowNumbers: [], rowUnit: 'line', emptyLines: 0, delimiter };
  const rows = new DelimitedRows(table, { hasHeader, quote, delimiter, maxRows: options.maxRows ?? Infinity });
  parser.on('data', (record: string[]) => rows.add(record));
  const parseError = await feedParser(parser, first.value, chunks, () => rows.failure !== undefined || rows.full);
  if (rows.failure) throw rows.failure;
  if (parseError !== undefined) {
    const err = parseError as Error & { code?: string };
    const line = rows.nextLine;
    const what =
      err.code === 'CSV_QUOTE_NOT_CLOSED'
        ? `a quoted field that starts at line ${line} is never closed. Close the quote (a quote inside a quoted field is written "")`
        : err.message;
    throw new DataError('bad-csv', file, `${file}, line ${line}: ${what}.`, { row: line, cause: err });
  }
  return table;
}

// ---------------------------------------------------------------------------------------------
// JSON / JSON Lines

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class RowBuilder {
  readonly columns: string[] = [];
  private readonly index = new Map<string, number>();
  readonly rows: unknown[][] = [];
  readonly rowNumbers: number[] = [];

  add(obj: Record<string, unknown>, where: number): void {
    const row: unknown[] = new Array<unknown>(this.columns.length);
    for (const key of Object.keys(obj)) {
      let c = this.index.get(key);
      if (c === undefined) {
        c = this.columns.length;
        this.columns.push(key);
        this.index.set(key, c);
      }
      row[c] = obj[key];
    }
    this.rows.push(row);
    this.rowNumbers.push(where);
  }
}

function lineAt(text: string, position: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < position; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function syntaxError(file: string, text: string, e: unknown): DataError {
  const msg = (e as Error).message;
  const m = /position (\d+)/.exec(msg);
  const line = m ? lineAt(text, Number(m[1])) : undefined;
  return new DataError(
    'bad-json',
    file,
    `${file}${line !== undefined ? `, line ${line}` : ''}: not valid JSON (${msg}). Fix the JSON syntax ` +
      `(a JSON file holds one array of objects; a JSON Lines file one object per line).`,
    { row: line, cause: e },
  );
}

async function readJsonLines(file: string, chunks: AsyncIterable<string> | Iterable<string>, options: ReadOptions, format: DataFormat): Promise<Table> {
  const b = new RowBuilder();
  let emptyLines = 0;
  let pending = '';
  let line = 0;
  const maxRows = options.maxRows ?? Infinity;
  const handle = (raw: string): boolean => {
    line++;
    const s = raw.trim();
    if (s === '') {
      emptyLines++;
      return true;
    }
    let v: unknown;
    try {
      v = JSON.parse(s);
    } catch (e) {
      throw new DataError(
        'bad-json',
        file,
        `${file}, line ${line}: not valid JSON (${(e as Error).message}). Each line of a JSON Lines file must be one complete JSON object.`,
        { row: line, cause: e },
      );
    }
    if (!isRecord(v)) {
      throw new DataError('json-shape', file, `${file}, line ${line}: expected a JSON object like {"text": ..., "label": ...}, found ${jsonType(v)}.`, {
        row: line,
      });
    }
    b.add(v, line);
    return b.rows.length < maxRows;
  };
  outer: for await (const chunk of chunks) {
    const text = pending + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const more = handle(text.slice(start, nl));
      start = nl + 1;
      if (!more) {
        pending = '';
        break outer;
      }
    }
    pending = text.slice(start);
  }
  if (pending.length > 0 && b.rows.length < maxRows) handle(pending);
  return { file, format, columns: b.columns, rows: b.rows, rowNumbers: b.rowNumbers, rowUnit: 'line', emptyLines };
}

/** The editor line where each element of the array at `path` starts. */
function elementLines(text: string, path: readonly string[]): number[] {
  const at = valueAt(text, path);
  if (at === undefined) return [];
  const index = new LineIndex(text);
  return arrayElements(text, at).map((o) => index.line(o));
}

function tableFromRecords(file: string, records: unknown[], where: string, maxRows: number, lines: readonly number[]): Table {
  const b = new RowBuilder();
  for (let i = 0; i < records.length && b.rows.length < maxRows; i++) {
    const r = records[i];
    if (!isRecord(r)) {
      throw new DataError(
        'json-shape',
        file,
        `${file}, record ${i + 1}${where}: expected a JSON object like {"text": ..., "label": ...}, found ${jsonType(r)}.`,
        { row: i + 1 },
      );
    }
    b.add(r, lines[i] ?? i + 1);
  }
  return { file, format: 'json', columns: b.columns, rows: b.rows, rowNumbers: b.rowNumbers, rowUnit: 'line', emptyLines: 0 };
}

/** {"text": [...], "label": [...]}: every value an array, all the same length. */
function columnar(obj: Record<string, unknown>): boolean {
  const values = Object.values(obj);
  if (values.length === 0 || !values.every((v) => Array.isArray(v))) return false;
  const n = (values[0] as unknown[]).length;
  return values.every((v) => (v as unknown[]).length === n) && !(values[0] as unknown[]).some((x) => isRecord(x));
}

/** A dict of columns: a row's line is the line of its value in the first column. */
function tableFromColumns(file: string, obj: Record<string, unknown[]>, maxRows: number, lines: readonly number[]): Table {
  const columns = Object.keys(obj);
  const n = Math.min(maxRows, obj[columns[0]!]!.length);
  const rows: unknown[][] = [];
  const rowNumbers: number[] = [];
  for (let i = 0; i < n; i++) {
    rows.push(columns.map((c) => obj[c]![i]));
    rowNumbers.push(lines[i] ?? i + 1);
  }
  return { file, format: 'json', columns, rows, rowNumbers, rowUnit: 'line', emptyLines: 0 };
}

async function readJson(file: string, chunks: AsyncGenerator<string, void, undefined>, options: ReadOptions): Promise<Table> {
  const parts: string[] = [];
  for await (const c of chunks) parts.push(c);
  const text = parts.join('');
  const trimmed = text.trimStart();
  if (trimmed === '') throw new DataError('empty-file', file, `${file} is empty. Pick a file with a JSON array of records.`);
  const maxRows = options.maxRows ?? Infinity;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    // HF's json loader also reads JSON Lines from a .json file.
    if (trimmed.startsWith('{') && options.jsonField === undefined) {
      const firstLine = trimmed.split('\n', 1)[0]!.trim();
      let firstIsObject = false;
      try {
        firstIsObject = isRecord(JSON.parse(firstLine));
      } catch {
        firstIsObject = false;
      }
      if (firstIsObject) return readJsonLines(file, [text], options, 'json');
    }
    throw syntaxError(file, text, e);
  }
  if (Array.isArray(doc)) {
    if (options.jsonField !== undefined) {
      throw new DataError(
        'json-shape',
        file,
        `${file}: the field ${show(options.jsonField)} was asked for, but the file is an array of records. Leave the JSON field empty.`,
      );
    }
    return tableFromRecords(file, doc, '', maxRows, elementLines(text, []));
  }
  if (!isRecord(doc)) {
    throw new DataError('json-shape', file, `${file}: expected a JSON array of objects (or an object holding one under a field), found ${jsonType(doc)}.`);
  }
  const keys = Object.keys(doc);
  let field: string;
  if (options.jsonField !== undefined) field = options.jsonField;
  else {
    const arrays = keys.filter((k) => Array.isArray(doc[k]) && (doc[k] as unknown[]).some((x) => isRecord(x)));
    if (arrays.length === 1) field = arrays[0]!;
    else if (arrays.length > 1) {
      throw new DataError(
        'json-shape',
        file,
        `${file}: the object has several arrays of records (${arrays.map((a) => JSON.stringify(a)).join(', ')}); pass the JSON field to read.`,
      );
    } else if (columnar(doc)) return tableFromColumns(file, doc as Record<string, unknown[]>, maxRows, elementLines(text, [keys[0]!]));
    else if (keys.every((k) => !Array.isArray(doc[k]) && !isRecord(doc[k]))) {
      // A single record (a one-line JSON Lines file).
      return tableFromRecords(file, [doc], '', maxRows, [new LineIndex(text).line(valueAt(text, []) ?? 0)]);
    } else {
      throw new DataError(
        'json-shape',
        file,
        `${file}: expected a JSON array of objects, or an object holding one under a field (like {"data": [...]}); ` +
          `found an object with keys ${keys.map((k) => JSON.stringify(k)).join(', ')} and no array of records.`,
      );
    }
  }
  if (!(field in doc)) {
    throw new DataError(
      'json-shape',
      file,
      `${file}: no field ${show(field)} at the top level; its keys are ${keys.map((k) => JSON.stringify(k)).join(', ')}.`,
    );
  }
  const inner = doc[field];
  if (Array.isArray(inner)) return tableFromRecords(file, inner, ` of ${JSON.stringify(field)}`, maxRows, elementLines(text, [field]));
  if (isRecord(inner) && columnar(inner)) {
    return tableFromColumns(file, inner as Record<string, unknown[]>, maxRows, elementLines(text, [field, Object.keys(inner)[0]!]));
  }
  throw new DataError(
    'json-shape',
    file,
    `${file}: the field ${show(field)} holds ${jsonType(inner)}; expected an array of records (or a dict of equal-length columns).`,
  );
}
