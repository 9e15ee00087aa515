/**
 * The one error type of core/data. Every DataError names the file it is about and, where it is
 * about one row or one column, that row (1-based line, or record for JSON arrays) and column, and
 * its message says what to do about it.
 */
import { UserError } from '../errors.js';
export { didYouMean, editDistance } from '../errors.js';
export type DataErrorCode =
  /** The file does not exist or cannot be read. */
  | 'file-not-found'
  /** The file's format cannot be told from its name, or the option is unknown. */
  | 'unknown-format'
  /** The file is empty, has only a header, or no rows are left after dropping empty ones. */
  | 'empty-file'
  /** The bytes are not UTF-8. */
  | 'invalid-utf8'
  /** CSV/TSV syntax: an unclosed quote and the like. */
  | 'bad-csv'
  /** A CSV/TSV row has more or fewer fields than the header. */
  | 'ragged-row'
  /** JSON / JSON Lines syntax. */
  | 'bad-json'
  /** Valid JSON, but not an array of objects (or an object holding one). */
  | 'json-shape'
  /** A named column is not in the file. */
  | 'missing-column'
  /** A text cell holds something that is not text (a JSON object or array). */
  | 'bad-text'
  /** A label that cannot be read for the task (a non-numeric regression target, ...). */
  | 'bad-label'
  /** A validation/test label that the training data does not have. */
  | 'unseen-label'
  /** Fewer than two classes in the training data. */
  | 'single-class'
  /** Options that contradict each other or are out of range. */
  | 'bad-option'
  /** A row to edit is not where, or not what, the caller says (the file changed since it was read). */
  | 'stale-row';

export interface DataErrorDetails {
  /** 1-based line (CSV, TSV, JSON Lines) or record number (JSON arrays). */
  row?: number;
  column?: string;
  cause?: unknown;
}

export class DataError extends UserError {
  override readonly name = 'DataError';
  readonly code: DataErrorCode;
  /** The file the error is about, as the caller named it. */
  readonly file: string;
  readonly row: number | undefined;
  readonly column: string | undefined;

  constructor(code: DataErrorCode, file: string, message: string, details: DataErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.file = file;
    this.row = details.row;
    this.column = details.column;
  }
}

/** `"a", "b", "c"` (at most `max` names, then "and N more"). */
export function quoteList(names: readonly string[], max = 20): string {
  const shown = names.slice(0, max).map((n) => JSON.stringify(n));
  const rest = names.length - shown.length;
  return rest > 0 ? `${shown.join(', ')} and ${rest} more` : shown.join(', ');
}

/** A value for a message: quoted and cut to a readable length. */
export function show(value: unknown, max = 60): string {
  const s = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const cut = s.length > max ? `${s.slice(0, max)}...` : s;
  return JSON.stringify(cut);
}
