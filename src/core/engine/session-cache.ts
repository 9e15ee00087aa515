/**
 * An on-disk cache of ONNX Runtime's optimized form of the models the engine builds, so a session
 * for a graph seen before skips ONNX Runtime's graph optimizations (a fifth to a third of creating
 * a training session: 0.04 s for bert-mini, 0.15 s for bert-base; see README "Performance").
 *
 * - Where: `FINETUNE_SESSION_CACHE` if set (a folder, or `off`), else
 *   `$XDG_CACHE_HOME/finetune/sessions` or `~/.cache/finetune/sessions`.
 * - Keyed by: the SHA-256 of the model's ONNX bytes (the shapes, the options that built it and the
 *   code that built it are all in them), with onnxruntime-node's version, the optimization level,
 *   the platform and the CPU (model name and ISA flags: the optimized graph is specific to them).
 * - Invalidated: never stale, since any change in those makes another key; an entry ONNX Runtime
 *   cannot load is deleted and made again. The 32 most recently used entries are kept.
 * - Models over 16 MB (weights embedded: exported models) are not cached.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { cpus, homedir } from 'node:os';
import { join } from 'node:path';

const MAX_MODEL_BYTES = 16 * 1024 * 1024;
const KEEP = 32;

/** The cache folder: FINETUNE_SESSION_CACHE, else the user's cache folder; undefined when turned off. */
export function defaultSessionCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const set = env.FINETUNE_SESSION_CACHE;
  if (set === 'off' || set === '0' || set === 'false') return undefined;
  if (set) return set;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'finetune', 'sessions');
}

let cpuId: string | undefined;

/** What the optimized graph may depend on besides the model: the CPU's model name and ISA flags (Linux), or its model name. */
function cpuIdentity(): string {
  if (cpuId === undefined) {
    let flags = '';
    try {
      flags = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? '';
    } catch {
      // not Linux: the model name alone
    }
    cpuId = `${process.platform}-${process.arch}|${cpus()[0]?.model ?? ''}|${flags}`;
  }
  return cpuId;
}

export interface CacheEntry {
  /** The optimized model's file. */
  path: string;
  /** Whether it is there. */
  hit: boolean;
  /** Where to write it on a miss (then `commit`). */
  tmp: string;
  /** Moves the written file into place and trims the cache to its newest entries. */
  commit(): Promise<void>;
  /** Deletes an entry that could not be loaded. */
  discard(): Promise<void>;
}

/** The cache entry of `model` under `dir` (made when missing), or undefined for a model too big to cache or a folder that cannot be made. */
export async function sessionCacheEntry(model: Uint8Array, dir: string, context: Readonly<Record<string, string>>): Promise<CacheEntry | undefined> {
  if (model.byteLength > MAX_MODEL_BYTES) return undefined;
  try {
    await mkdir(dir, { recursive: true });
  } catch {
    return undefined;
  }
  const key = createHash('sha256')
    .update(model)
    .update(JSON.stringify({ ...context, cpu: cpuIdentity() }))
    .digest('hex');
  const path = join(dir, `${key}.onnx`);
  const tmp = join(dir, `.${key}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let hit = false;
  try {
    hit = (await stat(path)).isFile();
    const now = new Date();
    await utimes(path, now, now); // most recently used
  } catch {
    hit = false;
  }
  return {
    path,
    hit,
    tmp,
    async commit() {
      try {
        await rename(tmp, path);
        await trim(dir);
      } catch {
        await rm(tmp, { force: true }).catch(() => undefined);
      }
    },
    async discard() {
      await rm(path, { force: true }).catch(() => undefined);
    },
  };
}

/** Keeps the KEEP most recently used entries. */
async function trim(dir: string): Promise<void> {
  const names = (await readdir(dir)).filter((n) => /^[0-9a-f]{64}\.onnx$/.test(n));
  if (names.length <= KEEP) return;
  const dated = await Promise.all(names.map(async (n) => ({ n, t: (await stat(join(dir, n)).catch(() => undefined))?.mtimeMs ?? 0 })));
  dated.sort((a, b) => b.t - a.t);
  for (const { n } of dated.slice(KEEP)) await rm(join(dir, n), { force: true }).catch(() => undefined);
}
