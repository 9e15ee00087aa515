/**
 * The gradient-rule table: one rule per IR op, registered by ./register-all.ts. A rule receives the
 * forward node, the gradients of its outputs and a builder, and returns the vector-Jacobian product
 * for each input (undefined where an input needs none: rules may skip work by asking `needs(i)`).
 */
import type { GraphBuilder, Node, Value } from '../graph.js';

export interface GradContext {
  readonly g: GraphBuilder;
  readonly node: Node;
  /** Forward inputs (null for omitted optional inputs). */
  readonly x: readonly (Value | null)[];
  /** Forward outputs. */
  readonly y: readonly Value[];
  /** Gradient of each output; undefined where no gradient reached it. */
  readonly dy: readonly (Value | undefined)[];
  /** Whether input i needs a gradient (a rule may skip computing the others). */
  needs(i: number): boolean;
}

export type GradRule = (ctx: GradContext) => readonly (Value | undefined)[];

const rules = new Map<string, GradRule>();

export function registerGradient(op: string, rule: GradRule): void {
  if (rules.has(op)) throw new Error(`gradient rule for ${op} registered twice`);
  rules.set(op, rule);
}

export function gradientRule(op: string): GradRule | undefined {
  return rules.get(op);
}

export function registeredOps(): string[] {
  return [...rules.keys()].sort();
}

/** Ops whose outputs never carry a gradient (integer, boolean or shape results). */
export const NON_DIFFERENTIABLE = new Set([
  'Shape',
  'Size',
  'Equal',
  'Greater',
  'Less',
  'GreaterOrEqual',
  'LessOrEqual',
  'Not',
  'And',
  'Or',
  'ArgMax',
  'Range',
  'ConstantOfShape',
]);
