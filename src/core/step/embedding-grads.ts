/**
 * The host half of GraphOptions.embeddingRowsOut: an embedding table's gradient assembled from the
 * gradients of the rows a `grads` graph looked up and their ids: torch.nn.Embedding's backward
 * (a sum per id; padding_idx's rows add nothing), in the order ScatterElements sums them.
 *
 * Between steps only the rows the previous step touched are non-zero, so zeroing the gradient
 * clears those rows only (a 30522 x 256 table is 31 MB; a batch touches a few thousand rows).
 */
import type { HostTensor } from '../engine/tensor.js';
import type { EmbeddingRows } from './graphs.js';

export class EmbeddingGrads {
  /** Per table: the rows written since the gradient was last cleared (none recorded: clear all). */
  private readonly dirty = new Map<string, Int32Array[]>();
  private readonly widths = new Map<string, number>();

  /**
   * Adds the lookups' row gradients into `grads` (`first`: clears it before). `out` holds the
   * graph's outputs named in `tables`.
   */
  accumulate(tables: readonly EmbeddingRows[], out: Readonly<Record<string, HostTensor>>, grads: ReadonlyMap<string, Float32Array>, first: boolean): void {
    for (const t of tables) {
      const grad = grads.get(t.param)!;
      const width = out[t.lookups[0]!.rows]!.dims[1] as number;
      this.widths.set(t.param, width);
      if (first) this.clear(t.param, grad, width);
      let touched = this.dirty.get(t.param);
      if (!touched) this.dirty.set(t.param, (touched = []));
      for (const l of t.lookups) {
        const ids = toRowIds(out[l.ids]!.data as BigInt64Array, grad.length / width);
        touched.push(ids);
        scatterAdd(grad, width, ids, out[l.rows]!.data as Float32Array, l.paddingIdx ?? -1);
      }
    }
  }

  private clear(param: string, grad: Float32Array, width: number): void {
    const rows = this.dirty.get(param);
    if (!rows) grad.fill(0);
    else for (const ids of rows) for (const r of ids) grad.fill(0, r * width, (r + 1) * width);
    this.dirty.set(param, []);
  }

  /**
   * The sums of squares of the tables' gradients, over the rows written since the last clear (the
   * others are zero), in float64: for the global norm, without reading whole tables.
   */
  sumsq(grads: ReadonlyMap<string, Float32Array>): Map<string, number> {
    const out = new Map<string, number>();
    for (const [param, lists] of this.dirty) {
      const grad = grads.get(param)!;
      const width = this.widths.get(param)!;
      const seen = new Uint8Array(grad.length / width);
      let s = 0;
      for (const ids of lists) {
        for (const r of ids) {
          if (seen[r]) continue;
          seen[r] = 1;
          for (let j = r * width, end = j + width; j < end; j++) s += grad[j]! * grad[j]!;
        }
      }
      out.set(param, s);
    }
    return out;
  }

  /** Forgets which rows are dirty (someone else wrote the gradient buffers): the next clear zeroes all. */
  reset(): void {
    this.dirty.clear();
  }
}

function toRowIds(ids: BigInt64Array, count: number): Int32Array {
  const out = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const r = Number(ids[i]!);
    if (!(r >= 0 && r < count)) throw new Error(`embedding gradient: row ${r} is outside the table's ${count} rows`);
    out[i] = r;
  }
  return out;
}

/** grad[ids[i]] += rows[i] for every i whose id is not `padding`, in order (ids within the table). */
export function scatterAdd(grad: Float32Array, width: number, ids: Int32Array, rows: Float32Array, padding: number): void {
  for (let i = 0; i < ids.length; i++) {
    const r = ids[i]!;
    if (r === padding) continue;
    const at = r * width;
    const from = i * width;
    for (let j = 0; j < width; j++) grad[at + j]! += rows[from + j]!;
  }
}
