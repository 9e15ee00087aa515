/**
 * Which files of a model repo a text classifier needs: `config.json`, the tokenizer files, and one
 * set of PyTorch weights, in the order transformers prefers them. TF, Flax, ONNX, Rust and other
 * files are never chosen.
 */
import { HubError } from './errors.js';
import { assertSafeRepoPath } from './paths.js';

export const CONFIG_FILE = 'config.json';

export const TOKENIZER_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'vocab.txt',
  'vocab.json',
  'merges.txt',
  'sentencepiece.bpe.model',
  'added_tokens.json',
] as const;

export type WeightsFormat = 'safetensors' | 'safetensors-sharded' | 'pytorch' | 'pytorch-sharded';

export const WEIGHTS_CANDIDATES: readonly { format: WeightsFormat; file: string; shardExt?: string }[] = [
  { format: 'safetensors', file: 'model.safetensors' },
  { format: 'safetensors-sharded', file: 'model.safetensors.index.json', shardExt: '.safetensors' },
  { format: 'pytorch', file: 'pytorch_model.bin' },
  { format: 'pytorch-sharded', file: 'pytorch_model.bin.index.json', shardExt: '.bin' },
];

export interface FileSelection {
  /** Files to fetch first (shards, when sharded, are added from the index by `shardsFromIndex`). */
  files: string[];
  weights: WeightsFormat;
  /** The sharded index, when the weights are sharded. */
  index?: string;
}

/**
 * Picks the files from a repo listing (root-level names only). Throws an `unsupported` HubError when
 * there is no config.json or no usable weights.
 */
export function selectClassifierFiles(listing: readonly string[], repoId?: string): FileSelection {
  const names = new Set(listing);
  if (!names.has(CONFIG_FILE)) {
    throw new HubError('unsupported', `${repoId ?? 'the repo'} has no config.json: it is not a transformers model`, { repoId });
  }
  const weights = WEIGHTS_CANDIDATES.find((c) => names.has(c.file));
  if (!weights) {
    throw new HubError(
      'unsupported',
      `${repoId ?? 'the repo'} has no PyTorch weights (model.safetensors, pytorch_model.bin or a sharded index): ` +
        'TensorFlow, Flax and ONNX-only checkpoints cannot be fine-tuned here',
      { repoId },
    );
  }
  const files = [CONFIG_FILE, ...TOKENIZER_FILES.filter((f) => names.has(f)), weights.file];
  return weights.shardExt ? { files, weights: weights.format, index: weights.file } : { files, weights: weights.format };
}

/**
 * The shard files named by a sharded index (`weight_map` values), checked: each must be a safe
 * relative name with the index's weight extension and present in the repo listing.
 */
export function shardsFromIndex(indexText: string, indexFile: string, listing: readonly string[], repoId?: string): string[] {
  const ext = WEIGHTS_CANDIDATES.find((c) => c.file === indexFile)?.shardExt;
  let json: unknown;
  try {
    json = JSON.parse(indexText);
  } catch (err) {
    throw new HubError('unsupported', `${indexFile} in ${repoId ?? 'the repo'} is not JSON`, { repoId, file: indexFile, cause: err });
  }
  const map = (json as { weight_map?: unknown } | null)?.weight_map;
  if (!map || typeof map !== 'object' || Array.isArray(map)) {
    throw new HubError('unsupported', `${indexFile} in ${repoId ?? 'the repo'} has no weight_map`, { repoId, file: indexFile });
  }
  const present = new Set(listing);
  const shards = new Set<string>();
  for (const value of Object.values(map as Record<string, unknown>)) {
    if (typeof value !== 'string') {
      throw new HubError('unsupported', `${indexFile} in ${repoId ?? 'the repo'}: weight_map values must be file names`, { repoId, file: indexFile });
    }
    shards.add(value);
  }
  for (const shard of shards) {
    assertSafeRepoPath(shard, { repoId, where: `${indexFile} shard` });
    if (ext && !shard.endsWith(ext)) {
      throw new HubError('unsupported', `${indexFile} in ${repoId ?? 'the repo'} names shard ${JSON.stringify(shard)}, which is not a ${ext} file`, {
        repoId,
        file: shard,
      });
    }
    if (!present.has(shard)) {
      throw new HubError('unsupported', `${indexFile} in ${repoId ?? 'the repo'} names shard ${shard}, which is not in the repo`, {
        repoId,
        file: shard,
      });
    }
  }
  if (shards.size === 0) {
    throw new HubError('unsupported', `${indexFile} in ${repoId ?? 'the repo'} names no shards`, { repoId, file: indexFile });
  }
  return [...shards].sort();
}
