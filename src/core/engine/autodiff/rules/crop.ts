/** Crop (../../crop.ts): the gradient padded with zeros by the cropped counts, back to the input's extent. */
import { registerGradient } from '../registry.js';

registerGradient('Crop', ({ g, x: [x, counts], dy: [dy] }) => [g.pad(dy!, counts!, x!.shape), undefined]);
