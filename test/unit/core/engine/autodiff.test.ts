/**
 * Autodiff checks:
 * - a table of float64 numeric gradient checks, at least one row per registered gradient rule (a
 *   rule without a row fails the suite);
 * - one session with symbolic batch/seq dims checked at two input shapes;
 * - float32 (real ORT Erf / LayerNormalization kernels) against float64 gradients;
 * - pruning (no backward work for frozen values) and the errors gradients() raises;
 * - dropout against the mask fed to it (the mask is an input: see train/dropout-masks.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gradients } from '../../../../src/core/engine/autodiff/index.js';
import { crop } from '../../../../src/core/engine/crop.js';
import { registeredOps } from '../../../../src/core/engine/autodiff/registry.js';
import { GraphBuilder, type Node, type Value, attr } from '../../../../src/core/engine/graph.js';
import { serialize } from '../../../../src/core/engine/onnx/serialize.js';
import { createSession } from '../../../../src/core/engine/runtime.js';
import { type DType, type HostTensor, ONNX_DTYPE, numel, tensor } from '../../../../src/core/engine/tensor.js';
import { TO_END, padConstant, slice, split } from '../../../../src/core/engine/slicing.js';
import { type InputSpec, checkSession, gradcheck, randn, rng } from '../../../helpers/gradcheck.js';

const TOL = 1e-6;

// ---- input value helpers (deterministic) ----------------------------------------------------

let valueSeed = 1000;
const normal = (n: number, scale = 1): number[] => randn(rng(valueSeed++), n, scale);
/** Positive values in [0.5, 2]: for Log, Sqrt, class weights. */
const positive = (n: number): number[] => {
  const r = rng(valueSeed++);
  return Array.from({ length: n }, () => 0.5 + 1.5 * r());
};
/** Normal values pushed at least 0.2 away from 0: for Relu, Abs, denominators. */
const awayFromZero = (n: number): number[] => normal(n).map((v) => (v >= 0 ? v + 0.2 : v - 0.2));
const unit = (n: number): number[] => {
  const r = rng(valueSeed++);
  return Array.from({ length: n }, () => r());
};
const bools = (n: number): number[] => {
  const r = rng(valueSeed++);
  const out = Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0));
  // Make sure both branches are taken.
  if (n > 1) {
    out[0] = 1;
    out[1] = 0;
  }
  return out;
};

const f = (name: string, dims: number[], values?: number[]): InputSpec => ({ name, dims, ...(values ? { values } : {}) });
const boolInput = (name: string, dims: number[]): InputSpec => ({ name, dims, dtype: 'bool', grad: false, values: bools(numel(dims)) });
const int64Input = (name: string, dims: number[], values: number[]): InputSpec => ({ name, dims, dtype: 'int64', grad: false, values });
const constInput = (name: string, dims: number[], values: number[]): InputSpec => ({ name, dims, grad: false, values });

// ---- the table ------------------------------------------------------------------------------

interface Row {
  name: string;
  /** The ops whose rules this row checks (each must occur in the row's forward graph). */
  ops: string[];
  specs: InputSpec[];
  build: (g: GraphBuilder, x: Record<string, Value>) => Value;
}

const rows: Row[] = [];
const row = (name: string, ops: string[], specs: InputSpec[], build: Row['build']): void => {
  rows.push({ name, ops, specs, build });
};

// Broadcasting shapes for the binary ops: [2,3,4] with [4], [3,1], [1,4], a scalar, itself, and
// both operands broadcast ([3,1] with [1,4]; [2,3,1] with [1,4]).
const PAIRS: [number[], number[]][] = [
  [[2, 3, 4], [4]],
  [
    [2, 3, 4],
    [3, 1],
  ],
  [
    [1, 4],
    [2, 3, 4],
  ],
  [[2, 3, 4], []],
  [[], [2, 3, 4]],
  [
    [2, 3],
    [2, 3],
  ],
  [
    [3, 1],
    [1, 4],
  ],
  [
    [2, 3, 1],
    [1, 4],
  ],
];
const fmt = (d: number[]): string => `[${d.join(',')}]`;
for (const [da, db] of PAIRS) {
  const pair = `${fmt(da)} ${fmt(db)}`;
  row(`Add ${pair}`, ['Add'], [f('a', da), f('b', db)], (g, { a, b }) => g.add(a!, b!));
  row(`Sub ${pair}`, ['Sub'], [f('a', da), f('b', db)], (g, { a, b }) => g.sub(a!, b!));
  row(`Mul ${pair}`, ['Mul'], [f('a', da), f('b', db)], (g, { a, b }) => g.mul(a!, b!));
  row(`Div ${pair}`, ['Div'], [f('a', da), f('b', db, awayFromZero(numel(db)))], (g, { a, b }) => g.div(a!, b!));
}
row('Mul x*x (reused value: gradients summed)', ['Mul'], [f('x', [3, 4])], (g, { x }) => g.mul(x!, x!));
row('Add/Mul/Exp reuse chain', ['Add', 'Mul', 'Exp'], [f('x', [3, 4]), f('w', [4])], (g, { x, w }) =>
  g.add(g.mul(x!, w!), g.mul(g.exp(g.mul(x!, g.scalarConst('float64', 0.3))), x!)),
);

