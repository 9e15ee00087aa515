/** Rules for Softmax and LogSoftmax along one axis. */
import { intAttr } from '../../graph.js';
import { registerGradient } from '../registry.js';

// dx = y * (dy - sum(dy * y))
registerGradient('Softmax', ({ g, node, y: [y], dy: [dy] }) => {
  const axis = intAttr(node, 'axis', -1);
  const dot = g.reduceSum(g.mul(dy!, y!), [axis], true);
  return [g.mul(y!, g.sub(dy!, dot))];
});

// dx = dy - softmax(x) * sum(dy)
registerGradient('LogSoftmax', ({ g, node, y: [y], dy: [dy] }) => {
  const axis = intAttr(node, 'axis', -1);
  return [g.sub(dy!, g.mul(g.exp(y!), g.reduceSum(dy!, [axis], true)))];
});
