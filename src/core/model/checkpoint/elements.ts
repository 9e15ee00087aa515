/**
 * Element kinds stored in checkpoint files (named as safetensors names them) and their decoding
 * into host tensors: raw little-endian bytes -> typed array, with float16 / bfloat16 / float64
 * upcast or downcast to float32 on request.
 */
import { type DType, type HostTensor, type TypedArray, numel } from '../../engine/tensor.js';
import { fail } from './errors.js';

/** Element kinds this package can read (safetensors dtype names). */
export type ElementKind = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export const ELEMENT_SIZE: Readonly<Record<ElementKind, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

export function isElementKind(s: string): s is ElementKind {
  return Object.prototype.hasOwnProperty.call(ELEMENT_SIZE, s);
}

export interface ReadOptions {
  /**
   * Return every floating tensor (F64, F16, BF16) as float32. Default false: F16 stays float16
   * (Uint16Array bits), F64 stays float64. BF16 is always returned as float32, since host tensors
   * have no bfloat16 dtype (the upcast is exact).
   */
  toFloat32?: boolean;
}

/** The host dtype a stored element kind is decoded to. */
export function hostDType(kind: ElementKind, options: ReadOptions = {}): DType {
  switch (kind) {
    case 'F64':
      return options.toFloat32 ? 'float32' : 'float64';
    case 'F32':
    case 'BF16':
      return 'float32';
    case 'F16':
      return options.toFloat32 ? 'float32' : 'float16';
    case 'I64':
      return 'int64';
    case 'I32':
    case 'I16':
      return 'int32';
    case 'I8':
      return 'int8';
    case 'U8':
      return 'uint8';
    case 'BOOL':
      return 'bool';
  }
}

/** The stored element kind of a host dtype (used by the writers). */
export const KIND_OF_DTYPE: Readonly<Record<DType, ElementKind>> = {
  float32: 'F32',
  float64: 'F64',
  float16: 'F16',
  int64: 'I64',
  int32: 'I32',
  int8: 'I8',
  uint8: 'U8',
  bool: 'BOOL',
};

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

let halfTable: Uint32Array | undefined;

/** float16 bits -> float32 bits, for all 65536 patterns (exact: every half is a float). */
function halfToFloatTable(): Uint32Array {
  if (halfTable) return halfTable;
  const t = new Uint32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exp = (h >> 10) & 0x1f;
    let mant = h & 0x3ff;
    let bits: number;
    if (exp === 0x1f) {
      bits = sign | 0x7f800000 | (mant << 13);
    } else if (exp !== 0) {
      bits = sign | ((exp + 112) << 23) | (mant << 13);
    } else if (mant === 0) {
      bits = sign;
    } else {
      // Subnormal half: normalise. value = mant * 2^-24.
      let k = 0;
      while ((mant & 0x400) === 0) {
        mant <<= 1;
        k++;
      }
      bits = sign | ((113 - k) << 23) | ((mant & 0x3ff) << 13);
    }
    t[h] = bits >>> 0;
  }
  halfTable = t;
  return t;
}

/** float16 bit patterns -> float32 values. */
export function halfToFloat32(half: Uint16Array): Float32Array {
  const table = halfToFloatTable();
  const out = new Uint32Array(half.length);
  for (let i = 0; i < half.length; i++) out[i] = table[half[i] as number] as number;
  return new Float32Array(out.buffer);
}

/** bfloat16 bit patterns -> float32 values (the top half of a float32). */
export function bfloat16ToFloat32(bf: Uint16Array): Float32Array {
  const out = new Uint32Array(bf.length);
  for (let i = 0; i < bf.length; i++) out[i] = (bf[i] as number) << 16;
  return new Float32Array(out.buffer);
}

/** Reverse the byte order of each `size`-byte element in place (big-endian storages). */
export function byteSwap(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a] as number;
      bytes[a] = bytes[b] as number;
      bytes[b] = t;
    }
  }
}

/**
 * Decode `bytes` (little-endian elements of `kind`) into a host tensor of `dims`. The result may
 * share memory with `bytes`: pass a buffer the tensor may own.
 */
export function decodeElements(
  file: string,
  name: string,
  kind: ElementKind,
  bytes: Uint8Array,
  dims: readonly number[],
  options: ReadOptions = {},
): HostTensor {
  if (!LITTLE_ENDIAN_HOST) throw fail(file, 'reading checkpoints needs a little-endian host');
  const size = ELEMENT_SIZE[kind];
  const n = numel(dims);
  if (bytes.byteLength !== n * size) {
    throw fail(file, `tensor "${name}": shape [${dims.join(', ')}] of ${kind} needs ${n * size} bytes, found ${bytes.byteLength}`);
  }
  // Typed arrays need their byte offset aligned to the element size: copy when it is not.
  const b = bytes.byteOffset % size === 0 ? bytes : bytes.slice();
  const { buffer, byteOffset } = b;
  const dtype = hostDType(kind, options);
  let data: TypedArray;
  switch (kind) {
    case 'F32':
      data = new Float32Array(buffer, byteOffset, n);
      break;
    case 'F64': {
      const v = new Float64Array(buffer, byteOffset, n);
      data = options.toFloat32 ? Float32Array.from(v) : v;
      break;
    }
    case 'F16': {
      const v = new Uint16Array(buffer, byteOffset, n);
      data = options.toFloat32 ? halfToFloat32(v) : v;
      break;
    }
    case 'BF16':
      data = bfloat16ToFloat32(new Uint16Array(buffer, byteOffset, n));
      break;
    case 'I64':
      data = new BigInt64Array(buffer, byteOffset, n);
      break;
    case 'I32':
      data = new Int32Array(buffer, byteOffset, n);
      break;
    case 'I16':
      data = Int32Array.from(new Int16Array(buffer, byteOffset, n));
      break;
    case 'I8':
      data = new Int8Array(buffer, byteOffset, n);
      break;
    case 'U8':
    case 'BOOL':
      data = new Uint8Array(buffer, byteOffset, n);
      break;
  }
  return { dtype, dims: [...dims], data };
}

/** The typed-array class each host dtype must be stored in. */
const ARRAY_OF_DTYPE: Readonly<Record<DType, new (n: number) => TypedArray>> = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  int64: BigInt64Array,
  int32: Int32Array,
  int8: Int8Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

/** The raw little-endian bytes of a host tensor (a view, no copy), after checking it is well formed. */
export function tensorBytes(file: string, name: string, t: HostTensor): Uint8Array {
  if (!LITTLE_ENDIAN_HOST) throw fail(file, 'writing checkpoints needs a little-endian host');
  const ctor = ARRAY_OF_DTYPE[t.dtype];
  if (!ctor) throw fail(file, `tensor "${name}" has unknown dtype "${String(t.dtype)}"`);
  if (!(t.data instanceof ctor)) {
    throw fail(file, `tensor "${name}" has dtype ${t.dtype} but its data is a ${t.data.constructor.name}`);
  }
  for (const d of t.dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw fail(file, `tensor "${name}" has invalid dims [${t.dims.join(', ')}]`);
  }
  const n = numel(t.dims);
  if (t.data.length !== n) {
    throw fail(file, `tensor "${name}" has ${t.data.length} values for dims [${t.dims.join(', ')}] (${n} expected)`);
  }
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}
