/**
 * Sharded checkpoints: `model.safetensors.index.json` / `pytorch_model.bin.index.json`, whose
 * `weight_map` names, for every tensor, the shard file (beside the index) that holds it.
 */
import { access, readFile } from 'node:fs/promises';
import type { HostTensor } from '../../engine/tensor.js';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { fail } from './errors.js';

export interface ShardIndex {
  /** The index file's `metadata` object (e.g. `total_size`), if any. */
  readonly metadata: Readonly<Record<string, unknown>> | undefined;
  /** Tensor name -> shard file name, as written in the index. */
  readonly weightMap: ReadonlyMap<string, string>;
  /** Shard path (joined onto the index's folder) -> the tensor names the index puts in it, in index order. */
  readonly shards: ReadonlyMap<string, readonly string[]>;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parse a shard index's text. Shard names must stay inside the index's folder. */
export function parseShardIndex(indexPath: string, text: string): ShardIndex {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw fail(indexPath, `shard index is not valid JSON (${(e as Error).message})`, e);
  }
  if (!isPlainObject(json)) throw fail(indexPath, 'shard index is not a JSON object');
  const wm = json['weight_map'];
  if (!isPlainObject(wm)) throw fail(indexPath, 'shard index has no "weight_map" object');
  const md = json['metadata'];
  if (md !== undefined && !isPlainObject(md)) throw fail(indexPath, 'shard index "metadata" is not an object');
  const dir = dirname(indexPath);
  const weightMap = new Map<string, string>();
  const shards = new Map<string, string[]>();
  for (const [name, shard] of Object.entries(wm)) {
    if (typeof shard !== 'string' || shard === '') {
      throw fail(indexPath, `weight_map entry "${name}" is not a file name`);
    }
    const rel = normalize(shard);
    if (isAbsolute(shard) || rel === '..' || rel.startsWith(`..${sep}`) || rel.startsWith('../')) {
      throw fail(indexPath, `weight_map entry "${name}" points outside the checkpoint folder: "${shard}"`);
    }
    weightMap.set(name, shard);
    const path = join(dir, rel);
    let names = shards.get(path);
    if (!names) shards.set(path, (names = []));
    names.push(name);
  }
  if (weightMap.size === 0) throw fail(indexPath, 'shard index has an empty "weight_map"');
  return { metadata: md, weightMap, shards };
}

export async function readShardIndex(indexPath: string): Promise<ShardIndex> {
  let text: string;
  try {
    text = await readFile(indexPath, 'utf8');
  } catch (e) {
    throw fail(indexPath, `cannot read shard index (${(e as Error).message})`, e);
  }
  return parseShardIndex(indexPath, text);
}

/**
 * Reads every tensor an index's weight_map names from the shard it names: `readShard(shard,
 * names)` returns that shard's tensors (it may read just those names). A missing shard, or a shard
 * that lacks a tensor the map puts there, is an error naming the index.
 */
export async function readShards(
  indexPath: string,
  readShard: (shard: string, names: readonly string[]) => Promise<ReadonlyMap<string, HostTensor>>,
): Promise<Map<string, HostTensor>> {
  const index = await readShardIndex(indexPath);
  const out = new Map<string, HostTensor>();
  for (const [shard, names] of index.shards) {
    try {
      await access(shard);
    } catch (e) {
      throw fail(indexPath, `shard "${shard}" named in the weight_map is missing`, e);
    }
    const tensors = await readShard(shard, names);
    for (const name of names) {
      const t = tensors.get(name);
      if (!t) throw fail(indexPath, `weight_map puts tensor "${name}" in "${shard}", which does not hold it`);
      out.set(name, t);
    }
  }
  return out;
}
