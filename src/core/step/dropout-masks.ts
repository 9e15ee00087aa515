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

/** The kernels' parameters: PTR, N (16-element groups), KEY, THR; the noise kernel's SCALE (a float's bits). */
const [PTR, N, KEY, THR, SCALE] = [0, 1, 2, 3, 4];

/** A kernel's v128 locals, numbered from `base` (after its parameters). */
interface Lanes {
  ctr: number;
  four: number;
  keyv: number;
  thrv: number;
  m1: number;
  m2: number;
  ones: number;
  a: number;
  b: number;
  c: number;
  d: number;
  x: number;
}

function lanesFrom(base: number): Lanes {
  const names = ['ctr', 'four', 'keyv', 'thrv', 'm1', 'm2', 'ones', 'a', 'b', 'c', 'd', 'x'] as const;
  return Object.fromEntries(names.map((n, i) => [n, base + i])) as unknown as Lanes;
}

/** x = lowbias32(x) on the v128 on the stack; leaves it on the stack. */
function mix(l: Lanes): number[] {
  const shr = (k: number): number[] => [...i32c(k), ...simd(OP.shrU)];
  const xorShift = (k: number): number[] => [...set(l.x), ...get(l.x), ...get(l.x), ...shr(k), ...simd(OP.xor)];
  return [...xorShift(16), ...get(l.m1), ...simd(OP.mul), ...xorShift(15), ...get(l.m2), ...simd(OP.mul), ...xorShift(16)];
}

/**
 * A mask kernel: per loop pass, four lane groups of counters hashed and compared with the
 * threshold (a, b, c, d: all-ones where kept), then `store` writes them. `ones` holds `onesValue`.
 */
function maskFunction(base: number, store: (l: Lanes) => number[], onesValue: number[]): number[] {
  const l = lanesFrom(base);
  const splat = (v: number[], dst: number): number[] => [...v, ...simd(OP.i32x4Splat), ...set(dst)];
  // one lane group: hash the counters, compare, advance the counters
  const lanes = (dst: number): number[] => [
    ...[...get(l.ctr), ...mix(l), ...get(l.keyv), ...simd(OP.xor), ...mix(l), ...get(l.thrv), ...simd(OP.geU), ...set(dst)],
    ...[...get(l.ctr), ...get(l.four), ...simd(OP.add), ...set(l.ctr)],
  ];
  const code = [
    // ctr = [0, 1, 2, 3]: v128.const
    ...simd(0x0c, ...[0, 1, 2, 3].flatMap((i) => [i, 0, 0, 0])),
    ...set(l.ctr),
    ...splat(i32c(4), l.four),
    ...splat(get(KEY), l.keyv),
    ...splat(get(THR), l.thrv),
    ...splat([0x41, ...s32(M1)], l.m1),
    ...splat([0x41, ...s32(M2 | 0)], l.m2),
    ...onesValue,
    ...set(l.ones),
    ...countedLoop(N, [PTR], [...lanes(l.a), ...lanes(l.b), ...lanes(l.c), ...lanes(l.d), ...store(l)]),
    0x0b,
  ];
  return [...vec([[12, V128]]), ...code];
}

/** Masks as bytes: the four lane groups narrowed to 16 bytes of 0 / 1. */
function storeBytes(l: Lanes): number[] {
  return [
    ...[...get(PTR), ...get(l.a), ...get(l.b), ...simd(OP.narrow32), ...get(l.c), ...get(l.d), ...simd(OP.narrow32)],
    ...[...simd(OP.narrow16), ...get(l.ones), ...simd(OP.and), ...v128store()],
  ];
}

/** Noise as floats: each lane group's all-ones lanes AND the scale's bits, 64 bytes; PTR advances 48 more than the loop's 16. */
function storeFloats(l: Lanes): number[] {
  return [
    ...[l.a, l.b, l.c, l.d].flatMap((v, i) => [...get(PTR), ...get(v), ...get(l.ones), ...simd(OP.and), ...v128store(16 * i)]),
    ...[...get(PTR), ...i32c(48), 0x6a /* i32.add */, ...set(PTR)],
  ];
}

