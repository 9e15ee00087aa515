/** Rules for the pointwise ops: each is dy times the local derivative. */
import type { Value } from '../../graph.js';
import { registerGradient } from '../registry.js';

registerGradient('Neg', ({ g, dy: [dy] }) => [g.neg(dy!)]);
registerGradient('Identity', ({ dy: [dy] }) => [dy]);
// d exp(x) = exp(x)
registerGradient('Exp', ({ g, y: [y], dy: [dy] }) => [g.mul(dy!, y!)]);
registerGradient('Log', ({ g, x: [x], dy: [dy] }) => [g.div(dy!, x!)]);
// d sqrt(x) = 1 / (2 sqrt(x))
registerGradient('Sqrt', ({ g, y: [y], dy: [dy] }) => [g.div(g.mul(dy!, g.scalarConst(y!.dtype, 0.5)), y!)]);
// d tanh(x) = 1 - tanh(x)^2
registerGradient('Tanh', ({ g, y: [y], dy: [dy] }) => [g.mul(dy!, g.sub(g.scalarConst(y!.dtype, 1), g.mul(y!, y!)))]);
// d sigmoid(x) = s (1 - s)
registerGradient('Sigmoid', ({ g, y: [y], dy: [dy] }) => [g.mul(dy!, g.mul(y!, g.sub(g.scalarConst(y!.dtype, 1), y!)))]);
registerGradient('Relu', ({ g, x: [x], dy: [dy] }) => [g.where(g.greater(x!, g.scalarConst(x!.dtype, 0)), dy!, g.scalarConst(x!.dtype, 0))]);
registerGradient('Abs', ({ g, x: [x], dy: [dy] }) => [g.mul(dy!, g.sign(x!))]);
registerGradient('Cast', ({ g, x: [x], dy: [dy] }) => [g.cast(dy!, x!.dtype)]);

/** The standard normal density exp(-x^2/2) / sqrt(2 pi). */
export function normalPdf(g: Parameters<Parameters<typeof registerGradient>[1]>[0]['g'], x: Value): Value {
  const half = g.scalarConst(x.dtype, -0.5);
  return g.mul(g.exp(g.mul(half, g.mul(x, x))), g.scalarConst(x.dtype, 1 / Math.sqrt(2 * Math.PI)));
}

// d erf(x) = 2/sqrt(pi) exp(-x^2)
registerGradient('Erf', ({ g, x: [x], dy: [dy] }) => [g.mul(dy!, g.mul(g.exp(g.neg(g.mul(x!, x!))), g.scalarConst(x!.dtype, 2 / Math.sqrt(Math.PI))))]);
