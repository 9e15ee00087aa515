/**
 * Sharded checkpoints: `model.safetensors.index.json` / `pytorch_model.bin.index.json`, whose
 * `weight_map` names, for every tensor, the shard file (beside the index) that holds it.
 */
import { readFile } from 'node:fs/promises';
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
