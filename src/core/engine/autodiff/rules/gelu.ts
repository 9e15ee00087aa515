/** Exact GELU, x * Phi(x): a composite rule, dy * (Phi(x) + x * phi(x)). */
import { registerGradient } from '../registry.js';
import { normalPdf } from './unary.js';

registerGradient('Gelu', ({ g, x: [x], dy: [dy] }) => {
  const dt = x!.dtype;
  const cdf = g.mul(g.scalarConst(dt, 0.5), g.add(g.scalarConst(dt, 1), g.erf(g.mul(x!, g.scalarConst(dt, Math.SQRT1_2)))));
  return [g.mul(dy!, g.add(cdf, g.mul(x!, normalPdf(g, x!))))];
});
