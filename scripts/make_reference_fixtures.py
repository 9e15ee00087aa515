#!/usr/bin/python3
"""Writes the model reference fixtures: test/fixtures/reference/<case>/.

A self-contained PyTorch re-implementation of the sequence-classification forward of the Hugging Face
`transformers` classes below, written from their modeling source, with their module names, so the
state-dict keys and shapes are transformers' own:

  BertForSequenceClassification          bert.* (embeddings, encoder, pooler), classifier.*
  RobertaForSequenceClassification       roberta.* (no pooler), classifier.dense.*, classifier.out_proj.*
  XLMRobertaForSequenceClassification    the same as RoBERTa (model_type xlm-roberta)
  DistilBertForSequenceClassification    distilbert.*, pre_classifier.*, classifier.*
  ElectraForSequenceClassification       electra.* (+ embeddings_project when embedding_size != hidden_size),
                                         classifier.dense.*, classifier.out_proj.*

Each case folder holds a Hugging Face layout (config.json + model.safetensors, or pytorch_model.bin)
and fixture.json: the inputs, labels, and logits / loss / gradients computed in FLOAT64 from the
stored (float32, or float16) weights, dropout off (eval) with gradients on. See the README there.

Needs PyTorch only (Debian: `apt-get install python3-torch`; run with /usr/bin/python3). After
writing, it re-reads every file and checks it against a second, independently written functional
implementation (plain tensor algebra over the loaded state dict) and against central finite
differences of the loss, so a regeneration that breaks anything fails loudly.

  /usr/bin/python3 scripts/make_reference_fixtures.py            write + verify
  /usr/bin/python3 scripts/make_reference_fixtures.py --verify   verify the files already there
"""
import collections
import copy
import json
import math
import os
import shutil
import struct
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, '..', 'test', 'fixtures', 'reference'))

TRANSFORMERS_VERSION = '4.44.2'  # only the config.json field; the semantics are those of the source read
BATCH, SEQ = 3, 7
LENGTHS = [7, 5, 3]  # row 0 full, rows 1 and 2 padded at the end
TOKEN_TYPES = [  # some 1s; 0 on padding, as tokenizers emit
    [0, 0, 0, 0, 1, 1, 1],
    [0, 0, 0, 1, 1, 0, 0],
    [0, 0, 1, 0, 0, 0, 0],
]
DTYPE_NOTE = (
    'logits, loss, grads (and pooled / last_hidden_state where present) computed in float64 from the '
    'weights exactly as stored in this folder (float32 values; float16 values for bert-fp16), dropout off '
    '(eval), gradients on; loss is the mean over the batch as transformers computes it. A float32 '
    'implementation should agree to roughly 1e-5 relative (1e-4 absolute on small values).'
)


class Cfg(dict):
    def __getattr__(self, k):
        try:
            return self[k]
        except KeyError:
            raise AttributeError(k) from None


# ------------------------------------------------------------------------------------------------
# BERT-family modules (BERT, RoBERTa / XLM-R, ELECTRA share the encoder), names as in transformers
# ------------------------------------------------------------------------------------------------


def gelu(x):
    # ACT2FN['gelu'] / get_activation('gelu') = GELUActivation = nn.functional.gelu: exact (erf) GELU
    return F.gelu(x)


class BertEmbeddings(nn.Module):
    """BertEmbeddings / RobertaEmbeddings / ElectraEmbeddings (dim = hidden_size, or embedding_size)."""

    def __init__(self, c, dim, position_padding_idx=None):
        super().__init__()
        self.word_embeddings = nn.Embedding(c.vocab_size, dim, padding_idx=c.pad_token_id)
        # RobertaEmbeddings re-creates position_embeddings with padding_idx=pad_token_id
        self.position_embeddings = nn.Embedding(c.max_position_embeddings, dim, padding_idx=position_padding_idx)
        self.token_type_embeddings = nn.Embedding(c.type_vocab_size, dim)
        self.LayerNorm = nn.LayerNorm(dim, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, input_ids, token_type_ids, position_ids):
        embeddings = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        embeddings = embeddings + self.position_embeddings(position_ids)
        return self.dropout(self.LayerNorm(embeddings))


class BertSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.num_attention_heads = c.num_attention_heads
        self.attention_head_size = c.hidden_size // c.num_attention_heads
        all_head = self.num_attention_heads * self.attention_head_size
        self.query = nn.Linear(c.hidden_size, all_head)
        self.key = nn.Linear(c.hidden_size, all_head)
        self.value = nn.Linear(c.hidden_size, all_head)
        self.dropout = nn.Dropout(c.attention_probs_dropout_prob)

    def transpose_for_scores(self, x):
        b, s, _ = x.shape
        return x.view(b, s, self.num_attention_heads, self.attention_head_size).permute(0, 2, 1, 3)

    def forward(self, hidden_states, extended_attention_mask):
        q = self.transpose_for_scores(self.query(hidden_states))
        k = self.transpose_for_scores(self.key(hidden_states))
        v = self.transpose_for_scores(self.value(hidden_states))
        scores = torch.matmul(q, k.transpose(-1, -2))
        scores = scores / math.sqrt(self.attention_head_size)  # eager: divide AFTER q @ k^T
        scores = scores + extended_attention_mask  # additive (1 - mask) * finfo(dtype).min
        probs = self.dropout(nn.functional.softmax(scores, dim=-1))
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous()
        return ctx.view(ctx.shape[0], ctx.shape[1], -1)


class BertSelfOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, hidden_states, input_tensor):
        return self.LayerNorm(self.dropout(self.dense(hidden_states)) + input_tensor)


class BertAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = BertSelfAttention(c)
        self.output = BertSelfOutput(c)

    def forward(self, hidden_states, mask):
        return self.output(self.self(hidden_states, mask), hidden_states)


class BertIntermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        assert c.hidden_act == 'gelu'
        self.dense = nn.Linear(c.hidden_size, c.intermediate_size)

    def forward(self, x):
        return gelu(self.dense(x))


class BertOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.intermediate_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, hidden_states, input_tensor):
        return self.LayerNorm(self.dropout(self.dense(hidden_states)) + input_tensor)


class BertLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = BertAttention(c)
        self.intermediate = BertIntermediate(c)
        self.output = BertOutput(c)

    def forward(self, hidden_states, mask):
        attention_output = self.attention(hidden_states, mask)
        return self.output(self.intermediate(attention_output), attention_output)


class BertEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(c) for _ in range(c.num_hidden_layers)])

    def forward(self, hidden_states, mask):
        for layer in self.layer:
            hidden_states = layer(hidden_states, mask)
        return hidden_states


class BertPooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)

    def forward(self, hidden_states):
        return torch.tanh(self.dense(hidden_states[:, 0]))


def extended_attention_mask(attention_mask, dtype):
    """ModuleUtilsMixin.get_extended_attention_mask for a 2-D mask in an encoder."""
    m = attention_mask[:, None, None, :].to(dtype)
    return (1.0 - m) * torch.finfo(dtype).min