const WHERE: [number[], number[], number[]][] = [
  [[2, 3, 4], [4], [3, 1]],
  [[3, 1], [2, 3, 4], []],
  [[4], [1, 4], [2, 3, 1]],
  [
    [2, 3],
    [2, 3],
    [2, 3],
  ],
];
for (const [dc, da, db] of WHERE) {
  row(`Where cond${fmt(dc)} a${fmt(da)} b${fmt(db)}`, ['Where'], [boolInput('c', dc), f('a', da), f('b', db)], (g, { c, a, b }) => g.where(c!, a!, b!));
}

// Unary ops on [3,4].
const U = [3, 4];
row('Exp', ['Exp'], [f('x', U)], (g, { x }) => g.exp(x!));
row('Log (positive inputs)', ['Log'], [f('x', U, positive(12))], (g, { x }) => g.log(x!));
row('Sqrt (positive inputs)', ['Sqrt'], [f('x', U, positive(12))], (g, { x }) => g.sqrt(x!));
row('Tanh', ['Tanh'], [f('x', U)], (g, { x }) => g.tanh(x!));
row('Sigmoid', ['Sigmoid'], [f('x', U)], (g, { x }) => g.sigmoid(x!));
row('Relu (away from 0)', ['Relu'], [f('x', U, awayFromZero(12))], (g, { x }) => g.relu(x!));
row('Abs (away from 0)', ['Abs'], [f('x', U, awayFromZero(12))], (g, { x }) => g.abs(x!));
row('Erf', ['Erf'], [f('x', U)], (g, { x }) => g.erf(x!));
row('Erf (wide range)', ['Erf'], [f('x', U, normal(12, 2.5))], (g, { x }) => g.erf(x!));
row('Gelu', ['Gelu'], [f('x', U, normal(12, 2))], (g, { x }) => g.gelu(x!));
row('Neg', ['Neg'], [f('x', U)], (g, { x }) => g.neg(x!));
row('Identity', ['Identity'], [f('x', U)], (g, { x }) => g.identity(x!));
// g.cast() elides a same-type cast, so add the node directly (float64 -> float64).
row(
  'Cast float64->float64',
  ['Cast'],
  [f('x', U)],
  (g, { x }) => g.addNode('Cast', [x!], { to: attr.int(ONNX_DTYPE.float64) }, [{ dtype: 'float64', shape: x!.shape }])[0]!,
);

// MatMul: plain, batched with a broadcast 2-D right (or left) operand, broadcast batch dims.
row('MatMul [3,4]@[4,5]', ['MatMul'], [f('a', [3, 4]), f('b', [4, 5])], (g, { a, b }) => g.matmul(a!, b!));
row('MatMul [2,3,4]@[4,5] (2-D right broadcast)', ['MatMul'], [f('a', [2, 3, 4]), f('b', [4, 5])], (g, { a, b }) => g.matmul(a!, b!));
row('MatMul [3,4]@[2,4,5] (2-D left broadcast)', ['MatMul'], [f('a', [3, 4]), f('b', [2, 4, 5])], (g, { a, b }) => g.matmul(a!, b!));
row('MatMul [2,1,3,4]@[3,4,2] (batch broadcast)', ['MatMul'], [f('a', [2, 1, 3, 4]), f('b', [3, 4, 2])], (g, { a, b }) => g.matmul(a!, b!));

// Gemm: M=3, K=4, N=5; every transA/transB combination, alpha, beta and bias shapes.
const GEMMS: { transA?: boolean; transB?: boolean; alpha?: number; beta?: number; c?: number[] }[] = [
  {},
  { c: [5] },
  { transA: true, alpha: 0.7, c: [3, 5] },
  { transB: true, beta: 0.3, c: [3, 1] },
  { transA: true, transB: true, alpha: 1.5, beta: -2, c: [5] },
  { transA: true, transB: true },
  { transB: true, alpha: -0.4, beta: 1.7, c: [] },
  { transA: true, beta: 0.5, c: [1, 5] },
];
for (const o of GEMMS) {
  const { c, ...opts } = o;
  const specs = [f('a', o.transA ? [4, 3] : [3, 4]), f('b', o.transB ? [5, 4] : [4, 5]), ...(c ? [f('c', c)] : [])];
  row(`Gemm ${JSON.stringify(opts)} C=${c ? fmt(c) : 'none'}`, ['Gemm'], specs, (g, x) => g.gemm(x.a!, x.b!, x.c ?? null, opts));
}

row('Linear 2-D with bias', ['Linear'], [f('x', [3, 4]), f('w', [5, 4]), f('b', [5])], (g, { x, w, b }) => g.linear(x!, w!, b!));
row('Linear 2-D without bias', ['Linear'], [f('x', [3, 4]), f('w', [5, 4])], (g, { x, w }) => g.linear(x!, w!));
row('Linear 3-D with bias', ['Linear'], [f('x', [2, 3, 4]), f('w', [5, 4]), f('b', [5])], (g, { x, w, b }) => g.linear(x!, w!, b!));
row('Linear 3-D without bias', ['Linear'], [f('x', [2, 3, 4]), f('w', [5, 4])], (g, { x, w }) => g.linear(x!, w!));

