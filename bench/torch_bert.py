#!/usr/bin/env python3
"""PyTorch side of `npm run bench -- compare`: transformers' BertForSequenceClassification
semantics written out in plain PyTorch (eager attention, exact GELU, post-LN, tanh pooler,
dropout 0.1), one training step = forward + cross-entropy + backward + clip_grad_norm_(1.0) +
torch.optim.AdamW(weight_decay 0.01 without biases/LayerNorm). Prints one JSON line.
--preset modernbert-tiny: transformers' ModernBertForSequenceClassification the same way (its eager
attention path on CPU: rotary q/k, an additive [seq, seq] sliding-window mask on local layers, GeGLU,
pre-norm without biases, [CLS] pooling, head; ModernBertConfig's dropouts, all 0).
The deberta-v3-* presets run DebertaV2ForSequenceClassification as scripts/make_deberta_fixtures.py
writes it from transformers' modeling code (eager disentangled attention, dropout 0.1), with
microsoft/deberta-v3-*'s attention settings.

usage: torch_bert.py --preset bert-small --batch 32 --seq 128 --threads 2 --steps 5
       torch_bert.py --preset deberta-v3-xsmall --batch 8 --seq 128 --threads 2 --steps 5
       torch_bert.py --finetune waimai_10k.csv --vocab vocab.txt ...  (see --help)
"""
import argparse
import json
import math
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {
    "bert-tiny": (2, 128, 2, 512),
    "bert-mini": (4, 256, 4, 1024),
    "bert-small": (4, 512, 8, 2048),
    "bert-base": (12, 768, 12, 3072),
}
# layers, hidden, heads, intermediate, local_attention, global_attn_every_n_layers (src/core/model/presets.ts)
MODERNBERT_PRESETS = {
    "modernbert-tiny": (4, 128, 4, 192, 32, 2),
}

DEBERTA_PRESETS = {  # as src/core/model/presets.ts
    "deberta-v3-tiny": (2, 128, 2, 512),
    "deberta-v3-xsmall": (12, 384, 6, 1536),
}


def deberta(vocab, layers, h, heads, inter, labels=2):
    """DebertaV2ForSequenceClassification with deberta-v3's settings, _init_weights' normal(0, 0.02)."""
    import os
    import sys

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
    import make_deberta_fixtures as deb

    cfg = dict(vocab_size=vocab, hidden_size=h, num_hidden_layers=layers, num_attention_heads=heads, intermediate_size=inter,
               max_position_embeddings=512, relative_attention=True, position_buckets=256, norm_rel_ebd="layer_norm",
               share_att_key=True, pos_att_type="p2c|c2p", position_biased_input=False, layer_norm_eps=1e-7, num_labels=labels)
    model = deb.DebertaV2ForSequenceClassification(deb.runtime_config(cfg))
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Embedding)):
            m.weight.data.normal_(0, 0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            m.bias.data.zero_()
    model.deberta.embeddings.word_embeddings.weight.data[0].zero_()
    return model


class Layer(nn.Module):
    def __init__(self, h, heads, inter, p):
        super().__init__()
        self.heads, self.hd = heads, h // heads
        self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        self.attn_out, self.attn_norm = nn.Linear(h, h), nn.LayerNorm(h, eps=1e-12)
        self.inter, self.out, self.out_norm = nn.Linear(h, inter), nn.Linear(inter, h), nn.LayerNorm(h, eps=1e-12)
        self.drop = nn.Dropout(p)

    def split(self, x):
        b, s, _ = x.shape
        return x.view(b, s, self.heads, self.hd).transpose(1, 2)

    def forward(self, x, mask):
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.hd) + mask
        probs = self.drop(F.softmax(scores, dim=-1))
        ctx = torch.matmul(probs, v).transpose(1, 2).reshape(x.shape)
        a = self.attn_norm(self.drop(self.attn_out(ctx)) + x)
        return self.out_norm(self.drop(self.out(F.gelu(self.inter(a)))) + a)


