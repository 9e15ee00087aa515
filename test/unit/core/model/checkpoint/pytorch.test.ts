import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { zipSync } from 'fflate';
import type { HostTensor } from '../../../../../src/core/engine/tensor.js';
import { CheckpointError, readPytorchCheckpoint, readShardedPytorch } from '../../../../../src/core/model/checkpoint/index.js';
import { FIXTURES, PickleWriter, type TensorSpec, assertCheckpointError, assertMatchesExpected, bytesOf, tempDir, torchPickle } from './helpers.js';

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
before(async () => ({ dir, cleanup } = await tempDir()));
after(() => cleanup());

const PT = join(FIXTURES, 'pytorch', 'pytorch_model.bin');

/** Write a torch-style zip (stored unless `level` is given) and return its path. */
async function writeZip(name: string, files: Record<string, Uint8Array | string>, level: 0 | 6 = 0): Promise<string> {
  const entries: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(files)) entries[k] = typeof v === 'string' ? new TextEncoder().encode(v) : v;
  const path = join(dir, name);
  await writeFile(path, zipSync(entries, { level }));
  return path;
}

test('torch.save fixture: every dtype, views, tied storage and a Parameter read back exactly', async () => {
  const got = await readPytorchCheckpoint(PT);
  assertMatchesExpected(got);
  // The keys come back in the state dict's order.
  assert.deepEqual([...got.keys()].slice(0, 6), ['0.weight', '0.bias', '1.weight', '1.bias', 'emb.weight', 'lm_head.weight']);
  assertMatchesExpected(await readPytorchCheckpoint(PT, { toFloat32: true }), true);
});

test('tied tensors get their own buffers', async () => {
  const got = await readPytorchCheckpoint(PT);
  const a = got.get('emb.weight') as HostTensor;
  const b = got.get('lm_head.weight') as HostTensor;
  assert.deepEqual(Array.from(a.data as Float32Array), Array.from(b.data as Float32Array));
  assert.notEqual(a.data.buffer, b.data.buffer);
  (a.data as Float32Array)[0] = 42;
  assert.notEqual((b.data as Float32Array)[0], 42);
});

test('sharded torch checkpoint reads through its index', async () => {
  assertMatchesExpected(await readShardedPytorch(join(FIXTURES, 'pytorch-sharded', 'pytorch_model.bin.index.json')));
});

test('a pickle that calls os.system is refused, naming the global', async () => {
  const path = join(FIXTURES, 'malicious', 'pytorch_model.bin');
  await assertCheckpointError(
    () => readPytorchCheckpoint(path),
    path,
    /^refusing to load: .*pytorch_model\.bin references os\.system, which is not a tensor; convert the checkpoint to safetensors$/,
  );
});

test('other globals are refused too, however they are spelled', async () => {
  const cases: { name: string; pkl: Uint8Array; global: string }[] = [
    {
      name: 'stack-global',
      // STACK_GLOBAL builtins.eval("...") (protocol 4 style)
      pkl: new PickleWriter().op(0x80, 4).str('builtins').str('eval').op(0x93).str('1+1').op(0x85, 0x52, 0x2e).bytes(),
      global: 'builtins.eval',
    },
    {
      name: 'storage-type',
      // a tensor whose storage claims to be a CUDA storage class: not on the list
      pkl: torchPickle([{ name: 'w', storage: '0', storageType: 'FloatStorage', numel: 1, offset: 0, size: [1], stride: [1] }], {
        storageModule: 'torch.cuda',
      }),
      global: 'torch.cuda.FloatStorage',
    },
    {
      name: 'numpy',
      pkl: new PickleWriter().op(0x80, 2).global('numpy.core.multiarray', '_reconstruct').op(0x29, 0x52, 0x2e).bytes(),
      global: 'numpy.core.multiarray._reconstruct',
    },
  ];
  for (const c of cases) {
    const path = await writeZip(`${c.name}.bin`, { 'archive/data.pkl': c.pkl, 'archive/data/0': new Uint8Array(4) });
    await assertCheckpointError(() => readPytorchCheckpoint(path), path, new RegExp(`references ${c.global.replace(/\./g, '\\.')}, which is not a tensor`));
  }
});

test('object-building opcodes are refused', async () => {
  const pkl = new PickleWriter().op(0x80, 2).global('collections', 'OrderedDict').op(0x29, 0x81, 0x2e).bytes(); // NEWOBJ
  const path = await writeZip('newobj.bin', { 'archive/data.pkl': pkl });
  await assertCheckpointError(() => readPytorchCheckpoint(path), path, /NEWOBJ is not supported/);
});

test('the legacy non-zip format is a clear error', async () => {
  const path = join(FIXTURES, 'legacy', 'pytorch_model.bin');
  await assertCheckpointError(() => readPytorchCheckpoint(path), path, /legacy .*re-save it with a current PyTorch .*safetensors/);
});

