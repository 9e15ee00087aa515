/**
 * HTTP plumbing shared by pull, push and Space deploy:
 *
 * - `createHubFetch` is a `fetch` for `@huggingface/hub`'s `fetch` parameter and for our own
 *   downloader. It owns authentication (the token goes only to the endpoint's origin, never to a
 *   CDN or storage URL the Hub redirects to), adds the AbortSignal (the library's read calls take
 *   none), retries 429 / 5xx / network errors with exponential backoff honouring `Retry-After`, and
 *   turns 401 / 403 / 404 / 429 / 5xx / network failures into `HubError`s with advice.
 * - The library never sees the token: it would refuse tokens that do not start with `hf_` and it
 *   would send them to every URL it fetches.
 */
import { HubApiError } from '@huggingface/hub';
import { ADVICE, HubError, gatedAdvice, messageOf, scrub } from './errors.js';

export interface RetryOptions {
  /** Retries after the first attempt (default 5). */
  maxRetries?: number;
  /** First backoff delay (default 1000 ms); doubles each retry. */
  baseDelayMs?: number;
  /** Cap of the backoff delay (default 30 s). */
  maxDelayMs?: number;
  /** A `Retry-After` longer than this is not waited for: the error is raised at once (default 120 s). */
  maxRetryAfterMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = {
  maxRetries: 5,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
};

export interface HubContext {
  /** Base URL without trailing slash. */
  endpoint: string;
  token: string | undefined;
  signal: AbortSignal | undefined;
  retry: Required<RetryOptions>;
  log: (message: string) => void;
  /** What the requests are about, for error messages. */
  repoId?: string;
  revision?: string;
}

export function abortError(signal: AbortSignal | undefined): HubError {
  return new HubError('aborted', 'cancelled', { cause: signal?.reason });
}

/**
 * The token as it will be sent: trimmed (tokens pasted from files end in a newline). A token with
 * characters a header cannot carry is refused here, before fetch would echo it in an error.
 */
export function normalizeToken(token: string | undefined): string | undefined {
  const t = token?.trim();
  if (!t) return undefined;
  if (!/^[\x21-\x7e]+$/.test(t)) {
    throw new HubError('invalid-argument', `the Hugging Face token contains spaces or characters a token cannot have: ${ADVICE.setToken}`);
  }
  return t;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/** Waits `ms`, or rejects with an `aborted` HubError as soon as the signal fires. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  throwIfAborted(signal);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** `Retry-After` as milliseconds (delta-seconds or an HTTP date), or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * How long to wait before retry number `attempt` (0-based): the server's `Retry-After` when it
 * gives one (undefined when that is longer than `maxRetryAfterMs`: give up), else
 * `baseDelayMs * 2^attempt` capped at `maxDelayMs`.
 */
export function retryDelay(attempt: number, retry: Required<RetryOptions>, retryAfter?: string | null): number | undefined {
  const asked = parseRetryAfter(retryAfter);
  if (asked !== undefined) return asked > retry.maxRetryAfterMs ? undefined : asked;
  return Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt);
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/** An error worth retrying: a network failure (not an abort, not one of our own HubErrors). */
export function isNetworkError(err: unknown): boolean {
  if (err instanceof HubError) return err.kind === 'network';
  if (!(err instanceof Error)) return false;
  if (err.name === 'AbortError') return false;
  if (err instanceof TypeError && /fetch failed|terminated|network/i.test(err.message)) return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH|UND_ERR_\w+)$/.test(code))
    return true;
  return /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|other side closed/.test(messageOf(err));
}

/**
 * A failure to connect at all (no route, no DNS, refused): rarely transient, so retried at most
 * once; that way an offline machine falls back to the cache in about a second, not half a minute.
 */
export function isConnectFailure(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH'].includes(code)) return true;
  }
  return false;
}

function subjectOf(ctx: HubContext, url: string, file?: string): string {
  if (!ctx.repoId) {
    try {
      return new URL(url).pathname;
    } catch {
      return url;
    }
  }
  return `${ctx.repoId}${ctx.revision ? ` (revision ${ctx.revision})` : ''}${file ? `, file ${file}` : ''}`;
}

