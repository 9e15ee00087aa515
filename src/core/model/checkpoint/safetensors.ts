/**
 * The safetensors format (https://github.com/huggingface/safetensors):
 *
 *   8 bytes   N, the header length, unsigned 64-bit little-endian
 *   N bytes   a UTF-8 JSON object {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {str: str}},
 *             padded with spaces to a multiple of 8 bytes
 *   rest      the data section; offsets are relative to its start; little-endian, C order
 *
 * Reading opens the file, reads and checks the header, then reads each tensor's bytes straight
 * into its own buffer (lazily, one tensor at a time if wanted): no byte is read twice and the file
 * is never held whole in memory. Writing follows the reference Rust writer: tensors sorted by
 * descending dtype alignment then by name (so every tensor is aligned within the file), compact
 * JSON with `__metadata__` first, header padded with spaces to 8 bytes.
 */
import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import type { HostTensor } from '../../engine/tensor.js';
import { type ElementKind, type ReadOptions, KIND_OF_DTYPE, decodeElements, isElementKind, tensorBytes } from './elements.js';
import { CheckpointError, fail } from './errors.js';
import { readAt } from './io.js';
import { readShards } from './shards.js';

export type { ReadOptions } from './elements.js';

/** Element sizes of every dtype the safetensors spec names (only ElementKind ones can be decoded). */
const DTYPE_SIZE: Readonly<Record<string, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  F8_E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  C64: 8,
  I64: 8,
  U64: 8,
};

/** The writer's order: the reference `Dtype` enum order (descending alignment), reversed below. */
const WRITE_RANK: Readonly<Record<ElementKind, number>> = {
  BOOL: 0,
  U8: 1,
  I8: 2,
  I16: 3,
  F16: 4,
  BF16: 5,
  I32: 6,
  F32: 7,
  F64: 8,
  I64: 9,
};

/** Same limit as the reference reader. */
const MAX_HEADER_SIZE = 100_000_000;

const LFS_POINTER = 'this is a Git LFS pointer file, not the weights: fetch the real file (e.g. `git lfs pull`)';

const DEFAULT_METADATA: Readonly<Record<string, string>> = { format: 'pt' };

export interface SafetensorsEntry {
  readonly name: string;
  /** The dtype as written in the header (e.g. "F32", "BF16"). */
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Byte range within the data section. */
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  /** N, the JSON header's length in bytes (padding included). */
  readonly headerSize: number;
  readonly metadata: Readonly<Record<string, string>> | undefined;
  /** Tensors in data-offset order. */
  readonly entries: ReadonlyMap<string, SafetensorsEntry>;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Check the 8-byte length prefix against the file size; returns N. `fileSize` is the whole file's
 * length (prefix included).
 */
function checkHeaderLength(file: string, prefix: Uint8Array, fileSize: number): number {
  if (fileSize < 8) {
    throw fail(file, `file is too short (${fileSize} bytes) to be safetensors: it must start with an 8-byte header length`);
  }
  if (new TextDecoder('latin1').decode(prefix) === 'version ') throw fail(file, LFS_POINTER);
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(fileSize - 8)) {
    throw fail(file, `header length ${n} is beyond the file size (${fileSize} bytes): the file is truncated or not safetensors`);
  }
  if (n > BigInt(MAX_HEADER_SIZE)) throw fail(file, `header length ${n} is over the ${MAX_HEADER_SIZE}-byte limit`);
  if (n < 2n) throw fail(file, `header length ${n} is too small to hold a JSON object`);
  return Number(n);
}

