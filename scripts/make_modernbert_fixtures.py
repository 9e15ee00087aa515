#!/usr/bin/python3
"""Writes the ModernBERT reference fixtures: test/fixtures/reference/modernbert-*/.

A PyTorch re-implementation of transformers' `ModernBertForSequenceClassification` forward (the
eager / SDPA path: padded batches, additive masks), written from its modeling source with its module
names, so the state-dict keys and shapes are transformers' own:

  model.embeddings.tok_embeddings / .norm           (no position embeddings)
  model.layers.N.attn_norm (not in layer 0), .attn.Wqkv, .attn.Wo, .mlp_norm, .mlp.Wi, .mlp.Wo
  model.final_norm, head.dense, head.norm, classifier

Semantics followed: rotary embeddings on q and k (inverse frequencies and angles in float32 as
transformers computes them; theta per layer type), layer i global when i % global_attn_every_n_layers
== 0, else the sliding window |i - j| <= local_attention // 2 on top of the padding mask, scores
q k^T * head_dim^-0.5, Wo, GeGLU MLP act(input) * gate, pre-norm residuals, final_norm, [CLS] or
masked-mean pooling, head dense -> act -> norm, classifier. Biases and norm biases per config.

Two deliberate float64 choices, so that a float64 implementation can be checked to 1e-9:
- the softmax runs in the model's dtype (transformers' SDPA path; its eager path upcasts to float32);
- cos / sin of the (float32) rotary angles are taken in float64 (transformers takes them in float32
  and casts; in float32 models the two agree to float32 rounding).

Each case folder: config.json + model.safetensors (pytorch_model.bin for modernbert-torch-save) and
fixture.json in the format of scripts/make_reference_fixtures.py (see test/fixtures/reference/README.md).
After writing, everything is re-read and checked against a second, independent implementation
(each sequence alone, unpadded, with an explicit per-query window) and central finite differences.

  /usr/bin/python3 scripts/make_modernbert_fixtures.py            write + verify
  /usr/bin/python3 scripts/make_modernbert_fixtures.py --verify   verify the files already there
"""
import collections
import copy
import math
import os
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_reference_fixtures import (  # noqa: E402  (shared file writers and the loss block)
    OUT, Cfg, close, flat, fresh, labels_fields, nested, read_safetensors, sequence_classification_loss, write_json,
    write_safetensors,
)

TRANSFORMERS_VERSION = '4.48.0'
DTYPE_NOTE = (
    'logits, loss, grads (and pooled where present) computed in float64 from the weights exactly as stored in this '
    'folder (float32 values), dropout off (eval), gradients on; softmax in float64 (the SDPA path); rotary angles in '
    'float32 as transformers computes them, their cos / sin in float64. A float32 implementation should agree to '
    'roughly 1e-5 relative.'
)


# ------------------------------------------------------------------------------------------------
# ModernBERT modules, names as in transformers
# ------------------------------------------------------------------------------------------------


def act_fn(name):
    """ACT2FN: 'gelu' is the exact erf GELU; gelu_new / gelu_pytorch_tanh the tanh approximation."""
    return {
        'gelu': F.gelu,
        'gelu_new': lambda x: F.gelu(x, approximate='tanh'),
        'gelu_pytorch_tanh': lambda x: F.gelu(x, approximate='tanh'),
        'relu': F.relu,
        'silu': F.silu,
        'swish': F.silu,
        'tanh': torch.tanh,
    }[name]


class Norm(nn.Module):
    """nn.LayerNorm(hidden, eps, bias=norm_bias) (torch 1.13's LayerNorm has no bias=False)."""

    def __init__(self, width, eps, bias):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(width))
        self.bias = nn.Parameter(torch.zeros(width)) if bias else None

    def forward(self, x):
        return F.layer_norm(x, (x.shape[-1],), self.weight, self.bias, self.eps)


class ModernBertEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.tok_embeddings = nn.Embedding(c.vocab_size, c.hidden_size, padding_idx=c.pad_token_id)
        self.norm = Norm(c.hidden_size, c.norm_eps, c.norm_bias)
        self.drop = nn.Dropout(c.embedding_dropout)

    def forward(self, input_ids):
        return self.drop(self.norm(self.tok_embeddings(input_ids)))


def rope_theta(c, layer_type):
    if 'rope_parameters' in c:
        return c['rope_parameters'][layer_type]['rope_theta']
    return c.global_rope_theta if layer_type == 'full_attention' else c.local_rope_theta


