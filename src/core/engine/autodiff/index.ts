/**
 * Reverse-mode autodiff over the IR. Walks the nodes that lie between the parameters and the loss
 * in reverse, asks each node's rule (./registry.ts) for the vector-Jacobian products, and sums the
 * gradients of values used more than once. Only values that depend on a parameter we differentiate
 * get a gradient, so frozen weights and integer paths cost nothing.
 */
import type { GraphBuilder, Value } from '../graph.js';
import { NON_DIFFERENTIABLE, gradientRule } from './registry.js';
import './register-all.js';

const FLOAT = new Set(['float32', 'float64', 'float16']);

export interface GradientOptions {
  /** The gradient of the loss itself (default: 1). E.g. 1/accumulation_steps. */
  seed?: Value;
}

/** Appends the backward pass to `g` and returns d loss / d p for each p in `wrt` (undefined if p does not reach the loss). */
export function gradients(g: GraphBuilder, loss: Value, wrt: readonly Value[], options: GradientOptions = {}): Map<Value, Value | undefined> {
  const forward = g.nodes.slice();

  // Values that depend on a parameter we differentiate.
  const requires = new Set<number>(wrt.map((v) => v.id));
  for (const n of forward) {
    if (NON_DIFFERENTIABLE.has(n.op)) continue;
    if (n.inputs.some((v) => v && requires.has(v.id))) {
      for (const o of n.outputs) if (FLOAT.has(o.dtype)) requires.add(o.id);
    }
  }
  if (!requires.has(loss.id)) throw new Error('gradients: the loss does not depend on any parameter');

  // Values the loss depends on.
  const reaches = new Set<number>([loss.id]);
  for (let i = forward.length - 1; i >= 0; i--) {
    const n = forward[i]!;
    if (n.outputs.some((o) => reaches.has(o.id))) for (const v of n.inputs) if (v) reaches.add(v.id);
  }

  const grads = new Map<number, Value>();
  const accumulate = (v: Value, d: Value): void => {
    // A gradient has its value's dtype (mixed-precision graphs promote in places).
    if (d.dtype !== v.dtype) d = g.cast(d, v.dtype);
    const prev = grads.get(v.id);
    grads.set(v.id, prev ? g.add(prev, d) : d);
  };
  grads.set(loss.id, options.seed ?? g.scalarConst(loss.dtype, 1));

  for (let i = forward.length - 1; i >= 0; i--) {
    const node = forward[i]!;
    const dy = node.outputs.map((o) => grads.get(o.id));
    if (dy.every((d) => d === undefined)) continue;
    const needs = (k: number): boolean => {
      const v = node.inputs[k];
      return !!v && requires.has(v.id) && reaches.has(v.id);
    };
    if (!node.inputs.some((_, k) => needs(k))) continue;
    const rule = gradientRule(node.op);
    if (!rule) throw new Error(`gradients: no gradient rule for op ${node.op} (node ${node.name})`);
    const dx = rule({ g, node, x: node.inputs, y: node.outputs, dy, needs });
    node.inputs.forEach((v, k) => {
      const d = dx[k];
      if (v && d && needs(k)) accumulate(v, d);
    });
  }
  return new Map(wrt.map((p) => [p, grads.get(p.id)]));
}
