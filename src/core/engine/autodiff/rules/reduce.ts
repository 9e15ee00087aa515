/** Rules for ReduceSum and ReduceMean: broadcast the gradient back over the reduced axes. */
import { type Dim, type GraphBuilder, type Node, type Value, dimProduct, intAttr } from '../../graph.js';
import { registerGradient } from '../registry.js';

function reducedAxes(g: GraphBuilder, node: Node, rank: number): number[] {
  const axesInput = node.inputs[1];
  if (!axesInput) return [...Array(rank).keys()];
  const data = g.constantData(axesInput);
  if (!data) throw new Error(`${node.op}: gradient needs constant axes`);
  return Array.from(data.data as BigInt64Array, (a) => (Number(a) < 0 ? Number(a) + rank : Number(a)));
}

function spread(g: GraphBuilder, node: Node, x: Value, dy: Value): { grad: Value; count: Dim } {
  const rank = x.shape.length;
  const axes = reducedAxes(g, node, rank);
  const kept =
    intAttr(node, 'keepdims', 1) === 1
      ? dy
      : g.reshape(
          dy,
          x.shape.map((d, i) => (axes.includes(i) ? 1 : d)),
        );
  return { grad: g.expand(kept, x.shape), count: dimProduct(axes.map((a) => x.shape[a]!)) };
}

registerGradient('ReduceSum', ({ g, node, x: [x], dy: [dy] }) => [spread(g, node, x!, dy!).grad]);

registerGradient('ReduceMean', ({ g, node, x: [x], dy: [dy] }) => {
  const { grad, count } = spread(g, node, x!, dy!);
  const n = typeof count === 'number' ? g.scalarConst(x!.dtype, count) : g.cast(g.dimTensor(count), x!.dtype);
  return [g.div(grad, n)];
});
