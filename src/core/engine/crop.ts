/**
 * Crop: x with `counts` elements removed from the ends of its axes (`counts` an int64 [2 * rank]
 * value, all begins then all ends, as ONNX Pad's pads; serialized as Pad with the counts negated).
 * An op of its own, whose gradient (autodiff/rules/crop.ts) pads the gradient with zeros back to x's
 * extent.
 */
import type { Dim, GraphBuilder, Value } from './graph.js';

export function crop(g: GraphBuilder, x: Value, counts: Value, shape: readonly Dim[]): Value {
  return g.addNode('Crop', [x, counts], {}, [{ dtype: x.dtype, shape }])[0]!;
}
