/** The one error type every checkpoint reader and writer throws for bad or unsupported input. */
import { UserError } from '../../errors.js';

export class CheckpointError extends UserError {
  /** The file (or folder) the problem is in, as the caller named it. */
  readonly file: string;

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CheckpointError';
    this.file = file;
  }
}

/** A CheckpointError whose message starts with the file name: "<file>: <what is wrong>". */
export function fail(file: string, what: string, cause?: unknown): CheckpointError {
  return new CheckpointError(file, `${file}: ${what}`, cause === undefined ? undefined : { cause });
}
