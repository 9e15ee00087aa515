/**
 * The resumable, verified download of one file into the cache's `blobs/` folder.
 *
 * Bytes go to `blobs/<etag>.incomplete` (the name huggingface_hub uses, so a partial download left by
 * either tool is resumed by the other). A partial file is continued with `Range: bytes=<size>-`;
 * cut connections are retried with backoff. The size and the hash (LFS sha256, or the git blob
 * sha1 of a regular file) are checked before the file is renamed to `blobs/<etag>`: a file that
 * fails the check never enters the cache.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { HubError, messageOf, scrub } from './errors.js';
import { fileSize } from './cache.js';
import { abortError, errorFromResponse, formatDelay, isNetworkError, retryDelay, safeCause, sleep, type HubContext } from './http.js';
import type { ProgressTracker } from './progress.js';

export interface DownloadSpec {
  /** The repo path (for progress and messages). */
  file: string;
  /** The `resolve` URL. */
  url: string;
  /** Expected size in bytes. */
  size: number;
  /** Expected sha256 (the LFS oid), hex. */
  sha256?: string;
  /** Expected git blob sha1 (`sha1("blob <size>\0" + content)`) of a regular file, hex. */
  gitSha1?: string;
  /** Final blob path; the download goes to `<dest>.incomplete` first. */
  dest: string;
}

interface Check {
  algo: 'sha256' | 'git-sha1';
  expected: string;
  hash: Hash;
}

function newCheck(spec: DownloadSpec): Check | undefined {
  if (spec.sha256) return { algo: 'sha256', expected: spec.sha256.toLowerCase(), hash: createHash('sha256') };
  if (spec.gitSha1) {
    const hash = createHash('sha1');
    hash.update(`blob ${spec.size}\0`);
    return { algo: 'git-sha1', expected: spec.gitSha1.toLowerCase(), hash };
  }
  return undefined;
}

async function hashPrefix(path: string, length: number, check: Check | undefined, signal: AbortSignal | undefined): Promise<void> {
  if (!check || length === 0) return;
  const stream = createReadStream(path, { start: 0, end: length - 1, signal });
  for await (const chunk of stream) check.hash.update(chunk as Buffer);
}

/** Marks errors raised while the body streams: those are resumable and retried here. */
class BodyError extends Error {
  constructor(readonly inner: unknown) {
    super(messageOf(inner));
  }
}

async function openResponse(spec: DownloadSpec, offset: number, ctx: HubContext, hubFetch: typeof fetch): Promise<Response> {
  let url = spec.url;
  for (let hop = 0; hop < 10; hop++) {
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    if (offset > 0) headers['range'] = `bytes=${offset}-`;
    const res = await hubFetch(url, { method: 'GET', headers, redirect: 'manual' });
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel().catch(() => undefined);
      url = new URL(location, url).href;
      continue;
    }
    if (res.status === 200 || res.status === 206 || res.status === 416) return res;
    throw await errorFromResponse(res, ctx, url, spec.file);
  }
  throw new HubError('http', `${spec.file}: too many redirects`, { repoId: ctx.repoId, file: spec.file, url: spec.url });
}

/** First byte position of a `Content-Range: bytes a-b/n` header, or undefined. */
function rangeStart(header: string | null): number | undefined {
  const m = header ? /^bytes\s+(\d+)-\d+\/(\d+|\*)$/i.exec(header.trim()) : null;
  return m ? Number(m[1]) : undefined;
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, off, bytes.byteLength - off);
    off += bytesWritten;
  }
}

export interface DownloadResult {
  /** Bytes that were already on disk and resumed. */
  resumedFrom: number;
}

/** One attempt's bookkeeping: bytes on disk when it started and after it. */
interface Attempt {
  startOffset: number;
  loaded: number;
}

/** Copies a response body into the open partial file, hashing and counting as it goes. */
async function copyBody(
  res: Response,
  handle: FileHandle,
  spec: DownloadSpec,
  ctx: HubContext,
  check: Check | undefined,
  tracker: ProgressTracker,
  a: Attempt,
): Promise<void> {
  if (!res.body) return;
  const reader = res.body.getReader();
  try {
    for (;;) {
      const chunk = await reader.read().catch((err: unknown) => {
        throw new BodyError(err);
      });
      if (chunk.done) break;
      const bytes = chunk.value;
      if (a.loaded + bytes.byteLength > spec.size) {
        throw new HubError(
          'integrity',
          `${spec.file}: the server sent more than the ${spec.size} bytes the Hub advertised; the file was not put in the cache`,
          {
            repoId: ctx.repoId,
            file: spec.file,
          },
        );
      }
      await writeAll(handle, bytes);
      check?.hash.update(bytes);
      a.loaded += bytes.byteLength;
      tracker.update(spec.file, a.loaded);
    }
  } finally {
    // Stops the transfer when we leave early (too many bytes, a write error); a no-op after the end.
    await reader.cancel().catch(() => undefined);
  }
}

/**
 * One request from `offset`: 'refused' (416) or 'wrong-range' (a range not asked for) when the
 * server's answer means starting over, else the bytes land in the partial file (a cut throws BodyError).
 */