// Layout ops.
row('Transpose [2,3,4] perm [2,0,1]', ['Transpose'], [f('x', [2, 3, 4])], (g, { x }) => g.transpose(x!, [2, 0, 1]));
row('Transpose [2,3,4] perm [1,2,0]', ['Transpose'], [f('x', [2, 3, 4])], (g, { x }) => g.transpose(x!, [1, 2, 0]));
row('Transpose [3,4] perm [1,0]', ['Transpose'], [f('x', [3, 4])], (g, { x }) => g.transpose(x!, [1, 0]));
row('Reshape [2,3,4] -> [6,4]', ['Reshape'], [f('x', [2, 3, 4])], (g, { x }) => g.reshape(x!, [6, 4]));
row('Reshape [2,3,4] -> [4,3,2] (times a weight)', ['Reshape'], [f('x', [2, 3, 4]), f('w', [2])], (g, { x, w }) => g.mul(g.reshape(x!, [4, 3, 2]), w!));
row('Squeeze [2,1,4] axis 1', ['Squeeze'], [f('x', [2, 1, 4])], (g, { x }) => g.squeeze(x!, [1]));
row('Squeeze [1,3,1] axes [0,-1]', ['Squeeze'], [f('x', [1, 3, 1])], (g, { x }) => g.squeeze(x!, [0, -1]));
row('Unsqueeze [2,4] axes [0,2]', ['Unsqueeze'], [f('x', [2, 4])], (g, { x }) => g.unsqueeze(x!, [0, 2]));
row('Unsqueeze [3] axis -1 (broadcast after)', ['Unsqueeze', 'Mul'], [f('x', [3]), f('w', [4])], (g, { x, w }) => g.mul(g.unsqueeze(x!, [-1]), w!));
row(
  'Flatten [2,3,4] axis 2',
  ['Flatten'],
  [f('x', [2, 3, 4])],
  (g, { x }) => g.addNode('Flatten', [x!], { axis: attr.int(2) }, [{ dtype: 'float64', shape: [6, 4] }])[0]!,
);
row('Expand [3,1] -> [2,3,4]', ['Expand'], [f('x', [3, 1])], (g, { x }) => g.expand(x!, [2, 3, 4]));
row('Expand [4] -> [2,3,4]', ['Expand'], [f('x', [4])], (g, { x }) => g.expand(x!, [2, 3, 4]));
row('Expand [1,4] -> [3,4]', ['Expand'], [f('x', [1, 4])], (g, { x }) => g.expand(x!, [3, 4]));
row('Expand [2,1,4] -> [2,3,4]', ['Expand'], [f('x', [2, 1, 4])], (g, { x }) => g.expand(x!, [2, 3, 4]));

// Reductions.
for (const op of ['ReduceSum', 'ReduceMean'] as const) {
  for (const keep of [false, true]) {
    for (const axes of [[1], [0, 2], [-1], [0, 1, 2]]) {
      row(`${op} [2,3,4] axes ${fmt(axes)} keepdims ${keep ? 1 : 0}`, [op], [f('x', [2, 3, 4])], (g, { x }) => g.reduce(op, x!, axes, keep));
    }
  }
}

// Softmax / LogSoftmax on different axes (values scaled so the softmax is not flat).
for (const op of ['Softmax', 'LogSoftmax'] as const) {
  for (const axis of [-1, 0, 1]) {
    row(`${op} [2,3,4] axis ${axis}`, [op], [f('x', [2, 3, 4], normal(24, 2))], (g, { x }) =>
      op === 'Softmax' ? g.softmax(x!, axis) : g.logSoftmax(x!, axis),
    );
  }
}

row(
  'LayerNorm [2,3,8] (x, gamma, beta)',
  ['LayerNorm'],
  [f('x', [2, 3, 8]), f('gamma', [8]), f('beta', [8])],
  (g, { x, gamma, beta }) => g.layerNorm(x!, gamma!, beta!, 1e-12)[0],
);
row(
  'LayerNorm [4,6] eps 1e-5, shifted input',
  ['LayerNorm'],
  [
    f(
      'x',
      [4, 6],
      normal(24, 3).map((v) => v + 5),
    ),
    f('gamma', [6]),
    f('beta', [6]),
  ],
  (g, { x, gamma, beta }) => g.layerNorm(x!, gamma!, beta!, 1e-5)[0],
);

// Gather: embedding lookup with repeated ids (int64 input, no gradient), and the [CLS]-style pick.
row('Gather embedding [5,4] ids [2,3] repeated', ['Gather'], [f('emb', [5, 4]), int64Input('ids', [2, 3], [1, 3, 1, 0, 3, 3])], (g, { emb, ids }) =>
  g.gather(emb!, ids!, 0),
);
row('Gather embedding [6,3] ids [4] all alike', ['Gather'], [f('emb', [6, 3]), int64Input('ids', [4], [2, 2, 2, 5])], (g, { emb, ids }) =>
  g.gather(emb!, ids!, 0),
);
row('Embedding [5,4] ids [2,3] repeated', ['Embedding'], [f('emb', [5, 4]), int64Input('ids', [2, 3], [1, 3, 1, 0, 3, 3])], (g, { emb, ids }) =>
  g.embedding(emb!, ids!),
);
// With padding_idx 4 (absent from the ids, so the numeric derivative of that row is zero too).
row('Embedding [5,4] padding_idx 4', ['Embedding'], [f('emb', [5, 4]), int64Input('ids', [2, 3], [1, 3, 1, 0, 2, 3])], (g, { emb, ids }) =>
  g.embedding(emb!, ids!, 4),
);
row('Gather pick(x, 1, 0) on [2,3,4]', ['Gather'], [f('x', [2, 3, 4])], (g, { x }) => g.pick(x!, 1, 0));
row('Gather pick(x, 1, 2) on [2,3,4] (last)', ['Gather'], [f('x', [2, 3, 4])], (g, { x }) => g.pick(x!, 1, 2));
row('Gather pick(x, 0, 1) on [2,3,4]', ['Gather'], [f('x', [2, 3, 4])], (g, { x }) => g.pick(x!, 0, 1));
row('Gather pick(x, 2, 1) on [2,3,4]', ['Gather'], [f('x', [2, 3, 4])], (g, { x }) => g.pick(x!, 2, 1));

