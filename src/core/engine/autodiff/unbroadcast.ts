/**
 * The shared broadcasting reduction: sums a gradient of the broadcast output shape back down to an
 * input's shape (leading axes the input lacks, and axes where the input has 1).
 */
import { type Dim, type GraphBuilder, type Value, sameDim } from '../graph.js';

export function unbroadcast(g: GraphBuilder, grad: Value, shape: readonly Dim[]): Value {
  const out = grad.shape;
  const lead = out.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < out.length; i++) {
    if (i < lead) axes.push(i);
    else if (shape[i - lead] === 1 && out[i] !== 1) axes.push(i);
    else if (!sameDim(shape[i - lead]!, out[i]!) && shape[i - lead] !== 1) {
      throw new Error(`unbroadcast: gradient shape [${out.join(', ')}] does not broadcast from [${shape.join(', ')}]`);
    }
  }
  if (axes.length === 0) return grad;
  const summed = g.reduceSum(grad, axes, true);
  return lead > 0 ? g.reshape(summed, shape) : summed;
}