/**
 * fill(ptr, n16, key, threshold): bytes ptr .. ptr + 16*n16 get the masks of counters 0 .. 16*n16-1.
 * noise(ptr, n16, key, threshold, scale): floats ptr .. ptr + 64*n16 bytes get the same masks as
 * float32 dropout noise, `scale` (its bits as an i32) where kept and 0 where dropped.
 */
function buildModule(): Uint8Array {
  const types = vec([
    [0x60, ...vec([[I32], [I32], [I32], [I32]]), ...vec([])],
    [0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), ...vec([])],
  ]);
  return moduleBytes(types, [
    ['fill', 0, maskFunction(4, storeBytes, [...i32c(1), ...simd(OP.i8x16Splat)])],
    ['noise', 1, maskFunction(5, storeFloats, [...get(SCALE), ...simd(OP.i32x4Splat)])],
  ]);
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
type Noise = (ptr: number, n16: number, key: number, threshold: number, scaleBits: number) => void;

/** Bytes a site takes in the buffer: whole 16-element groups, of 1 (mask) or 4 (noise) bytes. */
const siteBytes = (n: number, noise: boolean): number => Math.ceil(n / 16) * 16 * (noise ? 4 : 1);

export class MaskDrawer {
  private memory: WasmMemory | undefined;
  private kernels: { fill: Fill; noise: Noise } | undefined;
  private bytes: Uint8Array = new Uint8Array(0);
  private used = 0;

  constructor(private readonly simdKernel = maskKernelAvailable()) {}

  /** Makes room for masks of these sizes (a run's sites; `noise[i]`: site i draws float32 noise) and forgets earlier draws. */
  reset(sizes: readonly number[], noise: readonly boolean[] = []): void {
    this.used = 0;
    const need = sizes.reduce((a, n, i) => a + siteBytes(n, noise[i] ?? false), 0);
    if (this.bytes.length >= need) return;
    const cap = Math.ceil((need * 1.25) / 65536) * 65536;
    const mod = this.simdKernel ? module() : null;
    if (mod) {
      this.memory = new WA.Memory({ initial: cap / 65536 });
      const inst = new WA.Instance(mod, { env: { memory: this.memory } });
      this.kernels = inst.exports as { fill: Fill; noise: Noise };
      this.bytes = new Uint8Array(this.memory.buffer);
    } else this.bytes = new Uint8Array(cap);
  }

  private take(bytes: number): number {
    const start = this.used;
    if (start + bytes > this.bytes.length) throw new Error('MaskDrawer: reset() with the run total first');
    this.used += bytes;
    return start;
  }

  /** The keep-mask of `n` elements for (key, threshold). */
  draw(n: number, key: number, threshold: number): Uint8Array {
    const padded = siteBytes(n, false);
    const start = this.take(padded);
    const out = this.bytes.subarray(start, start + n);
    if (this.kernels) this.kernels.fill(start, padded / 16, key | 0, threshold | 0);
    else fillMaskScalar(out, key, threshold);
    return out;
  }

  /**
   * The same keep-mask as float32 dropout noise: `scale` (a float32) where kept, 0 where dropped;
   * what the graph's Div(Cast(mask), 1 - p) makes of the mask when scale = fround(1 / fround(1 - p)).
   */
  drawNoise(n: number, key: number, threshold: number, scale: number): Float32Array {
    const padded = siteBytes(n, true);
    const start = this.take(padded);
    const out = new Float32Array(this.bytes.buffer, start, n);
    if (this.kernels) this.kernels.noise(start, padded / 64, key | 0, threshold | 0, floatBits(scale));
    else {
      const mask = new Uint8Array(n);
      fillMaskScalar(mask, key, threshold);
      for (let i = 0; i < n; i++) out[i] = mask[i] ? scale : 0;
    }
    return out;
  }
}

/** A float32's bits as an i32. */
function floatBits(x: number): number {
  const b = new DataView(new ArrayBuffer(4));
  b.setFloat32(0, x, true);
  return b.getInt32(0, true);
}

/** Dropout noise's kept value for probability p, as the graph computes it: float32(1 / float32(1 - p)). */
export function noiseScale(p: number): number {
  return Math.fround(1 / Math.fround(1 - p));
}
