/**
 * Gather, in the two forms the models use:
 * - embedding lookup (axis 0): the gradient is a scatter-add (ScatterElements) into zeros, so a
 *   token that appears several times gets the sum of its rows' gradients;
 * - a single position picked with a constant scalar index (the [CLS] token): the gradient is the
 *   picked gradient padded with zeros back to the full axis.
 */
import { type Node, type Value, dimProduct, intAttr } from '../../graph.js';
import type { GraphBuilder } from '../../graph.js';
import { tensor } from '../../tensor.js';
import { registerGradient } from '../registry.js';

/** Tables up to this many rows (token types) take the one-hot product path. */
const ONE_HOT_MAX_ROWS = 64;

/** `padding`: the row that gets no gradient (its tokens' updates are zeroed before the sum). */
function embeddingGrad(g: GraphBuilder, data: Value, indices: Value, dy: Value, padding?: number): Value {
  const rows = data.shape.slice(1);
  const width = dimProduct(rows);
  const n = dimProduct(indices.shape);
  const V = data.shape[0]!;
  const flatIds = g.reshape(indices, [n, 1]);
  let upd = g.reshape(dy, [n, width]);
  const oneHotPath = typeof V === 'number' && V <= ONE_HOT_MAX_ROWS;
  // Graphs for a GPU zero the padding row after the sum with a constant row mask (masking the
  // updates put a [n, width] Mul on the CPU) and scatter with int32 indices (ONNX Runtime runs
  // int64 Expand on the CPU, so the [n, width] index tensor crossed to the device every step).
  const forGpu = g.target === 'gpu' && typeof V === 'number' && !oneHotPath;
  if (padding !== undefined && !forGpu) {
    const real = g.cast(g.not(g.equal(flatIds, g.constant(tensor('int64', [1, 1], [padding]), 'padding_row'))), data.dtype);
    upd = g.mul(upd, real);
  }
  let grad: Value;
  if (oneHotPath) {
    // A few rows used by every token (token types): onehot(ids)^T @ dy, one small Gemm.
    const oneHot = g.cast(g.equal(flatIds, g.reshape(g.range(V), [1, V])), data.dtype);
    grad = g.gemm(oneHot, upd, null, { transA: true });
  } else {
    // ScatterElements over [n, width] (each id repeated across its row), not ScatterND: ONNX
    // Runtime's CPU ScatterND with reduction=add races between threads on repeated ids (a token
    // that appears many times in a batch lost part of its gradient); ScatterElements sums in order.
    const base = rows.length === 1 ? data : g.reshape(data, [V, width]);
    const idx = g.expand(forGpu ? g.cast(flatIds, 'int32') : flatIds, [n, width]);
    grad = g.scatterElementsAdd(g.zerosLike(base), idx, upd, 0);
  }
  if (padding !== undefined && forGpu) {
    const keep = new Array<number>(V as number).fill(1);
    keep[padding] = 0;
    grad = g.mul(grad, g.constant(tensor(data.dtype, [V as number, 1], keep), 'padding_row_mask'));
  }
  return rows.length === 1 ? grad : g.reshape(grad, data.shape);
}

function pickGrad(g: GraphBuilder, node: Node, data: Value, index: number, dy: Value): Value {
  const axis = intAttr(node, 'axis', 0);
  const rank = data.shape.length;
  const expanded = g.unsqueeze(dy, [axis]);
  const full = data.shape[axis]!;
  const before = new Array<number>(rank).fill(0);
  before[axis] = index;
  let pads: Value;
  if (typeof full === 'number') {
    const after = new Array<number>(rank).fill(0);
    after[axis] = full - index - 1;
    pads = g.ints([...before, ...after]);
  } else {
    const afterAxis = g.sub(g.dimTensor(full), g.ints([index + 1]));
    const parts: Value[] = [g.ints([...before, ...new Array<number>(axis).fill(0)]), afterAxis];
    if (axis < rank - 1) parts.push(g.ints(new Array<number>(rank - axis - 1).fill(0)));
    pads = g.concat(parts, 0);
  }
  return g.pad(expanded, pads, data.shape);
}

/** torch.nn.Embedding: scatter-add the rows' gradients; the padding row, if any, gets none. */
registerGradient('Embedding', ({ g, node, x: [weight, ids], dy: [dy] }) => {
  const pad = node.attrs.padding_idx ? intAttr(node, 'padding_idx') : -1;
  return [embeddingGrad(g, weight!, ids!, dy!, pad >= 0 ? pad : undefined), undefined];
});

registerGradient('Gather', ({ g, node, x: [data, indices], dy: [dy] }) => {
  const axis = intAttr(node, 'axis', 0);
  const constIndex = g.constantData(indices!);
  if (constIndex && constIndex.dims.length === 0) {
    return [pickGrad(g, node, data!, Number((constIndex.data as BigInt64Array)[0]), dy!), undefined];
  }
  if (axis !== 0) throw new Error('Gather gradient: only axis 0 (embeddings) or a constant scalar index is supported');
  return [embeddingGrad(g, data!, indices!, dy!), undefined];
});

/** Packing real tokens and unpacking them are each other's gradient (a bijection on the real rows). */
registerGradient('PackRows', ({ g, x: [, idx, inv, invAny], dy: [dy] }) => [g.unpackRows(dy!, { idx: idx!, inv: inv!, invAny: invAny! }, 'zeros')]);
registerGradient('UnpackRows', ({ g, x: [, idx, inv, invAny], dy: [dy] }) => [g.packRows(dy!, { idx: idx!, inv: inv!, invAny: invAny! })]);
