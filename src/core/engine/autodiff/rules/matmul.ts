/** Rules for MatMul, Gemm and the composite Linear (x @ W^T + b, W in [out, in] layout). */
import type { GraphBuilder, Value } from '../../graph.js';
import { dimProduct, floatAttr, intAttr } from '../../graph.js';
import { registerGradient } from '../registry.js';
import { unbroadcast } from '../unbroadcast.js';

function swapLast(g: GraphBuilder, v: Value): Value {
  const r = v.shape.length;
  const perm = [...Array(r).keys()];
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return g.transpose(v, perm);
}

registerGradient('MatMul', ({ g, x: [a, b], dy: [dy], needs }) => [
  needs(0) ? unbroadcast(g, g.matmul(dy!, swapLast(g, b!)), a!.shape) : undefined,
  needs(1) ? unbroadcast(g, g.matmul(swapLast(g, a!), dy!), b!.shape) : undefined,
]);

// Y = alpha * op(A) op(B) + beta * C
registerGradient('Gemm', ({ g, node, x: [a, b, c], dy: [dy], needs }) => {
  const transA = intAttr(node, 'transA', 0) === 1;
  const transB = intAttr(node, 'transB', 0) === 1;
  const alpha = floatAttr(node, 'alpha', 1);
  const beta = floatAttr(node, 'beta', 1);
  // dA = alpha * dY op(B)^T (transposed back if A was), dB likewise.
  const da = needs(0)
    ? transA
      ? g.gemm(b!, dy!, null, { transA: transB, transB: true, alpha })
      : g.gemm(dy!, b!, null, { transB: !transB, alpha })
    : undefined;
  const db = needs(1)
    ? transB
      ? g.gemm(dy!, a!, null, { transA: true, transB: transA, alpha })
      : g.gemm(a!, dy!, null, { transA: !transA, alpha })
    : undefined;
  let dc: Value | undefined;
  if (c && needs(2)) {
    dc = unbroadcast(g, dy!, c.shape);
    if (beta !== 1) dc = g.mul(dc, g.scalarConst(dy!.dtype, beta));
  }
  return [da, db, dc];
});

registerGradient('Linear', ({ g, x: [x, w, b], dy: [dy], needs }) => {
  const inF = w!.shape[1]!;
  const outF = w!.shape[0]!;
  const flat = x!.shape.length > 2;
  const rows = dimProduct(x!.shape.slice(0, -1));
  const dx = needs(0) ? g.matmul(dy!, w!) : undefined;
  // dW = dY^T X summed over every leading position: one GEMM with transA on the flattened rows.
  const dw = needs(1) ? g.gemm(flat ? g.reshape(dy!, [rows, outF]) : dy!, flat ? g.reshape(x!, [rows, inF]) : x!, null, { transA: true }) : undefined;
  const db = b && needs(2) ? g.reduceSum(dy!, [...Array(dy!.shape.length - 1).keys()]) : undefined;
  return [dx, dw, db];
});
