/**
 * Pad in constant mode with zeros (GraphBuilder.pad), positive pads adding zeros and negative ones
 * cropping: the gradient is the same Pad with the pads negated (crop what was added, zero-fill what
 * was cropped).
 */
import { registerGradient } from '../registry.js';

registerGradient('Pad', ({ g, node, x: [x, pads, value], dy: [dy] }) => {
  const mode = node.attrs.mode;
  if (value || (mode && !(mode.kind === 'string' && mode.value === 'constant')))
    throw new Error(`Pad gradient: only zero constant padding is supported (node ${node.name})`);
  return [g.pad(dy!, g.sub(g.ints([0]), pads!), x!.shape), undefined];
});
