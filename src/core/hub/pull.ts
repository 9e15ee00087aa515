/**
 * `pullModel`: download what a text classifier needs from a Hub model repo into the Hugging Face
 * cache (shared with Python tools) and return the snapshot folder.
 *
 * Listing goes through `@huggingface/hub` (`modelInfo` for the commit sha and the file list,
 * `pathsInfo` for sizes and hashes); the download itself is ours (see download.ts) because the
 * library's neither verifies nor resumes nor retries.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { modelInfo, pathsInfo, type PathInfo } from '@huggingface/hub';
import { HubError, isHubError, scrub } from './errors.js';
import { isOfflineEnv, normalizeEndpoint, resolveEndpoint, resolveHubCacheDir, type HubEnv } from './env.js';
import { assertSafeRepoPath, COMMIT_SHA, encodeRepoPath, validateRepoId, validateRevision } from './paths.js';
import { ProgressTracker, type HubProgressCallback } from './progress.js';
import { createHubFetch, DEFAULT_RETRY, normalizeToken, toHubError, type HubContext, type RetryOptions } from './http.js';
import { selectClassifierFiles, shardsFromIndex, type WeightsFormat } from './select.js';
import { blobPath, exists, linkSnapshotFile, listSnapshotFiles, repoCacheDir, resolveCachedSnapshot, snapshotDir, snapshotFile, writeRef } from './cache.js';
import { downloadVerified } from './download.js';

export interface PullOptions {
  /** Branch, tag or commit sha (default `main`). */
  revision?: string;
  /** The hub cache folder (default: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub). */
  cacheDir?: string;
  /** Access token (for private and gated repos). Sent only to the endpoint's origin. */
  token?: string;
  /** Hub base URL (default: HF_ENDPOINT, else https://huggingface.co). */
  endpoint?: string;
  /** Resolve from the cache only (default: HF_HUB_OFFLINE). */
  offline?: boolean;
  signal?: AbortSignal;
  onProgress?: HubProgressCallback;
  retry?: RetryOptions;
  /** Environment to read HF_* variables from (default `process.env`). */
  env?: HubEnv;
  /** Minimum time between two progress events of one file (default 100 ms). */
  progressIntervalMs?: number;
}

export interface PullResult {
  /** Absolute path of `snapshots/<commit>`: load the model from here. */
  folder: string;
  /** The commit sha the revision resolved to. */
  commit: string;
  /** The chosen files, relative POSIX paths inside `folder`: config, tokenizer files, weights (+ shards). */
  files: string[];
  /** The subset of `files` whose bytes were downloaded by this call. */
  downloaded: string[];
  weights: WeightsFormat;
  /** True when nothing was asked of the Hub (offline mode, or the Hub unreachable and the cache complete). */
  fromCache: boolean;
}

const HEX_ETAG = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

export async function pullModel(repoId: string, options: PullOptions = {}): Promise<PullResult> {
  const env = options.env ?? process.env;
  const ctx: HubContext = {
    endpoint: options.endpoint ? normalizeEndpoint(options.endpoint) : resolveEndpoint(env),
    token: normalizeToken(options.token),
    signal: options.signal,
    retry: { ...DEFAULT_RETRY, ...options.retry },
    log: (message) => options.onProgress?.({ type: 'log', message: scrub(message, ctx.token) }),
    repoId,
  };
  try {
    validateRepoId(repoId);
    const revision = validateRevision(options.revision ?? 'main');
    ctx.revision = revision;
    const cacheDir = options.cacheDir ?? resolveHubCacheDir(env);
    const tracker = new ProgressTracker(options.onProgress, options.progressIntervalMs);
    if (options.offline ?? isOfflineEnv(env)) return await pullFromCache(repoId, revision, cacheDir, tracker, true);
    const state = { listed: false };
    try {
      return await pullOnline(repoId, revision, cacheDir, ctx, tracker, state);
    } catch (err) {
      // Like transformers: when the Hub cannot be reached, a complete cached snapshot will do.
      if (!state.listed && isHubError(err, 'network')) {
        const cached = await pullFromCache(repoId, revision, cacheDir, tracker, false).catch(() => undefined);
        if (cached) {
          tracker.log(`the Hub could not be reached (${err.message}); using the cached snapshot ${cached.commit}`);
          return cached;
        }
      }
      throw err;
    }
  } catch (err) {
    throw toHubError(err, ctx);
  }
}

async function pullFromCache(repoId: string, revision: string, cacheDir: string, tracker: ProgressTracker, offlineMode: boolean): Promise<PullResult> {
  const snap = await resolveCachedSnapshot(cacheDir, repoId, revision);
  if (!snap) {
    throw new HubError(
      'offline',
      `${repoId} (revision ${revision}) is not in the cache at ${cacheDir}` +
        (offlineMode ? ' and offline mode is on (HF_HUB_OFFLINE=1): pull it once online, or set HF_HUB_CACHE / HF_HOME to a cache that has it' : ''),
      { repoId, revision },
    );
  }
  const listing = await listSnapshotFiles(snap.folder);
  let files: string[];
  let weights: WeightsFormat;
  try {
    const sel = selectClassifierFiles(listing, repoId);
    files = [...sel.files];
    weights = sel.weights;
    if (sel.index) {
      const indexText = await readFile(join(snap.folder, ...sel.index.split('/')), 'utf8');
      files.push(...shardsFromIndex(indexText, sel.index, listing, repoId));
    }
  } catch (err) {
    if (!isHubError(err, 'unsupported')) throw err;
    throw new HubError('offline', `the cached snapshot ${snap.folder} of ${repoId} is incomplete (${err.message}): pull it once online`, {
      repoId,
      revision,
      cause: err,
    });
  }
  for (const f of files) tracker.done(f, true);
  return { folder: snap.folder, commit: snap.commit, files, downloaded: [], weights, fromCache: true };
}

