/** Rules for the layout ops: the gradient goes back through the inverse layout change. */
import { intsAttr } from '../../graph.js';
import { registerGradient } from '../registry.js';

registerGradient('Transpose', ({ g, node, dy: [dy] }) => {
  const perm = intsAttr(node, 'perm')!;
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return [g.transpose(dy!, inverse)];
});

for (const op of ['Reshape', 'Squeeze', 'Unsqueeze', 'Flatten']) {
  registerGradient(op, ({ g, x: [x], dy: [dy] }) => [g.reshape(dy!, x!.shape)]);
}

registerGradient('Expand', ({ g, x: [x], dy: [dy] }) => {
  const lead = dy!.shape.length - x!.shape.length;
  const axes: number[] = [];
  dy!.shape.forEach((d, i) => {
    if (i < lead || (x!.shape[i - lead] === 1 && d !== 1)) axes.push(i);
  });
  if (axes.length === 0) return [dy];
  const s = g.reduceSum(dy!, axes, true);
  return [lead > 0 ? g.reshape(s, x!.shape) : s];
});
