#!/usr/bin/python3
"""Writes the DeBERTa-v2/v3 reference fixtures: test/fixtures/reference/deberta-*/.

A self-contained PyTorch re-implementation of transformers' `DebertaV2ForSequenceClassification`
(model_type deberta-v2: DeBERTa-v2 and -v3), written from `models/deberta_v2/modeling_deberta_v2.py`
and `configuration_deberta_v2.py` (the 4.5x eager code: masked_fill + softmax, nn.Dropout), with its
module names, so the state-dict keys and shapes are transformers' own:

  deberta.embeddings     word / position (position_biased_input) / token type (type_vocab_size > 0)
                         embeddings, embed_proj (embedding_size != hidden_size), LayerNorm, mask, dropout
  deberta.encoder        DebertaV2Layer x N (DisentangledSelfAttention: query_proj / key_proj / value_proj,
                         pos_key_proj / pos_query_proj unless share_att_key, c2p / p2c, log position
                         buckets), rel_embeddings, LayerNorm (norm_rel_ebd layer_norm), ConvLayer (conv_kernel_size)
  pooler                 ContextPooler: [CLS] -> dropout -> dense -> pooler_hidden_act
  classifier             dropout (cls_dropout) -> Linear

Each case folder holds a Hugging Face layout (config.json + model.safetensors, or pytorch_model.bin) and
fixture.json in the format of scripts/make_reference_fixtures.py, with the gradient of EVERY parameter
(float64, from the stored float32 weights, dropout off). deberta-buckets/ holds make_log_bucket_position's
values (computed in float32, as transformers does) for a few (position_buckets, max_relative_positions).

After writing, every file is re-read and checked against a second, independently written functional
implementation (explicit per-(i, j) relative-position loops, NumPy float32 buckets) and against central
finite differences of the loss. Needs PyTorch and NumPy only (Debian python3-torch); no transformers.

  /usr/bin/python3 scripts/make_deberta_fixtures.py            write + verify
  /usr/bin/python3 scripts/make_deberta_fixtures.py --verify   verify the files already there
"""
import collections
import copy
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_reference_fixtures as ref  # noqa: E402  (file helpers and the loss block, shared with the BERT family)

OUT = ref.OUT
BATCH, SEQ = 3, 12
LENGTHS = [12, 9, 4]  # row 0 full, rows 1 and 2 padded at the end
TOKEN_TYPES = [
    [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1],
    [0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0],
    [0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0],
]
DTYPE_NOTE = (
    'logits, loss and grads (every parameter) computed in float64 from the float32 weights stored in this '
    'folder, dropout off (eval), gradients on; loss is the mean over the batch as transformers computes it. '
    'The relative-position buckets and the attention scale sqrt(head_size * scale_factor) are float32 values, '
    'as transformers computes them.'
)

# DebertaV2Config.__init__ defaults (configuration_deberta_v2.py)
CONFIG_DEFAULTS = dict(
    vocab_size=128100, hidden_size=1536, num_hidden_layers=24, num_attention_heads=24, intermediate_size=6144,
    hidden_act='gelu', hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, max_position_embeddings=512,
    type_vocab_size=0, initializer_range=0.02, layer_norm_eps=1e-7, relative_attention=False,
    max_relative_positions=-1, pad_token_id=0, position_biased_input=True, pos_att_type=None, pooler_dropout=0,
    pooler_hidden_act='gelu',
)


class Config(dict):
    """A DebertaV2Config: attributes read with getattr(config, name, default) fall back like the real one."""

    def __getattr__(self, k):
        try:
            return self[k]
        except KeyError:
            raise AttributeError(k) from None


def runtime_config(cfg):
    c = Config(CONFIG_DEFAULTS)
    c.update(cfg)
    if isinstance(c['pos_att_type'], str):  # "Backwards compatibility" in DebertaV2Config.__init__
        c['pos_att_type'] = [x.strip() for x in c['pos_att_type'].lower().split('|')]
    c.setdefault('pooler_hidden_size', c['hidden_size'])
    if 'num_labels' not in cfg:
        c['num_labels'] = len(cfg['id2label']) if 'id2label' in cfg else 2
    return c


ACT2FN = {'gelu': F.gelu, 'tanh': torch.tanh, 'relu': F.relu}  # gelu = exact (erf) GELU


# ------------------------------------------------------------------------------------------------
# modeling_deberta_v2.py
# ------------------------------------------------------------------------------------------------


class ContextPooler(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.pooler_hidden_size, config.pooler_hidden_size)
        self.dropout = nn.Dropout(config.pooler_dropout)
        self.config = config

    def forward(self, hidden_states):
        context_token = hidden_states[:, 0]
        context_token = self.dropout(context_token)
        pooled_output = self.dense(context_token)
        return ACT2FN[self.config.pooler_hidden_act](pooled_output)


class DebertaV2SelfOutput(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, hidden_states, input_tensor):
        hidden_states = self.dense(hidden_states)
        hidden_states = self.dropout(hidden_states)
        return self.LayerNorm(hidden_states + input_tensor)


def make_log_bucket_position(relative_pos, bucket_size, max_position):
    sign = torch.sign(relative_pos)
    mid = bucket_size // 2
    abs_pos = torch.where(
        (relative_pos < mid) & (relative_pos > -mid),
        torch.tensor(mid - 1).type_as(relative_pos),
        torch.abs(relative_pos),
    )
    log_pos = torch.ceil(torch.log(abs_pos / mid) / torch.log(torch.tensor((max_position - 1) / mid)) * (mid - 1)) + mid
    bucket_pos = torch.where(abs_pos <= mid, relative_pos.type_as(log_pos), log_pos * sign)
    return bucket_pos