test('hand-made archive: any archive name, deflated members, strided views, every storage type', async () => {
  const f32 = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
  const specs: TensorSpec[] = [
    { name: 'mat', storage: '0', storageType: 'FloatStorage', numel: 8, offset: 0, size: [2, 4], stride: [4, 1] },
    { name: 'matT', storage: '0', storageType: 'FloatStorage', numel: 8, offset: 0, size: [4, 2], stride: [1, 4] },
    { name: 'every_other', storage: '0', storageType: 'FloatStorage', numel: 8, offset: 1, size: [2, 2], stride: [4, 2] },
    { name: 'broadcast', storage: '0', storageType: 'FloatStorage', numel: 8, offset: 3, size: [2, 3], stride: [0, 1] },
    { name: 'd', storage: '1', storageType: 'DoubleStorage', numel: 3, offset: 0, size: [3, 1], stride: [1, 3] },
    { name: 'l', storage: '2', storageType: 'LongStorage', numel: 4, offset: 1, size: [3], stride: [1] },
    { name: 'i', storage: '3', storageType: 'IntStorage', numel: 2, offset: 0, size: [2], stride: [1] },
    { name: 's', storage: '4', storageType: 'ShortStorage', numel: 2, offset: 0, size: [2], stride: [1] },
    { name: 'c', storage: '5', storageType: 'CharStorage', numel: 2, offset: 0, size: [2], stride: [1] },
    { name: 'u', storage: '6', storageType: 'ByteStorage', numel: 2, offset: 0, size: [2], stride: [1] },
    { name: 'b', storage: '7', storageType: 'BoolStorage', numel: 2, offset: 0, size: [2], stride: [1] },
    { name: 'h', storage: '8', storageType: 'HalfStorage', numel: 4, offset: 0, size: [2, 2], stride: [1, 2] },
    { name: 'bf', storage: '9', storageType: 'BFloat16Storage', numel: 2, offset: 0, size: [2], stride: [1] },
  ];
  const path = await writeZip(
    'made.bin',
    {
      'my_model/data.pkl': torchPickle(specs),
      'my_model/byteorder': 'little',
      'my_model/version': '3\n',
      'my_model/data/0': bytesOf(f32),
      'my_model/data/1': bytesOf(Float64Array.from([1.5, -2.5, 1e300])),
      'my_model/data/2': bytesOf(BigInt64Array.from([9n, -(2n ** 63n), 2n ** 53n + 1n, 4n])),
      'my_model/data/3': bytesOf(Int32Array.from([-7, 7])),
      'my_model/data/4': bytesOf(Int16Array.from([-300, 300])),
      'my_model/data/5': bytesOf(Int8Array.from([-1, 1])),
      'my_model/data/6': bytesOf(Uint8Array.from([200, 1])),
      'my_model/data/7': bytesOf(Uint8Array.from([1, 0])),
      'my_model/data/8': bytesOf(Uint16Array.from([0x3c00, 0x4000, 0x4200, 0x4400])), // 1 2 3 4
      'my_model/data/9': bytesOf(Uint16Array.from([0x3f80, 0x4040])), // 1 3
    },
    6,
  );
  const got = await readPytorchCheckpoint(path);
  const vals = (n: string) => Array.from((got.get(n) as HostTensor).data as ArrayLike<number | bigint>);
  assert.deepEqual(vals('mat'), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(vals('matT'), [0, 4, 1, 5, 2, 6, 3, 7]);
  assert.deepEqual(vals('every_other'), [1, 3, 5, 7]);
  assert.deepEqual(vals('broadcast'), [3, 4, 5, 3, 4, 5]);
  assert.deepEqual(vals('d'), [1.5, -2.5, 1e300]);
  assert.deepEqual(vals('l'), [-(2n ** 63n), 2n ** 53n + 1n, 4n]);
  assert.deepEqual(vals('i'), [-7, 7]);
  assert.equal(got.get('s')?.dtype, 'int32');
  assert.deepEqual(vals('s'), [-300, 300]);
  assert.deepEqual(vals('c'), [-1, 1]);
  assert.deepEqual(vals('u'), [200, 1]);
  assert.equal(got.get('b')?.dtype, 'bool');
  assert.deepEqual(vals('b'), [1, 0]);
  assert.equal(got.get('h')?.dtype, 'float16');
  assert.deepEqual(vals('h'), [0x3c00, 0x4200, 0x4000, 0x4400]);
  assert.deepEqual(vals('bf'), [1, 3]);
  const up = await readPytorchCheckpoint(path, { toFloat32: true });
  assert.deepEqual(Array.from(up.get('h')?.data as Float32Array), [1, 3, 2, 4]);
  assert.equal(up.get('d')?.dtype, 'float32');
});

test('a big-endian archive is byte-swapped', async () => {
  const be = new Uint8Array(8);
  new DataView(be.buffer).setFloat32(0, 1.5, false);
  new DataView(be.buffer).setFloat32(4, -2, false);
  const path = await writeZip('be.bin', {
    'archive/data.pkl': torchPickle([{ name: 'w', storage: '0', storageType: 'FloatStorage', numel: 2, offset: 0, size: [2], stride: [1] }]),
    'archive/byteorder': 'big',
    'archive/data/0': be,
  });
  assert.deepEqual(Array.from((await readPytorchCheckpoint(path)).get('w')?.data as Float32Array), [1.5, -2]);
});

test('malformed archives: each a CheckpointError naming the file', async () => {
  const good = torchPickle([{ name: 'w', storage: '0', storageType: 'FloatStorage', numel: 4, offset: 0, size: [4], stride: [1] }]);
  const cases: { name: string; files: Record<string, Uint8Array | string>; re: RegExp }[] = [
    { name: 'no-pkl', files: { 'archive/data/0': new Uint8Array(16) }, re: /no <archive>\/data\.pkl/ },
    { name: 'no-storage', files: { 'archive/data.pkl': good }, re: /storage "0" of tensor "w" is missing/ },
    { name: 'short-storage', files: { 'archive/data.pkl': good, 'archive/data/0': new Uint8Array(8) }, re: /storage "0" has 8 bytes, 4 F32 elements need 16/ },
    {
      name: 'view-out-of-bounds',
      files: {
        'archive/data.pkl': torchPickle([{ name: 'w', storage: '0', storageType: 'FloatStorage', numel: 4, offset: 2, size: [2, 2], stride: [2, 1] }]),
        'archive/data/0': new Uint8Array(16),
      },
      re: /tensor "w" .* reaches past its storage of 4 elements/,
    },
    {
      name: 'not-a-dict',
      files: { 'archive/data.pkl': new PickleWriter().op(0x80, 2, 0x5d, 0x2e).bytes() },
      re: /holds a list, not a state dict/,
    },
    {
      name: 'non-tensor-entry',
      files: { 'archive/data.pkl': new PickleWriter().op(0x80, 2, 0x7d).str('epoch').int(3).op(0x73, 0x2e).bytes() },
      re: /entry "epoch" is a number, not a tensor/,
    },
    {
      name: 'truncated-pickle',
      files: { 'archive/data.pkl': good.subarray(0, good.length - 20), 'archive/data/0': new Uint8Array(16) },
      re: /archive\/data\.pkl at byte \d+: /,
    },
  ];
  for (const c of cases) {
    const path = await writeZip(`${c.name}.bin`, c.files);
    await assertCheckpointError(() => readPytorchCheckpoint(path), path, c.re);
  }
});

test('a truncated or corrupted torch.save file is a CheckpointError naming it', async () => {
  const bytes = new Uint8Array(await readFile(PT));
  for (const at of [0, 3, 10, 100, bytes.length >> 1, bytes.length - 30, bytes.length - 1]) {
    const path = join(dir, `cut-${at}.bin`);
    await writeFile(path, bytes.subarray(0, at));
    await assertCheckpointError(() => readPytorchCheckpoint(path), path, /empty|not a PyTorch checkpoint|truncated|corrupt|end of/);
  }
  // Flip one byte inside a stored storage: the CRC-32 check catches it.
  const flipped = bytes.slice();
  const at = findStorage(flipped);
  flipped[at] = (flipped[at] as number) ^ 0xff;
  const path = join(dir, 'flipped.bin');
  await writeFile(path, flipped);
  await assertCheckpointError(() => readPytorchCheckpoint(path), path, /CRC-32 mismatch/);
});

/** Offset of the first data byte of the member ".../data/0" in a stored zip. */
function findStorage(zip: Uint8Array): number {
  const dv = new DataView(zip.buffer);
  for (let i = 0; i + 30 < zip.length; i++) {
    if (dv.getUint32(i, true) !== 0x04034b50) continue;
    const n = dv.getUint16(i + 26, true);
    const x = dv.getUint16(i + 28, true);
    const name = new TextDecoder().decode(zip.subarray(i + 30, i + 30 + n));
    if (name.endsWith('/data/0')) return i + 30 + n + x;
  }
  throw new Error('no storage 0');
}

test('CheckpointError carries the file', async () => {
  const path = join(dir, 'nope.bin');
  const e = await readPytorchCheckpoint(path).catch((x: unknown) => x);
  assert.ok(e instanceof CheckpointError);
  assert.equal(e.file, path);
  assert.match(e.message, /cannot open PyTorch checkpoint/);
});