class Bert(nn.Module):
    def __init__(self, vocab, layers, h, heads, inter, labels=2, p=0.1, max_pos=512):
        super().__init__()
        self.word, self.pos, self.tok_type = nn.Embedding(vocab, h, padding_idx=0), nn.Embedding(max_pos, h), nn.Embedding(2, h)
        self.emb_norm, self.drop = nn.LayerNorm(h, eps=1e-12), nn.Dropout(p)
        self.layers = nn.ModuleList([Layer(h, heads, inter, p) for _ in range(layers)])
        self.pooler, self.classifier = nn.Linear(h, h), nn.Linear(h, labels)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                m.weight.data.normal_(0, 0.02)
            if isinstance(m, nn.Linear):
                m.bias.data.zero_()
        self.word.weight.data[0].zero_()

    def forward(self, ids, mask, types):
        s = ids.shape[1]
        x = self.word(ids) + self.tok_type(types) + self.pos(torch.arange(s).unsqueeze(0))
        x = self.drop(self.emb_norm(x))
        ext = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in self.layers:
            x = layer(x, ext)
        return self.classifier(self.drop(torch.tanh(self.pooler(x[:, 0]))))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class MBLayer(nn.Module):
    """ModernBertEncoderLayer (eager attention, no biases)."""

    def __init__(self, i, h, heads, inter, local):
        super().__init__()
        self.heads, self.hd, self.local = heads, h // heads, local
        self.attn_norm = nn.Identity() if i == 0 else nn.LayerNorm(h, eps=1e-5)
        self.Wqkv, self.Wo = nn.Linear(h, 3 * h, bias=False), nn.Linear(h, h, bias=False)
        self.mlp_norm = nn.LayerNorm(h, eps=1e-5)
        self.Wi, self.Wo2 = nn.Linear(h, 2 * inter, bias=False), nn.Linear(inter, h, bias=False)

    def forward(self, x, global_mask, window_mask, cos, sin):
        b, s, h = x.shape
        q, k, v = self.Wqkv(self.attn_norm(x)).view(b, s, 3, self.heads, self.hd).transpose(3, 1).unbind(dim=2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        scores = torch.matmul(q, k.transpose(2, 3)) * self.hd ** -0.5 + (window_mask if self.local else global_mask)
        ctx = torch.matmul(F.softmax(scores, dim=-1, dtype=torch.float32), v).transpose(1, 2).reshape(b, s, h)
        x = x + self.Wo(ctx)
        inp, gate = self.Wi(self.mlp_norm(x)).chunk(2, dim=-1)
        return x + self.Wo2(F.gelu(inp) * gate)


class ModernBert(nn.Module):
    def __init__(self, vocab, layers, h, heads, inter, window, every, labels=2):
        super().__init__()
        self.window, self.hd = window, h // heads
        self.tok, self.emb_norm = nn.Embedding(vocab, h, padding_idx=0), nn.LayerNorm(h, eps=1e-5)
        self.layers = nn.ModuleList([MBLayer(i, h, heads, inter, i % every != 0) for i in range(layers)])
        self.final_norm = nn.LayerNorm(h, eps=1e-5)
        self.dense, self.head_norm = nn.Linear(h, h, bias=False), nn.LayerNorm(h, eps=1e-5)
        self.classifier = nn.Linear(h, labels)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.trunc_normal_(m.weight, std=0.02, a=-0.04, b=0.04)
        # torch 1.13's LayerNorm has no bias=False: ModernBERT's norms have none
        for m in self.modules():
            if isinstance(m, nn.LayerNorm):
                m.bias = None

    def rope(self, s, theta):
        inv = 1.0 / (theta ** (torch.arange(0, self.hd, 2).float() / self.hd))
        emb = torch.cat([torch.outer(torch.arange(s).float(), inv)] * 2, dim=-1)
        return emb.cos()[None, None], emb.sin()[None, None]

    def forward(self, ids, mask, types=None):
        s = ids.shape[1]
        x = self.emb_norm(self.tok(ids))
        minimum = torch.finfo(torch.float32).min
        global_mask = (1.0 - mask[:, None, None, :].float()) * minimum
        rows = torch.arange(s).unsqueeze(0)
        window_mask = global_mask.masked_fill((torch.abs(rows - rows.T) > self.window // 2)[None, None], minimum)
        tables = {True: self.rope(s, 10000.0), False: self.rope(s, 160000.0)}
        for layer in self.layers:
            x = layer(x, global_mask, window_mask, *tables[layer.local])
        cls = self.final_norm(x)[:, 0]
        return self.classifier(self.head_norm(F.gelu(self.dense(cls))))


def optimizer(model, lr, wd=0.01):
    decay = [p for n, p in model.named_parameters() if not (n.endswith("bias") or "norm" in n.lower())]
    rest = [p for n, p in model.named_parameters() if n.endswith("bias") or "norm" in n.lower()]
    return torch.optim.AdamW([{"params": decay, "weight_decay": wd}, {"params": rest, "weight_decay": 0.0}], lr=lr, eps=1e-8)


def step(model, opt, ids, mask, types, labels):
    loss = F.cross_entropy(model(ids, mask, types), labels)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    opt.zero_grad(set_to_none=True)
    return loss.item()


def amp_step(model, opt, scaler, ids, mask, types, labels):
    with torch.autocast(device_type=ids.device.type, dtype=torch.float16):
        loss = F.cross_entropy(model(ids, mask, types).float(), labels)
    scaler.scale(loss).backward()
    scaler.unscale_(opt)
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    scaler.step(opt)
    scaler.update()
    opt.zero_grad(set_to_none=True)
    return loss.item()


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_ms():
    """User + system CPU time of this process (every thread), in ms."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return (r.ru_utime + r.ru_stime) * 1000


def blas_info():
    """The BLAS library torch's matrix products went to, and for OpenBLAS the kernel set it picked at
    load time (openblas_get_corename: e.g. SkylakeX for the AVX-512 kernels, Haswell for AVX2), and
    the ATen CPU capability its own vectorized (elementwise) kernels use."""
    import ctypes
    import os

    libs = sorted({line.split()[-1] for line in open("/proc/self/maps") if "blas" in line.lower() and line.split()[-1].startswith("/")})
    blas = {"libraries": libs}
    for path in libs:
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
            blas.update(corename=lib.openblas_get_corename().decode(), config=lib.openblas_get_config().decode(), threads=lib.openblas_get_num_threads())
            break
        except (OSError, AttributeError):
            continue
    capability = [l.split(":", 1)[1].strip() for l in torch.__config__.show().splitlines() if "CPU capability usage" in l]
    blas["aten_cpu_capability"] = capability[0] if capability else "?"
    blas["env"] = {k: v for k, v in os.environ.items() if k.startswith(("OPENBLAS_", "OMP_", "ATEN_", "GOMP_"))}
    return blas


def bench_step(a):
    torch.manual_seed(0)
    if a.preset in MODERNBERT_PRESETS:
        model = ModernBert(30522, *MODERNBERT_PRESETS[a.preset])
    elif a.preset in DEBERTA_PRESETS:
        model = deberta(30522, *DEBERTA_PRESETS[a.preset])
    else:
        model = Bert(30522, *PRESETS[a.preset])
    dev = torch.device(a.device)
    model.to(dev).train()
    opt = optimizer(model, 2e-5)
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(1000, 30522, (a.batch, a.seq), generator=g)
    ids[:, 0] = 101
    mask = torch.ones(a.batch, a.seq, dtype=torch.long)
    types = torch.zeros(a.batch, a.seq, dtype=torch.long)
    labels = torch.arange(a.batch) % 2
    ids, mask, types, labels = (t.to(dev) for t in (ids, mask, types, labels))
    # fp16 as Trainer(fp16=True) on a GPU: autocast + GradScaler
    scaler = torch.cuda.amp.GradScaler() if a.amp else None
    run = (lambda: amp_step(model, opt, scaler, ids, mask, types, labels)) if a.amp else (lambda: step(model, opt, ids, mask, types, labels))
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    for i in range(a.warmup):
        run()
        if i == 0 and a.mark:
            print("FIRST_STEP_DONE", flush=True)
    times, cpu = [], []
    for i in range(a.steps):
        sync()
        t, c = time.perf_counter(), cpu_ms()
        run()
        sync()
        times.append((time.perf_counter() - t) * 1000)
        cpu.append(cpu_ms() - c)
        if i == 0 and a.warmup == 0 and a.mark:
            print("FIRST_STEP_DONE", flush=True)
    times.sort()
    cpu.sort()
    print(json.dumps({"ms_per_step": times[len(times) // 2], "cpu_ms_per_step": cpu[len(cpu) // 2], "rss_mb": rss_mb(),
                      "threads": torch.get_num_threads(), "torch": torch.__version__, "blas": blas_info(), "device": device_name(dev)}))


def device_name(dev):
    return torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu"


def bench_finetune(a):
    """The Trainer's defaults: random batches, dynamic padding to the batch's longest row."""
    import csv
    import random

    import os
    import sys

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
    import bert_wordpiece_reference as wp  # plain-Python BERT WordPiece (no transformers here)

    torch.manual_seed(a.seed)
    t0 = time.perf_counter()
    vocab = wp.load(a.vocab)
    cls, sep = vocab["[CLS]"], vocab["[SEP]"]
    read = lambda f: [r for r in csv.DictReader(open(f, encoding="utf-8")) if r["review"].strip()]
    rows = read(a.finetune)
    n_train = len(rows)
    if a.eval_file:
        rows += read(a.eval_file)
    enc = [[cls] + wp.ids(r["review"], vocab)[: a.seq - 2] + [sep] for r in rows]
    labels = [int(r["label"]) for r in rows]
    t_tok = time.perf_counter() - t0
    if a.eval_file:  # the caller's split (the same rows Finetune trains and evaluates on)
        train_idx, eval_idx = list(range(n_train)), list(range(n_train, len(rows)))
    else:
        idx = list(range(len(rows)))
        random.Random(42).shuffle(idx)
        n_eval = len(idx) // 10
        eval_idx, train_idx = idx[:n_eval], idx[n_eval:]
    if a.max_train_samples:
        train_idx = train_idx[: a.max_train_samples]
    layers, h, heads, inter = PRESETS["bert-mini"]
    model = Bert(len(vocab), layers, h, heads, inter)
    opt = optimizer(model, a.lr)
    total = math.ceil(len(train_idx) / a.batch) * a.epochs
    warm = math.ceil(total * 0.1)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: s / max(1, warm) if s < warm else max(0.0, (total - s) / max(1, total - warm)))

    def batch(ix):
        longest = max(len(enc[i]) for i in ix)
        ids = torch.zeros(len(ix), longest, dtype=torch.long)
        mask = torch.zeros(len(ix), longest, dtype=torch.long)
        for b, i in enumerate(ix):
            ids[b, : len(enc[i])] = torch.tensor(enc[i])
            mask[b, : len(enc[i])] = 1
        return ids, mask, torch.zeros_like(ids), torch.tensor([labels[i] for i in ix])

    t1 = time.perf_counter()
    model.train()
    g = torch.Generator().manual_seed(a.seed)
    for _ in range(a.epochs):
        order = torch.randperm(len(train_idx), generator=g).tolist()
        for s in range(0, len(order), a.batch):
            step(model, opt, *batch([train_idx[i] for i in order[s : s + a.batch]]))
            sched.step()
    t_train = time.perf_counter() - t1
    model.eval()
    correct = tp = fp = fn = 0
    with torch.no_grad():
        for s in range(0, len(eval_idx), 128):
            ix = eval_idx[s : s + 128]
            ids, mask, types, y = batch(ix)
            pred = model(ids, mask, types).argmax(-1)
            correct += int((pred == y).sum())
            tp += int(((pred == 1) & (y == 1)).sum())
            fp += int(((pred == 1) & (y == 0)).sum())
            fn += int(((pred == 0) & (y == 1)).sum())
    print(json.dumps({
        "tokenize_s": t_tok, "train_s": t_train, "samples_per_s": len(train_idx) * a.epochs / t_train,
        "eval_accuracy": correct / len(eval_idx), "eval_f1": 2 * tp / max(1, 2 * tp + fp + fn), "rss_mb": rss_mb(),
        "train_rows": len(train_idx), "eval_rows": len(eval_idx),
    }))


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--preset", default="bert-tiny", choices=[*PRESETS, *MODERNBERT_PRESETS, *DEBERTA_PRESETS])
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--seq", type=int, default=128)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=2, help="untimed steps before the timed ones")
    p.add_argument("--device", default="cpu", help="cpu, or cuda where torch has it (not Debian's python3-torch)")
    p.add_argument("--amp", action="store_true", help="fp16 mixed precision: torch.autocast + GradScaler, as Trainer(fp16=True)")
    p.add_argument("--mark", action="store_true", help="print FIRST_STEP_DONE when the first step is done (whole-process timing)")
    p.add_argument("--finetune")
    p.add_argument("--vocab")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--max_train_samples", type=int, default=0)
    p.add_argument("--eval_file", help="evaluate on this CSV (and train on all of --finetune)")
    p.add_argument("--seed", type=int, default=42)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    if a.finetune:
        bench_finetune(a)
    else:
        bench_step(a)
