/**
 * ONNX serialization: the one module that turns the IR into ModelProto bytes (opset 18, IR 8).
 * Composite IR ops are expanded into standard ONNX ops here (./expand.ts), differently for float64
 * where ONNX Runtime's CPU provider lacks a kernel.
 */
import type { Attr, GraphBuilder, Value } from '../graph.js';
import { type HostTensor, ONNX_DTYPE } from '../tensor.js';
import { expanders, type Emitter } from './expand.js';
import { PbWriter } from './protobuf.js';

export const OPSET = 18;
export const IR_VERSION = 8;

export interface SerializeOptions {
  /** Producer metadata written into the model. */
  producer?: string;
  /** Free-form metadata_props. */
  metadata?: Record<string, string>;
  docString?: string;
}

const ATTR_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

export function tensorProto(t: HostTensor, name: string): PbWriter {
  const w = new PbWriter();
  if (t.dims.length) w.packedInts(1, t.dims);
  w.int(2, ONNX_DTYPE[t.dtype]);
  w.string(8, name);
  const d = t.data;
  w.bytes(9, new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  return w;
}

function attrProto(name: string, a: Attr): PbWriter {
  const w = new PbWriter().string(1, name);
  switch (a.kind) {
    case 'float':
      w.float(2, a.value);
      break;
    case 'int':
      w.int(3, a.value);
      break;
    case 'string':
      w.string(4, a.value);
      break;
    case 'tensor':
      w.message(5, tensorProto(a.value, ''));
      break;
    case 'floats':
      w.packedFloats(7, a.value);
      break;
    case 'ints':
      w.packedInts(8, a.value);
      break;
  }
  w.int(20, ATTR_TYPE[a.kind]);
  return w;
}

function valueInfo(v: Value): PbWriter {
  const shape = new PbWriter();
  for (const d of v.shape) {
    const dim = new PbWriter();
    if (typeof d === 'number') dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tt = new PbWriter().int(1, ONNX_DTYPE[v.dtype]).message(2, shape);
  const type = new PbWriter().message(1, tt);
  return new PbWriter().string(1, v.name).message(2, type);
}

function nodeProto(
  op: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attrs: Readonly<Record<string, Attr>>,
  name: string,
  domain = '',
): PbWriter {
  const w = new PbWriter();
  for (const i of inputs) w.string(1, i);
  for (const o of outputs) w.string(2, o);
  w.string(3, name);
  w.string(4, op);
  for (const [k, a] of Object.entries(attrs)) w.message(5, attrProto(k, a));
  if (domain) w.string(7, domain);
  return w;
}

/** Serializes a built graph to ONNX ModelProto bytes. */
export function serialize(graph: GraphBuilder, options: SerializeOptions = {}): Uint8Array {
  const g = new PbWriter();
  let tmp = 0;
  const emitter: Emitter = {
    node(op, inputs, attrs = {}, nOut = 1, outNames) {
      const outs = outNames ? [...outNames] : Array.from({ length: nOut }, () => `__x${tmp++}`);
      g.message(1, nodeProto(op, inputs, outs, attrs, `__n${tmp++}`));
      return outs;
    },
    constant(t) {
      const name = `__c${tmp++}`;
      g.message(1, nodeProto('Constant', [], [name], { value: { kind: 'tensor', value: t } }, `__n${tmp++}`));
      return name;
    },
  };
  for (const n of graph.nodes) {
    const inputs = n.inputs.map((v) => (v ? v.name : ''));
    const outputs = n.outputs.map((v) => v.name);
    const dtype = n.outputs[0]?.dtype ?? 'float32';
    const expand = expanders[n.op];
    if (expand) expand(emitter, n, inputs, outputs, dtype);
    else g.message(1, nodeProto(n.op, inputs, outputs, n.attrs, n.name));
  }
  g.string(2, graph.name);
  // Constants no node reads (e.g. replaced by a mixed-precision copy) are left out.
  const used = new Set<number>();
  for (const n of graph.nodes) for (const v of n.inputs) if (v) used.add(v.id);
  for (const init of graph.initializers) if (used.has(init.value.id)) g.message(5, tensorProto(init.data, init.value.name));
  if (options.docString) g.string(10, options.docString);
  for (const v of graph.inputs) g.message(11, valueInfo(v));
  for (const v of graph.outputs) g.message(12, valueInfo(v));

  const m = new PbWriter();
  m.int(1, IR_VERSION);
  m.string(2, options.producer ?? 'finetune');
  m.string(3, '0.1.0');
  m.message(7, g);
  m.message(8, new PbWriter().string(1, '').int(2, OPSET));
  for (const [k, v] of Object.entries(options.metadata ?? {})) m.message(14, new PbWriter().string(1, k).string(2, v));
  return m.finish();
}
