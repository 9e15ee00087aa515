/** Comparing two sets of trained weights relative to how far training moved them. */
import type { Weights } from '../../src/core/model/params.js';

/**
 * ||got - ref|| / ||ref - start|| over every tensor `include` accepts: how far `got` lands from the
 * reference run, as a fraction of the reference run's update. `start` holds the weights the update
 * is measured from (by name; tensors or plain arrays).
 */
export function updateDistance(
  got: Weights,
  ref: Weights,
  start: ReadonlyMap<string, ArrayLike<number> | { data: unknown }>,
  include: (name: string) => boolean = () => true,
): number {
  let apart = 0;
  let moved = 0;
  for (const [n, t] of ref) {
    if (!include(n)) continue;
    const s = start.get(n)!;
    const [a, b, w0] = [got.get(n)!.data as Float32Array, t.data as Float32Array, ('data' in s ? s.data : s) as ArrayLike<number>];
    for (let i = 0; i < b.length; i++) {
      apart += (a[i]! - b[i]!) ** 2;
      moved += (b[i]! - w0[i]!) ** 2;
    }
  }
  return Math.sqrt(apart / moved);
}
