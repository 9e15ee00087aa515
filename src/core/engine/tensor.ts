/** Host-side tensors: a dtype, dims and a typed array, the unit every engine API exchanges. */

export type DType = 'float32' | 'float64' | 'float16' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';

export type FloatDType = 'float32' | 'float64';

export type TypedArray = Float32Array | Float64Array | Uint16Array | BigInt64Array | Int32Array | Int8Array | Uint8Array;

export interface HostTensor {
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly data: TypedArray;
}

/**
 * A tensor that lives in GPU memory (an output a session kept on the device). It can be fed back
 * as an input of a session on the same device without crossing to the host (DeviceDownloader in
 * ./device.ts copies it to the host); `dispose` frees the GPU buffer. Created only by the runtime.
 */
export interface DeviceTensor {
  readonly location: 'device';
  readonly dtype: DType;
  readonly dims: readonly number[];
  dispose(): void;
}

export function isDeviceTensor(t: HostTensor | DeviceTensor): t is DeviceTensor {
  return (t as DeviceTensor).location === 'device';
}

/** ONNX TensorProto.DataType codes. */
export const ONNX_DTYPE: Record<DType, number> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
};

export const BYTES_PER_ELEMENT: Record<DType, number> = {
  float32: 4,
  float64: 8,
  float16: 2,
  int64: 8,
  int32: 4,
  int8: 1,
  uint8: 1,
  bool: 1,
};

export function numel(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

export function allocate(dtype: DType, length: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(length);
    case 'float64':
      return new Float64Array(length);
    case 'float16':
      return new Uint16Array(length);
    case 'int64':
      return new BigInt64Array(length);
    case 'int32':
      return new Int32Array(length);
    case 'int8':
      return new Int8Array(length);
    case 'uint8':
    case 'bool':
      return new Uint8Array(length);
  }
}

export function zeros(dtype: DType, dims: readonly number[]): HostTensor {
  return { dtype, dims: [...dims], data: allocate(dtype, numel(dims)) };
}

export function tensor(dtype: DType, dims: readonly number[], values: ArrayLike<number> | ArrayLike<bigint>): HostTensor {
  const n = numel(dims);
  if (values.length !== n) {
    throw new Error(`tensor: ${values.length} values given for dims [${dims.join(', ')}] (${n} expected)`);
  }
  const data = allocate(dtype, n);
  if (data instanceof BigInt64Array) {
    for (let i = 0; i < n; i++) data[i] = BigInt(values[i] as number | bigint);
  } else if (dtype === 'float16') {
    for (let i = 0; i < n; i++) data[i] = toHalfBits(Number(values[i]));
  } else {
    for (let i = 0; i < n; i++) data[i] = Number(values[i]);
  }
  return { dtype, dims: [...dims], data };
}

export function int64(values: readonly number[], dims: readonly number[] = [values.length]): HostTensor {
  return tensor('int64', dims, values);
}

export function scalar(dtype: DType, value: number): HostTensor {
  return tensor(dtype, [], [value]);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float16 bit pattern nearest to x (IEEE round to nearest even, as a float32 -> half cast). */
export function toHalfBits(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // inf / nan
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow -> inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow -> signed zero
    mant |= 0x800000;
    const shift = 14 - e;
    const half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (rem > mid || (rem === mid && half & 1) ? half + 1 : half);
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++; // may carry into the exponent (correct)
  return sign | half;
}

/** The value of a float16 bit pattern. */
export function fromHalfBits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Element i of a tensor as a number (float16 bit patterns decoded). */
export function elementAt(t: HostTensor, i: number): number {
  const v = t.data[i]!;
  return t.dtype === 'float16' ? fromHalfBits(v as number) : Number(v);
}