/** Parse and check the JSON header; `dataSize` is the length of the data section that follows it. */
export function parseSafetensorsHeader(file: string, headerBytes: Uint8Array, dataSize: number): SafetensorsHeader {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch (e) {
    throw fail(file, 'header is not valid UTF-8', e);
  }
  if (!text.startsWith('{')) throw fail(file, 'header does not start with "{": not a safetensors file');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw fail(file, `header is not valid JSON (${(e as Error).message})`, e);
  }
  if (!isPlainObject(json)) throw fail(file, 'header is not a JSON object');

  let metadata: Record<string, string> | undefined;
  const list: SafetensorsEntry[] = [];
  for (const [name, value] of Object.entries(json)) {
    if (name === '__metadata__') {
      if (!isPlainObject(value)) throw fail(file, '"__metadata__" is not an object of strings');
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== 'string') throw fail(file, `"__metadata__" entry "${k}" is not a string`);
      }
      metadata = Object.fromEntries(Object.entries(value as Record<string, string>));
      continue;
    }
    if (!isPlainObject(value)) throw fail(file, `tensor "${name}": header entry is not an object`);
    const { dtype, shape, data_offsets: offsets } = value;
    if (typeof dtype !== 'string') throw fail(file, `tensor "${name}" has no dtype`);
    const size = Object.prototype.hasOwnProperty.call(DTYPE_SIZE, dtype) ? DTYPE_SIZE[dtype] : undefined;
    if (size === undefined) throw fail(file, `tensor "${name}" has unknown dtype "${dtype}"`);
    if (!Array.isArray(shape) || !shape.every(isCount)) {
      throw fail(file, `tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
      throw fail(file, `tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin) throw fail(file, `tensor "${name}" has data_offsets [${begin}, ${end}] that end before they begin`);
    if (end > dataSize) {
      throw fail(file, `tensor "${name}" has data_offsets [${begin}, ${end}] out of range: the data section holds ${dataSize} bytes (file truncated?)`);
    }
    let count = 1;
    for (const d of shape as number[]) count *= d;
    if (!Number.isSafeInteger(count * size) || count * size !== end - begin) {
      throw fail(
        file,
        `tensor "${name}": shape [${shape.join(', ')}] of ${dtype} needs ${count * size} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`,
      );
    }
    list.push({ name, dtype, shape: shape as number[], begin, end });
  }
  list.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let prev: SafetensorsEntry | undefined;
  for (const e of list) {
    if (e.begin === e.end) continue;
    if (prev && e.begin < prev.end) {
      throw fail(file, `tensors "${prev.name}" [${prev.begin}, ${prev.end}] and "${e.name}" [${e.begin}, ${e.end}] have overlapping data_offsets`);
    }
    prev = e;
  }
  return {
    headerSize: headerBytes.byteLength,
    metadata,
    entries: new Map(list.map((e) => [e.name, e])),
  };
}

function decodeEntry(file: string, e: SafetensorsEntry, bytes: Uint8Array, options: ReadOptions): HostTensor {
  if (!isElementKind(e.dtype)) throw fail(file, `tensor "${e.name}" has dtype ${e.dtype}, which is not supported`);
  return decodeElements(file, e.name, e.dtype, bytes, e.shape, options);
}

