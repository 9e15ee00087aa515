/**
 * LayerNorm over the last axis, a composite rule that reuses the forward's mean and 1/std:
 * xhat = (x - mean) * inv; dx = inv * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)),
 * dxhat = dy * gamma; dgamma = sum(dy * xhat); dbeta = sum(dy) over the leading axes.
 */
import { registerGradient } from '../registry.js';

registerGradient('LayerNorm', ({ g, x: [x, gamma], y: [, mean, inv], dy: [dy], needs }) => {
  const lead = [...Array(x!.shape.length - 1).keys()];
  const xhat = g.mul(g.sub(x!, mean!), inv!);
  let dx;
  if (needs(0)) {
    const dxhat = g.mul(dy!, gamma!);
    const m1 = g.reduceMean(dxhat, [-1], true);
    const m2 = g.reduceMean(g.mul(dxhat, xhat), [-1], true);
    dx = g.mul(inv!, g.sub(g.sub(dxhat, m1), g.mul(xhat, m2)));
  }
  return [dx, needs(1) ? g.reduceSum(g.mul(dy!, xhat), lead) : undefined, needs(2) ? g.reduceSum(dy!, lead) : undefined];
});