def layer_types(c):
    if 'layer_types' in c:
        return c['layer_types']
    n = c.global_attn_every_n_layers
    return ['sliding_attention' if i % n else 'full_attention' for i in range(c.num_hidden_layers)]


def rotary(c, theta, seq_len, dtype):
    """ModernBertRotaryEmbedding: inv_freq and the angles in float32; cos / sin (here) in `dtype`."""
    dim = c.hidden_size // c.num_attention_heads
    inv_freq = 1.0 / (theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    positions = torch.arange(seq_len).unsqueeze(0).float()
    freqs = (inv_freq[None, :, None] @ positions[:, None, :]).transpose(1, 2)  # [1, seq, dim / 2], float32
    emb = torch.cat((freqs, freqs), dim=-1).to(dtype)
    return emb.cos(), emb.sin()


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class ModernBertAttention(nn.Module):
    def __init__(self, c, layer_id):
        super().__init__()
        self.num_heads = c.num_attention_heads
        self.head_dim = c.hidden_size // c.num_attention_heads
        self.Wqkv = nn.Linear(c.hidden_size, 3 * c.hidden_size, bias=c.attention_bias)
        self.Wo = nn.Linear(c.hidden_size, c.hidden_size, bias=c.attention_bias)
        self.local = layer_id % c.global_attn_every_n_layers != 0
        self.attention_dropout = c.attention_dropout
        self.out_drop = nn.Dropout(c.attention_dropout) if c.attention_dropout > 0 else nn.Identity()

    def forward(self, hidden, global_mask, window_mask, cos, sin):
        bs, seq, width = hidden.shape
        qkv = self.Wqkv(hidden).view(bs, seq, 3, self.num_heads, self.head_dim)
        q, k, v = qkv.transpose(3, 1).unbind(dim=2)  # each [bs, heads, seq, head_dim]
        cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        scores = torch.matmul(q, k.transpose(2, 3)) * self.head_dim ** -0.5
        scores = scores + (window_mask if self.local else global_mask)
        probs = F.dropout(F.softmax(scores, dim=-1), p=self.attention_dropout, training=self.training)
        out = torch.matmul(probs, v).transpose(1, 2).contiguous().view(bs, seq, width)
        return self.out_drop(self.Wo(out))


class ModernBertMLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.Wi = nn.Linear(c.hidden_size, 2 * c.intermediate_size, bias=c.mlp_bias)
        self.act = act_fn(c.hidden_activation)
        self.drop = nn.Dropout(c.mlp_dropout)
        self.Wo = nn.Linear(c.intermediate_size, c.hidden_size, bias=c.mlp_bias)

    def forward(self, x):
        inp, gate = self.Wi(x).chunk(2, dim=-1)
        return self.Wo(self.drop(self.act(inp) * gate))


class ModernBertEncoderLayer(nn.Module):
    def __init__(self, c, layer_id):
        super().__init__()
        self.attn_norm = nn.Identity() if layer_id == 0 else Norm(c.hidden_size, c.norm_eps, c.norm_bias)
        self.attn = ModernBertAttention(c, layer_id)
        self.mlp_norm = Norm(c.hidden_size, c.norm_eps, c.norm_bias)
        self.mlp = ModernBertMLP(c)

    def forward(self, h, global_mask, window_mask, cos, sin):
        h = h + self.attn(self.attn_norm(h), global_mask, window_mask, cos, sin)
        return h + self.mlp(self.mlp_norm(h))


class ModernBertModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embeddings = ModernBertEmbeddings(c)
        self.layers = nn.ModuleList([ModernBertEncoderLayer(c, i) for i in range(c.num_hidden_layers)])
        self.final_norm = Norm(c.hidden_size, c.norm_eps, c.norm_bias)

    def masks(self, attention_mask, dtype):
        """_update_attention_mask: the 4-d padding mask (finfo.min where padded), and the same with
        finfo.min outside |i - j| <= local_attention // 2."""
        seq = attention_mask.shape[1]
        minimum = torch.finfo(dtype).min
        global_mask = (1.0 - attention_mask[:, None, None, :].to(dtype)) * minimum
        rows = torch.arange(seq).unsqueeze(0)
        window = (torch.abs(rows - rows.T) <= self.c.local_attention // 2)[None, None]
        return global_mask, global_mask.masked_fill(window.logical_not(), minimum)

    def forward(self, input_ids, attention_mask):
        h = self.embeddings(input_ids)
        global_mask, window_mask = self.masks(attention_mask, h.dtype)
        tables = {t: rotary(self.c, rope_theta(self.c, t), input_ids.shape[1], h.dtype) for t in set(layer_types(self.c))}
        for layer, kind in zip(self.layers, layer_types(self.c)):
            h = layer(h, global_mask, window_mask, *tables[kind])
        return self.final_norm(h)


class ModernBertPredictionHead(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size, bias=c.classifier_bias)
        self.act = act_fn(c.classifier_activation)
        self.norm = Norm(c.hidden_size, c.norm_eps, c.norm_bias)

    def forward(self, x):
        return self.norm(self.act(self.dense(x)))


class ModernBertForSequenceClassification(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.model = ModernBertModel(c)
        self.head = ModernBertPredictionHead(c)
        self.drop = nn.Dropout(c.classifier_dropout)
        self.classifier = nn.Linear(c.hidden_size, c.num_labels)

    def pooled(self, input_ids, attention_mask):
        h = self.model(input_ids, attention_mask)
        if self.c.classifier_pooling == 'cls':
            h = h[:, 0]
        else:
            h = (h * attention_mask.unsqueeze(-1)).sum(dim=1) / attention_mask.sum(dim=1, keepdim=True)
        return self.head(h)

    def forward(self, input_ids, attention_mask):
        return self.classifier(self.drop(self.pooled(input_ids, attention_mask)))


# ------------------------------------------------------------------------------------------------
# Configs, weights, inputs, cases
# ------------------------------------------------------------------------------------------------

DEFAULTS = {  # ModernBertConfig's defaults for what the cases leave out
    'attention_bias': False, 'attention_dropout': 0.0, 'classifier_activation': 'gelu', 'classifier_bias': False,
    'classifier_dropout': 0.0, 'classifier_pooling': 'cls', 'embedding_dropout': 0.0, 'global_attn_every_n_layers': 3,
    'global_rope_theta': 160000.0, 'hidden_activation': 'gelu', 'local_attention': 128, 'local_rope_theta': 10000.0,
    'mlp_bias': False, 'mlp_dropout': 0.0, 'norm_bias': False, 'norm_eps': 1e-5,
}


def modernbert_config(vocab, hidden, inter, layers, heads, num_labels, problem_type, pad, names=None, **over):
    c = {
        'architectures': ['ModernBertForSequenceClassification'],
        'attention_bias': False,
        'attention_dropout': 0.0,
        'bos_token_id': 1,
        'classifier_activation': 'gelu',
        'classifier_bias': False,
        'classifier_dropout': 0.0,
        'classifier_pooling': 'cls',
        'cls_token_id': 1,
        'decoder_bias': True,
        'deterministic_flash_attn': False,
        'embedding_dropout': 0.0,
        'eos_token_id': 2,
        'global_attn_every_n_layers': 3,
        'global_rope_theta': 160000.0,
        'hidden_activation': 'gelu',
        'hidden_size': hidden,
        'initializer_cutoff_factor': 2.0,
        'initializer_range': 0.02,
        'intermediate_size': inter,
        'local_attention': 128,
        'local_rope_theta': 10000.0,
        'max_position_embeddings': 8192,
        'mlp_bias': False,
        'mlp_dropout': 0.0,
        'model_type': 'modernbert',
        'norm_bias': False,
        'norm_eps': 1e-05,
        'num_attention_heads': heads,
        'num_hidden_layers': layers,
        'pad_token_id': pad,
        'problem_type': problem_type,
        'sep_token_id': 2,
        'sparse_pred_ignore_index': -100,
        'sparse_prediction': False,
        'torch_dtype': 'float32',
        'transformers_version': TRANSFORMERS_VERSION,
        'vocab_size': vocab,
    }
    c.update(labels_fields(num_labels, names))
    c.update(over)
    return c


def runtime_config(cfg):
    c = Cfg(DEFAULTS)
    c.update(cfg)
    c['num_labels'] = len(c['id2label'])
    return c


def randomize(model, seed):
    """Non-trivial float32-valued weights: std 1.2/sqrt(fan_in) (Wo and the MLP's Wo 1.0/sqrt), head.dense
    1.0/sqrt(fan_in), classifier 2.5/sqrt(fan_in), embeddings 0.5, biases 0.2, norm weights 1 + 0.3 N(0,1)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            n = torch.randn(p.shape, generator=g, dtype=torch.float64)
            if 'norm' in name and name.endswith('.weight'):
                v = 1.0 + 0.3 * n
            elif name.endswith('.bias'):
                v = 0.2 * n
            elif 'tok_embeddings' in name:
                v = 0.5 * n
            elif name == 'classifier.weight':
                v = (2.5 / math.sqrt(p.shape[1])) * n
            elif name.endswith('Wo.weight') or name == 'head.dense.weight':
                v = (1.0 / math.sqrt(p.shape[1])) * n
            else:
                v = (1.2 / math.sqrt(p.shape[1])) * n
            p.copy_(v.float().double())


def make_inputs(seed, vocab, pad, cls, sep, first_regular, lengths, seq):
    g = torch.Generator().manual_seed(seed)
    ids = torch.full((len(lengths), seq), pad, dtype=torch.long)
    mask = torch.zeros((len(lengths), seq), dtype=torch.long)
    for b, n in enumerate(lengths):
        body = torch.randint(first_regular, vocab, (n - 2,), generator=g)
        ids[b, :n] = torch.cat([torch.tensor([cls]), body, torch.tensor([sep])])
        mask[b, :n] = 1
    return ids, mask


CASES = [
    {
        # transformers 4.x config form; defaults: no biases, gelu; layers 0 global, 1 and 2 local.
        'name': 'modernbert-cls',
        'seed': 501,
        'config': modernbert_config(64, 16, 24, 3, 2, 3, 'single_label_classification', pad=3,
                                    names=['negative', 'neutral', 'positive'], local_attention=8),
        'tokens': (3, 1, 2, 5),  # pad, [CLS], [SEP], first regular id
        'seq': 20,
        'lengths': [20, 13, 6],
        'labels': [2, 0, 1],
        'grads': [
            'model.embeddings.tok_embeddings.weight',
            'model.embeddings.norm.weight',
            'model.layers.0.attn.Wqkv.weight',
            'model.layers.1.attn.Wqkv.weight',
            'model.layers.1.attn_norm.weight',
            'model.layers.2.mlp.Wi.weight',
            'model.layers.2.attn.Wo.weight',
            'model.final_norm.weight',
            'head.dense.weight',
            'classifier.weight',
            'classifier.bias',
        ],
    },
    {
        # transformers 5.x form (layer_types, rope_parameters); every bias on; mean pooling; an odd window
        # (7: +-3); multi-label; tanh-GELU in the MLP, SiLU in the head; G L G L.
        'name': 'modernbert-mean',
        'seed': 502,
        'config': {k: v for k, v in modernbert_config(
            48, 16, 20, 4, 4, 4, 'multi_label_classification', pad=0, local_attention=7, global_attn_every_n_layers=2,
            attention_bias=True, mlp_bias=True, norm_bias=True, classifier_bias=True, classifier_pooling='mean',
            hidden_activation='gelu_pytorch_tanh', classifier_activation='silu',
            layer_types=['full_attention', 'sliding_attention', 'full_attention', 'sliding_attention'],
            rope_parameters={'full_attention': {'rope_type': 'default', 'rope_theta': 2000.0},
                             'sliding_attention': {'rope_type': 'default', 'rope_theta': 300.0}},
        ).items() if k not in ('global_rope_theta', 'local_rope_theta')},
        'tokens': (0, 1, 2, 4),
        'seq': 17,
        'lengths': [17, 11, 4],
        'labels': [[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]],
        'grads': [
            'model.embeddings.tok_embeddings.weight',
            'model.embeddings.norm.bias',
            'model.layers.0.attn.Wqkv.bias',
            'model.layers.1.attn.Wqkv.weight',
            'model.layers.1.attn.Wo.bias',
            'model.layers.3.mlp.Wi.bias',
            'model.layers.3.mlp_norm.bias',
            'model.final_norm.bias',
            'head.dense.bias',
            'head.norm.weight',
            'classifier.weight',
        ],
    },
    {
        # A long row against a small window (6: +-3, 13 blocks), cls pooling through a local last layer,
        # regression; gelu_new in the MLP, tanh in the head.
        'name': 'modernbert-long',
        'seed': 503,
        'config': modernbert_config(40, 12, 16, 2, 2, 1, 'regression', pad=0, local_attention=6,
                                    global_attn_every_n_layers=4, hidden_activation='gelu_new',
                                    classifier_activation='tanh', norm_bias=True, local_rope_theta=160000.0,
                                    global_rope_theta=10000.0),
        'tokens': (0, 1, 2, 4),
        'seq': 37,
        'lengths': [37, 30, 9],
        'labels': [0.5, -1.25, 2.0],
        'grads': [
            'model.embeddings.tok_embeddings.weight',
            'model.layers.0.attn.Wqkv.weight',
            'model.layers.1.attn.Wqkv.weight',
            'model.layers.1.mlp.Wi.weight',
            'model.layers.1.mlp_norm.bias',
            'head.dense.weight',
            'classifier.weight',
            'classifier.bias',
        ],
    },
]


# ------------------------------------------------------------------------------------------------
# Generation
# ------------------------------------------------------------------------------------------------


def build(case):
    c = runtime_config(case['config'])
    model = ModernBertForSequenceClassification(c).double()
    randomize(model, case['seed'])
    model.eval()  # dropout off; autograd stays on
    pad, cls, sep, first = case['tokens']
    ids, mask = make_inputs(case['seed'] + 1, c.vocab_size, pad, cls, sep, first, case['lengths'], case['seq'])
    dtype = torch.long if c.problem_type == 'single_label_classification' else torch.float64
    return c, model, ids, mask, torch.tensor(case['labels'], dtype=dtype)


def run(model, c, ids, mask, labels, grad_names):
    model.zero_grad(set_to_none=True)
    logits = model(ids, mask)
    loss = sequence_classification_loss(logits, labels, c.problem_type, c.num_labels)
    loss.backward()
    params = dict(model.named_parameters())
    return logits.detach(), loss.detach(), collections.OrderedDict((n, params[n].grad.detach().clone()) for n in grad_names)


def fixture(name, c, ids, mask, labels, logits, loss, grads, pooled, weights_file):
    fx = collections.OrderedDict()
    fx['case'] = name
    fx['architecture'] = 'ModernBertForSequenceClassification'
    fx['model_type'] = 'modernbert'
    fx['weights_file'] = weights_file
    fx['problem_type'] = c.problem_type
    fx['num_labels'] = c.num_labels
    fx['input_ids'] = nested(ids)
    fx['attention_mask'] = nested(mask)
    fx['labels'] = nested(labels)
    fx['logits'] = nested(logits)
    fx['loss'] = loss.item()
    fx['grads'] = collections.OrderedDict((n, flat(g)) for n, g in grads.items())
    fx['grad_shapes'] = collections.OrderedDict((n, list(g.shape)) for n, g in grads.items())
    fx['pooled'] = nested(pooled)
    fx['dtype_note'] = DTYPE_NOTE
    return fx


def float32_state_dict(model):
    return collections.OrderedDict((k, v.detach().float()) for k, v in model.state_dict().items())


def generate():
    first = None
    for case in CASES:
        c, model, ids, mask, labels = build(case)
        logits, loss, grads = run(model, c, ids, mask, labels, case['grads'])
        with torch.no_grad():
            pooled = model.pooled(ids, mask)
        d = fresh(case['name'])
        write_json(os.path.join(d, 'config.json'), case['config'])
        write_safetensors(os.path.join(d, 'model.safetensors'), float32_state_dict(model))
        fx = fixture(case['name'], c, ids, mask, labels, logits, loss, grads, pooled, 'model.safetensors')
        write_json(os.path.join(d, 'fixture.json'), fx, compact_keys=True)
        first = first or (case, model, fx)

    case, model, fx = first
    # modernbert-torch-save: the same float32 weights through torch.save (zip), as
    # save_pretrained(safe_serialization=False) writes them.
    d = fresh('modernbert-torch-save')
    write_json(os.path.join(d, 'config.json'), case['config'])
    torch.save(copy.deepcopy(model).float().state_dict(), os.path.join(d, 'pytorch_model.bin'))
    write_json(os.path.join(d, 'fixture.json'), dict(fx, case='modernbert-torch-save', weights_file='pytorch_model.bin'),
               compact_keys=True)

    # modernbert-mlm-keys: the body and head.* as ModernBertForMaskedLM saves them (decoder.weight is tied
    # to the token embeddings and not stored; decoder.bias is), no classifier, no labels in config.json.
    d = fresh('modernbert-mlm-keys')
    cfg = {k: v for k, v in case['config'].items() if k not in ('id2label', 'label2id', 'num_labels', 'problem_type')}
    cfg['architectures'] = ['ModernBertForMaskedLM']
    write_json(os.path.join(d, 'config.json'), cfg)
    sd = collections.OrderedDict((k, v) for k, v in float32_state_dict(model).items() if not k.startswith('classifier.'))
    sd['decoder.bias'] = (0.1 * torch.arange(cfg['vocab_size'], dtype=torch.float64)).float()
    write_safetensors(os.path.join(d, 'model.safetensors'), sd)
    mlm = collections.OrderedDict(
        (k, fx[k]) for k in ('input_ids', 'attention_mask', 'pooled'))
    mlm['case'] = 'modernbert-mlm-keys'
    mlm['source'] = 'modernbert-cls (pooled: head.norm output, equal to its pooled)'
    write_json(os.path.join(d, 'fixture.json'), mlm, compact_keys=True)


# ------------------------------------------------------------------------------------------------
# Verification: an independent implementation (one unpadded sequence at a time, explicit windows)
# ------------------------------------------------------------------------------------------------


def functional_pooled(P, c, ids):
    """head.norm output of one sequence (real tokens only) from state dict P (float64)."""
    act = {'gelu': lambda x: 0.5 * x * (1 + torch.erf(x / math.sqrt(2))),
           'gelu_new': lambda x: 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))),
           'gelu_pytorch_tanh': lambda x: 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))),
           'relu': lambda x: x.clamp(min=0), 'silu': lambda x: x / (1 + torch.exp(-x)), 'tanh': torch.tanh}

    def ln(x, name):
        mu = x.mean(-1, keepdim=True)
        var = ((x - mu) ** 2).mean(-1, keepdim=True)
        y = (x - mu) / torch.sqrt(var + c.norm_eps) * P[name + '.weight']
        return y + P[name + '.bias'] if c.norm_bias else y

    def lin(x, name, bias):
        y = x @ P[name + '.weight'].T
        return y + P[name + '.bias'] if bias else y

    n, H, nh = len(ids), c.hidden_size, c.num_attention_heads
    hd, r = H // nh, c.local_attention // 2
    x = ln(P['model.embeddings.tok_embeddings.weight'][ids], 'model.embeddings.norm')
    kinds = layer_types(c)
    for i in range(c.num_hidden_layers):
        pre = f'model.layers.{i}'
        h = x if i == 0 else ln(x, pre + '.attn_norm')
        qkv = lin(h, pre + '.attn.Wqkv', c.attention_bias).view(n, 3, nh, hd)
        theta = torch.tensor(rope_theta(c, kinds[i]), dtype=torch.float32)
        inv = torch.stack([1 / theta ** (torch.tensor(2 * j, dtype=torch.float32) / hd) for j in range(hd // 2)])
        ang = torch.stack([torch.tensor(float(p), dtype=torch.float32) * inv for p in range(n)]).double()  # [n, hd/2]
        cos, sin = ang.cos()[:, None, :], ang.sin()[:, None, :]

        def rot(t):
            a, b = t[..., :hd // 2], t[..., hd // 2:]
            return torch.cat([a * cos - b * sin, b * cos + a * sin], -1)

        q, k, v = rot(qkv[:, 0]), rot(qkv[:, 1]), qkv[:, 2]
        local = i % c.global_attn_every_n_layers != 0
        out = torch.zeros(n, nh, hd, dtype=torch.float64)
        for t in range(n):
            lo, hi = (max(0, t - r), min(n, t + r + 1)) if local else (0, n)
            s = torch.einsum('hd,khd->hk', q[t], k[lo:hi]) / math.sqrt(hd)
            w = torch.exp(s - s.max(-1, keepdim=True).values)
            out[t] = torch.einsum('hk,khd->hd', w / w.sum(-1, keepdim=True), v[lo:hi])
        x = x + lin(out.reshape(n, H), pre + '.attn.Wo', c.attention_bias)
        inp, gate = lin(ln(x, pre + '.mlp_norm'), pre + '.mlp.Wi', c.mlp_bias).split(c.intermediate_size, -1)
        x = x + lin(act[c.hidden_activation](inp) * gate, pre + '.mlp.Wo', c.mlp_bias)
    x = ln(x, 'model.final_norm')
    pooled = x[0] if c.classifier_pooling == 'cls' else x.mean(0)
    return ln(act[c.classifier_activation](lin(pooled, 'head.dense', c.classifier_bias)), 'head.norm')


def load_case(name):
    import json
    d = os.path.join(OUT, name)
    with open(os.path.join(d, 'config.json')) as f:
        cfg = json.load(f)
    with open(os.path.join(d, 'fixture.json')) as f:
        fx = json.load(f)
    path = os.path.join(d, fx.get('weights_file', 'model.safetensors'))
    sd = read_safetensors(path) if path.endswith('.safetensors') else torch.load(path)
    return cfg, fx, sd


def verify_case(name, rng):
    cfg, fx, sd = load_case(name)
    c = runtime_config(cfg)
    P = {k: v.double() for k, v in sd.items()}
    ids, mask = torch.tensor(fx['input_ids']), torch.tensor(fx['attention_mask'])
    pooled = torch.stack([functional_pooled(P, c, ids[b][mask[b] == 1]) for b in range(len(ids))])
    close(pooled, fx['pooled'], 1e-11, 1e-12, f'{name} pooled')
    logits = pooled @ P['classifier.weight'].T + P['classifier.bias']
    close(logits, fx['logits'], 1e-11, 1e-12, f'{name} logits')
    dtype = torch.long if c.problem_type == 'single_label_classification' else torch.float64
    labels = torch.tensor(fx['labels'], dtype=dtype)
    loss = sequence_classification_loss(logits, labels, c.problem_type, c.num_labels)
    close(loss, fx['loss'], 1e-11, 0, f'{name} loss')
    # Central differences of the loss through the nn.Module reference, at a few coordinates per gradient.
    model = ModernBertForSequenceClassification(c).double()
    model.load_state_dict(P)
    model.eval()
    params = dict(model.named_parameters())
    worst = 0.0
    for pname, g in fx['grads'].items():
        g = torch.tensor(g, dtype=torch.float64)
        close(g.numel(), params[pname].numel(), 0, 0, f'{name} {pname} size')
        for idx in torch.randint(0, g.numel(), (4,), generator=rng).tolist() + [int(g.abs().argmax())]:
            p = params[pname].data.view(-1)
            keep, h = p[idx].item(), 1e-5
            with torch.no_grad():
                p[idx] = keep + h
                up = sequence_classification_loss(model(ids, mask), labels, c.problem_type, c.num_labels).item()
                p[idx] = keep - h
                down = sequence_classification_loss(model(ids, mask), labels, c.problem_type, c.num_labels).item()
                p[idx] = keep
            numeric = (up - down) / (2 * h)
            err = abs(numeric - g[idx].item()) / max(1e-6, g.abs().max().item())
            assert err < 1e-7, f'{name} d/d {pname}[{idx}]: analytic {g[idx].item()} numeric {numeric}'
            worst = max(worst, err)
    return f'  {name:22s} pooled/logits/loss match the unpadded per-sequence implementation; finite differences {worst:.1e}'


def verify():
    rng = torch.Generator().manual_seed(4321)
    report = [verify_case(case['name'], rng) for case in CASES]
    _, fx_ts, sd_ts = load_case('modernbert-torch-save')
    _, fx_c, sd_c = load_case('modernbert-cls')
    assert sorted(sd_ts) == sorted(sd_c) and all(torch.equal(sd_ts[k], sd_c[k]) for k in sd_c)
    assert {k: v for k, v in fx_ts.items() if k not in ('case', 'weights_file')} == {k: v for k, v in fx_c.items() if k not in ('case', 'weights_file')}
    report.append('  modernbert-torch-save same weights and expectations as modernbert-cls')
    cfg_m, fx_m, sd_m = load_case('modernbert-mlm-keys')
    assert sorted(sd_m) == sorted([k for k in sd_c if not k.startswith('classifier.')] + ['decoder.bias'])
    assert fx_m['pooled'] == fx_c['pooled'] and 'id2label' not in cfg_m
    report.append('  modernbert-mlm-keys   body + head of modernbert-cls, decoder.bias, no classifier')
    return report


def main():
    torch.set_num_threads(1)  # identical float sums on every run
    t0 = time.time()
    if '--verify' not in sys.argv[1:]:
        generate()
    t1 = time.time()
    report = verify()
    print(f'generate {t1 - t0:.1f}s, verify {time.time() - t1:.1f}s')
    print('\n'.join(report))


if __name__ == '__main__':
    main()
