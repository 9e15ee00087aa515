/**
 * Rules for the slicing ops (see ../../slicing.ts), each the other's inverse:
 * - Slice: the gradient padded with zeros back to the input's extent;
 * - Pad (constant mode): the gradient sliced back to the input's extent;
 * - Concat: each input gets its slice of the gradient;
 * - Split: the outputs' gradients concatenated (zeros for an output no gradient reached).
 * Bounds may be constants or run-time values (a run-time pad to a multiple of a block size).
 */
import { type GraphBuilder, type Value, attr, intAttr } from '../../graph.js';
import { tensor } from '../../tensor.js';
import { TO_END, axisSize, intVector } from '../../slicing.js';
import { registerGradient } from '../registry.js';

function constInts(g: GraphBuilder, v: Value | null | undefined): number[] | undefined {
  const d = v ? g.constantData(v) : undefined;
  return d ? Array.from(d.data as BigInt64Array, Number) : undefined;
}

/** Element j of a 1-D int64 value, as a [1] value. */
function element(g: GraphBuilder, v: Value, j: number): Value {
  return v.shape[0] === 1 ? v : g.gather(v, g.ints([j]), 0);
}

registerGradient('Slice', ({ g, x: [data, starts, ends, axesIn, steps], dy: [dy] }) => {
  const rank = data!.shape.length;
  const k = starts!.shape[0] as number;
  const axes = axesIn ? constInts(g, axesIn) : [...Array(k).keys()];
  if (!axes) throw new Error('Slice gradient: axes must be constant');
  if (steps && !constInts(g, steps)?.every((s) => s === 1)) throw new Error('Slice gradient: only step 1 is supported');
  const sc = constInts(g, starts);
  const ec = constInts(g, ends);
  const begin: (number | Value)[] = new Array<number | Value>(rank).fill(0);
  const end: (number | Value)[] = new Array<number | Value>(rank).fill(0);
  axes.forEach((axis0, j) => {
    const axis = axis0 < 0 ? axis0 + rank : axis0;
    const size = data!.shape[axis]!;
    if (sc && sc[j]! < 0) throw new Error('Slice gradient: starts must be >= 0');
    begin[axis] = sc ? sc[j]! : element(g, starts!, j);
    const e = ec?.[j];
    if (e === undefined) end[axis] = g.sub(axisSize(g, data!, axis), element(g, ends!, j));
    else if (e < 0) end[axis] = -e;
    else if (e >= TO_END / 2) end[axis] = 0;
    else end[axis] = typeof size === 'number' ? size - e : g.sub(axisSize(g, data!, axis), g.ints([e]));
  });
  return [g.pad(dy!, intVector(g, [...begin, ...end]), data!.shape)];
});

registerGradient('Pad', ({ g, node, x: [x, pads], dy: [dy] }) => {
  if (node.inputs[3]) throw new Error('Pad gradient: the axes input is not supported');
  const rank = x!.shape.length;
  const pc = constInts(g, pads);
  // Slicing dy back to x's extent is the gradient of padding only: a negative pad crops (use Crop).
  if (pc?.some((p) => p < 0)) throw new Error('Pad gradient: negative pads (cropping) are not supported; use crop() of engine/crop.ts');
  const starts = pc
    ? g.ints(pc.slice(0, rank))
    : g.addNode('Slice', [pads!, g.ints([0]), g.ints([rank]), g.ints([0])], {}, [{ dtype: 'int64', shape: [rank] }])[0]!;
  const staticShape = x!.shape.every((d) => typeof d === 'number') ? (x!.shape as number[]) : undefined;
  const ends = pc && staticShape ? g.ints(staticShape.map((d, i) => d + pc[i]!)) : g.add(starts, g.shape(x!));
  const axes = g.ints([...Array(rank).keys()]);
  return [g.addNode('Slice', [dy!, starts, ends, axes], {}, [{ dtype: dy!.dtype, shape: x!.shape }])[0]!];
});

registerGradient('Concat', ({ g, node, x, dy: [dy], needs }) => {
  const a = intAttr(node, 'axis');
  let offset: number | Value = 0;
  return x.map((xi, i) => {
    const size = xi!.shape[a]!;
    const start = offset;
    const endV: number | Value =
      typeof start === 'number' && typeof size === 'number'
        ? start + size
        : g.add(intVector(g, [start]), typeof size === 'number' ? g.ints([size]) : axisSize(g, xi!, a));
    offset = endV;
    if (!needs(i)) return undefined;
    return g.addNode('Slice', [dy!, intVector(g, [start]), intVector(g, [endV]), g.ints([a])], {}, [{ dtype: dy!.dtype, shape: xi!.shape }])[0]!;
  });
});

registerGradient('Split', ({ g, node, y, dy }) => {
  const zeros = (v: Value): Value =>
    g.addNode('ConstantOfShape', [g.shape(v)], { value: attr.tensor(tensor(v.dtype, [1], [0])) }, [{ dtype: v.dtype, shape: v.shape }])[0]!;
  return [
    g.concat(
      y.map((yi, i) => dy[i] ?? zeros(yi)),
      intAttr(node, 'axis', 0),
    ),
  ];
});
