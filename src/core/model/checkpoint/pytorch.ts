/**
 * `pytorch_model.bin` in PyTorch's zip format (torch.save since 1.6):
 *
 *   <archive>/data.pkl       the state dict, pickled; each tensor a `_rebuild_tensor_v2` call whose
 *                            storage is a persistent id ('storage', torch.FloatStorage, key, location, numel)
 *   <archive>/data/<key>     each storage's raw bytes
 *   <archive>/byteorder      "little" (absent in old files: little) or "big"
 *   <archive>/version        format version
 *
 * The pickle is read with the project's own safe unpickler and an ALLOWLIST of globals (tensor
 * rebuild functions, storage types, OrderedDict): anything else is refused before it could mean
 * anything, so a checkpoint can never run code. Views (storage offset, strides) are made
 * contiguous; shared storages (tied weights) are read once.
 */
import { open } from 'node:fs/promises';
import type { HostTensor } from '../../engine/tensor.js';
import { type ElementKind, type ReadOptions, ELEMENT_SIZE, byteSwap, decodeElements } from './elements.js';
import { CheckpointError, fail } from './errors.js';
import { PyDict, PyTuple, unpickle } from './pickle.js';
import { readShards } from './shards.js';
import { type ZipEntry, ZipReader } from './zip.js';

export type { ReadOptions } from './elements.js';

const STORAGE_KINDS: Readonly<Record<string, ElementKind>> = {
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  DoubleStorage: 'F64',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

class StorageType {
  constructor(
    readonly name: string,
    readonly kind: ElementKind,
  ) {}
}

/** The allowlisted callables and classes; each a marker the reduce hook dispatches on. */
type Marker =
  | 'torch._utils._rebuild_tensor_v2'
  | 'torch._utils._rebuild_parameter'
  | 'torch._utils._rebuild_parameter_with_state'
  | 'torch._tensor._rebuild_from_type_v2'
  | 'collections.OrderedDict'
  | 'torch.Tensor'
  | 'torch.nn.parameter.Parameter';

class Global {
  constructor(readonly name: Marker) {}
}

const ALLOWED: ReadonlySet<string> = new Set<Marker>([
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state',
  'torch._tensor._rebuild_from_type_v2',
  'collections.OrderedDict',
  'torch.Tensor',
  'torch.nn.parameter.Parameter',
]);

class StorageRef {
  constructor(
    readonly key: string,
    readonly kind: ElementKind,
    readonly numel: number,
  ) {}
}

interface TensorRef {
  readonly storage: StorageRef;
  readonly offset: number;
  readonly size: readonly number[];
  readonly stride: readonly number[];
}

class Tensor implements TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly size: readonly number[],
    readonly stride: readonly number[],
  ) {}
}

/** The legacy (pre-1.6, non-zip) format starts with a pickled magic number 0x1950a86a20f9469cfc6c. */
const LEGACY_MAGIC = Uint8Array.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]);

function describe(v: unknown): string {
  if (v === null) return 'None';
  if (v instanceof PyDict) return 'dict';
  if (v instanceof PyTuple) return 'tuple';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof Global) return v.name;
  if (v instanceof StorageType) return `torch.${v.name}`;
  return typeof v === 'string' ? 'str' : typeof v === 'number' || typeof v === 'bigint' ? 'number' : typeof v;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** The hooks that give the unpickler its allowlist. */
