/**
 * An independent reader of TensorBoard event files for tests: bitwise CRC32C, TFRecord framing
 * (every CRC checked), a generic protobuf decoder and tensorflow.Event with one Summary.Value.
 */
import assert from 'node:assert/strict';

export function crcBitwise(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0x82f63b78 & -(c & 1));
  }
  return (c ^ 0xffffffff) >>> 0;
}
export const mask = (c: number): number => ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) % 2 ** 32;

export function readRecords(bytes: Uint8Array): Uint8Array[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  let off = 0;
  while (off < bytes.length) {
    const len = Number(dv.getBigUint64(off, true));
    assert.equal(dv.getUint32(off + 8, true), mask(crcBitwise(bytes.subarray(off, off + 8))), `length CRC of the record at ${off}`);
    const data = bytes.subarray(off + 12, off + 12 + len);
    assert.equal(dv.getUint32(off + 12 + len, true), mask(crcBitwise(data)), `data CRC of the record at ${off}`);
    out.push(data);
    off += 16 + len;
  }
  assert.equal(off, bytes.length, 'no trailing bytes');
  return out;
}

type Field = bigint | number | Uint8Array;
function decode(buf: Uint8Array): Map<number, Field[]> {
  const fields = new Map<number, Field[]>();
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let off = 0;
  const varint = (): bigint => {
    let v = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = buf[off++]!;
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return v;
    }
  };
  while (off < buf.length) {
    const key = Number(varint());
    const [field, wire] = [key >>> 3, key & 7];
    let value: Field;
    if (wire === 0) value = varint();
    else if (wire === 1) {
      value = dv.getFloat64(off, true);
      off += 8;
    } else if (wire === 5) {
      value = dv.getFloat32(off, true);
      off += 4;
    } else if (wire === 2) {
      const len = Number(varint());
      value = buf.subarray(off, off + len);
      off += len;
    } else throw new Error(`wire type ${wire}`);
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}
const one = <T extends Field>(m: Map<number, Field[]>, f: number): T | undefined => m.get(f)?.[0] as T | undefined;
const utf8 = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));

export interface Decoded {
  wallTime: number;
  step: number;
  fileVersion?: string;
  writer?: string;
  tag?: string;
  value?: number;
  text?: string;
  plugin?: string;
}
/** tensorflow.Event (wall_time 1, step 2, file_version 3, summary 5, source_metadata 10) with one Summary.Value. */
export function readEvent(data: Uint8Array): Decoded {
  const e = decode(data);
  const d: Decoded = { wallTime: one<number>(e, 1)!, step: Number(one<bigint>(e, 2) ?? 0n) };
  const fv = utf8(one<Uint8Array>(e, 3));
  if (fv !== undefined) d.fileVersion = fv;
  const src = one<Uint8Array>(e, 10);
  if (src) d.writer = utf8(one<Uint8Array>(decode(src), 1))!;
  const summary = one<Uint8Array>(e, 5);
  if (!summary) return d;
  const values = decode(summary).get(1) as Uint8Array[];
  assert.equal(values.length, 1);
  const v = decode(values[0]!);
  d.tag = utf8(one<Uint8Array>(v, 1))!;
  if (v.has(2)) d.value = one<number>(v, 2)!;
  const tensor = one<Uint8Array>(v, 8);
  if (tensor) {
    const t = decode(tensor);
    assert.equal(one<bigint>(t, 1), 7n, 'DT_STRING');
    const dim = decode(one<Uint8Array>(decode(one<Uint8Array>(t, 2)!), 2)!);
    assert.equal(one<bigint>(dim, 1), 1n, 'shape [1]');
    d.text = utf8(one<Uint8Array>(t, 8))!;
    d.plugin = utf8(one<Uint8Array>(decode(one<Uint8Array>(decode(one<Uint8Array>(v, 9)!), 1)!), 1));
  }
  return d;
}
