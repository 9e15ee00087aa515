/**
 * Expansions of composite IR ops into standard ONNX ops, applied at serialization. float64 graphs
 * (used for gradient checks) get decomposed forms where ONNX Runtime's CPU provider has no float64
 * kernel (Erf, LayerNormalization).
 */
import { type Attr, type Node, attr, floatAttr, stringAttr } from '../graph.js';
import { type DType, type HostTensor, ONNX_DTYPE, int64, scalar } from '../tensor.js';

export interface Emitter {
  /** Emits one ONNX node and returns its output names (fresh ones unless given). */
  node(op: string, inputs: readonly string[], attrs?: Readonly<Record<string, Attr>>, nOut?: number, outNames?: readonly string[]): string[];
  /** Emits a Constant node and returns its name. */
  constant(t: HostTensor): string;
}

type Expander = (e: Emitter, node: Node, inputs: readonly string[], outputs: readonly string[], dtype: DType) => void;

const one = (e: Emitter, op: string, inputs: readonly string[], attrs?: Readonly<Record<string, Attr>>, out?: string): string =>
  e.node(op, inputs, attrs, 1, out === undefined ? undefined : [out])[0]!;

/**
 * erf(x) to full float64 precision from Chebyshev coefficients for erfc (Numerical Recipes, 3rd
 * ed., 6.2.2): erfc(z) = t * exp(-z^2 + (c0 + ty*d)/2 - dd), t = 2/(2+z), ty = 4t - 2, z = |x|.
 */
const ERFC_COF = [
  -1.3026537197817094, 6.4196979235649026e-1, 1.9476473204185836e-2, -9.561514786808631e-3, -9.46595344482036e-4, 3.66839497852761e-4, 4.2523324806907e-5,
  -2.0278578112534e-5, -1.624290004647e-6, 1.30365583558e-6, 1.5626441722e-8, -8.5238095915e-8, 6.529054439e-9, 5.059343495e-9, -9.91364156e-10,
  -2.27365122e-10, 9.6467911e-11, 2.394038e-12, -6.886027e-12, 8.94487e-13, 3.13092e-13, -1.12708e-13, 3.81e-16, 7.106e-15, -1.523e-15, -9.4e-17, 1.21e-16,
  -2.8e-17,
];

function erfFloat64(e: Emitter, x: string, out?: string): string {
  const c = (v: number): string => e.constant(scalar('float64', v));
  const z = one(e, 'Abs', [x]);
  const t = one(e, 'Div', [c(2), one(e, 'Add', [c(2), z])]);
  const ty = one(e, 'Sub', [one(e, 'Mul', [c(4), t]), c(2)]);
  let d = c(0);
  let dd = c(0);
  for (let j = ERFC_COF.length - 1; j > 0; j--) {
    const next = one(e, 'Add', [one(e, 'Sub', [one(e, 'Mul', [ty, d]), dd]), c(ERFC_COF[j]!)]);
    dd = d;
    d = next;
  }
  const half = one(e, 'Mul', [c(0.5), one(e, 'Add', [c(ERFC_COF[0]!), one(e, 'Mul', [ty, d])])]);
  const expo = one(e, 'Sub', [one(e, 'Sub', [half, dd]), one(e, 'Mul', [z, z])]);
  const erfc = one(e, 'Mul', [t, one(e, 'Exp', [expo])]);
  const erfAbs = one(e, 'Sub', [c(1), erfc]);
  return one(e, 'Mul', [one(e, 'Sign', [x]), erfAbs], undefined, out);
}

function erf(e: Emitter, x: string, dtype: DType, out?: string): string {
  return dtype === 'float64' ? erfFloat64(e, x, out) : one(e, 'Erf', [x], undefined, out);
}

const c = (e: Emitter, dtype: DType, v: number): string => e.constant(scalar(dtype, v));

