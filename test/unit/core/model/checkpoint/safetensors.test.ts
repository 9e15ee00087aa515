import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type HostTensor, tensor } from '../../../../../src/core/engine/tensor.js';
import {
  SafetensorsFile,
  bfloat16ToFloat32,
  halfToFloat32,
  parseSafetensors,
  readSafetensors,
  readShardedSafetensors,
  serializeSafetensors,
  writeSafetensors,
} from '../../../../../src/core/model/checkpoint/index.js';
import { FIXTURES, assertMatchesExpected, bytesOf, rawSafetensors, tempDir } from './helpers.js';

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
before(async () => ({ dir, cleanup } = await tempDir()));
after(() => cleanup());

/** One tensor of every dtype a host tensor can have, with awkward values. */
function everyDType(): Record<string, HostTensor> {
  return {
    f32: tensor('float32', [2, 3], [0, -0, 1.5, -2.25, 3.4028234663852886e38, 1e-45]),
    f64: tensor('float64', [3], [Math.PI, -1e300, 5e-324]),
    f16: { dtype: 'float16', dims: [4], data: Uint16Array.from([0x3c00, 0x8000, 0x7c00, 0x0001]) },
    i64: { dtype: 'int64', dims: [2, 2], data: BigInt64Array.from([0n, -1n, 2n ** 62n, -(2n ** 63n)]) },
    i32: tensor('int32', [3], [-2147483648, 0, 2147483647]),
    i8: tensor('int8', [3], [-128, 0, 127]),
    u8: tensor('uint8', [3], [0, 128, 255]),
    mask: tensor('bool', [2], [1, 0]),
    scalar: tensor('float32', [], [7]),
    empty: tensor('int64', [0, 4], []),
    'a.b/c "quoted" é': tensor('float32', [1], [1]),
    ['__proto__']: tensor('float32', [1], [2]),
    '10': tensor('float32', [1], [3]),
    '2': tensor('float32', [1], [4]),
  };
}

test('write -> read round-trips every dtype, bit for bit', async () => {
  const path = join(dir, 'all.safetensors');
  const tensors = everyDType();
  await writeSafetensors(path, tensors);
  const got = await readSafetensors(path);
  assert.deepEqual([...got.keys()].sort(), Object.keys(tensors).sort());
  for (const [name, t] of Object.entries(tensors)) {
    const g = got.get(name) as HostTensor;
    assert.equal(g.dtype, t.dtype, name);
    assert.deepEqual(g.dims, t.dims, name);
    assert.equal(g.data.constructor, t.data.constructor, name);
    assert.deepEqual(bytesOf(g.data), bytesOf(t.data), name);
  }
  const f = await SafetensorsFile.open(path);
  try {
    assert.deepEqual(f.metadata, { format: 'pt' });
  } finally {
    await f.close();
  }
});

test('a Map of tensors and custom metadata (merged over format=pt) are written', async () => {
  const path = join(dir, 'meta.safetensors');
  await writeSafetensors(path, new Map([['w', tensor('float32', [2], [1, 2])]]), { step: '12' });
  const f = await SafetensorsFile.open(path);
  try {
    assert.deepEqual(f.metadata, { format: 'pt', step: '12' });
    assert.deepEqual(Array.from((await f.read('w')).data as Float32Array), [1, 2]);
  } finally {
    await f.close();
  }
});

