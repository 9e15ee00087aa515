/** Shared helpers for the checkpoint tests: fixtures, temp folders, error assertions, raw builders. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostTensor } from '../../../../../src/core/engine/tensor.js';
import { CheckpointError, halfToFloat32 } from '../../../../../src/core/model/checkpoint/index.js';

export const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../fixtures/checkpoints');

export interface Expected {
  dtype: string;
  shape: number[];
  values: (number | string)[];
}

export function expected(): Map<string, Expected> {
  const json = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, Expected>;
  return new Map(Object.entries(json));
}

/** Tensor values as the expected JSON writes them: float numbers (inf/nan as strings), int64 as strings. */
export function valuesOf(t: HostTensor): (number | string)[] {
  const data = t.dtype === 'float16' ? halfToFloat32(t.data as Uint16Array) : t.data;
  return Array.from(data as ArrayLike<number | bigint>, (v) => {
    if (typeof v === 'bigint') return v.toString();
    if (Number.isNaN(v)) return 'nan';
    if (v === Infinity) return 'inf';
    if (v === -Infinity) return '-inf';
    return v;
  });
}

/**
 * Check `got` against expected.json. With `toFloat32`, every floating tensor must be float32 and
 * its values those of the (exactly upcast or rounded) float32.
 */
export function assertMatchesExpected(got: ReadonlyMap<string, HostTensor>, toFloat32 = false, names?: string[]): void {
  const want = expected();
  const keys = names ?? [...want.keys()];
  assert.deepEqual([...got.keys()].sort(), [...keys].sort());
  for (const name of keys) {
    const e = want.get(name) as Expected;
    const t = got.get(name);
    assert.ok(t, `missing tensor ${name}`);
    const floating = e.dtype.startsWith('float');
    assert.equal(t.dtype, toFloat32 && floating ? 'float32' : e.dtype, `dtype of ${name}`);
    assert.deepEqual(t.dims, e.shape, `dims of ${name}`);
    let values = e.values;
    if (toFloat32 && e.dtype === 'float64') {
      values = values.map((v) => (typeof v === 'number' ? Math.fround(v) : v));
    }
    assert.deepEqual(valuesOf(t), values, `values of ${name}`);
  }
}

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'finetune-checkpoint-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Assert `run` fails with a CheckpointError about `file` whose message names it and matches `re`. */
export async function assertCheckpointError(run: () => Promise<unknown> | unknown, file: string, re: RegExp): Promise<void> {
  await assert.rejects(
    async () => run(),
    (e: unknown) => {
      assert.ok(e instanceof CheckpointError, `expected a CheckpointError, got ${String(e)}`);
      assert.equal(e.file, file);
      assert.ok(e.message.includes(file), `message does not name the file: ${e.message}`);
      assert.match(e.message, re);
      return true;
    },
  );
}

/** A safetensors file from a header object and a data section, exactly as given (no checks). */
export function rawSafetensors(header: unknown, data: Uint8Array = new Uint8Array(0), headerText?: string): Uint8Array {
  let text = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const pad = (8 - (text.byteLength % 8)) % 8;
  const padded = new Uint8Array(text.byteLength + pad).fill(0x20);
  padded.set(text);
  text = padded;
  const out = new Uint8Array(8 + text.byteLength + data.byteLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.byteLength), true);
  out.set(text, 8);
  out.set(data, 8 + text.byteLength);
  return out;
}

/** Bytes of a typed array (little-endian host). */
export function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
}

/** A tiny pickle assembler for hand-made PyTorch checkpoints. */
export class PickleWriter {
  private readonly parts: number[] = [];

  op(...bytes: number[]): this {
    this.parts.push(...bytes);
    return this;
  }

  str(s: string): this {
    const b = new TextEncoder().encode(s);
    const n = b.byteLength;
    return this.op(0x58, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24, ...b);
  }

  int(n: number): this {
    if (n >= 0 && n < 256) return this.op(0x4b, n);
    return this.op(0x4a, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff);
  }

  global(module: string, name: string): this {
    return this.op(0x63, ...new TextEncoder().encode(`${module}\n${name}\n`));
  }

  tuple(items: (() => void)[]): this {
    this.op(0x28);
    for (const f of items) f();
    return this.op(0x74);
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export interface TensorSpec {
  name: string;
  storage: string;
  storageType: string;
  numel: number;
  offset: number;
  size: number[];
  stride: number[];
}

/** The data.pkl torch.save would write for a dict of plain tensors. */
export function torchPickle(tensors: TensorSpec[], opts: { storageModule?: string } = {}): Uint8Array {
  const w = new PickleWriter();
  w.op(0x80, 2);
  w.global('collections', 'OrderedDict').op(0x29, 0x52); // OrderedDict()
  w.op(0x28); // MARK
  for (const t of tensors) {
    w.str(t.name);
    w.global('torch._utils', '_rebuild_tensor_v2');
    w.tuple([
      () => {
        w.tuple([
          () => w.str('storage'),
          () => w.global(opts.storageModule ?? 'torch', t.storageType),
          () => w.str(t.storage),
          () => w.str('cpu'),
          () => w.int(t.numel),
        ]);
        w.op(0x51); // BINPERSID
      },
      () => w.int(t.offset),
      () => w.tuple(t.size.map((s) => () => w.int(s))),
      () => w.tuple(t.stride.map((s) => () => w.int(s))),
      () => w.op(0x89), // NEWFALSE
      () => w.global('collections', 'OrderedDict').op(0x29, 0x52),
    ]);
    w.op(0x52); // REDUCE
  }
  w.op(0x75, 0x2e); // SETITEMS STOP
  return w.bytes();
}