export const expanders: Record<string, Expander> = {
  Erf(e, _n, [x], [y], dtype) {
    erf(e, x!, dtype, y);
  },

  PackRows(e, _n, [x, idx], [y]) {
    e.node('Gather', [x!, idx!], { axis: attr.int(0) }, 1, [y!]);
  },

  /** 'zeros': Gather from x with one zero row appended (inv points padding there); 'any': Gather. */
  UnpackRows(e, n, [x, , inv, invAny], [y]) {
    if (stringAttr(n, 'padding') === 'any') {
      e.node('Gather', [x!, invAny!], { axis: attr.int(0) }, 1, [y!]);
      return;
    }
    const rank = n.inputs[0]!.shape.length;
    const pads = e.constant(int64([...new Array<number>(rank).fill(0), 1, ...new Array<number>(rank - 1).fill(0)]));
    e.node('Gather', [one(e, 'Pad', [x!, pads]), inv!], { axis: attr.int(0) }, 1, [y!]);
  },

  /** Crop (../crop.ts): Pad with the counts negated. */
  Crop(e, _n, [x, counts], [y]) {
    e.node('Pad', [x!, one(e, 'Neg', [counts!])], {}, 1, [y!]);
  },

  Embedding(e, _n, [w, ids], [y]) {
    e.node('Gather', [w!, ids!], { axis: attr.int(0) }, 1, [y!]);
  },

  Gelu(e, _n, [x], [y], dtype) {
    const phi = one(e, 'Add', [c(e, dtype, 1), erf(e, one(e, 'Mul', [x!, c(e, dtype, Math.SQRT1_2)]), dtype)]);
    one(e, 'Mul', [one(e, 'Mul', [x!, c(e, dtype, 0.5)]), phi], undefined, y);
  },

  Linear(e, n, [x, w, b], [y]) {
    const rank = n.inputs[0]!.shape.length;
    if (rank === 2) {
      e.node('Gemm', b ? [x!, w!, b] : [x!, w!], { transB: attr.int(1) }, 1, [y!]);
      return;
    }
    const wt = one(e, 'Transpose', [w!], { perm: attr.ints([1, 0]) });
    if (b) one(e, 'Add', [one(e, 'MatMul', [x!, wt]), b], undefined, y);
    else one(e, 'MatMul', [x!, wt], undefined, y);
  },

  /** y = (DynamicQuantizeLinear(x) MatMulInteger Wq) * x_scale * w_scale + b (see ../quantize.ts). */
  QLinear(e, _n, [x, wq, ws, b], [y]) {
    const [xq, xs, xzp] = e.node('DynamicQuantizeLinear', [x!], {}, 3);
    const acc = one(e, 'MatMulInteger', [xq!, wq!, xzp!]);
    const scaled = one(e, 'Mul', [one(e, 'Cast', [acc], { to: attr.int(ONNX_DTYPE.float32) }), one(e, 'Mul', [xs!, ws!])]);
    if (b) one(e, 'Add', [scaled, b], undefined, y);
    else one(e, 'Identity', [scaled], undefined, y);
  },

  LayerNorm(e, n, [x, gamma, beta], [y, mean, inv], dtype) {
    const eps = floatAttr(n, 'epsilon');
    if (dtype !== 'float64') {
      e.node('LayerNormalization', [x!, gamma!, beta!], { axis: attr.int(-1), epsilon: attr.float(eps) }, 3, [y!, mean!, inv!]);
      return;
    }
    const axes = e.constant(int64([-1]));
    const keep = { keepdims: attr.int(1) };
    one(e, 'ReduceMean', [x!, axes], keep, mean);
    const d = one(e, 'Sub', [x!, mean!]);
    const variance = one(e, 'ReduceMean', [one(e, 'Mul', [d, d]), axes], keep);
    one(e, 'Div', [c(e, dtype, 1), one(e, 'Sqrt', [one(e, 'Add', [variance, c(e, dtype, eps)])])], undefined, inv);
    one(e, 'Add', [one(e, 'Mul', [one(e, 'Mul', [d, inv!]), gamma!]), beta!], undefined, y);
  },

  /** mean over rows (or weighted mean, as torch's CrossEntropyLoss(weight)) of -log softmax[label]. */
  SoftmaxCrossEntropy(e, n, [logits, labels, weight], [loss], dtype) {
    const numClasses = n.inputs[0]!.shape[1] as number;
    const logp = one(e, 'LogSoftmax', [logits!], { axis: attr.int(1) });
    const classes = e.constant(
      int64(
        Array.from({ length: numClasses }, (_, i) => i),
        [1, numClasses],
      ),
    );
    const lab = one(e, 'Unsqueeze', [labels!, e.constant(int64([1]))]);
    const onehot = one(e, 'Cast', [one(e, 'Equal', [lab, classes])], { to: attr.int(ONNX_DTYPE[dtype]) });
    const picked = one(e, 'ReduceSum', [one(e, 'Mul', [logp, onehot]), e.constant(int64([1]))], { keepdims: attr.int(0) });
    if (weight) {
      const w = one(e, 'Gather', [weight, labels!], { axis: attr.int(0) });
      const num = one(e, 'ReduceSum', [one(e, 'Mul', [w, picked])], { keepdims: attr.int(0) });
      const den = one(e, 'ReduceSum', [w], { keepdims: attr.int(0) });
      one(e, 'Neg', [one(e, 'Div', [num, den])], undefined, loss);
    } else {
      one(e, 'Neg', [one(e, 'ReduceMean', [picked], { keepdims: attr.int(0) })], undefined, loss);
    }
  },

  /** mean of max(x, 0) - x*y + log(1 + exp(-|x|)), as torch's BCEWithLogitsLoss. */
  BCEWithLogits(e, _n, [x, t], [loss], dtype) {
    const soft = one(e, 'Log', [one(e, 'Add', [c(e, dtype, 1), one(e, 'Exp', [one(e, 'Neg', [one(e, 'Abs', [x!])])])])]);
    const per = one(e, 'Add', [one(e, 'Sub', [one(e, 'Relu', [x!]), one(e, 'Mul', [x!, t!])]), soft]);
    one(e, 'ReduceMean', [per], { keepdims: attr.int(0) }, loss);
  },

  /** mean of (x - t)^2, as torch's MSELoss. */
  MSELoss(e, _n, [x, t], [loss]) {
    const d = one(e, 'Sub', [x!, t!]);
    one(e, 'ReduceMean', [one(e, 'Mul', [d, d])], { keepdims: attr.int(0) }, loss);
  },
};
