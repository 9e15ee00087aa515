#!/usr/bin/env python3
"""Independent reference for test/unit/core/tokenizer: the expected word-piece ids in
tokenizer.test.ts were computed with this script, not with the TypeScript code under test.

It re-implements, in plain Python (no transformers / tokenizers), what Hugging Face `tokenizers`
(Rust) does for BERT: BertNormalizer (clean text, pad CJK ideographs, strip accents = NFD minus Mn,
lowercase char by char), BertPreTokenizer (split on whitespace, isolate punctuation) and WordPiece
(greedy longest match, "##" continuation, > 100 chars -> [UNK]).

Usage: python3 scripts/bert_wordpiece_reference.py   (from the repository root)
"""
import json
import unicodedata
def load(p):
    with open(p, encoding='utf-8') as f:
        return {l.rstrip('\n'): i for i, l in enumerate(f.readlines())}
def is_cjk(cp):
    return (0x4E00<=cp<=0x9FFF or 0x3400<=cp<=0x4DBF or 0x20000<=cp<=0x2A6DF or 0x2A700<=cp<=0x2B73F or 0x2B740<=cp<=0x2B81F or 0x2B920<=cp<=0x2CEAF or 0xF900<=cp<=0xFAFF or 0x2F800<=cp<=0x2FA1F)
def norm(t, lower=True, strip=None, cjk=True):
    out=[]
    for c in t:
        if c in '\t\n\r': out.append(' '); continue
        if ord(c)==0 or ord(c)==0xFFFD or unicodedata.category(c) in ('Cc','Cf','Co'): continue
        out.append(' ' if c.isspace() else c)
    t=''.join(out)
    if cjk: t=''.join(' '+c+' ' if is_cjk(ord(c)) else c for c in t)
    if (lower if strip is None else strip):
        t=''.join(c for c in unicodedata.normalize('NFD', t) if unicodedata.category(c)!='Mn')
    if lower: t=''.join(c.lower() for c in t)
    return t
def is_punc(c):
    cp=ord(c)
    return (33<=cp<=47 or 58<=cp<=64 or 91<=cp<=96 or 123<=cp<=126) or unicodedata.category(c).startswith('P')
def pretok(t):
    words=[]; cur=''
    for c in t:
        if c.isspace():
            if cur: words.append(cur); cur=''
        elif is_punc(c):
            if cur: words.append(cur); cur=''
            words.append(c)
        else: cur+=c
    if cur: words.append(cur)
    return words
def wp(word, vocab):
    if len(word)>100: return ['[UNK]']
    out=[]; s=0
    while s<len(word):
        e=len(word); cur=None
        while s<e:
            sub=word[s:e]
            if s>0: sub='##'+sub
            if sub in vocab: cur=sub; break
            e-=1
        if cur is None: return ['[UNK]']
        out.append(cur); s=e
    return out
def ids(text, vocab, **kw):
    return [vocab[t] for w in pretok(norm(text, **kw)) for t in wp(w, vocab)]
if __name__=='__main__':
    u=load('test/fixtures/tokenizers/bert-base-uncased/vocab.txt')
    c=load('test/fixtures/tokenizers/bert-base-chinese/vocab.txt')
    for s in ["Hello, world!", "Café naïve", "ÉCOLE Über", "I can't believe it's not butter.", "unaffable tokenization embeddings",
              "Wait... what?!", "ΟΔΟΣ", "𠀀a𠀀", "smile 😀 please", "tab\there\u00a0nbsp\u200bzw\x07bell",
              "a"*100, "a"*101, "(12.5%) [test] {x} <y> @home #tag $5 ~z", "中文测试"]:
        print(json.dumps(s, ensure_ascii=False), ids(s, u))
    for s in ["很快，好吃，味道足，量大", "我爱北京天安门", "好吃😂", "Café good", "𠀀好"]:
        print('zh', json.dumps(s, ensure_ascii=False), ids(s, c), ids(s, c, lower=False))