// Crop (DeBERTa's relative shift): counts from both ends, constant and computed at run time.
row('Crop [3,5] counts [1,0,0,2]', ['Crop'], [f('x', [3, 5])], (g, { x }) => crop(g, x!, g.ints([1, 0, 0, 2]), [2, 3]));
row('Crop [2,3,4] counts [0,1,0,0,0,3] (run time)', ['Crop'], [f('x', [2, 3, 4]), int64Input('c', [6], [0, 1, 0, 0, 0, 3])], (g, { x, c }) =>
  crop(g, x!, g.add(c!, g.ints([0, 0, 0, 0, 0, 0])), [2, 2, 1]),
);

// Token packing (the real rows of a padded batch) and unpacking: gradients of each other. 'zeros'
// is exact everywhere; 'any' where nothing depends on the unpacked padding rows (here they are
// packed away again).
for (const padding of ['zeros', 'any'] as const) {
  row(
    `PackRows / UnpackRows '${padding}': real tokens of a [3,4] mask`,
    ['PackRows', 'UnpackRows'],
    [f('x', [3, 4, 2]), f('w', [2, 2]), int64Input('mask', [3, 4], [1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0])],
    (g, { x, w, mask }) => {
      const p = g.rowPacking(g.reshape(mask!, [12]), 'tokens');
      const packed = g.packRows(g.reshape(x!, [12, 2]), p);
      const back = g.mul(g.unpackRows(g.tanh(g.matmul(packed, w!)), p, padding), g.reshape(x!, [12, 2]));
      return padding === 'zeros' ? back : g.reduceSum(g.mul(g.packRows(back, p), packed), [0]);
    },
  );
}

// Slicing: Slice <-> Pad, Split <-> Concat, with constant and run-time bounds.
row('Slice [2,5,3] axis 1 [1:-1]', ['Slice'], [f('x', [2, 5, 3])], (g, { x }) => slice(g, x!, 1, 1, -1, 3));
row('Slice [2,5,3] axis 2 [0:2]', ['Slice'], [f('x', [2, 5, 3])], (g, { x }) => slice(g, x!, 2, 0, 2, 2));
row('Slice [2,5,3] axis 1 [3:] (to the end)', ['Slice'], [f('x', [2, 5, 3])], (g, { x }) => slice(g, x!, 1, 3, TO_END, 2));
row('Slice [4,3] axis 0 [1:end] with a run-time end', ['Slice'], [f('x', [4, 3]), int64Input('end', [1], [3])], (g, { x, end }) => slice(g, x!, 0, 1, end!, 2));
row('Pad [2,3] constant pads, value 0', ['Pad'], [f('x', [2, 3])], (g, { x }) =>
  g.mul(padConstant(g, x!, [0, 1, 2, 0], [4, 4]), g.scalarConst('float64', 1.5)),
);
row('Pad [2,3] run-time pads, value -1', ['Pad'], [f('x', [2, 3]), int64Input('pads', [4], [1, 0, 0, 2])], (g, { x, pads }) =>
  padConstant(g, x!, pads!, [3, 5], -1),
);
row('Concat [2,3] + [2,1] + [2,2] axis 1 (times a weight)', ['Concat'], [f('a', [2, 3]), f('b', [2, 1]), f('c', [2, 2]), f('w', [6])], (g, { a, b, c, w }) =>
  g.mul(g.concat([a!, b!, c!], 1), w!),
);
row('Concat [1,2] + [3,2] axis 0 (one input reused)', ['Concat'], [f('a', [1, 2]), f('b', [3, 2])], (g, { a, b }) => g.concat([a!, b!, a!], 0));
row('Split [2,6] axis 1 into 4 + 2', ['Split'], [f('x', [2, 6])], (g, { x }) => {
  const [p, q] = split(g, x!, 1, [4, 2]);
  return g.mul(g.reduceSum(p!, [1], true), q!);
});
row('Split [5,2] axis 0 into 2 + 3, the second unused', ['Split'], [f('x', [5, 2])], (g, { x }) => g.tanh(split(g, x!, 0, [2, 3])[0]!));

