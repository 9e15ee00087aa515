/**
 * GatherElements (DeBERTa's relative-position terms): the gradient adds each output's gradient into
 * the element it was read from, ScatterElements with reduction=add into zeros (indices may repeat;
 * float16 sums in float32).
 */
import { intAttr } from '../../graph.js';
import { registerGradient } from '../registry.js';

registerGradient('GatherElements', ({ g, node, x: [data, indices], dy: [dy] }) => {
  // ONNX Runtime's CPU ScatterElements has no float16 kernel with reduction=add: sum in float32.
  const dtype = data!.dtype === 'float16' ? 'float32' : data!.dtype;
  const zeros = g.zerosLike(dtype === data!.dtype ? data! : g.cast(data!, dtype));
  const grad = g.scatterElementsAdd(zeros, indices!, g.cast(dy!, dtype), intAttr(node, 'axis'));
  return [g.cast(grad, data!.dtype), undefined];
});
