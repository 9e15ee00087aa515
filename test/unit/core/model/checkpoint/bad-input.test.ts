import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type HostTensor, tensor } from '../../../../../src/core/engine/tensor.js';
import {
  SafetensorsFile,
  parseSafetensors,
  readPytorchCheckpoint,
  readSafetensors,
  readShardedSafetensors,
  serializeSafetensors,
  writeSafetensors,
} from '../../../../../src/core/model/checkpoint/index.js';
import { assertCheckpointError, rawSafetensors, tempDir } from './helpers.js';

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
before(async () => ({ dir, cleanup } = await tempDir()));
after(() => cleanup());

let n = 0;
async function file(bytes: Uint8Array, name = `bad-${n++}.safetensors`): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

const valid = () =>
  serializeSafetensors({
    a: tensor('float32', [2, 3], [1, 2, 3, 4, 5, 6]),
    b: tensor('int64', [2], [7, 8]),
  });

test('a file truncated anywhere is an error naming the file', async () => {
  const bytes = valid();
  const headerEnd = 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const cuts: [number, RegExp][] = [
    [0, /file is too short \(0 bytes\)/],
    [5, /file is too short \(5 bytes\)/],
    [8, /header length \d+ is beyond the file size \(8 bytes\)/],
    [20, /header length \d+ is beyond the file size \(20 bytes\)/],
    [headerEnd - 1, /header length \d+ is beyond the file size/],
    [headerEnd, /data_offsets \[\d+, \d+\] out of range: the data section holds 0 bytes \(file truncated\?\)/],
    [headerEnd + 10, /out of range: the data section holds 10 bytes/],
    [bytes.length - 1, /out of range: the data section holds 39 bytes/],
  ];
  for (const [at, re] of cuts) {
    const path = await file(bytes.subarray(0, at));
    await assertCheckpointError(() => readSafetensors(path), path, re);
  }
});