async function transfer(
  spec: DownloadSpec,
  offset: number,
  ctx: HubContext,
  hubFetch: typeof fetch,
  check: Check | undefined,
  tracker: ProgressTracker,
  a: Attempt,
): Promise<'refused' | 'wrong-range' | 'done'> {
  const incomplete = `${spec.dest}.incomplete`;
  const res = await openResponse(spec, offset, ctx, hubFetch);
  const wrongRange = res.status === 206 && rangeStart(res.headers.get('content-range')) !== offset;
  if (res.status === 416 || wrongRange) {
    await res.body?.cancel().catch(() => undefined);
    await rm(incomplete, { force: true });
    return res.status === 416 ? 'refused' : 'wrong-range';
  }
  if (res.status === 200 && offset > 0) {
    ctx.log(`${spec.file}: the server ignored the Range request; downloading from the start`);
    offset = 0;
    a.loaded = 0;
  }
  a.startOffset = offset;
  if (offset > 0) ctx.log(`${spec.file}: resuming at byte ${offset} of ${spec.size}`);
  await hashPrefix(incomplete, offset, check, ctx.signal);
  const handle = await open(incomplete, offset > 0 ? 'a' : 'w');
  try {
    tracker.update(spec.file, a.loaded, true);
    await copyBody(res, handle, spec, ctx, check, tracker, a);
  } finally {
    await handle.close().catch(() => undefined);
  }
  if (a.loaded < spec.size) throw new BodyError(new Error(`connection closed after ${a.loaded} of ${spec.size} bytes`));
  return 'done';
}

/** After a failed attempt: true to try again (after a delay), else the error to give up with. */
async function retryAfter(err: unknown, spec: DownloadSpec, ctx: HubContext, a: Attempt, attempt: { n: number }): Promise<true> {
  if (ctx.signal?.aborted) throw abortError(ctx.signal);
  if (err instanceof HubError && err.kind === 'integrity') {
    await rm(`${spec.dest}.incomplete`, { force: true });
    throw err;
  }
  if (!(err instanceof BodyError || isNetworkError(err))) throw err;
  const inner = err instanceof BodyError ? err.inner : err;
  // A cut after some progress does not use up the retries: only cuts that bring nothing do.
  if (err instanceof BodyError && a.loaded > a.startOffset) attempt.n = 0;
  if (err instanceof BodyError && attempt.n < ctx.retry.maxRetries) {
    const delay = retryDelay(attempt.n, ctx.retry) ?? ctx.retry.baseDelayMs;
    attempt.n++;
    ctx.log(
      `${spec.file}: download interrupted (${scrub(messageOf(inner), ctx.token)}); resuming in ${formatDelay(delay)} (retry ${attempt.n} of ${ctx.retry.maxRetries})`,
    );
    await sleep(delay, ctx.signal);
    return true;
  }
  if (err instanceof HubError) throw err;
  throw new HubError(
    'network',
    `${spec.file}: the download was interrupted (${scrub(messageOf(inner), ctx.token)}); the partial file is kept and the next pull resumes it: check the connection or set HF_HUB_OFFLINE=1 to use the cache`,
    { repoId: ctx.repoId, file: spec.file, url: spec.url, cause: safeCause(inner, ctx.token) },
  );
}

/**
 * Downloads one file into the cache with resume (from a partial `.incomplete` file), retries of
 * cuts that make progress, and a sha256 / git-sha1 check before it is renamed into place.
 */
export async function downloadVerified(spec: DownloadSpec, ctx: HubContext, hubFetch: typeof fetch, tracker: ProgressTracker): Promise<DownloadResult> {
  const incomplete = `${spec.dest}.incomplete`;
  const firstResume = Math.min((await fileSize(incomplete)) ?? 0, spec.size);
  let restartedFromScratch = false;
  const attempt = { n: 0 };
  for (;;) {
    if (ctx.signal?.aborted) throw abortError(ctx.signal);
    let offset = (await fileSize(incomplete)) ?? 0;
    if (offset > spec.size) {
      await rm(incomplete, { force: true });
      offset = 0;
    }
    const check = newCheck(spec);
    const a: Attempt = { startOffset: offset, loaded: offset };
    try {
      // A partial file that is already complete (e.g. cut just before the rename): check it as is.
      if (offset === spec.size && offset > 0) await hashPrefix(incomplete, offset, check, ctx.signal);
      else {
        const r = await transfer(spec, offset, ctx, hubFetch, check, tracker, a);
        if (r === 'refused' && (offset === 0 || attempt.n++ >= ctx.retry.maxRetries))
          throw new HubError('http', `${spec.file}: the server refused the byte range`, { repoId: ctx.repoId, file: spec.file, status: 416 });
        if (r === 'wrong-range' && attempt.n++ >= ctx.retry.maxRetries)
          throw new HubError('http', `${spec.file}: the server answered a wrong byte range`, { repoId: ctx.repoId, file: spec.file });
        if (r !== 'done') continue;
      }
    } catch (err) {
      if (await retryAfter(err, spec, ctx, a, attempt)) continue;
    }
    const actual = check ? check.hash.digest('hex') : undefined;
    if (check && actual !== check.expected) {
      await rm(incomplete, { force: true });
      if (firstResume > 0 && !restartedFromScratch) {
        restartedFromScratch = true;
        ctx.log(`${spec.file}: the resumed file failed its ${check.algo} check; downloading it again from the start`);
        continue;
      }
      throw new HubError(
        'integrity',
        `${spec.file}: the downloaded bytes do not match the Hub's ${check.algo} (expected ${check.expected}, got ${actual}); ` +
          'the file was not put in the cache: retry, and if it persists the repo or a proxy serves corrupt data',
        { repoId: ctx.repoId, file: spec.file, url: spec.url },
      );
    }
    await rename(incomplete, spec.dest);
    tracker.update(spec.file, spec.size, true);
    return { resumedFrom: firstResume };
  }
}