test('layout follows the reference writer: metadata first, dtype-aligned order, space padding to 8', async () => {
  const bytes = serializeSafetensors({
    'attn.0': tensor('float32', [1, 2, 3], [0, 1, 2, 3, 4, 5]),
  });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  const json = '{"__metadata__":{"format":"pt"},"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
  assert.equal(text, json + ' '.repeat(n - json.length));
  assert.equal(n % 8, 0);
  assert.deepEqual(Array.from(new Float32Array(bytes.slice(8 + n).buffer)), [0, 1, 2, 3, 4, 5]);

  // Larger alignment first, then by name: every tensor lands aligned to its element size.
  const mixed = serializeSafetensors({
    b_u8: tensor('uint8', [3], [1, 2, 3]),
    a_f16: { dtype: 'float16', dims: [1], data: Uint16Array.from([0x3c00]) },
    z_i64: tensor('int64', [1], [5]),
    c_f32: tensor('float32', [1], [1]),
    a_f32: tensor('float32', [1], [2]),
  });
  const m = Number(new DataView(mixed.buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(mixed.subarray(8, 8 + m))) as Record<string, { data_offsets: number[]; dtype: string }>;
  const order = Object.keys(header).filter((k) => k !== '__metadata__');
  assert.deepEqual(order, ['z_i64', 'a_f32', 'c_f32', 'a_f16', 'b_u8']);
  const sizes: Record<string, number> = { I64: 8, F32: 4, F16: 2, U8: 1 };
  for (const k of order) {
    const e = header[k] as { data_offsets: number[]; dtype: string };
    assert.equal((8 + m + (e.data_offsets[0] as number)) % (sizes[e.dtype] as number), 0, `${k} aligned`);
  }
});

test('serializeSafetensors and parseSafetensors agree with the file writer and reader', async () => {
  const tensors = everyDType();
  const bytes = serializeSafetensors(tensors);
  const path = join(dir, 'same.safetensors');
  await writeSafetensors(path, tensors);
  assert.deepEqual(new Uint8Array(await readFile(path)), bytes);
  const parsed = parseSafetensors(bytes);
  assert.deepEqual(parsed.metadata, { format: 'pt' });
  for (const [name, t] of Object.entries(tensors)) {
    assert.deepEqual(bytesOf((parsed.tensors.get(name) as HostTensor).data), bytesOf(t.data), name);
  }
});

test('BF16 is read as float32 (exact upcast); F16 and F64 upcast on request', async () => {
  const bf = Uint16Array.from([0x3f80, 0xc000, 0x7f80, 0x0001, 0x8000]); // 1, -2, inf, smallest subnormal, -0
  const half = Uint16Array.from([0x3c00, 0x0001, 0x03ff, 0x7bff, 0xfc00, 0x7e00, 0x8000, 0x3555]);
  const f64 = Float64Array.from([0.1, -3]);
  const data = new Uint8Array(10 + 16 + 16);
  data.set(bytesOf(bf), 0);
  data.set(bytesOf(half), 10);
  data.set(bytesOf(f64), 26);
  const path = join(dir, 'bf16.safetensors');
  await writeFile(
    path,
    rawSafetensors(
      {
        bf: { dtype: 'BF16', shape: [5], data_offsets: [0, 10] },
        half: { dtype: 'F16', shape: [2, 4], data_offsets: [10, 26] },
        f64: { dtype: 'F64', shape: [2], data_offsets: [26, 42] },
      },
      data,
    ),
  );
  // Misaligned on purpose (data at 10 and 26): the reader copies rather than failing.
  const plain = await readSafetensors(path);
  assert.equal(plain.get('bf')?.dtype, 'float32');
  assert.deepEqual(Array.from(plain.get('bf')?.data as Float32Array), [1, -2, Infinity, 9.183549615799121e-41, -0]);
  assert.equal(plain.get('half')?.dtype, 'float16');
  assert.deepEqual(Array.from(plain.get('half')?.data as Uint16Array), Array.from(half));
  assert.equal(plain.get('f64')?.dtype, 'float64');

  const up = await readSafetensors(path, { toFloat32: true });
  assert.equal(up.get('half')?.dtype, 'float32');
  assert.deepEqual(Array.from(up.get('half')?.data as Float32Array), [1, 2 ** -24, 1023 * 2 ** -24, 65504, -Infinity, NaN, -0, 0.333251953125]);
  assert.equal(up.get('f64')?.dtype, 'float32');
  assert.deepEqual(Array.from(up.get('f64')?.data as Float32Array), [Math.fround(0.1), -3]);
});

test('halfToFloat32 matches the float16 definition on every bit pattern', () => {
  const all = new Uint16Array(65536);
  for (let i = 0; i < 65536; i++) all[i] = i;
  const got = halfToFloat32(all);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 0x1f;
    const m = h & 0x3ff;
    const want = e === 0 ? sign * m * 2 ** -24 : e === 31 ? (m ? NaN : sign * Infinity) : sign * (1 + m / 1024) * 2 ** (e - 15);
    assert.ok(Object.is(got[h], want), `0x${h.toString(16)}: ${got[h]} != ${want}`);
  }
  assert.deepEqual(Array.from(bfloat16ToFloat32(Uint16Array.from([0x4049]))), [3.140625]);
});

test('I16 is widened to int32', async () => {
  const path = join(dir, 'i16.safetensors');
  await writeFile(path, rawSafetensors({ s: { dtype: 'I16', shape: [3], data_offsets: [0, 6] } }, bytesOf(Int16Array.from([-32768, 1, 32767]))));
  const t = (await readSafetensors(path)).get('s') as HostTensor;
  assert.equal(t.dtype, 'int32');
  assert.deepEqual(Array.from(t.data as Int32Array), [-32768, 1, 32767]);
});

test('SafetensorsFile reads one tensor at a time, lists names in file order', async () => {
  const path = join(dir, 'lazy.safetensors');
  await writeSafetensors(path, { b: tensor('float32', [2], [3, 4]), a: tensor('float32', [2], [1, 2]), c: tensor('int64', [1], [9]) });
  const f = await SafetensorsFile.open(path);
  try {
    assert.deepEqual(f.names(), ['c', 'a', 'b']);
    assert.deepEqual(f.entry('b'), { name: 'b', dtype: 'F32', shape: [2], begin: 16, end: 24 });
    assert.deepEqual(Array.from((await f.read('b')).data as Float32Array), [3, 4]);
    const some = await f.readAll({}, ['b', 'a']);
    assert.deepEqual([...some.keys()], ['a', 'b']);
    assert.equal(f.has('zzz'), false);
    await assert.rejects(f.read('zzz'), /no tensor named "zzz"/);
  } finally {
    await f.close();
  }
});

test('the hand-written fixture (torch values) reads back exactly', async () => {
  const path = join(FIXTURES, 'safetensors', 'model.safetensors');
  assertMatchesExpected(await readSafetensors(path));
  assertMatchesExpected(await readSafetensors(path, { toFloat32: true }), true);
});

test('the sharded fixture reads through its index', async () => {
  const index = join(FIXTURES, 'sharded', 'model.safetensors.index.json');
  assertMatchesExpected(await readShardedSafetensors(index));
});
