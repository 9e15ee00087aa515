/**
 * Graph IR and builder. Values carry a dtype and a (possibly symbolic) shape, so one graph serves
 * every batch and sequence length: a symbolic dim is a name (`batch`, `seq`) or a product of names
 * (`batch*seq`). The builder infers each output's shape as it adds a node, which is what lets the
 * autodiff reduce broadcast gradients without running anything.
 *
 * Most IR ops are ONNX ops under the same name and attributes. A few composite ops (`Gelu`,
 * `LayerNorm`, the losses) are single IR nodes with their own gradient rules; `lower()` in
 * ./lower.ts expands them into ONNX ops before serialization.
 */
import { type DType, type HostTensor, ONNX_DTYPE, elementAt, int64, numel, scalar, tensor } from './tensor.js';

/** Float dtypes by width: mixing two in one op promotes to the wider (torch's type promotion). */
const FLOAT_RANK: Partial<Record<DType, number>> = { float16: 1, float32: 2, float64: 3 };

export type Dim = number | string;

export type Attr =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'tensor'; readonly value: HostTensor };

export const attr = {
  int: (value: number): Attr => ({ kind: 'int', value }),
  float: (value: number): Attr => ({ kind: 'float', value }),
  ints: (value: readonly number[]): Attr => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): Attr => ({ kind: 'floats', value }),
  string: (value: string): Attr => ({ kind: 'string', value }),
  tensor: (value: HostTensor): Attr => ({ kind: 'tensor', value }),
};

export type Attrs = Readonly<Record<string, Attr>>;

export interface Value {
  readonly id: number;
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly Dim[];
  /** The node that computes this value; undefined for graph inputs and initializers. */
  readonly producer: Node | undefined;
}

export interface Node {
  readonly op: string;
  readonly inputs: readonly (Value | null)[];
  readonly outputs: readonly Value[];
  readonly attrs: Attrs;
  readonly name: string;
}

export function intAttr(node: Node, name: string, fallback?: number): number {
  const a = node.attrs[name];
  if (a === undefined) {
    if (fallback === undefined) throw new Error(`${node.op}: attribute ${name} is missing`);
    return fallback;
  }
  if (a.kind !== 'int') throw new Error(`${node.op}: attribute ${name} is not an int`);
  return a.value;
}

export function stringAttr(node: Node, name: string): string {
  const a = node.attrs[name];
  if (a?.kind !== 'string') throw new Error(`${node.op}: attribute ${name} is missing or not a string`);
  return a.value;
}

export function floatAttr(node: Node, name: string, fallback?: number): number {
  const a = node.attrs[name];
  if (a === undefined) {
    if (fallback === undefined) throw new Error(`${node.op}: attribute ${name} is missing`);
    return fallback;
  }
  if (a.kind !== 'float' && a.kind !== 'int') throw new Error(`${node.op}: attribute ${name} is not a number`);
  return a.value;
}

export function intsAttr(node: Node, name: string): readonly number[] | undefined {
  const a = node.attrs[name];
  if (a === undefined) return undefined;
  if (a.kind !== 'ints') throw new Error(`${node.op}: attribute ${name} is not ints`);
  return a.value;
}

// ---------------------------------------------------------------------------------------------
// Symbolic dims

/** A dim as a coefficient times a sorted list of symbol names (a monomial). */
interface Monomial {
  coef: number;
  syms: string[];
}

function toMonomial(d: Dim): Monomial {
  if (typeof d === 'number') return { coef: d, syms: [] };
  // Numeric factors ('3*batch*seq', as dimProduct writes a product with a number) go into the coefficient.
  const m: Monomial = { coef: 1, syms: [] };
  for (const f of d.split('*')) {
    if (/^\d+$/.test(f)) m.coef *= Number(f);
    else m.syms.push(f);
  }
  m.syms.sort();
  return m;
}

function fromMonomial(m: Monomial): Dim {
  if (m.syms.length === 0) return m.coef;
  const s = m.syms.join('*');
  return m.coef === 1 ? s : `${m.coef}*${s}`;
}

