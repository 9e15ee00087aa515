/**
 * Numeric gradient checking in float64: builds loss = sum(f(inputs) * r) for a fixed random r,
 * takes the analytic gradients from the autodiff, and compares them with central differences of
 * the same ONNX graph run by ONNX Runtime.
 */
import { gradients } from '../../src/core/engine/autodiff/index.js';
import { type Dim, GraphBuilder, type Value } from '../../src/core/engine/graph.js';
import { serialize } from '../../src/core/engine/onnx/serialize.js';
import { createSession, type Session } from '../../src/core/engine/runtime.js';
import { type DType, type HostTensor, numel, tensor } from '../../src/core/engine/tensor.js';

export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

export function randn(rand: () => number, n: number, scale = 1): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = Math.max(rand(), 1e-12);
    const v = rand();
    out.push(scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  }
  return out;
}

export interface InputSpec {
  name: string;
  dtype?: DType;
  dims: number[];
  /** Values; default: standard normal. */
  values?: number[];
  /** Differentiate with respect to this input (float inputs default to true). */
  grad?: boolean;
  /** Declared (possibly symbolic) shape for the graph input; default: dims. */
  shape?: Dim[];
}

export interface GradCheckResult {
  /** Largest relative error over the checked coordinates whose gradient is not negligible. */
  maxRelError: number;
  checked: number;
  analytic: Record<string, Float64Array>;
  numeric: Record<string, Float64Array>;
}

export async function gradcheck(
  specs: InputSpec[],
  build: (g: GraphBuilder, inputs: Record<string, Value>) => Value,
  opts: { seed?: number; h?: number; maxCoords?: number; negligible?: number } = {},
): Promise<GradCheckResult> {
  const rand = rng(opts.seed ?? 7);
  const feeds: Record<string, HostTensor> = {};
  const g = new GraphBuilder('gradcheck');
  const inputs: Record<string, Value> = {};
  for (const s of specs) {
    const dtype = s.dtype ?? 'float64';
    inputs[s.name] = g.input(s.name, dtype, s.shape ?? s.dims);
    feeds[s.name] = tensor(dtype, s.dims, s.values ?? randn(rand, numel(s.dims)));
  }
  const out = build(g, inputs);
  const outDims = out.shape.map((d) => {
    if (typeof d !== 'number') throw new Error('gradcheck: the function output must have a static shape');
    return d;
  });
  const r = g.input('__r', 'float64', outDims);
  feeds.__r = tensor('float64', outDims, randn(rand, numel(outDims)));
  const loss = g.reduceSum(g.mul(out.dtype === 'float64' ? out : g.cast(out, 'float64'), r), [...outDims.keys()]);
  g.output(loss, 'loss');
  const wrt = specs.filter((s) => s.grad ?? (s.dtype ?? 'float64') === 'float64');
  const grads = gradients(
    g,
    loss,
    wrt.map((s) => inputs[s.name]!),
  );
  for (const s of wrt) {
    const d = grads.get(inputs[s.name]!);
    if (!d) throw new Error(`gradcheck: no gradient reached ${s.name}`);
    g.output(d, `grad_${s.name}`);
  }
  const session = await createSession(serialize(g), { threads: 1 });
  try {
    return await checkSession(
      session,
      feeds,
      wrt.map((s) => s.name),
      opts,
      rand,
    );
  } finally {
    await session.dispose();
  }
}

/**
 * Numeric check of a session built elsewhere: its outputs must include a float64 scalar `loss` and
 * `grad_<name>` for every name in `names` (float64 inputs of `feeds`, perturbed in place and
 * restored). Lets one session (e.g. with symbolic dims) be checked at several input shapes.
 */
export async function checkSession(
  session: Session,
  feeds: Record<string, HostTensor>,
  names: readonly string[],
  opts: { seed?: number; h?: number; maxCoords?: number; negligible?: number } = {},
  rand: () => number = rng(opts.seed ?? 11),
): Promise<GradCheckResult> {
  const base = await session.run(feeds);
  const lossAt = async (name: string, i: number, delta: number): Promise<number> => {
    const data = feeds[name]!.data as Float64Array;
    const keep = data[i]!;
    data[i] = keep + delta;
    const res = await session.run(feeds, ['loss']);
    data[i] = keep;
    return (res.loss!.data as Float64Array)[0]!;
  };
  return compare(base, feeds, names, lossAt, opts, rand);
}

async function compare(
  base: Record<string, HostTensor>,
  feeds: Record<string, HostTensor>,
  names: readonly string[],
  lossAt: (name: string, i: number, delta: number) => Promise<number>,
  opts: { h?: number; maxCoords?: number; negligible?: number },
  rand: () => number,
): Promise<GradCheckResult> {
  const h = opts.h ?? 1e-4;
  const maxCoords = opts.maxCoords ?? 64;
  let maxRel = 0;
  let checked = 0;
  const analytic: Record<string, Float64Array> = {};
  const numeric: Record<string, Float64Array> = {};
  for (const name of names) {
    const a = Float64Array.from(base[`grad_${name}`]!.data as Float64Array);
    analytic[name] = a;
    const n = new Float64Array(a.length).fill(NaN);
    numeric[name] = n;
    const scale = Math.max(...Array.from(a, Math.abs));
    const count = feeds[name]!.data.length;
    const coords = count <= maxCoords ? [...Array(count).keys()] : Array.from({ length: maxCoords }, () => Math.floor(rand() * count));
    for (const i of coords) {
      // Five-point stencil: O(h^4) truncation error.
      const f = async (k: number): Promise<number> => lossAt(name, i, k * h);
      n[i] = (-(await f(2)) + 8 * (await f(1)) - 8 * (await f(-1)) + (await f(-2))) / (12 * h);
      const denom = Math.max(Math.abs(a[i]!), Math.abs(n[i]!));
      if (denom < (opts.negligible ?? 1e-6) * Math.max(scale, 1e-12)) continue;
      maxRel = Math.max(maxRel, Math.abs(a[i]! - n[i]!) / denom);
      checked++;
    }
  }
  return { maxRelError: maxRel, checked, analytic, numeric };
}
