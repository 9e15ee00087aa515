/**
 * Dropout in training mode: dx = dy * keep / (1 - ratio), with the mask the forward drew. ONNX
 * Runtime reads the ratio as float32 and computes y = mask * x / (1.0f - ratio) in every dtype, so
 * the rule divides by that same float32 value: the gradient is exactly that of the forward.
 */
import { elementAt } from '../../tensor.js';
import { registerGradient } from '../registry.js';

registerGradient('Dropout', ({ g, x: [x, ratio], y: [, mask], dy: [dy] }) => {
  const r = g.constantData(ratio!);
  if (!r) throw new Error('Dropout gradient: the ratio must be a constant');
  const p = elementAt(r, 0);
  const masked = g.mul(dy!, g.cast(mask!, x!.dtype));
  if (p >= 1) return [g.mul(masked, g.scalarConst(x!.dtype, 0))];
  return [g.div(masked, g.scalarConst(x!.dtype, Math.fround(1 - Math.fround(p))))];
});