def create_position_ids_from_input_ids(input_ids, padding_idx, past_key_values_length=0):
    """modeling_roberta.create_position_ids_from_input_ids: from input_ids != pad, NOT from attention_mask."""
    mask = input_ids.ne(padding_idx).int()
    incremental_indices = (torch.cumsum(mask, dim=1).type_as(mask) + past_key_values_length) * mask
    return incremental_indices.long() + padding_idx


class BertModel(nn.Module):
    """BertModel, RobertaModel (roberta=True, no pooler in *ForSequenceClassification), ElectraModel."""

    def __init__(self, c, add_pooling_layer=True, roberta=False, electra=False):
        super().__init__()
        self.roberta, self.c = roberta, c
        dim = c.embedding_size if electra else c.hidden_size
        self.embeddings = BertEmbeddings(c, dim, position_padding_idx=c.pad_token_id if roberta else None)
        if electra and c.embedding_size != c.hidden_size:
            self.embeddings_project = nn.Linear(c.embedding_size, c.hidden_size)
        self.encoder = BertEncoder(c)
        self.pooler = BertPooler(c) if add_pooling_layer else None

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        b, s = input_ids.shape
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        if self.roberta:
            position_ids = create_position_ids_from_input_ids(input_ids, self.c.pad_token_id)
        else:
            position_ids = torch.arange(s).expand(b, s)
        h = self.embeddings(input_ids, token_type_ids, position_ids)
        if hasattr(self, 'embeddings_project'):
            h = self.embeddings_project(h)
        h = self.encoder(h, extended_attention_mask(attention_mask, h.dtype))
        return h, (self.pooler(h) if self.pooler is not None else None)


class BertForSequenceClassification(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.bert = BertModel(c)
        p = c.classifier_dropout if c.get('classifier_dropout') is not None else c.hidden_dropout_prob
        self.dropout = nn.Dropout(p)
        self.classifier = nn.Linear(c.hidden_size, c.num_labels)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        _, pooled = self.bert(input_ids, attention_mask, token_type_ids)
        return self.classifier(self.dropout(pooled))


class RobertaClassificationHead(nn.Module):
    def __init__(self, c, activation):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)
        p = c.classifier_dropout if c.get('classifier_dropout') is not None else c.hidden_dropout_prob
        self.dropout = nn.Dropout(p)
        self.out_proj = nn.Linear(c.hidden_size, c.num_labels)
        self.activation = activation  # tanh (RoBERTa / XLM-R), gelu (ElectraClassificationHead)

    def forward(self, features):
        x = features[:, 0, :]
        x = self.dropout(x)
        x = self.dense(x)
        x = self.activation(x)
        x = self.dropout(x)
        return self.out_proj(x)


class RobertaForSequenceClassification(nn.Module):
    """Also XLMRobertaForSequenceClassification (same module names: base_model_prefix 'roberta')."""

    def __init__(self, c):
        super().__init__()
        self.roberta = BertModel(c, add_pooling_layer=False, roberta=True)
        self.classifier = RobertaClassificationHead(c, torch.tanh)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        h, _ = self.roberta(input_ids, attention_mask, token_type_ids)
        return self.classifier(h)


class ElectraForSequenceClassification(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.electra = BertModel(c, add_pooling_layer=False, electra=True)
        self.classifier = RobertaClassificationHead(c, gelu)  # ElectraClassificationHead: same keys, GELU

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        h, _ = self.electra(input_ids, attention_mask, token_type_ids)
        return self.classifier(h)


# ------------------------------------------------------------------------------------------------
# DistilBERT modules (modeling_distilbert.py)
# ------------------------------------------------------------------------------------------------


class DistilEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c.vocab_size, c.dim, padding_idx=c.pad_token_id)
        self.position_embeddings = nn.Embedding(c.max_position_embeddings, c.dim)
        self.LayerNorm = nn.LayerNorm(c.dim, eps=1e-12)  # hard-coded eps, no config field
        self.dropout = nn.Dropout(c.dropout)

    def forward(self, input_ids):
        b, s = input_ids.shape
        position_ids = torch.arange(s).expand(b, s)
        return self.dropout(self.LayerNorm(self.word_embeddings(input_ids) + self.position_embeddings(position_ids)))


class MultiHeadSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.n_heads, self.dim = c.n_heads, c.dim
        self.dropout = nn.Dropout(p=c.attention_dropout)
        self.q_lin = nn.Linear(c.dim, c.dim)
        self.k_lin = nn.Linear(c.dim, c.dim)
        self.v_lin = nn.Linear(c.dim, c.dim)
        self.out_lin = nn.Linear(c.dim, c.dim)

    def forward(self, x, mask):
        bs, _, _ = x.shape
        dph = self.dim // self.n_heads

        def shape(t):
            return t.view(bs, -1, self.n_heads, dph).transpose(1, 2)

        q, k, v = shape(self.q_lin(x)), shape(self.k_lin(x)), shape(self.v_lin(x))
        q = q / math.sqrt(dph)  # scaled BEFORE q @ k^T
        scores = torch.matmul(q, k.transpose(2, 3))
        m = (mask == 0).view(bs, 1, 1, -1).expand_as(scores)
        scores = scores.masked_fill(m, torch.tensor(torch.finfo(scores.dtype).min))  # replace, not add
        weights = self.dropout(nn.functional.softmax(scores, dim=-1))
        ctx = torch.matmul(weights, v).transpose(1, 2).contiguous().view(bs, -1, self.n_heads * dph)
        return self.out_lin(ctx)  # no dropout here (unlike BertSelfOutput)


class FFN(nn.Module):
    def __init__(self, c):
        super().__init__()
        assert c.activation == 'gelu'
        self.dropout = nn.Dropout(p=c.dropout)
        self.lin1 = nn.Linear(c.dim, c.hidden_dim)
        self.lin2 = nn.Linear(c.hidden_dim, c.dim)

    def forward(self, x):
        return self.dropout(self.lin2(gelu(self.lin1(x))))


class TransformerBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = MultiHeadSelfAttention(c)
        self.sa_layer_norm = nn.LayerNorm(c.dim, eps=1e-12)
        self.ffn = FFN(c)
        self.output_layer_norm = nn.LayerNorm(c.dim, eps=1e-12)

    def forward(self, x, mask):
        sa = self.sa_layer_norm(self.attention(x, mask) + x)
        return self.output_layer_norm(self.ffn(sa) + sa)


class Transformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([TransformerBlock(c) for _ in range(c.n_layers)])

    def forward(self, x, mask):
        for layer in self.layer:
            x = layer(x, mask)
        return x


class DistilBertModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = DistilEmbeddings(c)
        self.transformer = Transformer(c)

    def forward(self, input_ids, attention_mask):
        return self.transformer(self.embeddings(input_ids), attention_mask)