/** An open safetensors file: header parsed and checked, tensors read on demand. */
export class SafetensorsFile {
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    /** The file's size in bytes. */
    readonly size: number,
    readonly header: SafetensorsHeader,
  ) {}

  static async open(path: string): Promise<SafetensorsFile> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (e) {
      throw fail(path, `cannot open safetensors file (${(e as Error).message})`, e);
    }
    try {
      const { size } = await handle.stat();
      const prefix = size >= 8 ? await readAt(handle, path, 8, 0) : new Uint8Array(8);
      const n = checkHeaderLength(path, prefix, size);
      const headerBytes = await readAt(handle, path, n, 8);
      const header = parseSafetensorsHeader(path, headerBytes, size - 8 - n);
      return new SafetensorsFile(path, handle, size, header);
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  get metadata(): Readonly<Record<string, string>> | undefined {
    return this.header.metadata;
  }

  /** Tensor names in file order. */
  names(): string[] {
    return [...this.header.entries.keys()];
  }

  has(name: string): boolean {
    return this.header.entries.has(name);
  }

  entry(name: string): SafetensorsEntry {
    const e = this.header.entries.get(name);
    if (!e) throw fail(this.path, `no tensor named "${name}"`);
    return e;
  }

  /** Read one tensor from disk. */
  async read(name: string, options: ReadOptions = {}): Promise<HostTensor> {
    if (this.closed) throw fail(this.path, 'file is closed');
    const e = this.entry(name);
    const bytes = await readAt(this.handle, this.path, e.end - e.begin, 8 + this.header.headerSize + e.begin);
    return decodeEntry(this.path, e, bytes, options);
  }

  /** Read the named tensors (default: all), in file order. */
  async readAll(options: ReadOptions = {}, names?: Iterable<string>): Promise<Map<string, HostTensor>> {
    const wanted = names ? [...names].map((n) => this.entry(n)) : [...this.header.entries.values()];
    wanted.sort((a, b) => a.begin - b.begin);
    const out = new Map<string, HostTensor>();
    for (const e of wanted) out.set(e.name, await this.read(e.name, options));
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}

/** Read every tensor of a safetensors file. */
export async function readSafetensors(path: string, options: ReadOptions = {}): Promise<Map<string, HostTensor>> {
  const f = await SafetensorsFile.open(path);
  try {
    return await f.readAll(options);
  } finally {
    await f.close();
  }
}

/** Parse safetensors bytes already in memory (`file` names them in errors). Tensors are copied out. */
export function parseSafetensors(
  bytes: Uint8Array,
  options: ReadOptions = {},
  file = '<safetensors buffer>',
): { metadata: Readonly<Record<string, string>> | undefined; tensors: Map<string, HostTensor> } {
  const n = checkHeaderLength(file, bytes.subarray(0, 8), bytes.byteLength);
  const dataStart = 8 + n;
  const header = parseSafetensorsHeader(file, bytes.subarray(8, dataStart), bytes.byteLength - dataStart);
  const tensors = new Map<string, HostTensor>();
  for (const e of header.entries.values()) {
    tensors.set(e.name, decodeEntry(file, e, bytes.slice(dataStart + e.begin, dataStart + e.end), options));
  }
  return { metadata: header.metadata, tensors };
}

/**
 * Read a sharded checkpoint through its `*.safetensors.index.json`: every tensor the index's
 * `weight_map` names, from the shard it names.
 */
export async function readShardedSafetensors(indexPath: string, options: ReadOptions = {}): Promise<Map<string, HostTensor>> {
  return readShards(indexPath, async (shard, names) => {
    const f = await SafetensorsFile.open(shard);
    try {
      return await f.readAll(
        options,
        names.filter((n) => f.has(n)),
      );
    } finally {
      await f.close();
    }
  });
}

export type TensorSet = Readonly<Record<string, HostTensor>> | ReadonlyMap<string, HostTensor>;

interface Prepared {
  /** 8-byte length + padded JSON header. */
  head: Uint8Array;
  /** Tensor bytes in file order. */
  chunks: Uint8Array[];
  total: number;
}

function prepare(file: string, tensors: TensorSet, metadata: Readonly<Record<string, string>> | undefined): Prepared {
  const items: { name: string; kind: ElementKind; bytes: Uint8Array; dims: readonly number[] }[] = [];
  const pairs: [string, HostTensor][] =
    tensors instanceof Map ? [...(tensors as ReadonlyMap<string, HostTensor>).entries()] : Object.entries(tensors as Readonly<Record<string, HostTensor>>);
  for (const [name, t] of pairs) {
    if (name === '__metadata__') throw fail(file, 'a tensor cannot be named "__metadata__"');
    const bytes = tensorBytes(file, name, t);
    items.push({ name, kind: KIND_OF_DTYPE[t.dtype], bytes, dims: t.dims });
  }
  items.sort((a, b) => WRITE_RANK[b.kind] - WRITE_RANK[a.kind] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const md = { ...DEFAULT_METADATA, ...(metadata ?? {}) };
  for (const [k, v] of Object.entries(md)) {
    if (typeof v !== 'string') throw fail(file, `metadata "${k}" is not a string`);
  }
  // Written by hand to keep the order exact (an object would move integer-like names first).
  const parts = [`"__metadata__":${JSON.stringify(md)}`];
  let offset = 0;
  for (const it of items) {
    const end = offset + it.bytes.byteLength;
    const info = { dtype: it.kind, shape: [...it.dims], data_offsets: [offset, end] };
    parts.push(`${JSON.stringify(it.name)}:${JSON.stringify(info)}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const padded = Math.ceil(json.byteLength / 8) * 8;
  const head = new Uint8Array(8 + padded).fill(0x20, 8 + json.byteLength);
  new DataView(head.buffer).setBigUint64(0, BigInt(padded), true);
  head.set(json, 8);
  return { head, chunks: items.map((i) => i.bytes), total: head.byteLength + offset };
}

/**
 * Serialize tensors to safetensors bytes in memory. `metadata` is merged over `{format: "pt"}`
 * (Python `transformers` refuses files without a known format).
 */
export function serializeSafetensors(tensors: TensorSet, metadata?: Readonly<Record<string, string>>): Uint8Array {
  const p = prepare('<safetensors buffer>', tensors, metadata);
  const out = new Uint8Array(p.total);
  out.set(p.head, 0);
  let at = p.head.byteLength;
  for (const c of p.chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * Write tensors to `path` as safetensors, streaming each tensor from its own buffer. The file is
 * written beside `path` under a temporary name and renamed into place, so a crash never leaves a
 * half-written checkpoint. `metadata` is merged over `{format: "pt"}`.
 */
export async function writeSafetensors(path: string, tensors: TensorSet, metadata?: Readonly<Record<string, string>>): Promise<void> {
  const p = prepare(path, tensors, metadata);
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  let handle: FileHandle | undefined;
  try {
    handle = await open(tmp, 'w');
    let at = 0;
    for (const c of [p.head, ...p.chunks]) {
      let done = 0;
      while (done < c.byteLength) {
        const { bytesWritten } = await handle.write(c, done, Math.min(c.byteLength - done, 1 << 30), at + done);
        done += bytesWritten;
      }
      at += c.byteLength;
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, path);
  } catch (e) {
    if (handle) await handle.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    if (e instanceof CheckpointError) throw e;
    throw fail(path, `cannot write safetensors file (${(e as Error).message})`, e);
  }
}