// Losses.
row('SoftmaxCrossEntropy', ['SoftmaxCrossEntropy'], [f('logits', [4, 3], normal(12, 2)), int64Input('labels', [4], [2, 0, 2, 1])], (g, { logits, labels }) =>
  g.softmaxCrossEntropy(logits!, labels!),
);
row(
  'SoftmaxCrossEntropy with class weights',
  ['SoftmaxCrossEntropy'],
  [f('logits', [5, 3], normal(15, 2)), int64Input('labels', [5], [2, 0, 2, 1, 0]), constInput('w', [3], [0.5, 2, 1.25])],
  (g, { logits, labels, w }) => g.softmaxCrossEntropy(logits!, labels!, w!),
);
row('BCEWithLogits', ['BCEWithLogits'], [f('x', [3, 4], normal(12, 2)), constInput('t', [3, 4], unit(12))], (g, { x, t }) => g.bceWithLogits(x!, t!));
row('MSELoss (prediction and target)', ['MSELoss'], [f('x', [3, 4]), f('t', [3, 4])], (g, { x, t }) => g.mseLoss(x!, t!));
row('MSELoss [5]', ['MSELoss'], [f('x', [5]), f('t', [5])], (g, { x, t }) => g.mseLoss(x!, t!));

// A small transformer-like composite: every rule working together.
row(
  'Composite: Linear -> Gelu -> LayerNorm -> Softmax attention -> pick -> loss',
  ['Linear', 'Gelu', 'LayerNorm', 'MatMul', 'Transpose', 'Softmax', 'Gather', 'SoftmaxCrossEntropy'],
  [f('x', [2, 3, 4]), f('w', [4, 4]), f('b', [4]), f('gamma', [4]), f('beta', [4]), f('wc', [3, 4]), int64Input('labels', [2], [1, 2])],
  (g, { x, w, b, gamma, beta, wc, labels }) => {
    const h = g.layerNorm(g.gelu(g.linear(x!, w!, b!)), gamma!, beta!, 1e-12)[0];
    const scores = g.softmax(g.matmul(h, g.transpose(h, [0, 2, 1])), -1);
    const ctx = g.add(g.matmul(scores, h), x!);
    return g.softmaxCrossEntropy(g.linear(g.pick(ctx, 1, 0), wc!), labels!);
  },
);

let maxSeen = 0;

describe('autodiff: float64 numeric gradient table', () => {
  const seenOps = new Map<string, Set<string>>();

  test('every registered gradient rule has a row in the table', () => {
    const covered = new Set(rows.flatMap((r) => r.ops));
    const missing = registeredOps().filter((op) => !covered.has(op));
    assert.deepEqual(missing, [], `gradient rules without a numeric check: ${missing.join(', ')}`);
  });

  for (const r of rows) {
    test(r.name, async () => {
      let forwardOps = new Set<string>();
      const res = await gradcheck(r.specs, (g, x) => {
        const out = r.build(g, x);
        forwardOps = new Set(g.nodes.map((n) => n.op));
        return out;
      });
      seenOps.set(r.name, forwardOps);
      for (const op of r.ops) assert.ok(forwardOps.has(op), `${r.name}: the forward graph has no ${op} node`);
      assert.ok(res.checked > 0, `${r.name}: no coordinate checked`);
      assert.ok(res.maxRelError <= TOL, `${r.name}: max relative error ${res.maxRelError.toExponential(2)} > ${TOL}`);
      maxSeen = Math.max(maxSeen, res.maxRelError);
    });
  }

  test('all rows ran', (t) => {
    assert.equal(seenOps.size, rows.length);
    t.diagnostic(`gradient table: ${rows.length} rows, max relative error ${maxSeen.toExponential(2)}`);
  });
});

// ---- symbolic shapes: one session, two input shapes ---------------------------------------------

describe('autodiff: symbolic batch/seq dims', () => {
  test('Linear/LayerNorm/Gather/pick/ReduceMean gradients match at two shapes in one session', async (t) => {
    const H = 4;
    const H2 = 3;
    const V = 6;
    const g = new GraphBuilder('symbolic');
    const x = g.input('x', 'float64', ['batch', 'seq', H]);
    const ids = g.input('ids', 'int64', ['batch', 'seq']);
    const emb = g.input('emb', 'float64', [V, H]);
    const w = g.input('w', 'float64', [H2, H]);
    const b = g.input('b', 'float64', [H2]);
    const gamma = g.input('gamma', 'float64', [H2]);
    const beta = g.input('beta', 'float64', [H2]);
    const r = g.input('r', 'float64', [H2]);
    const h = g.add(x, g.gather(emb, ids, 0));
    const [ln] = g.layerNorm(g.gelu(g.linear(h, w, b)), gamma, beta, 1e-12); // [batch, seq, H2]
    const cls = g.pick(ln, 1, 0); // [batch, H2]
    const last = g.reduceMean(ln, [1]); // mean over seq: [batch, H2]
    const pooled = g.reduceMean(g.mul(g.add(cls, g.tanh(last)), cls), [0]); // [H2]
    const loss = g.reduceSum(g.mul(pooled, r), [0]);
    g.output(loss, 'loss');
    const names = ['x', 'emb', 'w', 'b', 'gamma', 'beta'];
    const params = [x, emb, w, b, gamma, beta];
    const grads = gradients(g, loss, params);
    params.forEach((p, i) => g.output(grads.get(p)!, `grad_${names[i]}`));
    const session = await createSession(serialize(g), { threads: 1 });
    try {
      const fixed = {
        emb: tensor('float64', [V, H], normal(V * H)),
        w: tensor('float64', [H2, H], normal(H2 * H)),
        b: tensor('float64', [H2], normal(H2)),
        gamma: tensor('float64', [H2], normal(H2)),
        beta: tensor('float64', [H2], normal(H2)),
        r: tensor('float64', [H2], normal(H2)),
      };
      const shapes: [number, number][] = [
        [2, 3],
        [3, 5],
      ];
      for (const [B, S] of shapes) {
        const ri = rng(B * 100 + S);
        const feeds: Record<string, HostTensor> = {
          ...fixed,
          x: tensor('float64', [B, S, H], normal(B * S * H)),
          ids: tensor(
            'int64',
            [B, S],
            Array.from({ length: B * S }, () => Math.floor(ri() * V)),
          ),
        };
        const res = await checkSession(session, feeds, names, { maxCoords: 24 });
        assert.ok(res.checked > 0);
        assert.ok(res.maxRelError <= TOL, `batch ${B} seq ${S}: max relative error ${res.maxRelError.toExponential(2)}`);
        assert.deepEqual(res.analytic.x!.length, B * S * H);
        t.diagnostic(`symbolic [${B},${S},${H}]: max relative error ${res.maxRelError.toExponential(2)} (${res.checked} coords)`);
      }
    } finally {
      await session.dispose();
    }
  });
});