/** Reads an error answer (status, `X-Error-Code`, JSON `error`) into a HubError with advice. */
export async function errorFromResponse(res: Response, ctx: HubContext, url: string, file?: string): Promise<HubError> {
  const code = res.headers.get('x-error-code') ?? '';
  let serverMessage = res.headers.get('x-error-message') ?? '';
  try {
    const text = await res.text();
    if (text) {
      try {
        const json = JSON.parse(text) as { error?: unknown; message?: unknown };
        const m = typeof json.error === 'string' ? json.error : typeof json.message === 'string' ? json.message : '';
        if (m) serverMessage = m;
      } catch {
        if (!serverMessage && text.length < 300 && !/<html/i.test(text)) serverMessage = text.trim();
      }
    }
  } catch {
    // the body is only a detail
  }
  serverMessage = scrub(serverMessage, ctx.token).slice(0, 300);
  const subject = subjectOf(ctx, url, file);
  const said = serverMessage ? ` (Hub: ${serverMessage})` : '';
  const details = { status: res.status, repoId: ctx.repoId, revision: ctx.revision, file, url };
  const gated = code === 'GatedRepo' || /\bgated\b|restricted|authorized list|accept the conditions/i.test(serverMessage);
  const status = res.status;
  if ((status === 401 || status === 403) && gated) {
    const login = ctx.token ? '' : `, then ${ADVICE.setToken}`;
    return new HubError('gated', `${subject} is gated: ${gatedAdvice(ctx.endpoint, ctx.repoId)}${login}`, details);
  }
  if (status === 401) {
    const why = ctx.token ? 'the token was rejected' : 'no token was given; a private or missing repo also answers 401';
    return new HubError('unauthorized', `${subject}: the Hub answered 401 Unauthorized (${why}): ${ADVICE.setToken}`, details);
  }
  if (status === 403) {
    return new HubError(
      'forbidden',
      `${subject}: the Hub answered 403 Forbidden${said}: the token lacks the permission; ${ADVICE.setToken} (with write access to push)`,
      details,
    );
  }
  if (status === 404) {
    const what =
      code === 'RevisionNotFound'
        ? 'revision not found'
        : code === 'EntryNotFound'
          ? 'file not found'
          : code === 'RepoNotFound'
            ? 'repo not found'
            : 'not found';
    return new HubError('not-found', `${subject}: ${what} (404): ${ADVICE.checkRepo}`, details);
  }
  if (status === 429) {
    return new HubError('rate-limited', `${subject}: the Hub answered 429 Too Many Requests: ${ADVICE.rateLimited}`, details);
  }
  if (status >= 500) {
    return new HubError('server', `${subject}: the Hub answered ${status}${said}: ${ADVICE.server}`, details);
  }
  return new HubError('http', `${subject}: the Hub answered ${status} ${res.statusText}${said}`, details);
}

/** The error to keep as `cause`, unless its text would carry the token. */
export function safeCause(err: unknown, token: string | undefined): unknown {
  if (!token) return err;
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (messageOf(e).includes(token) || (e instanceof Error && (e.stack ?? '').includes(token))) return undefined;
  }
  return err;
}

export function networkError(err: unknown, ctx: HubContext, url: string): HubError {
  let origin = url;
  try {
    origin = new URL(url).origin;
  } catch {
    // keep the text
  }
  return new HubError('network', `could not reach ${origin} (${scrub(messageOf(err), ctx.token)}): ${ADVICE.network}`, {
    repoId: ctx.repoId,
    revision: ctx.revision,
    url,
    cause: safeCause(err, ctx.token),
  });
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/** Sets `Authorization` for the endpoint's origin and removes it everywhere else. */
export function applyAuth(headers: Headers, url: string, ctx: HubContext): void {
  headers.delete('authorization');
  if (ctx.token && sameOrigin(url, ctx.endpoint)) headers.set('authorization', `Bearer ${ctx.token}`);
}

function combineSignals(...signals: (AbortSignal | null | undefined)[]): AbortSignal | undefined {
  const list = signals.filter((s): s is AbortSignal => !!s);
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0];
  return AbortSignal.any(list);
}

interface ProgressHint {
  progressCallback?: (progress: number) => void;
  part?: number;
  numParts?: number;
}

const partProgress = new WeakMap<(progress: number) => void, Map<number, number>>();

/** A stream over a Blob that reports the bytes handed to the socket so far (for upload progress). */
function countingStream(blob: Blob, onBytes: (sent: number) => void): ReadableStream<Uint8Array> {
  const reader = blob.stream().getReader();
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        controller.close();
        return;
      }
      sent += value.byteLength;
      onBytes(sent);
      controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

function uploadBody(body: Blob, hint: ProgressHint): ReadableStream<Uint8Array> {
  const callback = hint.progressCallback;
  return countingStream(body, (sent) => {
    if (!callback || body.size === 0) return;
    const fraction = Math.min(sent / body.size, 0.999999);
    if (hint.part === undefined || !hint.numParts) {
      callback(fraction);
      return;
    }
    let parts = partProgress.get(callback);
    if (!parts) partProgress.set(callback, (parts = new Map()));
    parts.set(hint.part, fraction);
    let sum = 0;
    for (const v of parts.values()) sum += v;
    callback(Math.min(sum / hint.numParts, 0.999999));
  });
}

