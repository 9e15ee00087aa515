/**
 * Checkpoint formats: safetensors (single and sharded) read and write, PyTorch zip checkpoints
 * (single and sharded) read through a safe, allowlisted unpickler, and `loadCheckpoint(dir)`,
 * which picks the file a Hugging Face model folder holds, in the order `transformers` prefers.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostTensor } from '../../engine/tensor.js';
import type { ReadOptions } from './elements.js';
import { fail } from './errors.js';
import { readPytorchCheckpoint, readShardedPytorch } from './pytorch.js';
import { readSafetensors, readShardedSafetensors } from './safetensors.js';

export { CheckpointError } from './errors.js';
export { type ElementKind, type ReadOptions, bfloat16ToFloat32, halfToFloat32 } from './elements.js';
export {
  type SafetensorsEntry,
  type SafetensorsHeader,
  type TensorSet,
  SafetensorsFile,
  parseSafetensors,
  parseSafetensorsHeader,
  readSafetensors,
  readShardedSafetensors,
  serializeSafetensors,
  writeSafetensors,
} from './safetensors.js';
export { readPytorchCheckpoint, readShardedPytorch } from './pytorch.js';
export { type ShardIndex, parseShardIndex, readShardIndex } from './shards.js';

export type CheckpointFormat = 'safetensors' | 'safetensors-sharded' | 'pytorch' | 'pytorch-sharded';

/** The files `loadCheckpoint` looks for, in order of preference. */
export const CHECKPOINT_FILES: readonly { readonly file: string; readonly format: CheckpointFormat }[] = [
  { file: 'model.safetensors', format: 'safetensors' },
  { file: 'model.safetensors.index.json', format: 'safetensors-sharded' },
  { file: 'pytorch_model.bin', format: 'pytorch' },
  { file: 'pytorch_model.bin.index.json', format: 'pytorch-sharded' },
];

export interface FoundCheckpoint {
  readonly format: CheckpointFormat;
  readonly path: string;
}

/** The checkpoint file in `dir`, by preference, or undefined when there is none. */
export async function findCheckpoint(dir: string): Promise<FoundCheckpoint | undefined> {
  try {
    if (!(await stat(dir)).isDirectory()) throw fail(dir, 'is not a folder');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw fail(dir, 'checkpoint folder does not exist', e);
    throw e;
  }
  for (const { file, format } of CHECKPOINT_FILES) {
    const path = join(dir, file);
    try {
      if ((await stat(path)).isFile()) return { format, path };
    } catch {
      // not there: try the next
    }
  }
  return undefined;
}

/** Read the checkpoint `find` chose. */
export async function readCheckpointFile(found: FoundCheckpoint, options: ReadOptions): Promise<Map<string, HostTensor>> {
  switch (found.format) {
    case 'safetensors':
      return readSafetensors(found.path, options);
    case 'safetensors-sharded':
      return readShardedSafetensors(found.path, options);
    case 'pytorch':
      return readPytorchCheckpoint(found.path, options);
    case 'pytorch-sharded':
      return readShardedPytorch(found.path, options);
  }
}

/**
 * Load the weights of a Hugging Face model folder: `model.safetensors`, else
 * `model.safetensors.index.json`, else `pytorch_model.bin`, else `pytorch_model.bin.index.json`.
 * Floating tensors come back as float32 (pass `{toFloat32: false}` to keep float16 / float64).
 */
export async function loadCheckpoint(dir: string, options: ReadOptions = { toFloat32: true }): Promise<Map<string, HostTensor>> {
  const found = await findCheckpoint(dir);
  if (!found) {
    throw fail(dir, `no checkpoint in this folder: looked for ${CHECKPOINT_FILES.map((f) => f.file).join(', ')}`);
  }
  return readCheckpointFile(found, options);
}
