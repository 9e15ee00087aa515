/**
 * Dynamic int8 quantization of a graph's Linear weights, in standard ONNX ops (what ONNX Runtime's
 * `quantize_dynamic` produces): the weight is stored transposed as int8 [in, out] with a symmetric
 * per-output-channel scale; at run time the activation is quantized per tensor to uint8
 * (DynamicQuantizeLinear), multiplied with MatMulInteger, and rescaled to float.
 */
import type { GraphBuilder, Node } from './graph.js';
import { tensor } from './tensor.js';

export function quantizeLinears(g: GraphBuilder): number {
  let count = 0;
  const inits = new Map(g.initializers.map((i) => [i.value, i]));
  const replaced = new Set<string>();
  for (let k = 0; k < g.nodes.length; k++) {
    const node = g.nodes[k]!;
    const w = node.inputs[1];
    const init = node.op === 'Linear' && w ? inits.get(w) : undefined;
    if (!init || init.data.dtype !== 'float32' || init.data.dims.length !== 2) continue;
    const [out, inp] = init.data.dims as [number, number];
    const data = init.data.data as Float32Array;
    const q = new Int8Array(inp * out);
    const scales = new Float32Array(out);
    for (let o = 0; o < out; o++) {
      let max = 0;
      for (let i = 0; i < inp; i++) max = Math.max(max, Math.abs(data[o * inp + i]!));
      const scale = max > 0 ? max / 127 : 1;
      scales[o] = scale;
      for (let i = 0; i < inp; i++) q[i * out + o] = Math.max(-127, Math.min(127, Math.round(data[o * inp + i]! / scale)));
    }
    const wq = g.initializer(`${w!.name}_quantized`, { dtype: 'int8', dims: [inp, out], data: q });
    const ws = g.initializer(`${w!.name}_scale`, tensor('float32', [out], scales));
    const qnode: Node = { op: 'QLinear', inputs: [node.inputs[0]!, wq, ws, node.inputs[2] ?? null], outputs: node.outputs, attrs: {}, name: node.name };
    g.nodes[k] = qnode;
    replaced.add(w!.name);
    count++;
  }
  // Drop float weights nothing else reads.
  const stillUsed = new Set(g.nodes.flatMap((n) => n.inputs.filter((v) => v).map((v) => v!.name)));
  for (let i = g.initializers.length - 1; i >= 0; i--) {
    const name = g.initializers[i]!.value.name;
    if (replaced.has(name) && !stillUsed.has(name)) g.initializers.splice(i, 1);
  }
  return count;
}
