/**
 * Slicing ops for the graph builder, as free functions over GraphBuilder.addNode: Slice along one
 * axis, Split into parts, Pad with a constant value. Their gradient rules (autodiff/rules/slicing.ts)
 * are each other's inverses: Slice <-> Pad, Split <-> Concat.
 */
import { type Dim, type GraphBuilder, type Value, attr } from './graph.js';
import { scalar, tensor } from './tensor.js';

/** An `end` past any real size: Slice clamps it to the axis length (numpy's x[a:]). */
export const TO_END = 2 ** 53;

function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

/** A [1] int64 value: x's size along `axis` at run time. */
export function axisSize(g: GraphBuilder, x: Value, axis: number): Value {
  const a = normAxis(axis, x.shape.length);
  return g.addNode('Shape', [x], { start: attr.int(a), end: attr.int(a + 1) }, [{ dtype: 'int64', shape: [1] }])[0]!;
}

/** A [1] int64 value of a number or of a [1] / scalar int64 value. */
function asIndex(g: GraphBuilder, v: number | Value): Value {
  if (typeof v === 'number') return g.ints([v]);
  return v.shape.length === 0 ? g.reshape(v, [1]) : v;
}

/**
 * x[start:end] along `axis`, as numpy: `start` >= 0; `end` a number (negative counts from the end;
 * TO_END for the rest) or a run-time int64 value; `size` is the result's length along the axis.
 */
export function slice(g: GraphBuilder, x: Value, axis: number, start: number, end: number | Value, size: Dim): Value {
  if (start < 0) throw new Error('slice: start must be >= 0');
  const a = normAxis(axis, x.shape.length);
  const shape = [...x.shape];
  shape[a] = size;
  return g.addNode('Slice', [x, g.ints([start]), asIndex(g, end), g.ints([a])], {}, [{ dtype: x.dtype, shape }])[0]!;
}

/** Splits x along `axis` into parts of the given (static) sizes. */
export function split(g: GraphBuilder, x: Value, axis: number, sizes: readonly number[]): Value[] {
  const a = normAxis(axis, x.shape.length);
  const outs = sizes.map((s) => {
    const shape = [...x.shape];
    shape[a] = s;
    return { dtype: x.dtype, shape };
  });
  return g.addNode('Split', [x, g.ints(sizes)], { axis: attr.int(a) }, outs);
}

/**
 * Pads x with `value` (default 0): `pads` an int64 [2 * rank] value (all begins, then all ends,
 * as ONNX Pad), or numbers; `shape` is the result's shape.
 */
export function padConstant(g: GraphBuilder, x: Value, pads: Value | readonly number[], shape: readonly Dim[], value = 0): Value {
  const p = Array.isArray(pads) ? g.ints(pads as number[]) : (pads as Value);
  const inputs = [x, p];
  if (value !== 0) inputs.push(g.constant(x.dtype === 'int64' ? tensor('int64', [], [value]) : scalar(x.dtype, value), 'pad_value'));
  return g.addNode('Pad', inputs, {}, [{ dtype: x.dtype, shape }])[0]!;
}

/**
 * The pads vector of a Pad along one axis: `begin` / `end` numbers or [1] int64 values, zeros on
 * the other axes.
 */
export function axisPads(g: GraphBuilder, rank: number, axis: number, begin: number | Value, end: number | Value): Value {
  const a = normAxis(axis, rank);
  const pieces: (number | Value)[] = [];
  for (let i = 0; i < rank; i++) pieces.push(i === a ? begin : 0);
  for (let i = 0; i < rank; i++) pieces.push(i === a ? end : 0);
  return intVector(g, pieces);
}

/** A 1-D int64 value of numbers and [1] int64 values (runs of numbers become one constant). */
export function intVector(g: GraphBuilder, pieces: readonly (number | Value)[]): Value {
  const parts: Value[] = [];
  let run: number[] = [];
  for (const p of pieces) {
    if (typeof p === 'number') run.push(p);
    else {
      if (run.length) parts.push(g.ints(run));
      run = [];
      parts.push(asIndex(g, p));
    }
  }
  if (run.length) parts.push(g.ints(run));
  return parts.length === 1 ? parts[0]! : g.concat(parts, 0);
}