function torchHooks(file: string, member: string) {
  const storages = new Map<string, StorageRef>();
  const bad = (what: string) => fail(file, `${member}: ${what}`);
  const intTuple = (v: unknown, what: string): number[] => {
    if (!(v instanceof PyTuple) || !v.items.every(isCount)) throw bad(`${what} is not a tuple of non-negative integers`);
    return v.items as number[];
  };
  const asTensor = (v: unknown, what: string): Tensor => {
    if (!(v instanceof Tensor)) throw bad(`${what} expects a tensor, got ${describe(v)}`);
    return v;
  };
  const reduce = (fn: unknown, args: readonly unknown[]): unknown => {
    if (!(fn instanceof Global)) throw bad(`REDUCE on ${describe(fn)}, which is not callable here`);
    switch (fn.name) {
      case 'collections.OrderedDict': {
        const d = new PyDict();
        const init = args[0];
        if (Array.isArray(init)) {
          for (const pair of init) {
            if (!(pair instanceof PyTuple) || pair.items.length !== 2) throw bad('OrderedDict items are not pairs');
            d.map.set(pair.items[0], pair.items[1]);
          }
        } else if (args.length > 0) {
          throw bad(`OrderedDict called with ${describe(init)}`);
        }
        return d;
      }
      case 'torch._utils._rebuild_tensor_v2': {
        const [storage, offset, size, stride] = args;
        if (!(storage instanceof StorageRef)) throw bad(`_rebuild_tensor_v2 expects a storage, got ${describe(storage)}`);
        if (!isCount(offset)) throw bad('_rebuild_tensor_v2 storage offset is not a non-negative integer');
        const sz = intTuple(size, '_rebuild_tensor_v2 size');
        const st = intTuple(stride, '_rebuild_tensor_v2 stride');
        if (sz.length !== st.length) throw bad('_rebuild_tensor_v2 size and stride differ in length');
        return new Tensor(storage, offset, sz, st);
      }
      case 'torch._utils._rebuild_parameter':
      case 'torch._utils._rebuild_parameter_with_state':
        return asTensor(args[0], fn.name);
      case 'torch._tensor._rebuild_from_type_v2': {
        const [func, type, fargs] = args;
        if (!(type instanceof Global) || (type.name !== 'torch.Tensor' && type.name !== 'torch.nn.parameter.Parameter')) {
          throw bad(`_rebuild_from_type_v2 for type ${describe(type)}, which is not a tensor type`);
        }
        if (!(fargs instanceof PyTuple)) throw bad('_rebuild_from_type_v2 arguments are not a tuple');
        return asTensor(reduce(func, fargs.items), fn.name);
      }
      case 'torch.Tensor':
      case 'torch.nn.parameter.Parameter':
        throw bad(`${fn.name} cannot be called here`);
    }
  };
  return {
    findGlobal(module: string, name: string): unknown {
      const full = `${module}.${name}`;
      if (module === 'torch' && Object.prototype.hasOwnProperty.call(STORAGE_KINDS, name)) {
        return new StorageType(name, STORAGE_KINDS[name] as ElementKind);
      }
      if (ALLOWED.has(full)) return new Global(full as Marker);
      throw new CheckpointError(file, `refusing to load: ${file} references ${full}, which is not a tensor; convert the checkpoint to safetensors`);
    },
    reduce,
    persistentLoad(pid: unknown): unknown {
      if (!(pid instanceof PyTuple) || pid.items[0] !== 'storage' || pid.items.length !== 5) {
        throw bad('persistent id is not a storage reference');
      }
      const [, type, key, , numel] = pid.items;
      if (!(type instanceof StorageType)) throw bad(`storage of type ${describe(type)}, which is not a tensor storage`);
      if (typeof key !== 'string' || !isCount(numel)) throw bad('malformed storage reference');
      const seen = storages.get(key);
      if (seen) {
        if (seen.kind !== type.kind) throw bad(`storage "${key}" is referenced as both ${seen.kind} and ${type.kind}`);
        return seen;
      }
      const ref = new StorageRef(key, type.kind, numel);
      storages.set(key, ref);
      return ref;
    },
  };
}

/** Copy a (possibly strided) view out of its storage into fresh contiguous bytes. */
function gather(storage: Uint8Array, t: TensorRef, size: number): Uint8Array {
  const n = t.size.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(n * size);
  if (n === 0) return out;
  // Move whole elements as 1, 2 or 4-byte words (8-byte elements as two words: no float NaN rewriting).
  const unit = size >= 4 ? 4 : size;
  const w = size / unit;
  const Ctor = unit === 4 ? Uint32Array : unit === 2 ? Uint16Array : Uint8Array;
  const src = new Ctor(storage.buffer as ArrayBuffer, storage.byteOffset, storage.byteLength / unit);
  const dst = new Ctor(out.buffer);
  const rank = t.size.length;
  const idx = new Array<number>(rank).fill(0);
  let at = t.offset;
  const lastSize = rank > 0 ? (t.size[rank - 1] as number) : 1;
  const lastStride = rank > 0 ? (t.stride[rank - 1] as number) : 0;
  let o = 0;
  for (;;) {
    for (let j = 0, p = at; j < lastSize; j++, p += lastStride) {
      for (let k = 0; k < w; k++) dst[o++] = src[p * w + k] as number;
    }
    // Advance the odometer over all but the last dimension.
    let d = rank - 2;
    for (; d >= 0; d--) {
      const i = (idx[d] as number) + 1;
      if (i < (t.size[d] as number)) {
        idx[d] = i;
        at += t.stride[d] as number;
        break;
      }
      idx[d] = 0;
      at -= ((t.size[d] as number) - 1) * (t.stride[d] as number);
    }
    if (d < 0) return out;
  }
}

