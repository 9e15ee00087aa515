/**
 * Errors raised by the tokenizer module. Every error that is about a file names that file
 * (`path`), and the message says what is wrong with it, so a user can fix it without a debugger.
 */
import { UserError } from '../errors.js';
export type TokenizerErrorCode =
  /** A folder or file that should exist does not. */
  | 'missing-path'
  /** A file exists but cannot be parsed or does not have the expected structure. */
  | 'malformed-file'
  /** A required special token ([UNK], [CLS], [SEP], [PAD], ...) is not in the vocabulary. */
  | 'missing-token'
  /** The tokenizer uses a component this module does not support. */
  | 'unsupported'
  /** The requested truncation cannot be done (same cases where HF `tokenizers` raises). */
  | 'truncation'
  /** A caller passed an invalid argument (e.g. a non-string text). */
  | 'invalid-argument';

export class TokenizerError extends UserError {
  override readonly name = 'TokenizerError';
  readonly code: TokenizerErrorCode;
  /** The file or folder the error is about, when there is one. */
  readonly path: string | undefined;
  /** The special token the error is about, for `missing-token`. */
  readonly token: string | undefined;

  constructor(code: TokenizerErrorCode, message: string, details: { path?: string; token?: string; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.path = details.path;
    this.token = details.token;
  }
}