// ---- float32 against float64 ----------------------------------------------------------------

describe('autodiff: float32 graph against float64', () => {
  test('gradients agree per tensor within 1e-4 relative (float32 uses ORT Erf and LayerNormalization)', async (t) => {
    const B = 3;
    const S = 4;
    const H = 8;
    const C = 3;
    const specs: { name: string; dims: number[]; values: number[] }[] = [
      { name: 'x', dims: [B, S, H], values: normal(B * S * H) },
      { name: 'w1', dims: [H, H], values: normal(H * H, 0.5) },
      { name: 'b1', dims: [H], values: normal(H, 0.1) },
      { name: 'gamma', dims: [H], values: normal(H, 0.2).map((v) => v + 1) },
      { name: 'beta', dims: [H], values: normal(H, 0.1) },
      { name: 'w2', dims: [C, H], values: normal(C * H, 0.5) },
      { name: 'b2', dims: [C], values: normal(C, 0.1) },
    ].map((s) => ({ ...s, values: s.values.map(Math.fround) }));
    const labels = [0, 2, 1];

    const run = async (dtype: DType): Promise<Record<string, Float64Array>> => {
      const g = new GraphBuilder(`net_${dtype}`);
      const v: Record<string, Value> = {};
      for (const s of specs) v[s.name] = g.input(s.name, dtype, s.dims);
      const lab = g.input('labels', 'int64', [B]);
      const h1 = g.gelu(g.linear(v.x!, v.w1!, v.b1!));
      const [ln] = g.layerNorm(g.add(h1, g.erf(v.x!)), v.gamma!, v.beta!, 1e-12);
      const att = g.softmax(g.div(g.matmul(ln, g.transpose(ln, [0, 2, 1])), g.scalarConst(dtype, Math.sqrt(H))), -1);
      const ctx = g.add(g.matmul(att, ln), ln);
      const logits = g.linear(g.tanh(g.pick(ctx, 1, 0)), v.w2!, v.b2!);
      const loss = g.softmaxCrossEntropy(logits, lab);
      g.output(loss, 'loss');
      const params = specs.map((s) => v[s.name]!);
      const grads = gradients(g, loss, params);
      specs.forEach((s, i) => g.output(grads.get(params[i]!)!, `grad_${s.name}`));
      const session = await createSession(serialize(g), { threads: 1 });
      try {
        const feeds: Record<string, HostTensor> = { labels: tensor('int64', [B], labels) };
        for (const s of specs) feeds[s.name] = tensor(dtype, s.dims, s.values);
        const out = await session.run(feeds);
        return Object.fromEntries(specs.map((s) => [s.name, Float64Array.from(out[`grad_${s.name}`]!.data as Float32Array | Float64Array)]));
      } finally {
        await session.dispose();
      }
    };
    const g32 = await run('float32');
    const g64 = await run('float64');
    let worst = 0;
    for (const s of specs) {
      const a = g32[s.name]!;
      const b = g64[s.name]!;
      let num = 0;
      let den = 0;
      for (let i = 0; i < b.length; i++) {
        num += (a[i]! - b[i]!) ** 2;
        den += b[i]! ** 2;
      }
      assert.ok(den > 0, `${s.name}: zero float64 gradient`);
      const rel = Math.sqrt(num / den);
      worst = Math.max(worst, rel);
      assert.ok(rel <= 1e-4, `${s.name}: ||g32 - g64|| / ||g64|| = ${rel.toExponential(2)}`);
    }
    t.diagnostic(`float32 vs float64: worst per-tensor relative difference ${worst.toExponential(2)}`);
  });
});

// ---- pruning and errors ---------------------------------------------------------------------

/** The values a set of nodes reads. */
const readsOf = (nodes: readonly Node[]): Set<Value> => new Set(nodes.flatMap((n) => n.inputs.filter((v): v is Value => v !== null)));