async function pullOnline(
  repoId: string,
  revision: string,
  cacheDir: string,
  ctx: HubContext,
  tracker: ProgressTracker,
  state: { listed: boolean },
): Promise<PullResult> {
  const hubFetch = createHubFetch(ctx);
  const info = await modelInfo({
    name: repoId,
    revision,
    additionalFields: ['sha', 'filePaths'],
    hubUrl: ctx.endpoint,
    fetch: hubFetch,
  });
  const commit = info.sha;
  if (typeof commit !== 'string' || !COMMIT_SHA.test(commit)) {
    throw new HubError('http', `${repoId} (revision ${revision}): the Hub answered an invalid commit sha ${JSON.stringify(commit)}`, { repoId, revision });
  }
  const listing = Array.isArray(info.filePaths) ? info.filePaths : [];
  // A listing with a name that could escape the cache is refused whole: the server is not to be trusted.
  for (const name of listing) assertSafeRepoPath(name, { repoId, where: 'listed' });
  const selection = selectClassifierFiles(listing, repoId);
  state.listed = true;

  const repoDir = repoCacheDir(cacheDir, repoId);
  await writeRef(repoDir, revision, commit);
  const downloaded: string[] = [];
  const files = [...selection.files];
  const ensure = async (wanted: string[]) => {
    const got = await ensureFiles(repoId, commit, repoDir, wanted, ctx, hubFetch, tracker);
    downloaded.push(...got);
  };
  if (selection.index) {
    await ensure([selection.index]);
    const indexText = await readFile(snapshotFile(repoDir, commit, selection.index), 'utf8');
    files.push(...shardsFromIndex(indexText, selection.index, listing, repoId));
  }
  await ensure(files.filter((f) => f !== selection.index));
  return { folder: snapshotDir(repoDir, commit), commit, files, downloaded, weights: selection.weights, fromCache: false };
}

interface Planned {
  file: string;
  etag: string;
  size: number;
  info: PathInfo;
  haveBlob: boolean;
}

/** Puts `files` into `snapshots/<commit>/`, downloading the blobs the cache lacks. Returns the downloaded ones. */
async function ensureFiles(
  repoId: string,
  commit: string,
  repoDir: string,
  files: string[],
  ctx: HubContext,
  hubFetch: typeof fetch,
  tracker: ProgressTracker,
): Promise<string[]> {
  const missing: string[] = [];
  for (const f of files) {
    if (await exists(snapshotFile(repoDir, commit, f))) tracker.done(f, true);
    else missing.push(f);
  }
  if (missing.length === 0) return [];
  const infos = await pathsInfo({ repo: { type: 'model', name: repoId }, paths: missing, revision: commit, hubUrl: ctx.endpoint, fetch: hubFetch });
  const byPath = new Map<string, PathInfo>();
  for (const info of infos) if (missing.includes(info.path)) byPath.set(info.path, info);
  const plan: Planned[] = [];
  for (const file of missing) {
    const info = byPath.get(file);
    if (!info || info.type !== 'file') {
      throw new HubError('not-found', `${repoId}: ${file} is listed but the Hub has no information about it at ${commit}: check the repo id and revision`, {
        repoId,
        file,
      });
    }
    const etag = (info.lfs?.oid ?? info.oid ?? '').toLowerCase();
    const size = info.lfs?.size ?? info.size;
    if (!HEX_ETAG.test(etag) || !Number.isSafeInteger(size) || size < 0) {
      throw new HubError('http', `${repoId}: the Hub answered an invalid oid or size for ${file}`, { repoId, file });
    }
    plan.push({ file, etag, size, info, haveBlob: await exists(blobPath(repoDir, etag)) });
  }
  for (const p of plan) if (!p.haveBlob) tracker.addFile(p.file, p.size);
  const downloaded: string[] = [];
  for (const p of plan) {
    if (ctx.signal?.aborted) break;
    if (!p.haveBlob) {
      const dest = blobPath(repoDir, p.etag);
      await mkdir(dirname(dest), { recursive: true });
      const url = `${ctx.endpoint}/${repoId}/resolve/${encodeURIComponent(commit)}/${encodeRepoPath(p.file)}`;
      const lfs = p.info.lfs;
      await downloadVerified(
        { file: p.file, url, size: p.size, dest, ...(lfs ? { sha256: lfs.oid } : { gitSha1: p.info.oid }) },
        ctx,
        createHubFetch(ctx, { file: p.file }),
        tracker,
      );
      downloaded.push(p.file);
    }
    await linkSnapshotFile(repoDir, commit, p.file, p.etag);
    tracker.done(p.file, p.haveBlob);
  }
  if (ctx.signal?.aborted) throw toHubError(new Error('aborted'), ctx);
  return downloaded;
}
