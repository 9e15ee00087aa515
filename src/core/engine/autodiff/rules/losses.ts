/**
 * Composite loss rules (cheaper and more exact than differentiating their expansions):
 * - softmax cross-entropy: d logits = (softmax - onehot) * w_i / sum(w) (w = 1 without class weights);
 * - BCE with logits: (sigmoid(x) - t) / N;
 * - MSE: 2 (x - t) / N.
 */
import type { GraphBuilder, Value } from '../../graph.js';
import { tensor } from '../../tensor.js';
import { registerGradient } from '../registry.js';

function count(g: GraphBuilder, x: Value): Value {
  return g.cast(g.size(x), x.dtype);
}

registerGradient('SoftmaxCrossEntropy', ({ g, x: [logits, labels, weight], dy: [dy] }) => {
  const c = logits!.shape[1] as number;
  const classes = g.constant(
    tensor(
      'int64',
      [1, c],
      Array.from({ length: c }, (_, i) => i),
    ),
    'classes',
  );
  const onehot = g.cast(g.equal(g.unsqueeze(labels!, [1]), classes), logits!.dtype);
  const diff = g.sub(g.softmax(logits!, 1), onehot);
  let rowScale: Value;
  if (weight) {
    const w = g.gather(weight, labels!, 0);
    rowScale = g.unsqueeze(g.div(w, g.reduceSum(w, [0])), [1]);
  } else {
    const b = g.cast(g.dimTensor(logits!.shape[0]!), logits!.dtype);
    rowScale = g.div(g.scalarConst(logits!.dtype, 1), b);
  }
  return [g.mul(g.mul(diff, rowScale), dy!), undefined, undefined];
});

registerGradient('BCEWithLogits', ({ g, x: [x, t], dy: [dy] }) => [g.mul(g.div(g.sub(g.sigmoid(x!), t!), count(g, x!)), dy!), undefined]);

registerGradient('MSELoss', ({ g, x: [x, t], dy: [dy], needs }) => {
  const d = g.mul(g.div(g.sub(x!, t!), count(g, x!)), g.mul(dy!, g.scalarConst(x!.dtype, 2)));
  return [needs(0) ? d : undefined, needs(1) ? g.neg(d) : undefined];
});