describe('autodiff: pruning', () => {
  test('a frozen branch gets no backward nodes at all', () => {
    const g = new GraphBuilder('prune');
    const x = g.input('x', 'float64', [3, 4]);
    const z = g.input('z', 'float64', [3, 4]);
    const w1 = g.input('w1', 'float64', [4, 5]);
    const w2 = g.input('w2', 'float64', [4, 5]);
    const a = g.reduceSum(g.tanh(g.matmul(x, w1)), [0, 1]);
    const frozenMid = g.tanh(g.matmul(z, w2));
    const frozen = g.reduceSum(frozenMid, [0, 1]);
    const loss = g.add(a, frozen);
    const forward = g.nodes.length;
    const grads = gradients(g, loss, [w1]);
    assert.ok(grads.get(w1));
    const backward = g.nodes.slice(forward);
    const reads = readsOf(backward);
    for (const v of [z, w2, frozenMid, frozen]) {
      assert.ok(!reads.has(v), `the backward reads ${v.name}, which is on the frozen branch`);
    }
    assert.ok(reads.has(x), 'dW1 = x^T dY reads x');
  });

  test('a weight in wrt that feeds the loss only through a frozen-weight product: no gradient for the frozen one', () => {
    const build = (both: boolean): { extra: number; reads: Set<Value>; w1: Value; w2: Value; h: Value; grads: Map<Value, Value | undefined> } => {
      const g = new GraphBuilder('chain');
      const x = g.input('x', 'float64', [3, 4]);
      const w1 = g.input('w1', 'float64', [4, 4]);
      const w2 = g.input('w2', 'float64', [4, 2]);
      const h = g.matmul(x, w1);
      const loss = g.reduceSum(g.tanh(g.matmul(h, w2)), [0, 1]);
      const forward = g.nodes.length;
      const grads = gradients(g, loss, both ? [w1, w2] : [w1]);
      return { extra: g.nodes.length - forward, reads: readsOf(g.nodes.slice(forward)), w1, w2, h, grads };
    };
    const one = build(false);
    const both = build(true);
    assert.ok(one.grads.get(one.w1));
    assert.equal(one.grads.get(one.w2), undefined);
    assert.ok(both.grads.get(both.w2));
    // dW2 = h^T dY reads h; with only w1 in wrt nothing in the backward reads h.
    assert.ok(!one.reads.has(one.h), 'the backward computes dW2 although w2 is frozen');
    assert.ok(both.reads.has(both.h));
    assert.ok(one.extra < both.extra, `backward nodes: w1 only ${one.extra}, both ${both.extra}`);
  });

  test('a weight that does not reach the loss gets undefined, integer inputs get nothing', () => {
    const g = new GraphBuilder('unreached');
    const emb = g.input('emb', 'float64', [5, 3]);
    const ids = g.input('ids', 'int64', [4]);
    const w = g.input('w', 'float64', [3]);
    const unused = g.input('unused', 'float64', [3]);
    const side = g.mul(unused, w);
    g.output(side, 'side');
    const loss = g.reduceSum(g.mul(g.gather(emb, ids, 0), w), [0, 1]);
    const forward = g.nodes.length;
    const grads = gradients(g, loss, [emb, w, unused]);
    assert.ok(grads.get(emb));
    assert.ok(grads.get(w));
    assert.equal(grads.get(unused), undefined);
    const reads = readsOf(g.nodes.slice(forward));
    assert.ok(!reads.has(side) && !reads.has(unused), 'the backward touches a value off the loss path');
  });

  test('an op without a rule raises a clear error; so does a loss that needs no gradient', () => {
    const g = new GraphBuilder('norule');
    const x = g.input('x', 'float64', [3]);
    const loss = g.reduceSum(g.pow(x, g.scalarConst('float64', 3)), [0]);
    assert.throws(() => gradients(g, loss, [x]), /no gradient rule for op Pow/);

    const g2 = new GraphBuilder('noparam');
    const a = g2.input('a', 'float64', [3]);
    const b = g2.input('b', 'float64', [3]);
    const loss2 = g2.reduceSum(g2.exp(a), [0]);
    assert.throws(() => gradients(g2, loss2, [b]), /loss does not depend on any parameter/);
  });

  test('a rule-less op off the gradient path is not an error', () => {
    const g = new GraphBuilder('offpath');
    const x = g.input('x', 'float64', [3]);
    const c = g.input('c', 'float64', [3]);
    const p = g.pow(c, g.scalarConst('float64', 2)); // depends on no parameter
    const loss = g.reduceSum(g.mul(x, p), [0]);
    const grads = gradients(g, loss, [x]);
    assert.ok(grads.get(x));
  });
});

// ---- Dropout with ratio > 0 -----------------------------------------------------------------

describe('autodiff: Embedding padding_idx', () => {
  // Small tables take the one-hot product, large ones the scatter-add; graphs built for a GPU mask
  // the padding row after the sum and scatter with int32 indices. Same values every way.
  for (const [rows, target] of [
    [4, 'cpu'],
    [100, 'cpu'],
    [100, 'gpu'],
  ] as const) {
    test(`${rows} rows, ${target} graph: the padding row gets exactly zero gradient even where the padding id is used (torch.nn.Embedding)`, async () => {
      const g = new GraphBuilder('emb-pad');
      g.target = target;
      const emb = g.input('emb', 'float64', [rows, 3]);
      const ids = g.input('ids', 'int64', [6]);
      const loss = g.reduceSum(g.mul(g.embedding(emb, ids, 0), g.scalarConst('float64', 2)), [0, 1]);
      g.output(loss, 'loss');
      g.output(gradients(g, loss, [emb]).get(emb)!, 'd');
      const s = await createSession(serialize(g), { threads: 1 });
      const out = await s.run({
        emb: { dtype: 'float64', dims: [rows, 3], data: new Float64Array(rows * 3).fill(1) },
        ids: { dtype: 'int64', dims: [6], data: BigInt64Array.from([0n, 2n, 0n, 2n, 3n, 0n]) },
      });
      await s.dispose();
      const want = new Array<number>(rows * 3).fill(0);
      for (let h = 0; h < 3; h++) [want[6 + h], want[9 + h]] = [4, 2];
      assert.deepEqual(Array.from(out.d!.data as Float64Array), want);
    });
  }
});