function isContiguous(t: TensorRef): boolean {
  let expected = 1;
  for (let d = t.size.length - 1; d >= 0; d--) {
    const s = t.size[d] as number;
    if (s !== 1 && t.stride[d] !== expected) return false;
    expected *= s;
  }
  return true;
}

async function sniff(path: string): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw fail(path, `cannot open PyTorch checkpoint (${(e as Error).message})`, e);
  }
  try {
    const head = new Uint8Array(LEGACY_MAGIC.length);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Refuses what is not a torch.save zip archive, saying what it is instead. */
function checkZipHead(path: string, head: Uint8Array): void {
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return;
  if (head.length === LEGACY_MAGIC.length && head.every((b, i) => b === LEGACY_MAGIC[i])) {
    throw fail(
      path,
      'this is the legacy (pre-1.6, non-zip) PyTorch format, which is not supported: re-save it with a current PyTorch (torch.save) or convert it to safetensors',
    );
  }
  if (head[0] === 0x80) {
    throw fail(path, 'this is a bare pickle, not a PyTorch zip checkpoint: re-save it with a current PyTorch (torch.save) or convert it to safetensors');
  }
  if (head.length === 0) throw fail(path, 'the file is empty');
  if (new TextDecoder('latin1').decode(head.subarray(0, 8)) === 'version ') {
    throw fail(path, 'this is a Git LFS pointer file, not the weights: fetch the real file (e.g. `git lfs pull`)');
  }
  if (head.length < 4) throw fail(path, `the file is too short (${head.length} bytes) to be a PyTorch checkpoint (truncated?)`);
  throw fail(path, 'not a PyTorch checkpoint (not a zip archive)');
}

/** The archive's <prefix>/data.pkl and its byte order. */
async function findPickle(path: string, zip: ZipReader): Promise<{ pkl: ZipEntry; prefix: string; bigEndian: boolean }> {
  let pkl: ZipEntry | undefined;
  let prefix = '';
  for (const e of zip.entries.values()) {
    const m = /^([^/]+)\/data\.pkl$/.exec(e.name);
    if (m) {
      if (pkl) throw fail(path, `the archive holds two pickles ("${pkl.name}", "${e.name}")`);
      pkl = e;
      prefix = m[1] as string;
    }
  }
  if (!pkl) throw fail(path, 'the zip archive has no <archive>/data.pkl: not a PyTorch (torch.save) checkpoint');
  let bigEndian = false;
  const bo = zip.entries.get(`${prefix}/byteorder`);
  if (bo) {
    const order = new TextDecoder().decode(await zip.read(bo)).trim();
    if (order !== 'little' && order !== 'big') throw fail(path, `unknown byteorder "${order}"`);
    bigEndian = order === 'big';
  }
  return { pkl, prefix, bigEndian };
}

/** The state dict's (name, tensor) pairs, refusing anything else in the pickle. */
function stateDictItems(path: string, member: string, root: unknown): [string, Tensor][] {
  if (!(root instanceof PyDict)) throw fail(path, `${member} holds a ${describe(root)}, not a state dict`);
  const items: [string, Tensor][] = [];
  for (const [k, v] of root.map) {
    if (typeof k !== 'string') throw fail(path, `state dict key ${String(k)} is not a string`);
    if (!(v instanceof Tensor)) throw fail(path, `state dict entry "${k}" is a ${describe(v)}, not a tensor`);
    items.push([k, v]);
  }
  return items;
}

/** A tensor's view must stay inside its storage. */
function checkBounds(path: string, name: string, t: Tensor, numel: number): void {
  if (t.size.reduce((a, b) => a * b, 1) === 0) return;
  let last = t.offset;
  for (let d = 0; d < t.size.length; d++) last += ((t.size[d] as number) - 1) * (t.stride[d] as number);
  if (last >= numel) {
    throw fail(
      path,
      `tensor "${name}" (size [${t.size.join(', ')}], stride [${t.stride.join(', ')}], offset ${t.offset}) reaches past its storage of ${numel} elements`,
    );
  }
}

/** Reads each storage once and drops it after its last tensor. */
class StorageCache {
  private readonly uses = new Map<string, number>();
  private readonly cache = new Map<string, Uint8Array>();
  constructor(
    private readonly path: string,
    private readonly zip: ZipReader,
    private readonly prefix: string,
    private readonly bigEndian: boolean,
    items: [string, Tensor][],
  ) {
    for (const [, t] of items) this.uses.set(t.storage.key, (this.uses.get(t.storage.key) ?? 0) + 1);
  }

  /** The storage's bytes, and how many tensors still need them after this one. */
  async take(name: string, t: Tensor): Promise<{ bytes: Uint8Array; remaining: number }> {
    const { key, kind, numel } = t.storage;
    const size = ELEMENT_SIZE[kind];
    let bytes = this.cache.get(key);
    if (!bytes) {
      const entry = this.zip.entries.get(`${this.prefix}/data/${key}`);
      if (!entry) throw fail(this.path, `storage "${key}" of tensor "${name}" is missing from the archive (${this.prefix}/data/${key})`);
      if (entry.size < numel * size) throw fail(this.path, `storage "${key}" has ${entry.size} bytes, ${numel} ${kind} elements need ${numel * size}`);
      bytes = await this.zip.read(entry);
      if (bytes.byteLength !== numel * size) bytes = bytes.subarray(0, numel * size);
      if (this.bigEndian) byteSwap(bytes, size);
      this.cache.set(key, bytes);
    }
    const remaining = (this.uses.get(key) as number) - 1;
    this.uses.set(key, remaining);
    if (remaining === 0) this.cache.delete(key);
    return { bytes, remaining };
  }
}

/** Read a `torch.save` zip checkpoint (a state dict: names -> tensors). */
export async function readPytorchCheckpoint(path: string, options: ReadOptions = {}): Promise<Map<string, HostTensor>> {
  checkZipHead(path, await sniff(path));
  const zip = await ZipReader.open(path, 'PyTorch checkpoint');
  try {
    const { pkl, prefix, bigEndian } = await findPickle(path, zip);
    const items = stateDictItems(path, pkl.name, unpickle(await zip.read(pkl), torchHooks(path, pkl.name), path, pkl.name));
    const storages = new StorageCache(path, zip, prefix, bigEndian, items);
    const out = new Map<string, HostTensor>();
    for (const [name, t] of items) {
      const size = ELEMENT_SIZE[t.storage.kind];
      const { bytes, remaining } = await storages.take(name, t);
      checkBounds(path, name, t, t.storage.numel);
      const n = t.size.reduce((a, b) => a * b, 1);
      let data: Uint8Array;
      if (isContiguous(t)) {
        const view = bytes.subarray(t.offset * size, (t.offset + n) * size);
        // Sole user of the whole storage: hand the buffer over; otherwise copy (no aliasing between tensors).
        data = remaining === 0 && view.byteLength === bytes.byteLength ? view : view.slice();
      } else {
        data = gather(bytes, t, size);
      }
      out.set(name, decodeElements(path, name, t.storage.kind, data, t.size, options));
    }
    return out;
  } finally {
    await zip.close();
  }
}

/** Read a sharded PyTorch checkpoint through its `pytorch_model.bin.index.json`. */
export async function readShardedPytorch(indexPath: string, options: ReadOptions = {}): Promise<Map<string, HostTensor>> {
  return readShards(indexPath, (shard) => readPytorchCheckpoint(shard, options));
}
