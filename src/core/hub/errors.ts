/**
 * The one error type of the hub module. Every failure a user can act on (a missing token, a gated
 * model, a wrong repo id, a rate limit, no connection, a corrupt download, a malicious file name)
 * is a `HubError` whose `kind` says which, and whose message says what to do.
 *
 * Messages never contain the access token: every message that could carry text from elsewhere
 * (a server's error body, a library's error) goes through `scrub` first.
 */
import { UserError } from '../errors.js';

export type HubErrorKind =
  /** 401: no token, or the token was rejected (the Hub also answers 401 for a private or missing repo without a token). */
  | 'unauthorized'
  /** The repo is gated and the token's owner has not accepted its conditions. */
  | 'gated'
  /** 403 for another reason: the token lacks the permission (e.g. a read token used to push). */
  | 'forbidden'
  /** 404: no such repo, revision or file. */
  | 'not-found'
  /** 429 that did not go away after the retries. */
  | 'rate-limited'
  /** 5xx that did not go away after the retries. */
  | 'server'
  /** The Hub could not be reached (DNS, refused, reset, cut) after the retries. */
  | 'network'
  /** Offline mode (HF_HUB_OFFLINE) and the model is not in the cache. */
  | 'offline'
  /** A downloaded file's size or hash is not the one the Hub advertised. */
  | 'integrity'
  /** A repo file name that could escape the target folder (`..`, absolute, backslash, NUL, empty segment). */
  | 'unsafe-path'
  /** The repo is not something this project can use (no config.json, no PyTorch/safetensors weights). */
  | 'unsupported'
  /** Push refused: a file contains the access token. */
  | 'token-in-file'
  /** A caller passed an invalid argument (bad repo id, bad revision, missing folder). */
  | 'invalid-argument'
  /** The AbortSignal fired. */
  | 'aborted'
  /** Reading or writing the local cache or folder failed. */
  | 'io'
  /** Any other unexpected answer from the Hub. */
  | 'http';

export interface HubErrorDetails {
  status?: number;
  repoId?: string;
  revision?: string;
  file?: string;
  url?: string;
  cause?: unknown;
}

export class HubError extends UserError {
  override readonly name = 'HubError';
  readonly kind: HubErrorKind;
  /** The HTTP status, when the error came from an HTTP answer. */
  readonly status: number | undefined;
  readonly repoId: string | undefined;
  readonly revision: string | undefined;
  /** The repo file (or local file, for push) the error is about. */
  readonly file: string | undefined;
  /** The URL that failed (never carries a token: tokens travel in headers only). */
  readonly url: string | undefined;

  constructor(kind: HubErrorKind, message: string, details: HubErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.status = details.status;
    this.repoId = details.repoId;
    this.revision = details.revision;
    this.file = details.file;
    this.url = details.url;
  }
}

export function isHubError(err: unknown, kind?: HubErrorKind): err is HubError {
  return err instanceof HubError && (kind === undefined || err.kind === kind);
}

/** Replaces every occurrence of the token (if any) in `text` by `***`. */
export function scrub(text: string, token: string | undefined): string {
  if (!token) return text;
  return text.split(token).join('***');
}

/** The advice strings, one per kind of failure, so every code path says the same thing. */
export const ADVICE = {
  setToken: 'set a token: HF_TOKEN or Finetune: Set Hugging Face Token',
  checkRepo: 'check the repo id and revision',
  rateLimited: 'rate limited; retry later',
  network: 'check the connection or set HF_HUB_OFFLINE=1 to use the cache',
  server: 'the Hub had a problem; retry later',
} as const;

export function gatedAdvice(endpoint: string, repoId: string | undefined): string {
  const url = repoId ? `${endpoint}/${repoId}` : endpoint;
  return `accept the model's conditions at ${url}`;
}

/** The message of an `Error`-like value, or its string form. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    // undici's "fetch failed" hides the useful part (ECONNREFUSED, ENOTFOUND, ...) in `cause`.
    if (cause instanceof Error && /fetch failed|terminated/i.test(err.message)) {
      const code = (cause as { code?: unknown }).code;
      return `${err.message}: ${typeof code === 'string' ? code + ' ' : ''}${cause.message}`;
    }
    return err.message;
  }
  return String(err);
}
