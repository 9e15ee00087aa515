/**
 * Dropout keep-masks for the training graphs, drawn here instead of by ONNX Runtime's Dropout
 * kernel (whose generator is serial: about 5 ns per element, a tenth of a bert-mini step).
 *
 * A counter-based generator: element i of the mask a site draws in run r is
 *   h = lowbias32(lowbias32(i) ^ key(seed, r, site));   keep = h >= round(p * 2^32)   (unsigned)
 * so a mask depends only on (seed, run, site, i): a resumed run draws what an uninterrupted one
 * would, on any provider, without replaying anything. lowbias32 is Chris Wellons' 32-bit integer
 * hash (a bijection); keying between two rounds keeps different keys from drawing shifted copies of
 * one sequence. P(keep) = 1 - p to within 2^-32.
 *
 * The loop runs as WebAssembly SIMD (16 masks per iteration), with a scalar fallback that draws
 * the same bits.
 */
import { I32, V128, WA, type WasmMemory, compileOnce, countedLoop, get, i32c, moduleBytes, set, simd, v128store, vec } from './wasm-kernels.js';

const M1 = 0x7feb352d;
const M2 = 0x846ca68b;

function lowbias32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, M1);
  x ^= x >>> 15;
  x = Math.imul(x, M2);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The key of one site's mask in one run (every input bit reaches every key bit). */
export function maskKey(seed: number, run: number, site: number): number {
  let k = lowbias32((seed >>> 0) ^ 0x9e3779b9);
  k = lowbias32(k ^ (run >>> 0));
  k = lowbias32(k ^ Math.floor(run / 4294967296));
  return lowbias32(k ^ (site >>> 0));
}

/** round(p * 2^32): keep when the hash is at least this (p < 1). */
export function keepThreshold(p: number): number {
  if (!(p >= 0 && p < 1)) throw new Error(`dropout probability must be in [0, 1), got ${p}`);
  return Math.min(Math.round(p * 4294967296), 4294967295);
}

/** The scalar definition (the reference the SIMD kernel must equal). */
export function fillMaskScalar(out: Uint8Array, key: number, threshold: number): void {
  for (let i = 0; i < out.length; i++) out[i] = lowbias32(lowbias32(i) ^ key) >= threshold ? 1 : 0;
}

/** Signed LEB128 (i32.const immediates). */
function s32(n: number): number[] {
  const out: number[] = [];
  let v = n | 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const OP = { i32x4Splat: 0x11, i8x16Splat: 0x0f, geU: 0x40, and: 0x4e, xor: 0x51, narrow16: 0x65, narrow32: 0x85, shrU: 0xad, add: 0xae, mul: 0xb5 };

/**
 * fill(ptr, n16, key, threshold): bytes ptr .. ptr + 16*n16 get the masks of counters 0 .. 16*n16-1.
 */
function buildModule(): Uint8Array {
  const [PTR, N, KEY, THR] = [0, 1, 2, 3];
  // v128 locals
  const [ctr, four, keyv, thrv, m1, m2, ones, a, b, c, d, x] = [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
  const shr = (k: number): number[] => [...i32c(k), ...simd(OP.shrU)];
  // x = lowbias32(x) on the v128 on the stack, leaves it in local x
  const mix = (): number[] => [
    ...set(x),
    ...get(x),
    ...get(x),
    ...shr(16),
    ...simd(OP.xor),
    ...get(m1),
    ...simd(OP.mul),
    ...set(x),
    ...get(x),
    ...get(x),
    ...shr(15),
    ...simd(OP.xor),
    ...get(m2),
    ...simd(OP.mul),
    ...set(x),
    ...get(x),
    ...get(x),
    ...shr(16),
    ...simd(OP.xor),
  ];
  // one lane group: hash the counters, compare, advance the counters
  const lanes = (dst: number): number[] => [
    ...get(ctr),
    ...mix(),
    ...get(keyv),
    ...simd(OP.xor),
    ...mix(),
    ...get(thrv),
    ...simd(OP.geU),
    ...set(dst),
    ...get(ctr),
    ...get(four),
    ...simd(OP.add),
    ...set(ctr),
  ];
  const body = [
    ...lanes(a),
    ...lanes(b),
    ...lanes(c),
    ...lanes(d),
    ...get(PTR),
    ...get(a),
    ...get(b),
    ...simd(OP.narrow32),
    ...get(c),
    ...get(d),
    ...simd(OP.narrow32),
    ...simd(OP.narrow16),
    ...get(ones),
    ...simd(OP.and),
    ...v128store(),
  ];
  const splat = (v: number[], dst: number): number[] => [...v, ...simd(OP.i32x4Splat), ...set(dst)];
  const code = [
    // ctr = [0, 1, 2, 3]: v128.const
    ...simd(0x0c, ...[0, 1, 2, 3].flatMap((i) => [i, 0, 0, 0])),
    ...set(ctr),
    ...splat(i32c(4), four),
    ...splat(get(KEY), keyv),
    ...splat(get(THR), thrv),
    ...splat([0x41, ...s32(M1)], m1),
    ...splat([0x41, ...s32(M2 | 0)], m2),
    ...i32c(1),
    ...simd(OP.i8x16Splat),
    ...set(ones),
    ...countedLoop(N, [PTR], body),
    0x0b,
  ];
  const types = vec([[0x60, ...vec([[I32], [I32], [I32], [I32]]), ...vec([])]]);
  return moduleBytes(types, [['fill', 0, [...vec([[12, V128]]), ...code]]]);
}

const module = compileOnce(buildModule);

/** Whether the SIMD kernel runs here (otherwise the scalar loop draws the same masks). */
export function maskKernelAvailable(): boolean {
  return module() !== null;
}

/**
 * Draws the masks of one run into one reusable buffer: `draw` returns views valid until the next
 * `reset` (the buffer may be replaced when a run needs more room).
 */
type Fill = (ptr: number, n16: number, key: number, threshold: number) => void;

export class MaskDrawer {
  private memory: WasmMemory | undefined;
  private fill: Fill | undefined;
  private bytes: Uint8Array = new Uint8Array(0);
  private used = 0;

  constructor(private readonly simdKernel = maskKernelAvailable()) {}

  /** Makes room for masks of these sizes (a run's sites) and forgets earlier draws. */
  reset(sizes: readonly number[]): void {
    this.used = 0;
    const need = sizes.reduce((a, n) => a + Math.ceil(n / 16) * 16, 0);
    if (this.bytes.length >= need) return;
    const cap = Math.ceil((need * 1.25) / 65536) * 65536;
    const mod = this.simdKernel ? module() : null;
    if (mod) {
      this.memory = new WA.Memory({ initial: cap / 65536 });
      const inst = new WA.Instance(mod, { env: { memory: this.memory } });
      this.fill = (inst.exports as { fill: Fill }).fill;
      this.bytes = new Uint8Array(this.memory.buffer);
    } else this.bytes = new Uint8Array(cap);
  }

  /** The keep-mask of `n` elements for (key, threshold). */
  draw(n: number, key: number, threshold: number): Uint8Array {
    const start = this.used;
    const padded = Math.ceil(n / 16) * 16;
    if (start + padded > this.bytes.length) throw new Error('MaskDrawer: reset() with the run total first');
    this.used += padded;
    const out = this.bytes.subarray(start, start + n);
    if (this.fill) this.fill(start, padded / 16, key | 0, threshold | 0);
    else fillMaskScalar(out, key, threshold);
    return out;
  }
}
