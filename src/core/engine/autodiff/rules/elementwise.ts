/** Rules for the broadcasting arithmetic ops: Add, Sub, Mul, Div, Where. */
import { registerGradient } from '../registry.js';
import { unbroadcast } from '../unbroadcast.js';

registerGradient('Add', ({ g, x: [a, b], dy: [dy], needs }) => [
  needs(0) ? unbroadcast(g, dy!, a!.shape) : undefined,
  needs(1) ? unbroadcast(g, dy!, b!.shape) : undefined,
]);

registerGradient('Sub', ({ g, x: [a, b], dy: [dy], needs }) => [
  needs(0) ? unbroadcast(g, dy!, a!.shape) : undefined,
  needs(1) ? unbroadcast(g, g.neg(dy!), b!.shape) : undefined,
]);

registerGradient('Mul', ({ g, x: [a, b], dy: [dy], needs }) => [
  needs(0) ? unbroadcast(g, g.mul(dy!, b!), a!.shape) : undefined,
  needs(1) ? unbroadcast(g, g.mul(dy!, a!), b!.shape) : undefined,
]);

// d(a/b)/da = 1/b; d(a/b)/db = -(a/b)/b
registerGradient('Div', ({ g, x: [a, b], y: [y], dy: [dy], needs }) => [
  needs(0) ? unbroadcast(g, g.div(dy!, b!), a!.shape) : undefined,
  needs(1) ? unbroadcast(g, g.neg(g.div(g.mul(dy!, y!), b!)), b!.shape) : undefined,
]);

registerGradient('Where', ({ g, x: [cond, a, b], dy: [dy], needs }) => {
  const zero = g.scalarConst(dy!.dtype, 0);
  return [
    undefined,
    needs(1) ? unbroadcast(g, g.where(cond!, dy!, zero), a!.shape) : undefined,
    needs(2) ? unbroadcast(g, g.where(cond!, zero, dy!), b!.shape) : undefined,
  ];
});