describe('autodiff: embedding gradient with many repeated ids, multi-threaded', () => {
  // A batch of 32 x 128 tokens where ids 0 and 1 repeat thousands of times (token types, [CLS],
  // frequent characters). ONNX Runtime's 2-thread ScatterND(reduction=add) loses updates here;
  // the gradient must be the exact sum, the same on every run.
  for (const [V, target] of [
    [3, 'cpu'],
    [300, 'cpu'],
    [300, 'gpu'],
  ] as const)
    test(`${V} rows, ${target} graph: float32 gradient equals the float64 sum on every run (2 threads)`, async () => {
      const [H, N] = [64, 4096];
      const g = new GraphBuilder('emb-dup');
      g.target = target;
      const emb = g.input('emb', 'float32', [V, H]);
      const ids = g.input('ids', 'int64', [N]);
      const dy = g.input('dy', 'float32', [N, H]);
      const loss = g.reduceSum(g.mul(g.embedding(emb, ids), dy), [0, 1]);
      g.output(loss, 'loss');
      g.output(gradients(g, loss, [emb]).get(emb)!, 'd');
      const s = await createSession(serialize(g), { threads: 2 });
      const idv = Array.from({ length: N }, (_, i) => (i % 128 === 0 ? 2 : i % 5 === 0 ? 1 : 0));
      const dyv = Float32Array.from({ length: N * H }, (_, i) => Math.sin(i * 0.37));
      const ref = new Float64Array(V * H);
      idv.forEach((id, n) => {
        for (let h = 0; h < H; h++) ref[id * H + h]! += dyv[n * H + h]!;
      });
      try {
        for (let run = 0; run < 4; run++) {
          const out = await s.run({
            emb: { dtype: 'float32', dims: [V, H], data: new Float32Array(V * H) },
            ids: { dtype: 'int64', dims: [N], data: BigInt64Array.from(idv, BigInt) },
            dy: { dtype: 'float32', dims: [N, H], data: dyv },
          });
          const d = out.d!.data as Float32Array;
          let worst = 0;
          for (let i = 0; i < d.length; i++) worst = Math.max(worst, Math.abs(d[i]! - ref[i]!));
          assert.ok(worst <= 1e-3, `run ${run}: the gradient is off by ${worst}`);
        }
      } finally {
        await s.dispose();
      }
    });
});

describe('autodiff: dropout with a drawn mask', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    for (const p of [0.5, 0.25, 0.1]) {
      test(`${dtype} ratio ${p}: y = x * (mask/(1-p)) and dx = dy * (mask/(1-p)), exactly (torch's noise tensor)`, async () => {
        const n = 256;
        const g = new GraphBuilder('dropout');
        const x = g.input('x', dtype, [n]);
        const dy = g.input('dy', dtype, [n]);
        const y = g.dropout(x, p);
        assert.deepEqual(g.dropoutMasks, [{ name: 'dropout_mask.0', shape: [n], ratio: p }]);
        const loss = g.reduceSum(g.mul(y, dy), [0]);
        g.output(y, 'y');
        g.output(gradients(g, loss, [x]).get(x)!, 'dx');
        const session = await createSession(serialize(g), { threads: 1 });
        try {
          const round = dtype === 'float32' ? Math.fround : (v: number): number => v;
          const xs = normal(n).map(round);
          const dys = normal(n).map(round);
          const m = new Uint8Array(n).map((_, i) => (i % 3 === 0 ? 0 : 1));
          const out = await session.run({ x: tensor(dtype, [n], xs), dy: tensor(dtype, [n], dys), 'dropout_mask.0': { dtype: 'bool', dims: [n], data: m } });
          const yv = out.y!.data as Float32Array | Float64Array;
          const dx = out.dx!.data as Float32Array | Float64Array;
          // torch: noise = bernoulli(1-p) / (1-p) in the input's dtype, then input * noise.
          const scale = round(1 / round(1 - p));
          for (let i = 0; i < n; i++) {
            const noise = m[i]! * scale;
            assert.equal(yv[i], round(xs[i]! * noise), `y[${i}]`);
            assert.equal(dx[i], round(dys[i]! * noise), `dx[${i}]`);
          }
        } finally {
          await session.dispose();
        }
      });
    }
  }
  test('ratio outside (0, 1) is refused; the mask input is no symbol source', () => {
    const g = new GraphBuilder('dropout');
    const x = g.input('x', 'float32', ['n', 4]);
    assert.throws(() => g.dropout(x, 0), /ratio must be in \(0, 1\)/);
    assert.throws(() => g.dropout(x, 1), /ratio must be in \(0, 1\)/);
    g.dropout(x, 0.1);
    assert.deepEqual(
      g.dropoutMasks.map((d) => d.shape),
      [['n', 4]],
    );
  });
});
