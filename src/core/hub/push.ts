/**
 * `pushFolder`: upload a saved model folder to a Hub repo (created if needed) in one commit.
 * `@huggingface/hub` does the protocol (preupload → LFS batch → PUT → NDJSON commit); our fetch
 * (http.ts) adds the token, retries, byte-level upload progress and error advice.
 *
 * Before anything is sent, every file name is checked (no `..`, absolute paths, backslashes, NUL,
 * empty segments) and every file's bytes are searched for the token: a file that contains it is
 * refused.
 */
import { openAsBlob } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { commitIter, createRepo, HubApiError, whoAmI, type CommitOperation, type CommitOutput } from '@huggingface/hub';
import { ADVICE, HubError, scrub } from './errors.js';
import { normalizeEndpoint, resolveEndpoint, type HubEnv } from './env.js';
import { assertSafeRepoPath, repoUrlPath, validateRepoId, type HubRepoType } from './paths.js';
import { ProgressTracker, type HubProgressCallback } from './progress.js';
import { createHubFetch, DEFAULT_RETRY, normalizeToken, throwIfAborted, toHubError, type HubContext, type RetryOptions } from './http.js';

export interface PushOptions {
  /** Access token with write access. Required. */
  token: string;
  /** Create the repo private (an existing repo keeps its visibility). */
  private?: boolean;
  /** Commit title (default "Upload model with Finetune"). */
  commitMessage?: string;
  commitDescription?: string;
  /** Branch to commit to (default main). */
  branch?: string;
  /** Hub base URL (default: HF_ENDPOINT, else https://huggingface.co). */
  endpoint?: string;
  signal?: AbortSignal;
  onProgress?: HubProgressCallback;
  retry?: RetryOptions;
  env?: HubEnv;
  progressIntervalMs?: number;
  /**
   * Let the library upload large files with the Xet protocol when the Hub offers it. Default false:
   * plain LFS (`transfer: basic`), which every Hub accepts and which needs no WebAssembly.
   */
  useXet?: boolean;
}

export interface PushFolderOptions extends PushOptions {
  /** Leave out the files for which this is true (paths relative to the folder, `/`-separated). */
  ignore?: (path: string) => boolean;
  /** Upload under this folder of the repo (e.g. `last-checkpoint`). */
  pathInRepo?: string;
}

export interface PushResult {
  /** The repo's page, e.g. https://huggingface.co/org/name (https://huggingface.co/spaces/org/name for a Space). */
  url: string;
  /** `namespace/name` (the namespace filled in from the token's owner when it was not given). */
  repoId: string;
  commit: string;
  commitUrl: string;
  /** Uploaded repo paths. */
  files: string[];
  /** False when the repo already existed. */
  created: boolean;
}

/** A file to upload: its repo path and content. */
export interface UploadFile {
  path: string;
  content: Blob;
}

/** Folders never uploaded (as huggingface_hub's upload_folder): git metadata and the local HF cache. */
function ignored(rel: string): boolean {
  const parts = rel.split('/');
  return parts.includes('.git') || rel === '.cache/huggingface' || rel.startsWith('.cache/huggingface/');
}

/** The files under `folder` (recursively; symlinked files followed, symlinked folders not), as repo paths. */
export async function listFolderFiles(folder: string): Promise<{ path: string; abs: string }[]> {
  const out: { path: string; abs: string }[] = [];
  async function walk(dir: string, prefix: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      if (ignored(rel)) continue;
      const abs = join(dir, e.name);
      if (e.isDirectory()) await walk(abs, rel);
      else if (e.isFile()) out.push({ path: rel, abs });
      else if (e.isSymbolicLink()) {
        const s = await stat(abs).catch(() => undefined);
        if (s?.isFile()) out.push({ path: rel, abs });
      }
    }
  }
  await walk(folder, '');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** True when the bytes of `blob` contain `needle` (searched in streaming, across chunk borders). */
