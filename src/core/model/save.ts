/**
 * Writing a model folder in the layout `save_pretrained` writes (config.json, model.safetensors,
 * tokenizer files, README.md model card, optional extra files such as onnx/), atomically: the
 * folder is written beside the target under a temporary name and renamed into place, so a crash
 * never leaves a half-written model where a good one stood.
 */
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { HostTensor } from '../engine/tensor.js';
import { serializeSafetensors } from './checkpoint/index.js';
import type { ModelConfig } from './config.js';
import { toHfConfig } from './hf-config.js';
import type { Weights } from './params.js';

export interface SaveOptions {
  config: ModelConfig;
  weights: Weights;
  /** Extra files by relative path (tokenizer files, README.md, onnx/model.onnx, ...). */
  files?: Record<string, string | Uint8Array>;
}

function checkRelative(rel: string): void {
  if (rel.split(/[\\/]/).some((part) => part === '..' || part === '') || rel.startsWith('/')) throw new Error(`refusing to write outside the folder: ${rel}`);
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes `files` into a fresh folder beside `dir`, then swaps it in: the old folder (if any) is
 * renamed away first and removed once the new one is in place.
 */
export async function writeFolderAtomic(dir: string, files: Record<string, string | Uint8Array>): Promise<void> {
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const tmp = join(parent, `.${basename(dir)}.tmp-${tag}`);
  const old = join(parent, `.${basename(dir)}.old-${tag}`);
  try {
    for (const [rel, content] of Object.entries(files)) {
      checkRelative(rel);
      const path = join(tmp, rel);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, content);
    }
    const hadOld = await exists(dir);
    if (hadOld) await rename(dir, old);
    await rename(tmp, dir);
    if (hadOld) await rm(old, { recursive: true, force: true });
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Writes files into an existing folder that holds other things too (a run's output_dir with its
 * checkpoints): every file is first written under a temporary name, and only when all are on
 * disk are they renamed over the old ones, so a crash mid-write leaves the previous model whole.
 */
export async function writeFilesInto(dir: string, files: Record<string, string | Uint8Array>): Promise<void> {
  const tag = `.tmp-${process.pid}-${Date.now().toString(36)}`;
  const staged: [string, string][] = [];
  try {
    for (const [rel, content] of Object.entries(files)) {
      checkRelative(rel);
      const path = join(dir, rel);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path + tag, content);
      staged.push([path + tag, path]);
    }
    for (const [from, to] of staged) await rename(from, to);
  } catch (e) {
    for (const [from] of staged) await rm(from, { force: true });
    throw e;
  }
}

export function weightsRecord(weights: Weights): Record<string, HostTensor> {
  return Object.fromEntries(weights);
}

/** The files of a model folder: config.json, model.safetensors and the extra files. */
export function modelFolderFiles(opts: SaveOptions): Record<string, string | Uint8Array> {
  return {
    'config.json': `${JSON.stringify(toHfConfig(opts.config), null, 2)}\n`,
    'model.safetensors': serializeSafetensors(weightsRecord(opts.weights), { format: 'pt' }),
    ...opts.files,
  };
}

/** config.json + model.safetensors + extra files, written atomically into `dir` (replacing it). */
export async function saveModel(dir: string, opts: SaveOptions): Promise<void> {
  await writeFolderAtomic(dir, modelFolderFiles(opts));
}
