/** The one registration list: importing this module fills the gradient-rule table. */
import './rules/elementwise.js';
import './rules/unary.js';
import './rules/gelu.js';
import './rules/matmul.js';
import './rules/shape.js';
import './rules/reduce.js';
import './rules/softmax.js';
import './rules/layernorm.js';
import './rules/gather.js';
import './rules/crop.js';
import './rules/losses.js';
import './rules/slicing.js';