class DistilBertForSequenceClassification(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.distilbert = DistilBertModel(c)
        self.pre_classifier = nn.Linear(c.dim, c.dim)
        self.classifier = nn.Linear(c.dim, c.num_labels)
        self.dropout = nn.Dropout(c.seq_classif_dropout)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        assert token_type_ids is None  # DistilBERT has no token types
        h = self.distilbert(input_ids, attention_mask)
        x = nn.ReLU()(self.pre_classifier(h[:, 0]))
        return self.classifier(self.dropout(x))


ARCHS = {
    'BertForSequenceClassification': BertForSequenceClassification,
    'RobertaForSequenceClassification': RobertaForSequenceClassification,
    'XLMRobertaForSequenceClassification': RobertaForSequenceClassification,
    'DistilBertForSequenceClassification': DistilBertForSequenceClassification,
    'ElectraForSequenceClassification': ElectraForSequenceClassification,
}


def sequence_classification_loss(logits, labels, problem_type, num_labels):
    """*ForSequenceClassification.forward's loss block."""
    if problem_type == 'regression':
        if num_labels == 1:
            return F.mse_loss(logits.squeeze(), labels.squeeze())
        return F.mse_loss(logits, labels)
    if problem_type == 'single_label_classification':
        return F.cross_entropy(logits.view(-1, num_labels), labels.view(-1))
    if problem_type == 'multi_label_classification':
        return F.binary_cross_entropy_with_logits(logits, labels)
    raise ValueError(problem_type)


# ------------------------------------------------------------------------------------------------
# Configs (real transformers config.json fields per model_type)
# ------------------------------------------------------------------------------------------------


def labels_fields(num_labels, names=None):
    names = names or [f'LABEL_{i}' for i in range(num_labels)]
    return {
        'id2label': {str(i): n for i, n in enumerate(names)},
        'label2id': {n: i for i, n in enumerate(names)},
    }


def bert_config(arch, vocab, hidden, inter, max_pos, num_labels, problem_type, names=None, **over):
    c = {
        'architectures': [arch],
        'attention_probs_dropout_prob': 0.1,
        'classifier_dropout': None,
        'hidden_act': 'gelu',
        'hidden_dropout_prob': 0.1,
        'hidden_size': hidden,
        'initializer_range': 0.02,
        'intermediate_size': inter,
        'layer_norm_eps': 1e-12,
        'max_position_embeddings': max_pos,
        'model_type': 'bert',
        'num_attention_heads': 2,
        'num_hidden_layers': 2,
        'num_labels': num_labels,
        'pad_token_id': 0,
        'position_embedding_type': 'absolute',
        'problem_type': problem_type,
        'torch_dtype': 'float32',
        'transformers_version': TRANSFORMERS_VERSION,
        'type_vocab_size': 2,
        'use_cache': True,
        'vocab_size': vocab,
    }
    c.update(labels_fields(num_labels, names))
    c.update(over)
    return c


def roberta_config(model_type, arch, vocab, hidden, inter, max_len, num_labels, problem_type, names=None):
    c = bert_config(arch, vocab, hidden, inter, max_len + 2, num_labels, problem_type, names)
    c.update({
        'model_type': model_type,
        'bos_token_id': 0,
        'eos_token_id': 2,
        'pad_token_id': 1,
        'layer_norm_eps': 1e-5,
        'type_vocab_size': 1,
    })
    return c


def distilbert_config(vocab, dim, hidden_dim, max_pos, num_labels, problem_type, names=None):
    c = {
        'activation': 'gelu',
        'architectures': ['DistilBertForSequenceClassification'],
        'attention_dropout': 0.1,
        'dim': dim,
        'dropout': 0.1,
        'hidden_dim': hidden_dim,
        'initializer_range': 0.02,
        'max_position_embeddings': max_pos,
        'model_type': 'distilbert',
        'n_heads': 2,
        'n_layers': 2,
        'pad_token_id': 0,
        'problem_type': problem_type,
        'qa_dropout': 0.1,
        'seq_classif_dropout': 0.2,
        'sinusoidal_pos_embds': False,
        'tie_weights_': True,
        'torch_dtype': 'float32',
        'transformers_version': TRANSFORMERS_VERSION,
        'vocab_size': vocab,
    }
    # No 'num_labels' here on purpose: save_pretrained writes id2label/label2id only, and transformers
    # derives num_labels = len(id2label). (The other cases carry both, consistent.)
    c.update(labels_fields(num_labels, names))
    return c


def electra_config(vocab, emb, hidden, inter, max_pos, num_labels, problem_type, names=None):
    c = bert_config('ElectraForSequenceClassification', vocab, hidden, inter, max_pos, num_labels, problem_type, names)
    c.update({
        'model_type': 'electra',
        'embedding_size': emb,
        'summary_activation': 'gelu',
        'summary_last_dropout': 0.1,
        'summary_type': 'first',
        'summary_use_proj': True,
    })
    return c


def runtime_config(cfg):
    c = Cfg(cfg)
    if 'num_labels' not in c:
        c['num_labels'] = len(c['id2label'])
    return c


# ------------------------------------------------------------------------------------------------
# Weights, inputs
# ------------------------------------------------------------------------------------------------


def randomize(model, seed):
    """Non-trivial weights: std 1.2/sqrt(fan_in) (0.25-0.45 here; 1/sqrt(fan_in) before the pooler's
    and heads' tanh/gelu, 2.5/sqrt(fan_in) in the last projection), embeddings 0.05, biases 0.2,
    LayerNorm weight 1 + 0.3 N(0,1), LayerNorm bias 0.2 N(0,1); all rounded to float32 values."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            n = torch.randn(p.shape, generator=g, dtype=torch.float64)
            is_ln = 'LayerNorm' in name or 'layer_norm' in name
            if is_ln and name.endswith('.weight'):
                v = 1.0 + 0.3 * n
            elif name.endswith('.bias'):
                v = 0.2 * n
            elif 'embeddings.' in name and 'embeddings_project' not in name:
                v = 0.05 * n  # small, as in real checkpoints: the embedding LayerNorm's eps then shows
            elif name in ('classifier.weight', 'classifier.out_proj.weight'):
                v = (2.5 / math.sqrt(p.shape[1])) * n  # the last projection: logits well away from 0
            elif '.pooler.' in name or name == 'classifier.dense.weight':
                v = (1.0 / math.sqrt(p.shape[1])) * n  # before tanh / gelu: keep tanh out of saturation
            else:
                v = (1.2 / math.sqrt(p.shape[1])) * n
            p.copy_(v.float().double())


def make_inputs(seed, vocab, pad, cls, sep, first_regular):
    g = torch.Generator().manual_seed(seed)
    ids = torch.full((BATCH, SEQ), pad, dtype=torch.long)
    mask = torch.zeros((BATCH, SEQ), dtype=torch.long)
    for b, n in enumerate(LENGTHS):
        body = torch.randint(first_regular, vocab, (n - 2,), generator=g)
        ids[b, :n] = torch.cat([torch.tensor([cls]), body, torch.tensor([sep])])
        mask[b, :n] = 1
    return ids, mask


CASES = [
    {
        'name': 'bert-single',
        'seed': 101,
        'config': bert_config('BertForSequenceClassification', 40, 12, 24, 16, 3, 'single_label_classification',
                              names=['negative', 'neutral', 'positive']),
        'tokens': (0, 2, 3, 5),  # pad, [CLS], [SEP], first regular id
        'token_types': True,
        'labels': [2, 0, 1],
        'grads': [
            'bert.embeddings.word_embeddings.weight',
            'bert.embeddings.token_type_embeddings.weight',
            'bert.encoder.layer.0.attention.self.query.weight',
            'bert.encoder.layer.0.attention.output.LayerNorm.weight',
            'bert.encoder.layer.1.intermediate.dense.bias',
            'bert.pooler.dense.weight',
            'classifier.weight',
            'classifier.bias',
        ],
    },
    {
        'name': 'bert-multi',
        'seed': 202,
        'config': bert_config('BertForSequenceClassification', 40, 8, 16, 16, 4, 'multi_label_classification'),
        'tokens': (0, 2, 3, 5),
        'token_types': True,
        'labels': [[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]],
        'grads': [
            'bert.embeddings.word_embeddings.weight',
            'bert.embeddings.position_embeddings.weight',
            'bert.encoder.layer.0.attention.self.key.weight',
            'bert.encoder.layer.1.output.LayerNorm.bias',
            'bert.encoder.layer.0.intermediate.dense.bias',
            'bert.pooler.dense.bias',
            'classifier.weight',
            'classifier.bias',
        ],
    },
    {
        'name': 'bert-regression',
        'seed': 303,
        'config': bert_config('BertForSequenceClassification', 40, 8, 16, 16, 1, 'regression'),
        'tokens': (0, 2, 3, 5),
        'token_types': True,
        'labels': [0.5, -1.25, 2.0],
        'grads': [
            'bert.embeddings.word_embeddings.weight',
            'bert.embeddings.LayerNorm.weight',
            'bert.encoder.layer.0.attention.self.value.weight',
            'bert.encoder.layer.1.attention.output.dense.weight',
            'bert.encoder.layer.1.intermediate.dense.bias',
            'bert.pooler.dense.weight',
            'classifier.weight',
            'classifier.bias',
        ],
    },
    {
        'name': 'roberta-single',
        'seed': 404,
        'config': roberta_config('roberta', 'RobertaForSequenceClassification', 40, 12, 24, 14, 3,
                                 'single_label_classification'),
        'tokens': (1, 0, 2, 4),  # <pad>=1, <s>=0, </s>=2
        'token_types': False,
        'labels': [1, 2, 0],
        'grads': [
            'roberta.embeddings.word_embeddings.weight',
            'roberta.embeddings.position_embeddings.weight',
            'roberta.encoder.layer.0.attention.self.query.weight',
            'roberta.encoder.layer.1.output.LayerNorm.weight',
            'roberta.encoder.layer.1.intermediate.dense.bias',
            'classifier.dense.weight',
            'classifier.out_proj.weight',
            'classifier.out_proj.bias',
        ],
    },
    {
        'name': 'xlm-roberta-single',
        'seed': 505,
        'config': roberta_config('xlm-roberta', 'XLMRobertaForSequenceClassification', 48, 8, 16, 14, 2,
                                 'single_label_classification'),
        'tokens': (1, 0, 2, 4),
        'token_types': False,
        'labels': [1, 0, 1],
        'grads': [
            'roberta.embeddings.word_embeddings.weight',
            'roberta.embeddings.position_embeddings.weight',
            'roberta.encoder.layer.0.attention.self.key.weight',
            'roberta.encoder.layer.0.attention.output.LayerNorm.bias',
            'roberta.encoder.layer.1.intermediate.dense.bias',
            'classifier.dense.bias',
            'classifier.out_proj.weight',
            'classifier.out_proj.bias',
        ],
    },
    {
        'name': 'distilbert-single',
        'seed': 606,
        'config': distilbert_config(40, 12, 24, 16, 3, 'single_label_classification'),
        'tokens': (0, 2, 3, 5),
        'token_types': False,
        'labels': [0, 2, 1],
        'grads': [
            'distilbert.embeddings.word_embeddings.weight',
            'distilbert.embeddings.position_embeddings.weight',
            'distilbert.transformer.layer.0.attention.q_lin.weight',
            'distilbert.transformer.layer.0.sa_layer_norm.weight',
            'distilbert.transformer.layer.1.ffn.lin1.bias',
            'pre_classifier.weight',
            'classifier.weight',
            'classifier.bias',
        ],
    },
    {
        'name': 'electra-single',
        'seed': 707,
        'config': electra_config(40, 8, 16, 24, 16, 3, 'single_label_classification'),
        'tokens': (0, 2, 3, 5),
        'token_types': True,
        'labels': [1, 1, 0],
        'grads': [
            'electra.embeddings.word_embeddings.weight',
            'electra.embeddings.LayerNorm.weight',
            'electra.embeddings_project.weight',
            'electra.encoder.layer.0.attention.self.query.weight',
            'electra.encoder.layer.1.intermediate.dense.bias',
            'classifier.dense.weight',
            'classifier.out_proj.weight',
            'classifier.out_proj.bias',
        ],
    },
]


# ------------------------------------------------------------------------------------------------
# Files
# ------------------------------------------------------------------------------------------------

ST_DTYPE = {torch.float32: 'F32', torch.float16: 'F16', torch.int64: 'I64'}
ST_TORCH = {v: k for k, v in ST_DTYPE.items()}


def write_safetensors(path, tensors):
    """u64 LE header length, JSON header (padded with spaces to 8), then the data. Tensors laid out as
    the safetensors library does: by descending dtype size, then name."""
    order = sorted(tensors, key=lambda k: (-tensors[k].element_size(), k))
    header = {'__metadata__': {'format': 'pt'}}
    chunks, offset = [], 0
    for name in order:
        t = tensors[name].detach().contiguous()
        data = t.numpy().tobytes()
        header[name] = {'dtype': ST_DTYPE[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


def read_safetensors(path):
    with open(path, 'rb') as f:
        raw = f.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    assert header.pop('__metadata__') == {'format': 'pt'}
    out = collections.OrderedDict()
    base = 8 + n
    for name, h in header.items():
        a, b = h['data_offsets']
        t = torch.frombuffer(bytearray(raw[base + a:base + b]), dtype=ST_TORCH[h['dtype']]) if b > a else torch.zeros(0)
        out[name] = t.reshape(h['shape']).clone()
    return out


def round13(v):
    """Floats to 13 significant digits (relative error < 5e-14: far below any float32 tolerance)."""
    if isinstance(v, float):
        return float(f'{v:.13g}')
    if isinstance(v, list):
        return [round13(x) for x in v]
    if isinstance(v, dict):
        return collections.OrderedDict((k, round13(x)) for k, x in v.items())
    return v


def write_json(path, obj, compact_keys=()):
    """Top-level keys one per line; lists on one line (keeps the files small and diffable)."""
    if not compact_keys:
        text = json.dumps(obj, indent=2, sort_keys=True) + '\n'  # config.json: as save_pretrained writes it
    else:
        lines = []
        for k, v in round13(obj).items():
            if isinstance(v, dict):
                inner = ',\n'.join(f'    {json.dumps(kk)}: {json.dumps(vv, separators=(",", ":"))}' for kk, vv in v.items())
                lines.append(f'  {json.dumps(k)}: {{\n{inner}\n  }}')
            else:
                lines.append(f'  {json.dumps(k)}: {json.dumps(v, separators=(",", ":"))}')
        text = '{\n' + ',\n'.join(lines) + '\n}\n'
    with open(path, 'w') as f:
        f.write(text)


def fresh(name):
    path = os.path.join(OUT, name)
    if os.path.isdir(path):
        shutil.rmtree(path)
    os.makedirs(path)
    return path


def flat(t):
    return t.detach().reshape(-1).tolist()


def nested(t):
    return t.detach().tolist()


# ------------------------------------------------------------------------------------------------
# Generation
# ------------------------------------------------------------------------------------------------


def build(case):
    c = runtime_config(case['config'])
    model = ARCHS[c['architectures'][0]](c).double()
    randomize(model, case['seed'])
    model.eval()  # dropout off; autograd stays on
    pad, cls, sep, first = case['tokens']
    ids, mask = make_inputs(case['seed'] + 1, c.vocab_size, pad, cls, sep, first)
    tt = torch.tensor(TOKEN_TYPES) * mask if case['token_types'] else None
    if c['problem_type'] == 'single_label_classification':
        labels = torch.tensor(case['labels'], dtype=torch.long)
    else:
        labels = torch.tensor(case['labels'], dtype=torch.float64)
    return c, model, ids, mask, tt, labels


def run(model, c, ids, mask, tt, labels, grad_names):
    model.zero_grad(set_to_none=True)
    logits = model(ids, mask, tt)
    loss = sequence_classification_loss(logits, labels, c['problem_type'], c.num_labels)
    loss.backward()
    params = dict(model.named_parameters())
    grads = collections.OrderedDict((n, params[n].grad.detach().clone()) for n in grad_names)
    return logits.detach(), loss.detach(), grads


def fixture(case, c, ids, mask, tt, labels, logits, loss, grads, weights_file, extra=None):
    fx = collections.OrderedDict()
    fx['case'] = case
    fx['architecture'] = c['architectures'][0]
    fx['model_type'] = c['model_type']
    fx['weights_file'] = weights_file
    fx['problem_type'] = c['problem_type']
    fx['num_labels'] = c.num_labels
    fx['input_ids'] = nested(ids)
    fx['attention_mask'] = nested(mask)
    if tt is not None:
        fx['token_type_ids'] = nested(tt)
    fx['labels'] = nested(labels)
    fx['logits'] = nested(logits)
    fx['loss'] = loss.item()
    fx['grads'] = collections.OrderedDict((n, flat(g)) for n, g in grads.items())
    fx['grad_shapes'] = collections.OrderedDict((n, list(g.shape)) for n, g in grads.items())
    for k, v in (extra or {}).items():
        fx[k] = v
    fx['dtype_note'] = DTYPE_NOTE
    return fx


def float32_state_dict(model):
    return collections.OrderedDict((k, v.detach().float()) for k, v in model.state_dict().items())


def generate():
    os.makedirs(OUT, exist_ok=True)
    bert_single = None
    for case in CASES:
        c, model, ids, mask, tt, labels = build(case)
        logits, loss, grads = run(model, c, ids, mask, tt, labels, case['grads'])
        extra = {}
        if c['model_type'] == 'bert':
            with torch.no_grad():
                extra['pooled'] = nested(model.bert(ids, mask, tt)[1])
        if c['model_type'] in ('roberta', 'xlm-roberta'):
            extra['position_ids'] = nested(create_position_ids_from_input_ids(ids, c.pad_token_id))
        d = fresh(case['name'])
        write_json(os.path.join(d, 'config.json'), case['config'])
        write_safetensors(os.path.join(d, 'model.safetensors'), float32_state_dict(model))
        write_json(os.path.join(d, 'fixture.json'),
                   fixture(case['name'], c, ids, mask, tt, labels, logits, loss, grads, 'model.safetensors', extra),
                   compact_keys=True)
        if case['name'] == 'bert-single':
            bert_single = (case, c, model, ids, mask, tt, labels, logits, loss, grads, extra)

    case, c, model, ids, mask, tt, labels, logits, loss, grads, extra = bert_single

    # bert-torch-save: the very same float32 weights through torch.save (zip format, a real state
    # dict with its _metadata), as save_pretrained(safe_serialization=False) leaves them.
    d = fresh('bert-torch-save')
    write_json(os.path.join(d, 'config.json'), case['config'])
    torch.save(copy.deepcopy(model).float().state_dict(), os.path.join(d, 'pytorch_model.bin'))
    write_json(os.path.join(d, 'fixture.json'),
               fixture('bert-torch-save', c, ids, mask, tt, labels, logits, loss, grads, 'pytorch_model.bin', extra),
               compact_keys=True)

    # bert-fp16: bert-single's weights rounded to float16; expectations from those rounded values.
    d = fresh('bert-fp16')
    cfg16 = dict(case['config'], torch_dtype='float16')
    write_json(os.path.join(d, 'config.json'), cfg16)
    half = collections.OrderedDict((k, v.detach().half()) for k, v in model.state_dict().items())
    write_safetensors(os.path.join(d, 'model.safetensors'), half)
    m16 = copy.deepcopy(model)
    with torch.no_grad():
        for k, p in m16.named_parameters():
            p.copy_(half[k].double())
    logits16, loss16, grads16 = run(m16, c, ids, mask, tt, labels, case['grads'])
    with torch.no_grad():
        pooled16 = nested(m16.bert(ids, mask, tt)[1])
    write_json(os.path.join(d, 'fixture.json'),
               fixture('bert-fp16', c, ids, mask, tt, labels, logits16, loss16, grads16, 'model.safetensors',
                       {'pooled': pooled16, 'max_abs_logit_change_vs_bert_single': (logits16 - logits).abs().max().item()}),
               compact_keys=True)

    # bert-base-keys: bert-single's body saved as BertModel saves it (no 'bert.' prefix, no classifier),
    # plus what a BertForPreTraining checkpoint carries besides (cls.*), the old persistent
    # embeddings.position_ids buffer, and TF-era LayerNorm names (gamma/beta) in encoder layer 1.
    d = fresh('bert-base-keys')
    base_cfg = {k: v for k, v in case['config'].items()
                if k not in ('id2label', 'label2id', 'num_labels', 'problem_type')}
    base_cfg['architectures'] = ['BertForPreTraining']
    write_json(os.path.join(d, 'config.json'), base_cfg)
    g = torch.Generator().manual_seed(808)
    H, V, P = c.hidden_size, c.vocab_size, c.max_position_embeddings
    body = collections.OrderedDict()
    renamed = collections.OrderedDict()
    for k, v in model.state_dict().items():
        if not k.startswith('bert.'):
            continue
        key = k[len('bert.'):]
        if key.startswith('encoder.layer.1.') and 'LayerNorm.' in key:
            old = key.replace('LayerNorm.weight', 'LayerNorm.gamma').replace('LayerNorm.bias', 'LayerNorm.beta')
            renamed[old] = k
            key = old
        body[key] = v.detach().float()
    extras = collections.OrderedDict([
        ('embeddings.position_ids', torch.arange(P).unsqueeze(0)),
        ('cls.predictions.bias', (0.2 * torch.randn(V, generator=g, dtype=torch.float64)).float()),
        ('cls.predictions.transform.dense.weight', (0.3 * torch.randn(H, H, generator=g, dtype=torch.float64)).float()),
        ('cls.predictions.transform.dense.bias', (0.2 * torch.randn(H, generator=g, dtype=torch.float64)).float()),
        ('cls.predictions.transform.LayerNorm.weight', (1 + 0.3 * torch.randn(H, generator=g, dtype=torch.float64)).float()),
        ('cls.predictions.transform.LayerNorm.bias', (0.2 * torch.randn(H, generator=g, dtype=torch.float64)).float()),
        ('cls.predictions.decoder.weight', body['embeddings.word_embeddings.weight'].clone()),  # tied copy
        ('cls.seq_relationship.weight', (0.3 * torch.randn(2, H, generator=g, dtype=torch.float64)).float()),
        ('cls.seq_relationship.bias', (0.2 * torch.randn(2, generator=g, dtype=torch.float64)).float()),
    ])
    write_safetensors(os.path.join(d, 'model.safetensors'), collections.OrderedDict(list(body.items()) + list(extras.items())))
    with torch.no_grad():
        hidden, pooled = model.bert(ids, mask, tt)
    fx = collections.OrderedDict()
    fx['case'] = 'bert-base-keys'
    fx['architecture'] = 'BertModel'
    fx['model_type'] = 'bert'
    fx['weights_file'] = 'model.safetensors'
    fx['input_ids'] = nested(ids)
    fx['attention_mask'] = nested(mask)
    fx['token_type_ids'] = nested(tt)
    fx['pooled'] = nested(pooled)
    fx['last_hidden_state'] = nested(hidden)
    fx['renamed_keys'] = renamed  # as stored -> name in BertForSequenceClassification
    fx['dropped_keys'] = list(extras)
    fx['prefix_added'] = 'bert.'
    fx['missing_keys_for_sequence_classification'] = ['classifier.weight', 'classifier.bias']
    fx['note'] = ('Body of bert-single: pooled equals bert-single\'s pooled. Loading this into '
                  'BertForSequenceClassification: add the "bert." prefix, rename LayerNorm.gamma/beta to '
                  'weight/bias, drop cls.* and embeddings.position_ids, initialise the classifier. The config '
                  'has no id2label/num_labels (a base checkpoint): transformers defaults to 2 labels.')
    fx['dtype_note'] = DTYPE_NOTE
    write_json(os.path.join(d, 'fixture.json'), fx, compact_keys=True)


# ------------------------------------------------------------------------------------------------
# Verification: an independent functional implementation over the files as written
# ------------------------------------------------------------------------------------------------


def expected_keys(cfg):
    """The parameter names the transformers classes register, written out from their source."""
    mt = cfg['model_type']
    L = cfg.get('num_hidden_layers', cfg.get('n_layers'))
    keys = []
    if mt == 'distilbert':
        keys += ['distilbert.embeddings.word_embeddings.weight', 'distilbert.embeddings.position_embeddings.weight',
                 'distilbert.embeddings.LayerNorm.weight', 'distilbert.embeddings.LayerNorm.bias']
        for i in range(L):
            p = f'distilbert.transformer.layer.{i}.'
            for m in ('attention.q_lin', 'attention.k_lin', 'attention.v_lin', 'attention.out_lin', 'sa_layer_norm',
                      'ffn.lin1', 'ffn.lin2', 'output_layer_norm'):
                keys += [p + m + '.weight', p + m + '.bias']
        keys += ['pre_classifier.weight', 'pre_classifier.bias', 'classifier.weight', 'classifier.bias']
        return keys
    pre = {'bert': 'bert', 'roberta': 'roberta', 'xlm-roberta': 'roberta', 'electra': 'electra'}[mt]
    keys += [f'{pre}.embeddings.{e}.weight' for e in ('word_embeddings', 'position_embeddings', 'token_type_embeddings')]
    keys += [f'{pre}.embeddings.LayerNorm.weight', f'{pre}.embeddings.LayerNorm.bias']
    if mt == 'electra' and cfg['embedding_size'] != cfg['hidden_size']:
        keys += ['electra.embeddings_project.weight', 'electra.embeddings_project.bias']
    for i in range(L):
        p = f'{pre}.encoder.layer.{i}.'
        for m in ('attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense',
                  'attention.output.LayerNorm', 'intermediate.dense', 'output.dense', 'output.LayerNorm'):
            keys += [p + m + '.weight', p + m + '.bias']
    if mt == 'bert':
        keys += ['bert.pooler.dense.weight', 'bert.pooler.dense.bias', 'classifier.weight', 'classifier.bias']
    else:
        keys += ['classifier.dense.weight', 'classifier.dense.bias', 'classifier.out_proj.weight', 'classifier.out_proj.bias']
    return keys


def expected_shape(cfg, key):
    mt = cfg['model_type']
    H = cfg.get('hidden_size', cfg.get('dim'))
    E = cfg.get('embedding_size', H)
    I = cfg.get('intermediate_size', cfg.get('hidden_dim'))
    V, P, T = cfg['vocab_size'], cfg['max_position_embeddings'], cfg.get('type_vocab_size')
    N = cfg.get('num_labels', len(cfg.get('id2label', {})) or 2)
    if key.endswith('word_embeddings.weight'):
        return [V, E]
    if key.endswith('position_embeddings.weight'):
        return [P, E]
    if key.endswith('token_type_embeddings.weight'):
        return [T, E]
    if key.startswith(('bert.embeddings.LayerNorm', 'roberta.embeddings.LayerNorm', 'electra.embeddings.LayerNorm',
                       'distilbert.embeddings.LayerNorm')):
        return [E]
    if 'embeddings_project' in key:
        return [H, E] if key.endswith('weight') else [H]
    if 'intermediate.dense' in key or 'ffn.lin1' in key:
        return [I, H] if key.endswith('weight') else [I]
    if ('output.dense' in key and 'attention' not in key) or 'ffn.lin2' in key:
        return [H, I] if key.endswith('weight') else [H]
    if key in ('classifier.weight', 'classifier.out_proj.weight'):
        return [N, H]
    if key in ('classifier.bias', 'classifier.out_proj.bias'):
        return [N]
    if 'LayerNorm' in key or 'layer_norm' in key or key.endswith('.bias'):
        return [H]
    return [H, H]


def f_layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)  # biased variance
    return (x - mu) / torch.sqrt(var + eps) * w + b


def f_gelu(x):
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def f_softmax(x):
    e = torch.exp(x - x.max(-1, keepdim=True).values)
    return e / e.sum(-1, keepdim=True)


def f_lin(P, name, x):
    return x @ P[name + '.weight'].t() + P[name + '.bias']


def functional_forward(P, cfg, ids, mask, tt):
    """Returns (logits, last_hidden_state, pooled or None). P: float64 tensors by transformers name."""
    mt = cfg['model_type']
    b, s = ids.shape
    if mt == 'distilbert':
        eps, nh, H, pre = 1e-12, cfg['n_heads'], cfg['dim'], 'distilbert.'
        x = P[pre + 'embeddings.word_embeddings.weight'][ids] + P[pre + 'embeddings.position_embeddings.weight'][:s][None]
        x = f_layer_norm(x, P[pre + 'embeddings.LayerNorm.weight'], P[pre + 'embeddings.LayerNorm.bias'], eps)
        names = dict(q='attention.q_lin', k='attention.k_lin', v='attention.v_lin', o='attention.out_lin',
                     ln1='sa_layer_norm', i='ffn.lin1', out='ffn.lin2', ln2='output_layer_norm')
        layer_fmt, L = pre + 'transformer.layer.{}.', cfg['n_layers']
    else:
        eps, nh, H = cfg['layer_norm_eps'], cfg['num_attention_heads'], cfg['hidden_size']
        pre = {'bert': 'bert.', 'roberta': 'roberta.', 'xlm-roberta': 'roberta.', 'electra': 'electra.'}[mt]
        if mt in ('roberta', 'xlm-roberta'):
            pad = cfg['pad_token_id']
            pos = torch.zeros_like(ids)
            for r in range(b):  # fairseq make_positions, spelled out
                n = 0
                for j in range(s):
                    if ids[r, j] != pad:
                        n += 1
                        pos[r, j] = pad + n
                    else:
                        pos[r, j] = pad
        else:
            pos = torch.arange(s)[None].expand(b, s)
        types = tt if tt is not None else torch.zeros_like(ids)
        x = (P[pre + 'embeddings.word_embeddings.weight'][ids] + P[pre + 'embeddings.token_type_embeddings.weight'][types]
             + P[pre + 'embeddings.position_embeddings.weight'][pos])
        x = f_layer_norm(x, P[pre + 'embeddings.LayerNorm.weight'], P[pre + 'embeddings.LayerNorm.bias'], eps)
        if pre + 'embeddings_project.weight' in P:
            x = f_lin(P, pre + 'embeddings_project', x)
        names = dict(q='attention.self.query', k='attention.self.key', v='attention.self.value', o='attention.output.dense',
                     ln1='attention.output.LayerNorm', i='intermediate.dense', out='output.dense', ln2='output.LayerNorm')
        layer_fmt, L = pre + 'encoder.layer.{}.', cfg['num_hidden_layers']
    d = H // nh
    keep = (mask != 0)[:, None, None, :]
    for li in range(L):
        p = layer_fmt.format(li)
        heads = lambda t: t.reshape(b, s, nh, d).transpose(1, 2)  # noqa: E731
        q, k, v = (heads(f_lin(P, p + names[n], x)) for n in ('q', 'k', 'v'))
        # scale-then-multiply and a "where" mask here for every model: an independent formulation
        scores = torch.where(keep, (q * d ** -0.5) @ k.transpose(-1, -2), torch.tensor(-1e300, dtype=x.dtype))
        ctx = (f_softmax(scores) @ v).transpose(1, 2).reshape(b, s, H)
        a = f_layer_norm(f_lin(P, p + names['o'], ctx) + x, P[p + names['ln1'] + '.weight'], P[p + names['ln1'] + '.bias'], eps)
        f = f_lin(P, p + names['out'], f_gelu(f_lin(P, p + names['i'], a)))
        x = f_layer_norm(f + a, P[p + names['ln2'] + '.weight'], P[p + names['ln2'] + '.bias'], eps)
    cls = x[:, 0]
    pooled = None
    if mt == 'bert':
        pooled = torch.tanh(f_lin(P, 'bert.pooler.dense', cls))
        logits = f_lin(P, 'classifier', pooled) if 'classifier.weight' in P else None
    elif mt == 'distilbert':
        logits = f_lin(P, 'classifier', torch.clamp(f_lin(P, 'pre_classifier', cls), min=0))
    else:
        act = f_gelu if mt == 'electra' else torch.tanh
        logits = f_lin(P, 'classifier.out_proj', act(f_lin(P, 'classifier.dense', cls)))
    return logits, x, pooled


def functional_loss(logits, labels, problem_type):
    if problem_type == 'regression':
        return ((logits.reshape(-1) - labels.reshape(-1)) ** 2).mean()
    if problem_type == 'single_label_classification':
        m = logits.max(-1, keepdim=True).values
        lse = (m + torch.log(torch.exp(logits - m).sum(-1, keepdim=True))).squeeze(-1)
        return (lse - logits.gather(1, labels[:, None]).squeeze(1)).mean()
    x, y = logits, labels
    return (torch.clamp(x, min=0) - x * y + torch.log1p(torch.exp(-x.abs()))).mean()


def close(a, b, rtol, atol, what):
    a, b = torch.as_tensor(a, dtype=torch.float64), torch.as_tensor(b, dtype=torch.float64)
    assert a.shape == b.shape, f'{what}: shape {list(a.shape)} vs {list(b.shape)}'
    err = (a - b).abs()
    bad = err > atol + rtol * b.abs()
    assert not bad.any(), f'{what}: max err {err.max().item():.3e}'
    return err.max().item() if err.numel() else 0.0


def load_case(name):
    d = os.path.join(OUT, name)
    with open(os.path.join(d, 'config.json')) as f:
        cfg = json.load(f)
    with open(os.path.join(d, 'fixture.json')) as f:
        fx = json.load(f)
    path = os.path.join(d, fx['weights_file'])
    sd = read_safetensors(path) if path.endswith('.safetensors') else torch.load(path)
    return cfg, fx, sd


def verify():
    report = []
    rng = torch.Generator().manual_seed(1234)
    names = [c['name'] for c in CASES] + ['bert-torch-save', 'bert-fp16']
    for name in names:
        cfg, fx, sd = load_case(name)
        keys = expected_keys(cfg)
        assert list(sd) == keys or sorted(sd) == sorted(keys), f'{name}: keys {sorted(set(sd) ^ set(keys))}'
        for k in keys:
            assert list(sd[k].shape) == expected_shape(cfg, k), f'{name}: {k} {list(sd[k].shape)}'
        want_dtype = torch.float16 if name == 'bert-fp16' else torch.float32
        assert all(v.dtype == want_dtype for v in sd.values()), name
        P = {k: v.double() for k, v in sd.items()}
        ids = torch.tensor(fx['input_ids'])
        mask = torch.tensor(fx['attention_mask'])
        assert all(ids[r, j].item() == (cfg['pad_token_id']) for r in range(BATCH) for j in range(SEQ) if mask[r, j] == 0)
        tt = torch.tensor(fx['token_type_ids']) if 'token_type_ids' in fx else None
        pt = fx['problem_type']
        labels = torch.tensor(fx['labels'], dtype=torch.long if pt == 'single_label_classification' else torch.float64)
        logits, _, pooled = functional_forward(P, cfg, ids, mask, tt)
        e_logits = close(logits, fx['logits'], 1e-12, 1e-12, f'{name} logits')
        close(functional_loss(logits, labels, pt), fx['loss'], 1e-12, 1e-12, f'{name} loss')
        if pooled is not None:
            close(pooled, fx['pooled'], 1e-12, 1e-12, f'{name} pooled')
        if 'position_ids' in fx:
            assert fx['position_ids'] == create_position_ids_from_input_ids(ids, cfg['pad_token_id']).tolist()
        # autograd through the functional model, and central differences on a sample of entries
        worst_fd = 0.0
        for gname, gvals in fx['grads'].items():
            leaf = P[gname].clone().requires_grad_(True)
            Q = dict(P)
            Q[gname] = leaf
            functional_loss(functional_forward(Q, cfg, ids, mask, tt)[0], labels, pt).backward()
            g = leaf.grad.clone()
            if gname.endswith('word_embeddings.weight'):
                g[cfg['pad_token_id']] = 0  # nn.Embedding(padding_idx=pad) never updates the pad row
            close(g.reshape(-1), gvals, 1e-9, 1e-12, f'{name} grad {gname}')
            ref = torch.tensor(gvals, dtype=torch.float64)
            nz = torch.nonzero(ref).reshape(-1)
            pick = nz[torch.randperm(len(nz), generator=rng)[:4]].tolist() + [int(torch.randint(len(ref), (1,), generator=rng))]
            for idx in pick:
                if gname.endswith('word_embeddings.weight') and idx // P[gname].shape[1] == cfg['pad_token_id']:
                    continue
                h = 1e-6
                vals = []
                for sgn in (1, -1):
                    Q = dict(P)
                    t = P[gname].clone().reshape(-1)
                    t[idx] += sgn * h
                    Q[gname] = t.reshape(P[gname].shape)
                    vals.append(functional_loss(functional_forward(Q, cfg, ids, mask, tt)[0], labels, pt).item())
                fd = (vals[0] - vals[1]) / (2 * h)
                err = abs(fd - gvals[idx])
                assert err < 1e-7 + 1e-5 * abs(gvals[idx]), f'{name} {gname}[{idx}]: fd {fd} vs {gvals[idx]}'
                worst_fd = max(worst_fd, err)
        lg = torch.tensor(fx['logits'])
        report.append(f'  {name:20s} logits |max| {lg.abs().max().item():.3f}  loss {fx["loss"]:.6f}  '
                      f'functional-vs-module {e_logits:.1e}  worst |fd - grad| {worst_fd:.1e}')

    # bert-torch-save and bert-fp16 hold bert-single's weights
    _, _, single = load_case('bert-single')
    _, fx_ts, ts = load_case('bert-torch-save')
    assert sorted(ts) == sorted(single) and all(torch.equal(ts[k], single[k]) for k in single)
    _, fx_16, h16 = load_case('bert-fp16')
    assert all(torch.equal(h16[k], single[k].half()) for k in single)
    _, fx_s, _ = load_case('bert-single')
    for k in ('logits', 'loss', 'grads', 'pooled'):
        assert fx_ts[k] == fx_s[k], k

    # bert-base-keys: rename / drop / prefix as transformers' loader does, then the body must match
    cfg, fx, sd = load_case('bert-base-keys')
    assert 'id2label' not in cfg and 'num_labels' not in cfg
    assert sd['embeddings.position_ids'].dtype == torch.int64
    fixed = {}
    for k, v in sd.items():
        if k in fx['dropped_keys']:
            continue
        nk = k
        if nk.endswith('LayerNorm.gamma'):
            nk = nk[:-len('gamma')] + 'weight'
        if nk.endswith('LayerNorm.beta'):
            nk = nk[:-len('beta')] + 'bias'
        if k != nk:
            assert fx['renamed_keys'][k] == 'bert.' + nk
        fixed['bert.' + nk] = v.double()
    assert sorted(fixed) == sorted(k for k in single if k.startswith('bert.'))
    assert len(fx['renamed_keys']) == 4
    ids, mask, tt = (torch.tensor(fx[k]) for k in ('input_ids', 'attention_mask', 'token_type_ids'))
    _, hidden, pooled = functional_forward(fixed, cfg, ids, mask, tt)
    close(pooled, fx['pooled'], 1e-12, 1e-12, 'bert-base-keys pooled')
    close(hidden, fx['last_hidden_state'], 1e-12, 1e-12, 'bert-base-keys last_hidden_state')
    assert fx['pooled'] == fx_s['pooled']
    report.append('  bert-base-keys       pooled / last_hidden_state match after rename + drop + prefix')
    return report


def load_saved(folder):
    """A model folder as from_pretrained reads it: its config.json builds the class `architectures` names
    (runtime_config fills num_labels from id2label), and model.safetensors must hold exactly that class's
    parameters (no key missing or left over, every shape the config implies)."""
    with open(os.path.join(folder, 'config.json')) as f:
        cfg = runtime_config(json.load(f))
    model = ARCHS[cfg['architectures'][0]](cfg).double()
    sd = {k: v.double() for k, v in read_safetensors(os.path.join(folder, 'model.safetensors')).items()}
    missing, unexpected = model.load_state_dict(sd, strict=False)
    missing = [k for k in missing if not k.endswith('position_ids')]
    assert not missing and not unexpected, f'{folder}: missing {missing}, unexpected {unexpected}'
    model.eval()
    return cfg, model


def roundtrip(folder, inputs_json):
    """--load DIR INPUTS.json: the saved folder's logits (float64) on the given input_ids / attention_mask
    (/ token_type_ids), printed as JSON with the config fields the model read."""
    cfg, model = load_saved(folder)
    with open(inputs_json) as f:
        x = json.load(f)
    ids, mask = torch.tensor(x['input_ids']), torch.tensor(x['attention_mask'])
    tt = torch.tensor(x['token_type_ids']) if 'token_type_ids' in x else None
    with torch.no_grad():
        logits = model(ids, mask, tt)
    labels = [cfg['id2label'][str(i)] for i in range(cfg.num_labels)]
    print(json.dumps({'logits': nested(logits), 'labels': labels, 'problem_type': cfg.get('problem_type'), 'num_labels': cfg.num_labels}))


def main():
    if sys.argv[1:2] == ['--load']:
        roundtrip(sys.argv[2], sys.argv[3])
        return
    torch.set_num_threads(1)  # identical float sums on every run
    t0 = time.time()
    if '--verify' not in sys.argv[1:]:
        generate()
    t1 = time.time()
    report = verify()
    t2 = time.time()
    total = 0
    for root, _, files in os.walk(OUT):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    print(f'{OUT}: {total} bytes; generate {t1 - t0:.1f}s, verify {t2 - t1:.1f}s')
    print('\n'.join(report))


if __name__ == '__main__':
    main()
