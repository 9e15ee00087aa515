/**
 * Finding models: a Hub search (`listModels`, filtered to the tasks a text classifier starts from,
 * most downloaded first) and the models already in the Hugging Face cache (what works offline).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { listModels } from '@huggingface/hub';
import { HubError } from './errors.js';
import { isOfflineEnv, normalizeEndpoint, resolveEndpoint, type HubEnv } from './env.js';
import { createHubFetch, DEFAULT_RETRY, normalizeToken, toHubError, type HubContext, type RetryOptions } from './http.js';
import { readRef, snapshotDir } from './cache.js';

/** The Hub tasks a sequence classifier can start from: a classifier as it is, or an encoder's masked-LM checkpoint. */
export const CLASSIFIER_TASKS = ['text-classification', 'fill-mask'] as const;

export interface HubModelHit {
  /** The repo id, e.g. `distilbert/distilbert-base-uncased-finetuned-sst-2-english`. */
  id: string;
  task?: string;
  downloads: number;
  likes: number;
  private: boolean;
  gated: boolean;
}

export interface SearchModelsOptions {
  /** Hub base URL (default: HF_ENDPOINT, else https://huggingface.co). */
  endpoint?: string;
  token?: string;
  /** Tasks to search (default: text-classification and fill-mask); each is one listing. */
  tasks?: readonly string[];
  /** At most this many hits (default 20). */
  limit?: number;
  signal?: AbortSignal;
  /** Default: one retry, so that a search typed into a box answers fast. */
  retry?: RetryOptions;
  /** Refuse at once (default: HF_HUB_OFFLINE). */
  offline?: boolean;
  env?: HubEnv;
}

/** Models whose id contains `query`, for the `tasks`, most downloaded first. */
export async function searchModels(query: string, options: SearchModelsOptions = {}): Promise<HubModelHit[]> {
  const env = options.env ?? process.env;
  const ctx: HubContext = {
    endpoint: options.endpoint ? normalizeEndpoint(options.endpoint) : resolveEndpoint(env),
    token: normalizeToken(options.token),
    signal: options.signal,
    retry: { ...DEFAULT_RETRY, maxRetries: 1, ...options.retry },
    log: () => undefined,
  };
  if (options.offline ?? isOfflineEnv(env)) throw new HubError('offline', 'offline mode is on (HF_HUB_OFFLINE=1): the Hub is not searched');
  const limit = options.limit ?? 20;
  const hits = new Map<string, HubModelHit>();
  try {
    for (const task of options.tasks ?? CLASSIFIER_TASKS) {
      const listing = listModels({
        search: { query: query.trim(), task: task as never },
        sort: 'downloads',
        limit,
        hubUrl: ctx.endpoint,
        fetch: createHubFetch(ctx),
      });
      for await (const m of listing) {
        if (!hits.has(m.name))
          hits.set(m.name, {
            id: m.name,
            ...(m.task ? { task: m.task } : {}),
            downloads: m.downloads ?? 0,
            likes: m.likes ?? 0,
            private: !!m.private,
            gated: !!m.gated,
          });
      }
    }
  } catch (err) {
    throw toHubError(err, ctx);
  }
  return [...hits.values()].sort((a, b) => b.downloads - a.downloads || a.id.localeCompare(b.id)).slice(0, limit);
}

export interface CachedModel {
  repoId: string;
  /** The snapshot folder `refs/main` points at (holds config.json). */
  folder: string;
  commit: string;
  /** When the snapshot folder was last written (ms since the epoch). */
  modified: number;
}

/** The repo id of a cache folder name (`models--org--name` → `org/name`), or undefined for another kind. */
export function repoIdOfCacheFolder(name: string): string | undefined {
  if (!name.startsWith('models--')) return undefined;
  const parts = name.slice('models--'.length).split('--');
  return parts.length >= 1 && parts.every((p) => p !== '') ? parts.join('/') : undefined;
}

/** The models in a Hugging Face cache whose `main` snapshot has a config.json, newest first. */
export async function listCachedModels(cacheDir: string): Promise<CachedModel[]> {
  let names: string[];
  try {
    names = await readdir(cacheDir);
  } catch {
    return [];
  }
  const out: CachedModel[] = [];
  for (const name of names) {
    const repoId = repoIdOfCacheFolder(name);
    if (!repoId) continue;
    const repoDir = join(cacheDir, name);
    const commit = await readRef(repoDir, 'main');
    if (!commit) continue;
    const folder = snapshotDir(repoDir, commit);
    try {
      const s = await stat(join(folder, 'config.json'));
      out.push({ repoId, folder, commit, modified: s.mtimeMs });
    } catch {
      // no config.json: not a model we can load
    }
  }
  return out.sort((a, b) => b.modified - a.modified || a.repoId.localeCompare(b.repoId));
}