export async function blobContains(blob: Blob, needle: string): Promise<boolean> {
  const pattern = Buffer.from(needle, 'utf8');
  if (pattern.length === 0) return false;
  const reader = blob.stream().getReader();
  let carry = Buffer.alloc(0);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return false;
      const buf = carry.length ? Buffer.concat([carry, value]) : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      if (buf.indexOf(pattern) >= 0) return true;
      carry = Buffer.from(buf.subarray(Math.max(0, buf.length - (pattern.length - 1))));
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/**
 * The library's create/whoami calls require credentials; ours travel in the fetch wrapper (which
 * replaces any Authorization header). An empty token makes the library send none of its own.
 */
const CREDENTIALS_VIA_FETCH = { credentials: { accessToken: '' } };

export async function pushFolder(folder: string, repoId: string, options: PushFolderOptions): Promise<PushResult> {
  let entries: { path: string; abs: string }[];
  try {
    const s = await stat(folder);
    if (!s.isDirectory()) throw new Error('not a folder');
    entries = (await listFolderFiles(folder)).filter((e) => !options.ignore?.(e.path));
  } catch (err) {
    throw new HubError(
      'invalid-argument',
      `cannot read the folder to push, ${folder}: ${scrub(err instanceof Error ? err.message : String(err), options.token)}`,
      {
        cause: err,
      },
    );
  }
  if (entries.length === 0) throw new HubError('invalid-argument', `the folder to push, ${folder}, is empty`);
  const files: UploadFile[] = [];
  for (const e of entries) {
    assertSafeRepoPath(e.path, { where: 'local' });
    files.push({ path: options.pathInRepo ? `${options.pathInRepo}/${e.path}` : e.path, content: await openAsBlob(e.abs) });
  }
  return pushFiles(repoId, 'model', files, options);
}

/** Refuses unsafe or repeated paths, and any file holding the token, before anything is sent. */
async function checkUploads(files: UploadFile[], repoId: string, token: string | undefined, signal: AbortSignal | undefined): Promise<void> {
  if (!token) throw new HubError('unauthorized', `pushing to ${repoId} needs a token with write access: ${ADVICE.setToken}`, { repoId });
  validateRepoId(repoId);
  const seen = new Set<string>();
  for (const f of files) {
    assertSafeRepoPath(f.path, { repoId, where: 'upload' });
    if (seen.has(f.path)) throw new HubError('invalid-argument', `${f.path} is given twice`, { repoId, file: f.path });
    seen.add(f.path);
  }
  // The token must never reach the Hub inside a file (a config, a log, a model card).
  for (const f of files) {
    throwIfAborted(signal);
    if (f.path.includes(token) || (await blobContains(f.content, token))) {
      throw new HubError(
        'token-in-file',
        `refusing to upload ${scrub(f.path, token)}: it contains your Hugging Face access token; remove the token from the file and push again`,
        { repoId, file: scrub(f.path, token) },
      );
    }
  }
}

/** The repo's full id (the token's owner as namespace when none is given), created when missing; false when it existed. */
async function ensureRepo(ctx: HubContext, type: HubRepoType, repoId: string, hubFetch: typeof fetch, options: PushOptions & { sdk?: 'gradio' | 'static' }) {
  let fullId = repoId;
  if (!repoId.includes('/')) {
    const me = await whoAmI({ hubUrl: ctx.endpoint, fetch: hubFetch, ...CREDENTIALS_VIA_FETCH });
    fullId = `${me.name}/${repoId}`;
    validateRepoId(fullId);
    ctx.repoId = fullId;
  }
  throwIfAborted(ctx.signal);
  try {
    await createRepo({
      repo: { type, name: fullId },
      ...(options.private ? { visibility: 'private' as const } : {}),
      ...(type === 'space' ? { sdk: options.sdk ?? 'static' } : {}),
      hubUrl: ctx.endpoint,
      fetch: hubFetch,
      ...CREDENTIALS_VIA_FETCH,
    });
    ctx.log(`created ${type} repo ${fullId}${options.private ? ' (private)' : ''}`);
    return { fullId, created: true };
  } catch (err) {
    if (!(err instanceof HubApiError && err.statusCode === 409)) throw err;
    ctx.log(`${type} repo ${fullId} already exists; committing to it`);
    return { fullId, created: false };
  }
}

/** The commit itself (preupload, LFS, NDJSON commit) with byte progress. */
async function commitFiles(
  ctx: HubContext,
  type: HubRepoType,
  fullId: string,
  files: UploadFile[],
  hubFetch: typeof fetch,
  options: PushOptions,
): Promise<CommitOutput | undefined> {
  const tracker = new ProgressTracker(options.onProgress, options.progressIntervalMs);
  const sizes = new Map(files.map((f) => [f.path, f.content.size]));
  for (const f of files) tracker.addFile(f.path, f.content.size);
  const operations: CommitOperation[] = files.map((f) => ({ operation: 'addOrUpdate', path: f.path, content: f.content }));
  const iterator = commitIter({
    repo: { type, name: fullId },
    operations,
    title: options.commitMessage ?? (type === 'space' ? 'Deploy demo Space with Finetune' : 'Upload model with Finetune'),
    ...(options.commitDescription ? { description: options.commitDescription } : {}),
    ...(options.branch ? { branch: options.branch } : {}),
    hubUrl: ctx.endpoint,
    fetch: hubFetch,
    ...(options.signal ? { abortSignal: options.signal } : {}),
    useXet: options.useXet ?? false,
  });
  for (;;) {
    const step = await iterator.next();
    if (step.done) {
      for (const f of files) {
        tracker.update(f.path, f.content.size, true);
        tracker.done(f.path, false);
      }
      return step.value;
    }
    const ev = step.value;
    if (ev.event === 'phase') {
      const phase = { preuploading: 'checking which files need LFS', uploadingLargeFiles: 'uploading large files', committing: 'committing' }[ev.phase];
      ctx.log(`${fullId}: ${phase}`);
    } else if (ev.state === 'uploading') tracker.update(ev.path, Math.round(ev.progress * (sizes.get(ev.path) ?? 0)));
    else if (ev.state === 'error') throw new HubError('http', `${fullId}: uploading ${ev.path} failed`, { repoId: fullId, file: ev.path });
  }
}

/**
 * Uploads `files` to a repo of `type` in one commit, creating the repo when needed (a Space with
 * `sdk`). Shared by pushFolder and deploySpace.
 */
export async function pushFiles(
  repoId: string,
  type: HubRepoType,
  files: UploadFile[],
  options: PushOptions & { sdk?: 'gradio' | 'static' },
): Promise<PushResult> {
  const env = options.env ?? process.env;
  const token = normalizeToken(options.token);
  const ctx: HubContext = {
    endpoint: options.endpoint ? normalizeEndpoint(options.endpoint) : resolveEndpoint(env),
    token,
    signal: options.signal,
    retry: { ...DEFAULT_RETRY, ...options.retry },
    log: (message) => options.onProgress?.({ type: 'log', message: scrub(message, token) }),
    repoId,
  };
  try {
    await checkUploads(files, repoId, token, ctx.signal);
    const hubFetch = createHubFetch(ctx);
    const { fullId, created } = await ensureRepo(ctx, type, repoId, hubFetch, options);
    const output = await commitFiles(ctx, type, fullId, files, hubFetch, options);
    if (!output) throw new HubError('http', `${fullId}: the Hub did not answer the commit`, { repoId: fullId });
    return {
      url: `${ctx.endpoint}/${repoUrlPath(fullId, type)}`,
      repoId: fullId,
      commit: output.commit.oid,
      commitUrl: output.commit.url,
      files: files.map((f) => f.path),
      created,
    };
  } catch (err) {
    throw toHubError(err, ctx);
  }
}