test('bad headers: each a CheckpointError whose message names the file and the fault', async () => {
  const f32x2 = new Uint8Array(8);
  const corruptLength = (v: bigint) => {
    const b = valid();
    new DataView(b.buffer).setBigUint64(0, v, true);
    return b;
  };
  const cases: [string, Uint8Array, RegExp][] = [
    ['huge header length', corruptLength(2n ** 40n), /header length 1099511627776 is beyond the file size/],
    ['u64 max header length', corruptLength(2n ** 64n - 1n), /header length 18446744073709551615 is beyond the file size/],
    ['header length cuts the JSON', corruptLength(16n), /header is not valid JSON/],
    ['header length 0', corruptLength(0n), /header length 0 is too small/],
    ['bad JSON', rawSafetensors(null, f32x2, '{"a": {"dtype": "F32", '), /header is not valid JSON/],
    ['not an object', rawSafetensors(null, f32x2, '{"a": 1}'), /tensor "a": header entry is not an object/],
    ['array header', rawSafetensors(null, f32x2, '[1, 2]'), /header does not start with "\{"/],
    ['not UTF-8', rawSafetensors(null, f32x2, '{"\udc00"}').map((b, i) => (i === 10 ? 0xff : b)), /not valid UTF-8/],
    ['unknown dtype', rawSafetensors({ a: { dtype: 'Q8', shape: [2], data_offsets: [0, 8] } }, f32x2), /tensor "a" has unknown dtype "Q8"/],
    ['no dtype', rawSafetensors({ a: { shape: [2], data_offsets: [0, 8] } }, f32x2), /tensor "a" has no dtype/],
    ['negative dim', rawSafetensors({ a: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, f32x2), /tensor "a" has an invalid shape \[-2\]/],
    ['string dim', rawSafetensors({ a: { dtype: 'F32', shape: ['2'], data_offsets: [0, 8] } }, f32x2), /invalid shape/],
    ['offsets not a pair', rawSafetensors({ a: { dtype: 'F32', shape: [2], data_offsets: [0] } }, f32x2), /invalid data_offsets \[0\]/],
    ['end before begin', rawSafetensors({ a: { dtype: 'F32', shape: [0], data_offsets: [8, 0] } }, f32x2), /\[8, 0\] that end before they begin/],
    [
      'beyond data',
      rawSafetensors({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, f32x2),
      /\[0, 16\] out of range: the data section holds 8 bytes/,
    ],
    [
      'size mismatch',
      rawSafetensors({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32x2),
      /shape \[3\] of F32 needs 12 bytes but data_offsets \[0, 8\] span 8/,
    ],
    [
      'overlap',
      rawSafetensors({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32x2),
      /tensors "a" \[0, 8\] and "b" \[4, 8\] have overlapping data_offsets/,
    ],
    ['metadata not strings', rawSafetensors({ __metadata__: { step: 3 } }), /"__metadata__" entry "step" is not a string/],
    ['metadata not an object', rawSafetensors({ __metadata__: 'x' }), /"__metadata__" is not an object of strings/],
  ];
  for (const [name, bytes, re] of cases) {
    const path = await file(bytes, `${name.replace(/\W+/g, '-')}.safetensors`);
    await assertCheckpointError(() => readSafetensors(path), path, re);
    // The in-memory parser says the same, about the name it is given.
    await assertCheckpointError(() => parseSafetensors(bytes, {}, 'mem.safetensors'), 'mem.safetensors', re);
  }
});

test('a known but unsupported dtype opens, and fails when read', async () => {
  const path = await file(rawSafetensors({ u: { dtype: 'U16', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)));
  const f = await SafetensorsFile.open(path);
  try {
    assert.deepEqual(f.names(), ['u']);
    await assertCheckpointError(() => f.read('u'), path, /tensor "u" has dtype U16, which is not supported/);
  } finally {
    await f.close();
  }
});

test('a Git LFS pointer instead of the weights says so', async () => {
  const pointer = new TextEncoder().encode('version https://git-lfs.github.com/spec/v1\noid sha256:0123\nsize 440473133\n');
  const path = await file(pointer);
  await assertCheckpointError(() => readSafetensors(path), path, /Git LFS pointer file, not the weights/);
  const bin = await file(pointer, 'pytorch_model.bin');
  await assertCheckpointError(() => readPytorchCheckpoint(bin), bin, /Git LFS pointer file, not the weights/);
});

test('a missing file is an error naming it', async () => {
  const path = join(dir, 'absent.safetensors');
  await assertCheckpointError(() => readSafetensors(path), path, /cannot open safetensors file/);
});

test('the writer refuses malformed tensors, naming the file', async () => {
  const path = join(dir, 'out.safetensors');
  const cases: [Record<string, HostTensor>, RegExp][] = [
    [{ w: { dtype: 'float32', dims: [3], data: new Float32Array(2) } }, /tensor "w" has 2 values for dims \[3\] \(3 expected\)/],
    [{ w: { dtype: 'float32', dims: [2], data: new Float64Array(2) } }, /tensor "w" has dtype float32 but its data is a Float64Array/],
    [{ w: { dtype: 'float32', dims: [-1], data: new Float32Array(0) } }, /invalid dims/],
    [{ __metadata__: tensor('float32', [1], [1]) }, /cannot be named "__metadata__"/],
  ];
  for (const [tensors, re] of cases) {
    await assertCheckpointError(() => writeSafetensors(path, tensors), path, re);
  }
  await assert.rejects(readFile(path), /ENOENT/, 'nothing left behind');
});

test('bad shard indexes: each an error naming the index', async () => {
  const sdir = join(dir, 'shards');
  await mkdir(sdir, { recursive: true });
  await writeSafetensors(join(sdir, 'one.safetensors'), { a: tensor('float32', [1], [1]) });
  const cases: [string, string, RegExp][] = [
    ['bad-json', '{"weight_map": ', /shard index is not valid JSON/],
    ['no-map', '{"metadata": {}}', /shard index has no "weight_map" object/],
    ['empty-map', '{"weight_map": {}}', /empty "weight_map"/],
    ['bad-entry', '{"weight_map": {"a": 3}}', /weight_map entry "a" is not a file name/],
    ['escape', '{"weight_map": {"a": "../one.safetensors"}}', /weight_map entry "a" points outside the checkpoint folder/],
    ['absolute', '{"weight_map": {"a": "/etc/passwd"}}', /points outside the checkpoint folder/],
    ['missing-shard', '{"weight_map": {"a": "two.safetensors"}}', /shard ".*two\.safetensors" named in the weight_map is missing/],
    ['missing-tensor', '{"weight_map": {"a": "one.safetensors", "b": "one.safetensors"}}', /puts tensor "b" in ".*one\.safetensors", which does not hold it/],
  ];
  for (const [name, text, re] of cases) {
    const index = join(sdir, `${name}.index.json`);
    await writeFile(index, text);
    await assertCheckpointError(() => readShardedSafetensors(index), index, re);
  }
});