/** A dim's value given its symbols' values (sums of monomials such as `batch*seq+2`). */
export function evalDim(d: Dim, symbols: Readonly<Record<string, number>>): number {
  if (typeof d === 'number') return d;
  let total = 0;
  for (const term of d.split('+')) {
    const m = toMonomial(term.trim());
    let v = m.coef;
    for (const sym of m.syms) {
      const n = /^\d+$/.test(sym) ? Number(sym) : symbols[sym];
      if (n === undefined) throw new Error(`dim ${d}: no value for ${sym}`);
      v *= n;
    }
    total += v;
  }
  return total;
}

export function dimProduct(dims: readonly Dim[]): Dim {
  const m: Monomial = { coef: 1, syms: [] };
  for (const d of dims) {
    const x = toMonomial(d);
    m.coef *= x.coef;
    m.syms.push(...x.syms);
  }
  m.syms.sort();
  return fromMonomial(m);
}

export function sameDim(a: Dim, b: Dim): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  return fromMonomialKey(a) === fromMonomialKey(b);
}

function fromMonomialKey(d: Dim): string {
  return String(fromMonomial(toMonomial(d)));
}

export function broadcastShapes(a: readonly Dim[], b: readonly Dim[]): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da === 1) out.push(db);
    else if (db === 1) out.push(da);
    else if (typeof da === 'number' && typeof db === 'number' && da !== db) {
      throw new Error(`cannot broadcast shapes [${a.join(', ')}] and [${b.join(', ')}]`);
    } else out.push(typeof da === 'string' ? da : db);
  }
  return out;
}

function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

// ---------------------------------------------------------------------------------------------

/** A dropout site's keep-mask input: bool, `shape` (symbolic dims resolve with evalDim). */
export interface DropoutMaskInput {
  readonly name: string;
  readonly shape: readonly Dim[];
  readonly ratio: number;
  /**
   * 'float32' (GraphBuilder.dropoutInput 'noise'): the input is the noise itself, float32(1 /
   * float32(1 - ratio)) where kept and 0 where dropped. Default: a bool keep-mask.
   */
  readonly dtype?: 'bool' | 'float32';
}

/** Which rows of an [N, ...] value packRows keeps (see GraphBuilder.rowPacking). */
export interface RowPacking {
  readonly idx: Value;
  readonly inv: Value;
  readonly invAny: Value;
}

export interface Initializer {
  readonly value: Value;
  readonly data: HostTensor;
}

/**
 * Builds a graph node by node. Inputs, initializers and outputs are declared explicitly; every op
 * method infers its outputs' dtype and shape.
 */