export interface HubFetchOptions {
  /** A repo file the requests are about (for error messages). */
  file?: string;
}

/**
 * A `fetch` for the Hub (see the module comment). Statuses other than 401/403/404/429/5xx are
 * returned as they are (e.g. 409 on repo creation, 3xx with `redirect: 'manual'`).
 */
export function createHubFetch(ctx: HubContext, options: HubFetchOptions = {}): typeof fetch {
  const hubFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    let pathname = '';
    try {
      pathname = new URL(url).pathname;
    } catch {
      // left empty
    }
    // A commit that reached the server must not be sent twice; a 429 means it did not.
    const idempotent = !(method === 'POST' && /\/commit\//.test(pathname));
    const hint = (init as { progressHint?: ProgressHint } | undefined)?.progressHint;
    for (let attempt = 0; ; attempt++) {
      throwIfAborted(ctx.signal);
      const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
      applyAuth(headers, url, ctx);
      const request: RequestInit = { ...init, method, headers, signal: combineSignals(ctx.signal, init?.signal) };
      delete (request as { progressHint?: unknown }).progressHint;
      if (method === 'PUT' && init?.body instanceof Blob && hint) {
        headers.set('content-length', String(init.body.size));
        request.body = uploadBody(init.body, hint);
        request.duplex = 'half';
      }
      let res: Response;
      try {
        res = await fetch(url, request);
      } catch (err) {
        if (ctx.signal?.aborted) throw abortError(ctx.signal);
        if (init?.signal?.aborted) throw err;
        if (err instanceof HubError) throw err;
        const delay = retryDelay(attempt, ctx.retry);
        const maxRetries = isConnectFailure(err) ? Math.min(1, ctx.retry.maxRetries) : ctx.retry.maxRetries;
        if (!idempotent || attempt >= maxRetries || delay === undefined) throw networkError(err, ctx, url);
        ctx.log(`network error (${scrub(messageOf(err), ctx.token)}); retrying in ${formatDelay(delay)} (retry ${attempt + 1} of ${maxRetries})`);
        await sleep(delay, ctx.signal);
        continue;
      }
      if (res.ok || res.status < 400) return res;
      if (isRetryableStatus(res.status) && (idempotent || res.status === 429) && attempt < ctx.retry.maxRetries) {
        const delay = retryDelay(attempt, ctx.retry, res.headers.get('retry-after'));
        if (delay !== undefined) {
          await res.body?.cancel().catch(() => undefined);
          const what = res.status === 429 ? 'rate limited (429)' : `the Hub answered ${res.status}`;
          ctx.log(`${what}; retrying in ${formatDelay(delay)} (retry ${attempt + 1} of ${ctx.retry.maxRetries})`);
          await sleep(delay, ctx.signal);
          continue;
        }
      }
      if ([401, 403, 404, 429].includes(res.status) || res.status >= 500) {
        throw await errorFromResponse(res, ctx, url, options.file);
      }
      return res;
    }
  };
  return hubFetch as typeof fetch;
}

export function formatDelay(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/**
 * Any error from a hub operation as a HubError: ours pass through; the library's `HubApiError`
 * (statuses our fetch lets through, e.g. 400/409/422) and file-system errors are wrapped. The
 * message is scrubbed of the token.
 */
export function toHubError(err: unknown, ctx: HubContext): HubError {
  if (err instanceof HubError) return err;
  if (ctx.signal?.aborted) return abortError(ctx.signal);
  const message = scrub(messageOf(err), ctx.token);
  const details = { repoId: ctx.repoId, revision: ctx.revision, cause: safeCause(err, ctx.token) };
  if (err instanceof HubApiError) {
    return new HubError('http', `${ctx.repoId ?? 'the Hub'}: the Hub answered ${err.statusCode}: ${message}`, {
      ...details,
      status: err.statusCode,
      url: err.url,
    });
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code) && !isNetworkError(err)) {
    return new HubError('io', `${ctx.repoId ?? 'hub'}: file system error: ${message}`, details);
  }
  if (isNetworkError(err)) return networkError(err, ctx, ctx.endpoint);
  if (err instanceof Error && err.name === 'AbortError') return abortError(ctx.signal);
  return new HubError('http', `${ctx.repoId ?? 'hub'}: ${message}`, details);
}