def build_relative_position(query_layer, key_layer, bucket_size=-1, max_position=-1):
    query_size = query_layer.size(-2)
    key_size = key_layer.size(-2)
    q_ids = torch.arange(query_size, dtype=torch.long)
    k_ids = torch.arange(key_size, dtype=torch.long)
    rel_pos_ids = q_ids[:, None] - k_ids[None, :]
    if bucket_size > 0 and max_position > 0:
        rel_pos_ids = make_log_bucket_position(rel_pos_ids, bucket_size, max_position)
    rel_pos_ids = rel_pos_ids.to(torch.long)
    rel_pos_ids = rel_pos_ids[:query_size, :]
    return rel_pos_ids.unsqueeze(0)


def scaled_size_sqrt(query_layer, scale_factor):
    return torch.sqrt(torch.tensor(query_layer.size(-1), dtype=torch.float) * scale_factor)  # float32


class DisentangledSelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.num_attention_heads = config.num_attention_heads
        _attention_head_size = config.hidden_size // config.num_attention_heads
        self.attention_head_size = getattr(config, 'attention_head_size', None) or _attention_head_size
        self.all_head_size = self.num_attention_heads * self.attention_head_size
        self.query_proj = nn.Linear(config.hidden_size, self.all_head_size, bias=True)
        self.key_proj = nn.Linear(config.hidden_size, self.all_head_size, bias=True)
        self.value_proj = nn.Linear(config.hidden_size, self.all_head_size, bias=True)

        self.share_att_key = getattr(config, 'share_att_key', False)
        self.pos_att_type = config.pos_att_type if config.pos_att_type is not None else []
        self.relative_attention = getattr(config, 'relative_attention', False)

        if self.relative_attention:
            self.position_buckets = getattr(config, 'position_buckets', -1)
            self.max_relative_positions = getattr(config, 'max_relative_positions', -1)
            if self.max_relative_positions < 1:
                self.max_relative_positions = config.max_position_embeddings
            self.pos_ebd_size = self.max_relative_positions
            if self.position_buckets > 0:
                self.pos_ebd_size = self.position_buckets
            self.pos_dropout = nn.Dropout(config.hidden_dropout_prob)
            if not self.share_att_key:
                if 'c2p' in self.pos_att_type:
                    self.pos_key_proj = nn.Linear(config.hidden_size, self.all_head_size, bias=True)
                if 'p2c' in self.pos_att_type:
                    self.pos_query_proj = nn.Linear(config.hidden_size, self.all_head_size)
        self.dropout = nn.Dropout(config.attention_probs_dropout_prob)

    def transpose_for_scores(self, x, attention_heads):
        new_x_shape = x.size()[:-1] + (attention_heads, -1)
        x = x.view(new_x_shape)
        return x.permute(0, 2, 1, 3).contiguous().view(-1, x.size(1), x.size(-1))

    def forward(self, hidden_states, attention_mask, relative_pos=None, rel_embeddings=None):
        query_layer = self.transpose_for_scores(self.query_proj(hidden_states), self.num_attention_heads)
        key_layer = self.transpose_for_scores(self.key_proj(hidden_states), self.num_attention_heads)
        value_layer = self.transpose_for_scores(self.value_proj(hidden_states), self.num_attention_heads)

        rel_att = None
        scale_factor = 1
        if 'c2p' in self.pos_att_type:
            scale_factor += 1
        if 'p2c' in self.pos_att_type:
            scale_factor += 1
        scale = scaled_size_sqrt(query_layer, scale_factor)
        attention_scores = torch.bmm(query_layer, key_layer.transpose(-1, -2) / scale.to(dtype=query_layer.dtype))
        if self.relative_attention:
            rel_embeddings = self.pos_dropout(rel_embeddings)
            rel_att = self.disentangled_attention_bias(query_layer, key_layer, relative_pos, rel_embeddings, scale_factor)
        if rel_att is not None:
            attention_scores = attention_scores + rel_att
        attention_scores = attention_scores.view(-1, self.num_attention_heads, attention_scores.size(-2), attention_scores.size(-1))
        attention_mask = attention_mask.bool()
        attention_scores = attention_scores.masked_fill(~(attention_mask), torch.finfo(query_layer.dtype).min)
        attention_probs = nn.functional.softmax(attention_scores, dim=-1)
        attention_probs = self.dropout(attention_probs)
        context_layer = torch.bmm(attention_probs.view(-1, attention_probs.size(-2), attention_probs.size(-1)), value_layer)
        context_layer = (
            context_layer.view(-1, self.num_attention_heads, context_layer.size(-2), context_layer.size(-1))
            .permute(0, 2, 1, 3)
            .contiguous()
        )
        new_context_layer_shape = context_layer.size()[:-2] + (-1,)
        return context_layer.view(new_context_layer_shape)

    def disentangled_attention_bias(self, query_layer, key_layer, relative_pos, rel_embeddings, scale_factor):
        if relative_pos is None:
            relative_pos = build_relative_position(query_layer, key_layer, bucket_size=self.position_buckets,
                                                   max_position=self.max_relative_positions)
        if relative_pos.dim() == 2:
            relative_pos = relative_pos.unsqueeze(0).unsqueeze(0)
        elif relative_pos.dim() == 3:
            relative_pos = relative_pos.unsqueeze(1)
        att_span = self.pos_ebd_size
        relative_pos = relative_pos.long()
        rel_embeddings = rel_embeddings[0: att_span * 2, :].unsqueeze(0)
        if self.share_att_key:
            pos_query_layer = self.transpose_for_scores(self.query_proj(rel_embeddings), self.num_attention_heads).repeat(
                query_layer.size(0) // self.num_attention_heads, 1, 1)
            pos_key_layer = self.transpose_for_scores(self.key_proj(rel_embeddings), self.num_attention_heads).repeat(
                query_layer.size(0) // self.num_attention_heads, 1, 1)
        else:
            if 'c2p' in self.pos_att_type:
                pos_key_layer = self.transpose_for_scores(self.pos_key_proj(rel_embeddings), self.num_attention_heads).repeat(
                    query_layer.size(0) // self.num_attention_heads, 1, 1)
            if 'p2c' in self.pos_att_type:
                pos_query_layer = self.transpose_for_scores(self.pos_query_proj(rel_embeddings), self.num_attention_heads).repeat(
                    query_layer.size(0) // self.num_attention_heads, 1, 1)
        score = 0
        if 'c2p' in self.pos_att_type:
            scale = scaled_size_sqrt(pos_key_layer, scale_factor)
            c2p_att = torch.bmm(query_layer, pos_key_layer.transpose(-1, -2))
            c2p_pos = torch.clamp(relative_pos + att_span, 0, att_span * 2 - 1)
            c2p_att = torch.gather(c2p_att, dim=-1,
                                   index=c2p_pos.squeeze(0).expand([query_layer.size(0), query_layer.size(1), relative_pos.size(-1)]))
            score = score + c2p_att / scale.to(dtype=c2p_att.dtype)
        if 'p2c' in self.pos_att_type:
            scale = scaled_size_sqrt(pos_query_layer, scale_factor)
            r_pos = relative_pos  # self-attention: query and key lengths agree (build_rpos)
            p2c_pos = torch.clamp(-r_pos + att_span, 0, att_span * 2 - 1)
            p2c_att = torch.bmm(key_layer, pos_query_layer.transpose(-1, -2))
            p2c_att = torch.gather(p2c_att, dim=-1,
                                   index=p2c_pos.squeeze(0).expand([query_layer.size(0), key_layer.size(-2), key_layer.size(-2)])
                                   ).transpose(-1, -2)
            score = score + p2c_att / scale.to(dtype=p2c_att.dtype)
        return score


class DebertaV2Attention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.self = DisentangledSelfAttention(config)
        self.output = DebertaV2SelfOutput(config)

    def forward(self, hidden_states, attention_mask, relative_pos=None, rel_embeddings=None):
        self_output = self.self(hidden_states, attention_mask, relative_pos=relative_pos, rel_embeddings=rel_embeddings)
        return self.output(self_output, hidden_states)


class DebertaV2Intermediate(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.intermediate_size)
        self.intermediate_act_fn = ACT2FN[config.hidden_act]

    def forward(self, hidden_states):
        return self.intermediate_act_fn(self.dense(hidden_states))


class DebertaV2Output(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.intermediate_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, hidden_states, input_tensor):
        hidden_states = self.dense(hidden_states)
        hidden_states = self.dropout(hidden_states)
        return self.LayerNorm(hidden_states + input_tensor)


class DebertaV2Layer(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.attention = DebertaV2Attention(config)
        self.intermediate = DebertaV2Intermediate(config)
        self.output = DebertaV2Output(config)

    def forward(self, hidden_states, attention_mask, relative_pos=None, rel_embeddings=None):
        attention_output = self.attention(hidden_states, attention_mask, relative_pos=relative_pos, rel_embeddings=rel_embeddings)
        intermediate_output = self.intermediate(attention_output)
        return self.output(intermediate_output, attention_output)


class ConvLayer(nn.Module):
    def __init__(self, config):
        super().__init__()
        kernel_size = getattr(config, 'conv_kernel_size', 3)
        groups = getattr(config, 'conv_groups', 1)
        self.conv_act = getattr(config, 'conv_act', 'tanh')
        self.conv = nn.Conv1d(config.hidden_size, config.hidden_size, kernel_size, padding=(kernel_size - 1) // 2, groups=groups)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, hidden_states, residual_states, input_mask):
        out = self.conv(hidden_states.permute(0, 2, 1).contiguous()).permute(0, 2, 1).contiguous()
        rmask = (1 - input_mask).bool()
        out.masked_fill_(rmask.unsqueeze(-1).expand(out.size()), 0)
        out = ACT2FN[self.conv_act](self.dropout(out))
        layer_norm_input = residual_states + out
        output = self.LayerNorm(layer_norm_input).to(layer_norm_input)
        input_mask = input_mask.unsqueeze(2).to(output.dtype)
        return output * input_mask


class DebertaV2Encoder(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.layer = nn.ModuleList([DebertaV2Layer(config) for _ in range(config.num_hidden_layers)])
        self.relative_attention = getattr(config, 'relative_attention', False)
        if self.relative_attention:
            self.max_relative_positions = getattr(config, 'max_relative_positions', -1)
            if self.max_relative_positions < 1:
                self.max_relative_positions = config.max_position_embeddings
            self.position_buckets = getattr(config, 'position_buckets', -1)
            pos_ebd_size = self.max_relative_positions * 2
            if self.position_buckets > 0:
                pos_ebd_size = self.position_buckets * 2
            self.rel_embeddings = nn.Embedding(pos_ebd_size, config.hidden_size)
        self.norm_rel_ebd = [x.strip() for x in getattr(config, 'norm_rel_ebd', 'none').lower().split('|')]
        if 'layer_norm' in self.norm_rel_ebd:
            self.LayerNorm = nn.LayerNorm(config.hidden_size, config.layer_norm_eps, elementwise_affine=True)
        self.conv = ConvLayer(config) if getattr(config, 'conv_kernel_size', 0) > 0 else None

    def get_rel_embedding(self):
        rel_embeddings = self.rel_embeddings.weight if self.relative_attention else None
        if rel_embeddings is not None and ('layer_norm' in self.norm_rel_ebd):
            rel_embeddings = self.LayerNorm(rel_embeddings)
        return rel_embeddings

    def get_attention_mask(self, attention_mask):
        extended_attention_mask = attention_mask.unsqueeze(1).unsqueeze(2)
        return extended_attention_mask * extended_attention_mask.squeeze(-2).unsqueeze(-1)

    def get_rel_pos(self, hidden_states):
        if self.relative_attention:
            return build_relative_position(hidden_states, hidden_states, bucket_size=self.position_buckets,
                                           max_position=self.max_relative_positions)
        return None

    def forward(self, hidden_states, attention_mask):
        input_mask = attention_mask
        attention_mask = self.get_attention_mask(attention_mask)
        relative_pos = self.get_rel_pos(hidden_states)
        next_kv = hidden_states
        rel_embeddings = self.get_rel_embedding()
        output_states = next_kv
        for i, layer_module in enumerate(self.layer):
            output_states = layer_module(next_kv, attention_mask, relative_pos=relative_pos, rel_embeddings=rel_embeddings)
            if i == 0 and self.conv is not None:
                output_states = self.conv(hidden_states, output_states, input_mask)
            next_kv = output_states
        return output_states


class DebertaV2Embeddings(nn.Module):
    def __init__(self, config):
        super().__init__()
        pad_token_id = getattr(config, 'pad_token_id', 0)
        self.embedding_size = getattr(config, 'embedding_size', config.hidden_size)
        self.word_embeddings = nn.Embedding(config.vocab_size, self.embedding_size, padding_idx=pad_token_id)
        self.position_biased_input = getattr(config, 'position_biased_input', True)
        if self.position_biased_input:
            self.position_embeddings = nn.Embedding(config.max_position_embeddings, self.embedding_size)
        if config.type_vocab_size > 0:
            self.token_type_embeddings = nn.Embedding(config.type_vocab_size, self.embedding_size)
        if self.embedding_size != config.hidden_size:
            self.embed_proj = nn.Linear(self.embedding_size, config.hidden_size, bias=False)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        self.config = config

    def forward(self, input_ids, token_type_ids, mask):
        seq_length = input_ids.shape[1]
        position_ids = torch.arange(seq_length)[None, :]
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        embeddings = self.word_embeddings(input_ids)
        if self.position_biased_input:
            embeddings = embeddings + self.position_embeddings(position_ids.long())
        if self.config.type_vocab_size > 0:
            embeddings = embeddings + self.token_type_embeddings(token_type_ids)
        if self.embedding_size != self.config.hidden_size:
            embeddings = self.embed_proj(embeddings)
        embeddings = self.LayerNorm(embeddings)
        mask = mask.unsqueeze(2).to(embeddings.dtype)
        embeddings = embeddings * mask
        return self.dropout(embeddings)


class DebertaV2Model(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.embeddings = DebertaV2Embeddings(config)
        self.encoder = DebertaV2Encoder(config)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        embedding_output = self.embeddings(input_ids, token_type_ids, attention_mask)
        return self.encoder(embedding_output, attention_mask)


class DebertaV2ForSequenceClassification(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.deberta = DebertaV2Model(config)
        self.pooler = ContextPooler(config)
        self.classifier = nn.Linear(config.hidden_size, config.num_labels)
        drop_out = getattr(config, 'cls_dropout', None)
        drop_out = config.hidden_dropout_prob if drop_out is None else drop_out
        self.dropout = nn.Dropout(drop_out)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        encoder_layer = self.deberta(input_ids, attention_mask, token_type_ids)
        pooled_output = self.dropout(self.pooler(encoder_layer))
        return self.classifier(pooled_output)


# ------------------------------------------------------------------------------------------------
# Configs and cases
# ------------------------------------------------------------------------------------------------


def deberta_config(num_labels, problem_type, names=None, **fields):
    c = {
        'architectures': ['DebertaV2ForSequenceClassification'],
        'attention_probs_dropout_prob': 0.1,
        'hidden_act': 'gelu',
        'hidden_dropout_prob': 0.1,
        'hidden_size': 16,
        'initializer_range': 0.02,
        'intermediate_size': 32,
        'layer_norm_eps': 1e-7,
        'max_position_embeddings': 24,
        'model_type': 'deberta-v2',
        'num_attention_heads': 2,
        'num_hidden_layers': 2,
        'pad_token_id': 0,
        'pooler_dropout': 0,
        'pooler_hidden_act': 'gelu',
        'problem_type': problem_type,
        'torch_dtype': 'float32',
        'transformers_version': ref.TRANSFORMERS_VERSION,
        'type_vocab_size': 0,
        'vocab_size': 48,
    }
    c.update(ref.labels_fields(num_labels, names))
    c.update(fields)
    return c


V3 = dict(relative_attention=True, position_buckets=8, norm_rel_ebd='layer_norm', share_att_key=True, pos_att_type='p2c|c2p',
          max_relative_positions=-1, position_biased_input=False)

CASES = [
    {
        # microsoft/deberta-v3-* scaled down: log buckets (8 for 256), shared keys, LayerNorm'd rel embeddings, no absolute positions
        'name': 'deberta-v3',
        'seed': 1101,
        'config': deberta_config(3, 'single_label_classification', ['negative', 'neutral', 'positive'], **V3),
        'labels': [2, 0, 1],
    },
    {
        # DeBERTa-v2 without buckets: relative positions clamped at max_relative_positions, separate pos_key_proj /
        # pos_query_proj, absolute positions, token types, embedding_size != hidden_size (embed_proj), no rel LayerNorm
        'name': 'deberta-v2',
        'seed': 1202,
        'config': deberta_config(4, 'multi_label_classification', relative_attention=True, max_relative_positions=6,
                                 share_att_key=False, pos_att_type=['p2c', 'c2p'], position_biased_input=True,
                                 embedding_size=8, type_vocab_size=2, cls_dropout=0.15),
        'token_types': True,
        'labels': [[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]],
    },
    {
        # c2p only (pos_key_proj alone), buckets clamped at the span, tanh pooler, regression
        'name': 'deberta-c2p',
        'seed': 1303,
        'config': deberta_config(1, 'regression', relative_attention=True, position_buckets=6, max_relative_positions=8,
                                 norm_rel_ebd='layer_norm', share_att_key=False, pos_att_type=['c2p'], position_biased_input=True,
                                 pooler_hidden_act='tanh', max_position_embeddings=16),
        'labels': [0.5, -1.25, 2.0],
    },
    {
        # microsoft/deberta-v2-xlarge's structure scaled down: the ConvLayer after layer 0 (kernel 3, GELU)
        'name': 'deberta-conv',
        'seed': 1404,
        'config': deberta_config(2, 'single_label_classification', conv_kernel_size=3, conv_act='gelu', **V3),
        'labels': [1, 0, 1],
    },
    {
        # relative_attention false: no relative terms, but pos_att_type still sets the scale (sqrt(3 d)); the
        # rel-embedding LayerNorm exists (norm_rel_ebd) and is unused; pooler dropout and hidden size as configured
        'name': 'deberta-norel',
        'seed': 1505,
        'config': deberta_config(2, 'single_label_classification', relative_attention=False, pos_att_type='c2p|p2c',
                                 norm_rel_ebd='layer_norm', position_biased_input=True, pooler_dropout=0.1),
        'labels': [0, 1, 1],
    },
]

TOKENS = (0, 1, 2, 5)  # [PAD] 0, [CLS] 1, [SEP] 2 (DeBERTa-v3's spm ids), first regular id

BUCKET_TABLES = [(256, 512), (256, 1024), (8, 24), (6, 8), (8, 10)]
BUCKET_RANGE = 1100


def randomize(model, seed):
    """Non-trivial float32-valued weights (as make_reference_fixtures.randomize); relative-position
    embeddings at 0.8 N(0,1) so that the c2p / p2c terms weigh as much as the content term."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            n = torch.randn(p.shape, generator=g, dtype=torch.float64)
            fan_in = p[0].numel() if p.dim() > 1 else 1
            if 'LayerNorm' in name and name.endswith('.weight'):
                v = 1.0 + 0.3 * n
            elif name.endswith('.bias'):
                v = 0.2 * n
            elif 'rel_embeddings' in name:
                v = 0.8 * n
            elif 'embeddings.' in name and 'embed_proj' not in name:
                v = 0.05 * n
            elif name == 'classifier.weight':
                v = (2.5 / math.sqrt(fan_in)) * n
            elif name.startswith('pooler.'):
                v = (1.0 / math.sqrt(fan_in)) * n
            else:
                v = (1.2 / math.sqrt(fan_in)) * n
            p.copy_(v.float().double())


def make_inputs(seed, vocab):
    pad, cls, sep, first = TOKENS
    g = torch.Generator().manual_seed(seed)
    ids = torch.full((BATCH, SEQ), pad, dtype=torch.long)
    mask = torch.zeros((BATCH, SEQ), dtype=torch.long)
    for b, n in enumerate(LENGTHS):
        body = torch.randint(first, vocab, (n - 2,), generator=g)
        ids[b, :n] = torch.cat([torch.tensor([cls]), body, torch.tensor([sep])])
        mask[b, :n] = 1
    return ids, mask


def build(case):
    c = runtime_config(case['config'])
    model = DebertaV2ForSequenceClassification(c).double()
    randomize(model, case['seed'])
    model.eval()  # dropout off; autograd stays on
    ids, mask = make_inputs(case['seed'] + 1, c.vocab_size)
    tt = torch.tensor(TOKEN_TYPES) * mask if case.get('token_types') else None
    dtype = torch.long if c['problem_type'] == 'single_label_classification' else torch.float64
    return c, model, ids, mask, tt, torch.tensor(case['labels'], dtype=dtype)


def run(model, c, ids, mask, tt, labels):
    model.zero_grad(set_to_none=True)
    logits = model(ids, mask, tt)
    loss = ref.sequence_classification_loss(logits, labels, c['problem_type'], c.num_labels)
    loss.backward()
    grads = collections.OrderedDict(
        (n, p.grad.detach().clone() if p.grad is not None else torch.zeros_like(p)) for n, p in model.named_parameters())
    return logits.detach(), loss.detach(), grads


def fixture(name, c, ids, mask, tt, labels, logits, loss, grads, weights_file, extra=None):
    fx = ref.fixture(name, c, ids, mask, tt, labels, logits, loss, grads, weights_file, extra)
    fx['dtype_note'] = DTYPE_NOTE
    return fx


def bucket_fixture():
    r = torch.arange(-BUCKET_RANGE, BUCKET_RANGE + 1)
    tables = collections.OrderedDict()
    for size, max_pos in BUCKET_TABLES:
        tables[f'{size},{max_pos}'] = make_log_bucket_position(r, size, max_pos).to(torch.long).tolist()
    return collections.OrderedDict([
        ('from', -BUCKET_RANGE),
        ('to', BUCKET_RANGE),
        ('tables', tables),
        ('note', 'make_log_bucket_position(r, position_buckets, max_relative_positions).long() for r in [from, to], '
                 'keys "position_buckets,max_relative_positions"; computed by torch ' + torch.__version__ + ' in float32 on the CPU'),
    ])


def generate():
    v3 = None
    for case in CASES:
        c, model, ids, mask, tt, labels = build(case)
        logits, loss, grads = run(model, c, ids, mask, tt, labels)
        d = ref.fresh(case['name'])
        ref.write_json(os.path.join(d, 'config.json'), case['config'])
        ref.write_safetensors(os.path.join(d, 'model.safetensors'), ref.float32_state_dict(model))
        ref.write_json(os.path.join(d, 'fixture.json'),
                       fixture(case['name'], c, ids, mask, tt, labels, logits, loss, grads, 'model.safetensors'),
                       compact_keys=True)
        if case['name'] == 'deberta-v3':
            v3 = (case, c, model, ids, mask, tt, labels, logits, loss, grads)

    case, c, model, ids, mask, tt, labels, logits, loss, grads = v3
    # deberta-v3-bin: the same float32 weights through torch.save (save_pretrained(safe_serialization=False)).
    d = ref.fresh('deberta-v3-bin')
    ref.write_json(os.path.join(d, 'config.json'), case['config'])
    torch.save(copy.deepcopy(model).float().state_dict(), os.path.join(d, 'pytorch_model.bin'))
    ref.write_json(os.path.join(d, 'fixture.json'),
                   fixture('deberta-v3-bin', c, ids, mask, tt, labels, logits, loss, grads, 'pytorch_model.bin'),
                   compact_keys=True)

    # deberta-base-keys: deberta-v3's body as DebertaV2Model.save_pretrained writes it (no 'deberta.' prefix), plus
    # what microsoft/deberta-v3-* checkpoints carry besides: an unused position_embeddings table (ignored on load,
    # _keys_to_ignore_on_load_unexpected) and the pre-training heads lm_predictions.* / mask_predictions.*.
    d = ref.fresh('deberta-base-keys')
    base_cfg = {k: v for k, v in case['config'].items() if k not in ('id2label', 'label2id', 'num_labels', 'problem_type')}
    del base_cfg['architectures']  # as microsoft/deberta-v3-small's config.json: none
    ref.write_json(os.path.join(d, 'config.json'), base_cfg)
    g = torch.Generator().manual_seed(1606)
    H, V = c.hidden_size, c.vocab_size
    rnd = lambda *shape: (0.2 * torch.randn(*shape, generator=g, dtype=torch.float64)).float()  # noqa: E731
    body = collections.OrderedDict((k[len('deberta.'):], v.detach().float()) for k, v in model.state_dict().items() if k.startswith('deberta.'))
    extras = collections.OrderedDict([
        ('embeddings.position_embeddings.weight', rnd(c.max_position_embeddings, H)),
        ('lm_predictions.lm_head.dense.weight', rnd(H, H)),
        ('lm_predictions.lm_head.dense.bias', rnd(H)),
        ('lm_predictions.lm_head.LayerNorm.weight', rnd(H)),
        ('lm_predictions.lm_head.LayerNorm.bias', rnd(H)),
        ('lm_predictions.lm_head.bias', rnd(V)),
        ('mask_predictions.dense.weight', rnd(H, H)),
        ('mask_predictions.dense.bias', rnd(H)),
        ('mask_predictions.LayerNorm.weight', rnd(H)),
        ('mask_predictions.LayerNorm.bias', rnd(H)),
        ('mask_predictions.classifier.weight', rnd(1, H)),
        ('mask_predictions.classifier.bias', rnd(1)),
    ])
    ref.write_safetensors(os.path.join(d, 'model.safetensors'), collections.OrderedDict(list(body.items()) + list(extras.items())))
    with torch.no_grad():
        hidden = model.deberta(ids, mask, tt)
    fx = collections.OrderedDict()
    fx['case'] = 'deberta-base-keys'
    fx['architecture'] = 'DebertaV2Model'
    fx['model_type'] = 'deberta-v2'
    fx['weights_file'] = 'model.safetensors'
    fx['input_ids'] = ref.nested(ids)
    fx['attention_mask'] = ref.nested(mask)
    fx['first_token_hidden'] = ref.nested(hidden[:, 0])
    fx['dropped_keys'] = list(extras)
    fx['ignored_keys'] = ['embeddings.position_embeddings.weight']
    fx['prefix_added'] = 'deberta.'
    fx['missing_keys_for_sequence_classification'] = ['pooler.dense.weight', 'pooler.dense.bias', 'classifier.weight', 'classifier.bias']
    fx['note'] = ('Body of deberta-v3: first_token_hidden is the encoder output at [CLS] (what the ContextPooler reads). Loading '
                  'this into DebertaV2ForSequenceClassification: add the "deberta." prefix, drop lm_predictions.* and '
                  'mask_predictions.* (logged as unused), ignore embeddings.position_embeddings silently, initialise pooler and '
                  'classifier. The config has no architectures and no id2label: transformers defaults to 2 labels.')
    fx['dtype_note'] = DTYPE_NOTE
    ref.write_json(os.path.join(d, 'fixture.json'), fx, compact_keys=True)

    d = ref.fresh('deberta-buckets')
    ref.write_json(os.path.join(d, 'fixture.json'), bucket_fixture(), compact_keys=True)


# ------------------------------------------------------------------------------------------------
# Verification: an independent functional implementation over the files as written
# ------------------------------------------------------------------------------------------------


def np_bucket(r, size, max_pos):
    """make_log_bucket_position for one int, in NumPy float32 step by step."""
    mid = size // 2
    if -mid < r < mid or abs(r) <= mid:
        return r
    f = np.float32
    x = np.log(f(abs(r)) / f(mid)) / np.log(f((max_pos - 1) / mid)) * f(mid - 1)
    return int(np.sign(r)) * int(np.ceil(x) + f(mid))


def f_ln(x, P, name, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * P[name + '.weight'] + P[name + '.bias']


def f_lin(P, name, x):
    y = x @ P[name + '.weight'].t()
    return y + P[name + '.bias'] if name + '.bias' in P else y


def f_act(name, x):
    return {'gelu': lambda v: 0.5 * v * (1.0 + torch.erf(v / math.sqrt(2.0))), 'tanh': torch.tanh, 'relu': torch.relu}[name](x)


def f_rel_index(c, i, j):
    """The row of rel_embeddings that query i and key j use (c2p: key position; p2c: query position)."""
    max_rel = c.get('max_relative_positions', -1)
    max_rel = c['max_position_embeddings'] if max_rel < 1 else max_rel
    buckets = c.get('position_buckets', -1)
    span = buckets if buckets > 0 else max_rel
    r = i - j
    b = np_bucket(r, buckets, max_rel) if buckets > 0 else r
    return min(max(b + span, 0), 2 * span - 1)


def functional_forward(P, cfg, ids, mask, tt):
    """Returns (logits, hidden). Explicit loops for the relative terms; P: float64 tensors by transformers name."""
    c = runtime_config(cfg)
    B, S = ids.shape
    H, nh = c.hidden_size, c.num_attention_heads
    d = H // nh
    eps = c.layer_norm_eps
    types = c.pos_att_type or []
    x = P['deberta.embeddings.word_embeddings.weight'][ids]
    if c.get('position_biased_input', True):
        x = x + P['deberta.embeddings.position_embeddings.weight'][:S].unsqueeze(0)
    if c.type_vocab_size > 0:
        x = x + P['deberta.embeddings.token_type_embeddings.weight'][tt if tt is not None else torch.zeros_like(ids)]
    if 'deberta.embeddings.embed_proj.weight' in P:
        x = x @ P['deberta.embeddings.embed_proj.weight'].t()
    emb = f_ln(x, P, 'deberta.embeddings.LayerNorm', eps) * mask.unsqueeze(-1).double()
    rel = P.get('deberta.encoder.rel_embeddings.weight')
    if rel is not None and 'layer_norm' in c.get('norm_rel_ebd', 'none'):
        rel = f_ln(rel, P, 'deberta.encoder.LayerNorm', eps)
    scale = float(np.sqrt(np.float32(d * (1 + ('c2p' in types) + ('p2c' in types)))))
    h = emb
    for layer in range(c.num_hidden_layers):
        p = f'deberta.encoder.layer.{layer}.'
        heads = lambda t: t.reshape(t.shape[0], -1, nh, d)  # noqa: E731  [.., n, heads, d]
        q, k, v = (heads(f_lin(P, p + 'attention.self.' + m, h)) for m in ('query_proj', 'key_proj', 'value_proj'))
        scores = torch.einsum('bihd,bjhd->bhij', q, k) / scale
        if c.relative_attention and types:
            kq = 'query_proj' if c.get('share_att_key') else 'pos_query_proj'
            kk = 'key_proj' if c.get('share_att_key') else 'pos_key_proj'
            pq = heads(f_lin(P, p + 'attention.self.' + kq, rel).unsqueeze(0))[0] if 'p2c' in types else None
            pk = heads(f_lin(P, p + 'attention.self.' + kk, rel).unsqueeze(0))[0] if 'c2p' in types else None
            extra = torch.zeros_like(scores)
            for i in range(S):
                for j in range(S):
                    m = f_rel_index(c, i, j)
                    if pk is not None:
                        extra[:, :, i, j] += (q[:, i] * pk[m]).sum(-1)  # content(i) -> position of key j
                    if pq is not None:
                        extra[:, :, i, j] += (k[:, j] * pq[m]).sum(-1)  # position of query i -> content(j)
            scores = scores + extra / scale
        keep = (mask[:, None, :, None] * mask[:, None, None, :]).bool()
        scores = scores.masked_fill(~keep, torch.finfo(torch.float64).min)
        probs = torch.softmax(scores, -1)
        ctx = torch.einsum('bhij,bjhd->bihd', probs, v).reshape(B, S, H)
        a = f_ln(f_lin(P, p + 'attention.output.dense', ctx) + h, P, p + 'attention.output.LayerNorm', eps)
        out = f_ln(f_lin(P, p + 'output.dense', f_act(c.hidden_act, f_lin(P, p + 'intermediate.dense', a))) + a, P, p + 'output.LayerNorm', eps)
        if layer == 0 and c.get('conv_kernel_size', 0) > 0:
            K = c.conv_kernel_size
            W = P['deberta.encoder.conv.conv.weight']  # [H, H, K]
            conv = torch.zeros_like(out) + P['deberta.encoder.conv.conv.bias']
            for t in range(S):
                for kk in range(K):
                    s = t + kk - (K - 1) // 2
                    if 0 <= s < S:
                        conv[:, t] += emb[:, s] @ W[:, :, kk].t()
            conv = f_act(c.get('conv_act', 'tanh'), conv * mask.unsqueeze(-1).double())
            out = f_ln(out + conv, P, 'deberta.encoder.conv.LayerNorm', eps) * mask.unsqueeze(-1).double()
        h = out
    if 'classifier.weight' not in P:
        return None, h
    pooled = f_act(c.pooler_hidden_act, f_lin(P, 'pooler.dense', h[:, 0]))
    return f_lin(P, 'classifier', pooled), h


def expected_keys(cfg):
    """The parameter names transformers' DebertaV2ForSequenceClassification registers, written out from its source."""
    c = runtime_config(cfg)
    keys = ['deberta.embeddings.word_embeddings.weight']
    if c.get('position_biased_input', True):
        keys.append('deberta.embeddings.position_embeddings.weight')
    if c.type_vocab_size > 0:
        keys.append('deberta.embeddings.token_type_embeddings.weight')
    if c.get('embedding_size', c.hidden_size) != c.hidden_size:
        keys.append('deberta.embeddings.embed_proj.weight')
    keys += ['deberta.embeddings.LayerNorm.weight', 'deberta.embeddings.LayerNorm.bias']
    types = c.pos_att_type or []
    for i in range(c.num_hidden_layers):
        p = f'deberta.encoder.layer.{i}.attention.self.'
        mods = ['query_proj', 'key_proj', 'value_proj']
        if c.relative_attention and not c.get('share_att_key', False):
            mods += (['pos_key_proj'] if 'c2p' in types else []) + (['pos_query_proj'] if 'p2c' in types else [])
        keys += [p + m + s for m in mods for s in ('.weight', '.bias')]
        for m in ('attention.output.dense', 'attention.output.LayerNorm', 'intermediate.dense', 'output.dense', 'output.LayerNorm'):
            keys += [f'deberta.encoder.layer.{i}.{m}{s}' for s in ('.weight', '.bias')]
    if c.relative_attention:
        keys.append('deberta.encoder.rel_embeddings.weight')
    if 'layer_norm' in c.get('norm_rel_ebd', 'none'):
        keys += ['deberta.encoder.LayerNorm.weight', 'deberta.encoder.LayerNorm.bias']
    if c.get('conv_kernel_size', 0) > 0:
        keys += [f'deberta.encoder.conv.{m}{s}' for m in ('conv', 'LayerNorm') for s in ('.weight', '.bias')]
    return keys + ['pooler.dense.weight', 'pooler.dense.bias', 'classifier.weight', 'classifier.bias']


def load_case(name):
    cfg, fx, sd = ref.load_case(name)
    return cfg, fx, sd


def verify_case(name, rng):
    cfg, fx, sd = load_case(name)
    keys = expected_keys(cfg)
    assert sorted(sd) == sorted(keys), f'{name}: keys {sorted(set(sd) ^ set(keys))}'
    assert all(v.dtype == torch.float32 for v in sd.values()), name
    assert list(fx['grads']) == list(sd) or sorted(fx['grads']) == sorted(sd), f'{name}: a gradient per parameter'
    P = {k: v.double() for k, v in sd.items()}
    ids, mask = torch.tensor(fx['input_ids']), torch.tensor(fx['attention_mask'])
    tt = torch.tensor(fx['token_type_ids']) if 'token_type_ids' in fx else None
    pt = fx['problem_type']
    labels = torch.tensor(fx['labels'], dtype=torch.long if pt == 'single_label_classification' else torch.float64)
    loss_of = lambda Q: ref.functional_loss(functional_forward(Q, cfg, ids, mask, tt)[0], labels, pt)  # noqa: E731
    e_logits = ref.close(functional_forward(P, cfg, ids, mask, tt)[0], fx['logits'], 1e-12, 1e-12, f'{name} logits')
    ref.close(loss_of(P), fx['loss'], 1e-12, 1e-12, f'{name} loss')
    worst_fd = 0.0
    for gname, gvals in fx['grads'].items():
        leaf = P[gname].clone().requires_grad_(True)
        loss = loss_of({**P, gname: leaf})
        if loss.requires_grad:  # else the parameter is unused (deberta-norel's rel-embedding LayerNorm)
            loss.backward()
        g = leaf.grad.clone() if leaf.grad is not None else torch.zeros_like(leaf)
        if gname.endswith('word_embeddings.weight'):
            g[cfg['pad_token_id']] = 0  # nn.Embedding(padding_idx=pad) never updates the pad row
        ref.close(g.reshape(-1), gvals, 1e-9, 1e-12, f'{name} grad {gname}')
        vals = torch.tensor(gvals, dtype=torch.float64)
        nz = torch.nonzero(vals.abs() > 1e-12).reshape(-1)
        for idx in nz[torch.randperm(len(nz), generator=rng)[:2]].tolist():
            h = 1e-6
            t_plus, t_minus = P[gname].clone().reshape(-1), P[gname].clone().reshape(-1)
            t_plus[idx] += h
            t_minus[idx] -= h
            fd = (loss_of({**P, gname: t_plus.reshape(P[gname].shape)}).item() - loss_of({**P, gname: t_minus.reshape(P[gname].shape)}).item()) / (2 * h)
            err = abs(fd - gvals[idx])
            assert err < 1e-7 + 1e-5 * abs(gvals[idx]), f'{name} {gname}[{idx}]: fd {fd} vs {gvals[idx]}'
            worst_fd = max(worst_fd, err)
    return f'  {name:18s} loss {fx["loss"]:.6f}  functional-vs-module {e_logits:.1e}  worst |fd - grad| {worst_fd:.1e}'


def verify():
    rng = torch.Generator().manual_seed(4321)
    report = [verify_case(n, rng) for n in [c['name'] for c in CASES] + ['deberta-v3-bin']]
    _, fx_v3, v3 = load_case('deberta-v3')
    _, fx_bin, sd_bin = load_case('deberta-v3-bin')
    assert sorted(sd_bin) == sorted(v3) and all(torch.equal(sd_bin[k], v3[k]) for k in v3)
    for k in ('logits', 'loss', 'grads'):
        assert fx_bin[k] == fx_v3[k], k

    cfg, fx, sd = load_case('deberta-base-keys')
    assert 'id2label' not in cfg and 'architectures' not in cfg
    body = {'deberta.' + k: v.double() for k, v in sd.items() if k not in fx['dropped_keys']}
    assert sorted(body) == sorted(k for k in v3 if k.startswith('deberta.'))
    ids, mask = torch.tensor(fx['input_ids']), torch.tensor(fx['attention_mask'])
    _, hidden = functional_forward(body, cfg, ids, mask, None)
    ref.close(hidden[:, 0], fx['first_token_hidden'], 1e-12, 1e-12, 'deberta-base-keys first_token_hidden')
    report.append('  deberta-base-keys  first_token_hidden matches after drop + prefix')

    with open(os.path.join(OUT, 'deberta-buckets', 'fixture.json')) as f:
        bf = json.load(f)
    mismatches = 0
    for key, table in bf['tables'].items():
        size, max_pos = map(int, key.split(','))
        for r, b in zip(range(bf['from'], bf['to'] + 1), table):
            mismatches += np_bucket(r, size, max_pos) != b
    assert mismatches == 0, f'{mismatches} bucket values differ between NumPy float32 and torch'
    report.append(f'  deberta-buckets    {len(bf["tables"])} tables agree with NumPy float32')
    return report


def main():
    torch.set_num_threads(1)  # identical float sums on every run
    t0 = time.time()
    if '--verify' not in sys.argv[1:]:
        generate()
    t1 = time.time()
    report = verify()
    t2 = time.time()
    print(f'generate {t1 - t0:.1f}s, verify {t2 - t1:.1f}s')
    print('\n'.join(report))


if __name__ == '__main__':
    main()