export class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly inputs: Value[] = [];
  readonly outputs: Value[] = [];
  /** The dropout sites' mask inputs, in the order the forward pass met them (see dropout). */
  readonly dropoutMasks: DropoutMaskInput[] = [];
  readonly initializers: Initializer[] = [];
  private nextId = 0;
  private readonly names = new Set<string>();
  private readonly symbolSource = new Map<string, { value: Value; axis: number }>();
  private readonly shapeCache = new Map<string, Value>();
  private readonly constCache = new Map<string, Value>();

  /**
   * Mixed precision, torch.autocast's op policy: while set (to 'float16'), MatMul / Gemm / Linear
   * cast their float inputs to it and compute in it; Softmax, LogSoftmax, LayerNorm and the losses
   * cast float16 inputs up to float32; every other op runs in its inputs' dtype, and an op mixing
   * two float dtypes promotes to the wider (a scalar constant takes its tensor operand's dtype, as
   * a Python number does in torch). Set it around the forward pass only: the backward pass follows
   * the dtypes the forward chose.
   */
  autocast: 'float16' | undefined;

  /**
   * The provider the graph is for: 'gpu' makes gradient rules prefer formulations a GPU provider
   * runs entirely on the device (ONNX Runtime places int64 tensor ops, and float ops fed by
   * them, on the CPU). Same values either way.
   */
  target: 'cpu' | 'gpu' = 'cpu';

  /**
   * What a float32 dropout site takes as input: 'mask', a bool keep-mask the graph casts and
   * scales (a quarter of the bytes to send to a GPU), or 'noise', the scaled float32 noise itself
   * (two fewer passes over the site per step on the CPU; the same values). Other dtypes take masks.
   */
  dropoutInput: 'mask' | 'noise' = 'mask';

  constructor(readonly name = 'graph') {}

  private uniqueName(base: string): string {
    let name = base;
    let i = 1;
    while (this.names.has(name)) name = `${base}_${i++}`;
    this.names.add(name);
    return name;
  }

  private newValue(name: string, dtype: DType, shape: readonly Dim[], producer?: Node): Value {
    return { id: this.nextId++, name: this.uniqueName(name), dtype, shape: [...shape], producer };
  }

  /** Makes symbolic dim `name` resolvable at run time as `value`'s size along `axis` (a computed dim). */
  defineSymbol(name: string, value: Value, axis: number): void {
    if (this.symbolSource.has(name)) throw new Error(`symbolic dim ${name} is already defined`);
    this.symbolSource.set(name, { value, axis });
  }

  /** Declares a graph input; its symbolic dims become resolvable at run time (see shapeTensor). */
  input(name: string, dtype: DType, shape: readonly Dim[]): Value {
    if (this.names.has(name)) throw new Error(`graph input name ${name} is already used`);
    const v = this.newValue(name, dtype, shape);
    this.inputs.push(v);
    shape.forEach((d, axis) => {
      if (typeof d === 'string' && !d.includes('*') && !this.symbolSource.has(d)) this.symbolSource.set(d, { value: v, axis });
    });
    return v;
  }

  initializer(name: string, data: HostTensor): Value {
    const v = this.newValue(name, data.dtype, data.dims);
    this.initializers.push({ value: v, data });
    return v;
  }

  /** A small constant, shared between uses. */
  constant(data: HostTensor, hint = 'const'): Value {
    const key = `${data.dtype}|${data.dims.join(',')}|${Array.from(data.data as ArrayLike<number | bigint>, String).join(',')}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const v = this.initializer(hint, data);
    this.constCache.set(key, v);
    return v;
  }

  scalarConst(dtype: DType, value: number): Value {
    return this.constant(scalar(dtype, value), 'c');
  }

  ints(values: readonly number[]): Value {
    return this.constant(int64(values), 'ints');
  }

  /** The data of a value that is an initializer (a constant), if it is one. */
  constantData(v: Value): HostTensor | undefined {
    return this.initializers.find((i) => i.value === v)?.data;
  }

  output(v: Value, name?: string): Value {
    let out = v;
    if (name !== undefined && v.name !== name) {
      if (this.names.has(name)) throw new Error(`graph output name ${name} is already used`);
      out = this.addNode('Identity', [v], {}, [{ dtype: v.dtype, shape: v.shape, name }])[0]!;
    } else if (this.inputs.includes(v) || this.initializers.some((i) => i.value === v) || this.outputs.includes(v)) {
      // ONNX outputs must be produced by a node and be distinct.
      out = this.addNode('Identity', [v], {}, [{ dtype: v.dtype, shape: v.shape, name: `${v.name}_out` }])[0]!;
    }
    this.outputs.push(out);
    return out;
  }

  /** Adds a node with explicitly given output types. */
  addNode(op: string, inputs: readonly (Value | null)[], attrs: Attrs, outs: readonly { dtype: DType; shape: readonly Dim[]; name?: string }[]): Value[] {
    const nodeName = this.uniqueName(`${op}_${this.nodes.length}`);
    const outputs: Value[] = [];
    const node: Node = { op, inputs: [...inputs], outputs, attrs, name: nodeName };
    for (const [i, o] of outs.entries()) {
      outputs.push(this.newValue(o.name ?? `${nodeName}_o${i}`, o.dtype, o.shape, node));
    }
    this.nodes.push(node);
    return outputs;
  }

  private one(op: string, inputs: readonly (Value | null)[], attrs: Attrs, dtype: DType, shape: readonly Dim[]): Value {
    return this.addNode(op, inputs, attrs, [{ dtype, shape }])[0]!;
  }

  // ---- runtime shapes -----------------------------------------------------------------------

  /** A 1-D int64 value holding the given dims at run time (symbols resolved from the inputs). */
  shapeTensor(dims: readonly Dim[]): Value {
    if (dims.every((d) => typeof d === 'number')) return this.ints(dims as number[]);
    const key = dims.map(String).join(',');
    const hit = this.shapeCache.get(key);
    if (hit) return hit;
    const parts: Value[] = [];
    let run: number[] = [];
    for (const d of dims) {
      if (typeof d === 'number') {
        run.push(d);
        continue;
      }
      if (run.length) parts.push(this.ints(run));
      run = [];
      parts.push(this.dimTensor(d));
    }
    if (run.length) parts.push(this.ints(run));
    const v = parts.length === 1 ? parts[0]! : this.concat(parts, 0);
    this.shapeCache.set(key, v);
    return v;
  }

  /** A [1]-shaped int64 value holding one (possibly composite) dim at run time. */
  dimTensor(d: Dim): Value {
    if (typeof d === 'number') return this.ints([d]);
    const key = `dim:${d}`;
    const hit = this.shapeCache.get(key);
    if (hit) return hit;
    const m = toMonomial(d);
    let acc: Value | undefined = m.coef === 1 ? undefined : this.ints([m.coef]);
    for (const s of m.syms) {
      const src = this.symbolSource.get(s);
      if (!src) throw new Error(`symbolic dim ${s} has no source input`);
      const piece = this.one('Shape', [src.value], { start: attr.int(src.axis), end: attr.int(src.axis + 1) }, 'int64', [1]);
      acc = acc ? this.one('Mul', [acc, piece], {}, 'int64', [1]) : piece;
    }
    this.shapeCache.set(key, acc!);
    return acc!;
  }

  // ---- elementwise --------------------------------------------------------------------------

  private binary(op: string, a: Value, b: Value, dtype?: DType): Value {
    [a, b] = this.promote(a, b);
    return this.one(op, [a, b], {}, dtype ?? a.dtype, broadcastShapes(a.shape, b.shape));
  }

  /** Two float operands in one dtype: a one-element constant adopts the other's, else the wider wins. */
  private promote(a: Value, b: Value): [Value, Value] {
    const ra = FLOAT_RANK[a.dtype];
    const rb = FLOAT_RANK[b.dtype];
    if (a.dtype === b.dtype || ra === undefined || rb === undefined) return [a, b];
    const sb = this.scalarValue(b);
    if (sb !== undefined) return [a, this.scalarConst(a.dtype, sb)];
    const sa = this.scalarValue(a);
    if (sa !== undefined) return [this.scalarConst(b.dtype, sa), b];
    const wide = ra > rb ? a.dtype : b.dtype;
    return [this.cast(a, wide), this.cast(b, wide)];
  }

  private scalarValue(v: Value): number | undefined {
    if (v.producer || !v.shape.every((d) => d === 1)) return undefined;
    const data = this.constantData(v);
    return data && numel(data.dims) === 1 ? elementAt(data, 0) : undefined;
  }

  /** Under autocast: float inputs cast to the autocast dtype (MatMul-like ops). */
  private lowPrecision(xs: readonly Value[]): Value[] {
    const to = this.autocast;
    if (to) return xs.map((x) => (FLOAT_RANK[x.dtype] !== undefined ? this.cast(x, to) : x));
    let out = [...xs];
    for (let i = 1; i < out.length; i++) [out[0], out[i]] = this.promote(out[0]!, out[i]!);
    out = out.map((x) => (FLOAT_RANK[x.dtype] !== undefined ? this.cast(x, out[0]!.dtype) : x));
    return out;
  }

  /** Under autocast: float16 inputs cast up to float32 (Softmax, LayerNorm, losses). */
  private fullPrecision(xs: readonly Value[]): Value[] {
    if (!this.autocast) return [...xs];
    return xs.map((x) => (x.dtype === 'float16' ? this.cast(x, 'float32') : x));
  }

  add(a: Value, b: Value): Value {
    return this.binary('Add', a, b);
  }
  sub(a: Value, b: Value): Value {
    return this.binary('Sub', a, b);
  }
  mul(a: Value, b: Value): Value {
    return this.binary('Mul', a, b);
  }
  div(a: Value, b: Value): Value {
    return this.binary('Div', a, b);
  }
  pow(a: Value, b: Value): Value {
    return this.binary('Pow', a, b);
  }
  max(a: Value, b: Value): Value {
    return this.binary('Max', a, b);
  }
  equal(a: Value, b: Value): Value {
    return this.binary('Equal', a, b, 'bool');
  }
  greater(a: Value, b: Value): Value {
    return this.binary('Greater', a, b, 'bool');
  }
  less(a: Value, b: Value): Value {
    return this.binary('Less', a, b, 'bool');
  }
  where(cond: Value, a: Value, b: Value): Value {
    [a, b] = this.promote(a, b);
    return this.one('Where', [cond, a, b], {}, a.dtype, broadcastShapes(cond.shape, broadcastShapes(a.shape, b.shape)));
  }

  unary(op: string, x: Value, attrs: Attrs = {}): Value {
    return this.one(op, [x], attrs, x.dtype, x.shape);
  }
  neg(x: Value): Value {
    return this.unary('Neg', x);
  }
  exp(x: Value): Value {
    return this.unary('Exp', x);
  }
  log(x: Value): Value {
    return this.unary('Log', x);
  }
  sqrt(x: Value): Value {
    return this.unary('Sqrt', x);
  }
  tanh(x: Value): Value {
    return this.unary('Tanh', x);
  }
  sigmoid(x: Value): Value {
    return this.unary('Sigmoid', x);
  }
  relu(x: Value): Value {
    return this.unary('Relu', x);
  }
  abs(x: Value): Value {
    return this.unary('Abs', x);
  }
  erf(x: Value): Value {
    return this.unary('Erf', x);
  }
  /** Exact (erf) GELU as one composite node: x * Phi(x). */
  gelu(x: Value): Value {
    return this.unary('Gelu', x);
  }
  identity(x: Value): Value {
    return this.unary('Identity', x);
  }
  cast(x: Value, to: DType): Value {
    if (x.dtype === to) return x;
    return this.one('Cast', [x], { to: attr.int(ONNX_DTYPE[to]) }, to, x.shape);
  }

  // ---- linear algebra -----------------------------------------------------------------------

  matmul(a: Value, b: Value): Value {
    if (a.shape.length < 2 || b.shape.length < 2) throw new Error('matmul: rank-1 operands are not supported');
    const [a16, b16] = this.lowPrecision([a, b]) as [Value, Value];
    a = a16;
    b = b16;
    const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
    return this.one('MatMul', [a, b], {}, a.dtype, [...batch, a.shape[a.shape.length - 2]!, b.shape[b.shape.length - 1]!]);
  }

  gemm(a: Value, b: Value, c: Value | null, opts: { transA?: boolean; transB?: boolean; alpha?: number; beta?: number } = {}): Value {
    const m = opts.transA ? a.shape[1]! : a.shape[0]!;
    const n = opts.transB ? b.shape[0]! : b.shape[1]!;
    const attrs: Record<string, Attr> = {};
    if (opts.transA) attrs.transA = attr.int(1);
    if (opts.transB) attrs.transB = attr.int(1);
    if (opts.alpha !== undefined) attrs.alpha = attr.float(opts.alpha);
    if (opts.beta !== undefined) attrs.beta = attr.float(opts.beta);
    const cast = this.lowPrecision(c ? [a, b, c] : [a, b]);
    a = cast[0]!;
    b = cast[1]!;
    c = cast[2] ?? null;
    return this.one('Gemm', c ? [a, b, c] : [a, b], attrs, a.dtype, [m, n]);
  }

  /** x @ weight^T + bias with weight in PyTorch's [out, in] layout; one composite node. */
  linear(x: Value, weight: Value, bias?: Value): Value {
    const out = weight.shape[0]!;
    const cast = this.lowPrecision(bias ? [x, weight, bias] : [x, weight]);
    x = cast[0]!;
    weight = cast[1]!;
    bias = cast[2];
    return this.one('Linear', bias ? [x, weight, bias] : [x, weight], {}, x.dtype, [...x.shape.slice(0, -1), out]);
  }

  transpose(x: Value, perm: readonly number[]): Value {
    return this.one(
      'Transpose',
      [x],
      { perm: attr.ints(perm) },
      x.dtype,
      perm.map((p) => x.shape[p]!),
    );
  }

  // ---- shape ops ----------------------------------------------------------------------------

  /** Reshapes to the given dims; symbolic dims are resolved at run time. */
  reshape(x: Value, dims: readonly Dim[]): Value {
    const target: number[] = [];
    let symbolic = 0;
    for (const [i, d] of dims.entries()) {
      if (typeof d === 'number') target.push(d);
      else if (i < x.shape.length && sameDim(x.shape[i]!, d)) target.push(0);
      else {
        target.push(-1);
        symbolic++;
      }
    }
    const shape = symbolic <= 1 ? this.ints(target) : this.shapeTensor(dims);
    return this.one('Reshape', [x, shape], {}, x.dtype, dims);
  }

  unsqueeze(x: Value, axes: readonly number[]): Value {
    const rank = x.shape.length + axes.length;
    const norm = axes.map((a) => normAxis(a, rank)).sort((p, q) => p - q);
    const shape: Dim[] = [];
    let j = 0;
    for (let i = 0; i < rank; i++) shape.push(norm.includes(i) ? 1 : x.shape[j++]!);
    return this.one('Unsqueeze', [x, this.ints(norm)], {}, x.dtype, shape);
  }

  squeeze(x: Value, axes: readonly number[]): Value {
    const norm = axes.map((a) => normAxis(a, x.shape.length));
    return this.one(
      'Squeeze',
      [x, this.ints(norm)],
      {},
      x.dtype,
      x.shape.filter((_, i) => !norm.includes(i)),
    );
  }

  concat(xs: readonly Value[], axis: number): Value {
    const first = xs[0]!;
    const ax = normAxis(axis, first.shape.length);
    const shape = [...first.shape];
    shape[ax] = dimSum(xs.map((x) => x.shape[ax]!));
    return this.one('Concat', xs, { axis: attr.int(ax) }, first.dtype, shape);
  }

  gather(data: Value, indices: Value, axis = 0): Value {
    const ax = normAxis(axis, data.shape.length);
    const shape = [...data.shape.slice(0, ax), ...indices.shape, ...data.shape.slice(ax + 1)];
    return this.one('Gather', [data, indices], { axis: attr.int(ax) }, data.dtype, shape);
  }

  shape(x: Value): Value {
    return this.one('Shape', [x], {}, 'int64', [x.shape.length]);
  }

  expand(x: Value, dims: readonly Dim[]): Value {
    return this.one('Expand', [x, this.shapeTensor(dims)], {}, x.dtype, broadcastShapes(x.shape, dims));
  }

  // ---- reductions ---------------------------------------------------------------------------

  reduce(op: 'ReduceSum' | 'ReduceMean' | 'ReduceMax' | 'ReduceSumSquare', x: Value, axes: readonly number[], keepdims: boolean): Value {
    const norm = axes.map((a) => normAxis(a, x.shape.length));
    const shape: Dim[] = [];
    x.shape.forEach((d, i) => {
      if (!norm.includes(i)) shape.push(d);
      else if (keepdims) shape.push(1);
    });
    return this.one(op, [x, this.ints(norm)], { keepdims: attr.int(keepdims ? 1 : 0) }, x.dtype, shape);
  }
  reduceSum(x: Value, axes: readonly number[], keepdims = false): Value {
    return this.reduce('ReduceSum', x, axes, keepdims);
  }
  reduceMean(x: Value, axes: readonly number[], keepdims = false): Value {
    return this.reduce('ReduceMean', x, axes, keepdims);
  }

  sign(x: Value): Value {
    return this.unary('Sign', x);
  }

  /** Zeros of x's shape and dtype, made at run time. */
  zerosLike(x: Value): Value {
    return this.one('ConstantOfShape', [this.shapeTensor(x.shape)], { value: attr.tensor(tensor(x.dtype, [1], [0])) }, x.dtype, x.shape);
  }

  /**
   * ScatterElements with reduction=add along `axis`: data[indices[i][j]][j] += updates[i][j].
   * (Not ScatterND with reduction=add: ONNX Runtime's multi-threaded CPU kernel races on repeated
   * indices and loses updates; ScatterElements sums them in order.)
   */
  scatterElementsAdd(data: Value, indices: Value, updates: Value, axis: number): Value {
    return this.one(
      'ScatterElements',
      [data, indices, updates],
      { axis: attr.int(normAxis(axis, data.shape.length)), reduction: attr.string('add') },
      data.dtype,
      data.shape,
    );
  }

  /** Constant-mode zero padding; `pads` is an int64 [2*rank] value (begins then ends). */
  pad(x: Value, pads: Value, shape: readonly Dim[]): Value {
    return this.one('Pad', [x, pads], {}, x.dtype, shape);
  }

  /**
   * Embedding lookup (Gather on axis 0) as torch.nn.Embedding: the row at `paddingIdx`, if given,
   * gets no gradient.
   */
  embedding(weight: Value, ids: Value, paddingIdx?: number): Value {
    const attrs: Record<string, Attr> = paddingIdx === undefined || paddingIdx < 0 ? {} : { padding_idx: attr.int(paddingIdx) };
    return this.one('Embedding', [weight, ids], attrs, weight.dtype, [...ids.shape, ...weight.shape.slice(1)]);
  }

  cumsum(x: Value, axis: number): Value {
    return this.one('CumSum', [x, this.constant(tensor('int64', [], [axis]), 'axis')], {}, x.dtype, x.shape);
  }

  /** ONNX NonZero of a 1-D value: int64 [1, count], `count` a new symbolic dim defined from it. */
  nonZero(x: Value, count: string): Value {
    if (x.shape.length !== 1) throw new Error('nonZero: 1-D input expected');
    const out = this.one('NonZero', [x], {}, 'int64', [1, count]);
    this.defineSymbol(count, out, 1);
    return out;
  }

  /**
   * Rows p.idx of x [N, ...] (the real tokens of a padded batch): [tokens, ...]. The gradient is
   * unpackRows(dy, p, 'zeros').
   */
  packRows(x: Value, p: RowPacking): Value {
    return this.one('PackRows', [x, p.idx, p.inv, p.invAny], {}, x.dtype, [p.idx.shape[0]!, ...x.shape.slice(1)]);
  }

  /**
   * The inverse of packRows: x [tokens, ...] back to [N, ...] rows. `padding` 'zeros': the rows
   * that were not packed are zeros; 'any': they read packed row 0 (one Gather, no copy) and their
   * gradient is dropped, so the result is exact only where nothing depends on them (padding
   * positions behind an additive attention mask, rows packed away again). The gradient is
   * packRows.
   */
  unpackRows(x: Value, p: RowPacking, padding: 'zeros' | 'any'): Value {
    return this.one('UnpackRows', [x, p.idx, p.inv, p.invAny], { padding: attr.string(padding) }, x.dtype, [p.inv.shape[0]!, ...x.shape.slice(1)]);
  }

  /**
   * Row packing for a 1-D int64 0/1 `keep` [N]: idx [count] the kept rows, inv [N] each row's
   * packed position (count for the others), invAny the same with 0 for the others.
   */
  rowPacking(keep: Value, count: string): RowPacking {
    const idx = this.reshape(this.nonZero(keep, count), [count]);
    const kept = this.greater(keep, this.scalarConst('int64', 0));
    const pos = this.sub(this.cumsum(keep, 0), this.scalarConst('int64', 1));
    return { idx, inv: this.where(kept, pos, this.size(idx)), invAny: this.where(kept, pos, this.scalarConst('int64', 0)) };
  }

  not(x: Value): Value {
    return this.one('Not', [x], {}, 'bool', x.shape);
  }

  /** x.select(axis, index): Gather with a scalar constant index (e.g. the [CLS] token). */
  pick(x: Value, axis: number, index: number): Value {
    return this.gather(x, this.constant(tensor('int64', [], [index]), 'index'), axis);
  }

  /** 0, 1, ..., n-1 as int64, n a (possibly symbolic) dim. */
  range(n: Dim): Value {
    const limit = typeof n === 'number' ? this.constant(tensor('int64', [], [n]), 'limit') : this.squeeze(this.dimTensor(n), [0]);
    return this.one('Range', [this.constant(tensor('int64', [], [0]), 'zero'), limit, this.constant(tensor('int64', [], [1]), 'one')], {}, 'int64', [n]);
  }

  size(x: Value): Value {
    return this.one('Size', [x], {}, 'int64', []);
  }

  // ---- losses (composite nodes with their own gradient rules) -------------------------------

  /** Mean softmax cross-entropy of logits [B, C] against int64 labels [B]; class weights [C] optional. */
  softmaxCrossEntropy(logits: Value, labels: Value, weight?: Value): Value {
    logits = this.fullPrecision([logits])[0]!;
    if (weight) weight = this.cast(weight, logits.dtype);
    return this.one('SoftmaxCrossEntropy', weight ? [logits, labels, weight] : [logits, labels], {}, logits.dtype, []);
  }
  /** Mean binary cross-entropy with logits (multi-label). */
  bceWithLogits(logits: Value, targets: Value): Value {
    [logits, targets] = this.promote(...(this.fullPrecision([logits, targets]) as [Value, Value]));
    return this.one('BCEWithLogits', [logits, targets], {}, logits.dtype, []);
  }
  /** Mean squared error (regression). */
  mseLoss(pred: Value, target: Value): Value {
    [pred, target] = this.promote(...(this.fullPrecision([pred, target]) as [Value, Value]));
    return this.one('MSELoss', [pred, target], {}, pred.dtype, []);
  }

  // ---- neural-network ops -------------------------------------------------------------------

  softmax(x: Value, axis = -1): Value {
    return this.unary('Softmax', this.fullPrecision([x])[0]!, { axis: attr.int(axis) });
  }
  logSoftmax(x: Value, axis = -1): Value {
    return this.unary('LogSoftmax', this.fullPrecision([x])[0]!, { axis: attr.int(axis) });
  }

  /** LayerNorm over the last axis; returns [y, mean, invStdDev] (the latter two for the gradient). */
  layerNorm(x: Value, gamma: Value, beta: Value, epsilon: number): [Value, Value, Value] {
    [x, gamma, beta] = this.fullPrecision([x, gamma, beta]) as [Value, Value, Value];
    [x, gamma] = this.promote(x, gamma);
    [x, beta] = this.promote(x, beta);
    const stat = [...x.shape.slice(0, -1), 1];
    const [y, mean, inv] = this.addNode('LayerNorm', [x, gamma, beta], { axis: attr.int(-1), epsilon: attr.float(epsilon) }, [
      { dtype: x.dtype, shape: x.shape },
      { dtype: x.dtype, shape: stat },
      { dtype: x.dtype, shape: stat },
    ]);
    return [y!, mean!, inv!];
  }

  /**
   * Training-mode dropout with its keep-mask as a graph input the caller draws (bool, x's shape;
   * see dropoutMasks): y = x * (mask / (1 - ratio)), torch's CPU dropout arithmetic (the noise
   * tensor bernoulli(1 - p) divided by 1 - p, times the input), so the gradient is dy times that
   * same noise. 0 < ratio < 1.
   */
  dropout(x: Value, ratio: number): Value {
    return this.mul(x, this.dropoutNoise(x.shape, ratio, x.dtype));
  }

  /**
   * A dropout site's noise of `shape` in `dtype`: mask / (1 - ratio) from a bool keep-mask input,
   * or (dropoutInput 'noise', float32) a noise input holding those values (see dropoutMasks).
   */
  dropoutNoise(shape: readonly Dim[], ratio: number, dtype: DType): Value {
    if (!(ratio > 0 && ratio < 1)) throw new Error(`dropout: ratio must be in (0, 1), got ${ratio}`);
    const name = `dropout_mask.${this.dropoutMasks.length}`;
    if (this.names.has(name)) throw new Error(`graph input name ${name} is already used`);
    const noise = this.dropoutInput === 'noise' && dtype === 'float32';
    // Not through input(): a mask's dims are the site's, never a source for a symbol.
    const input = this.newValue(name, noise ? 'float32' : 'bool', shape);
    this.inputs.push(input);
    this.dropoutMasks.push({ name: input.name, shape: [...shape], ratio, ...(noise ? { dtype: 'float32' as const } : {}) });
    return noise ? input : this.div(this.cast(input, dtype), this.scalarConst(dtype, 1 - ratio));
  }
}

function dimSum(dims: readonly Dim[]): Dim {
  if (dims.every((d) => typeof d === 'number')) return (dims as number[]).reduce((a, b) => a + b, 0);
  return dims.map(String).join('+');
}
