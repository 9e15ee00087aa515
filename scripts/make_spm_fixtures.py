#!/usr/bin/env python3
"""Reference ids for test/unit/core/tokenizer/sentencepiece.test.ts, computed with the SentencePiece
library (Debian's python3-sentencepiece), not with the TypeScript code under test.

What it writes (see test/fixtures/tokenizers/README.md):
  deberta-v3/reference.json      the real microsoft/deberta-v3-small spm.model (copied there by hand)
  spm-tiny/spm.model             a small Unigram model trained here, DeBERTa's special-piece layout,
                                 byte_fallback on;   + tokenizer_config.json, added_tokens.json, reference.json
  xlmr-tiny/sentencepiece.bpe.model
                                 a small Unigram model trained here, XLM-R's layout (<unk> <s> </s>);
                                 + tokenizer_config.json, reference.json

Each reference case: text (and pair), the SLOW tokenizer's input_ids and token_type_ids, and, where
transformers' fast tokenizer (what the TypeScript code reproduces) legitimately differs, fast_input_ids
with a `why`. The slow results are what transformers 4.x computes, written out here from its source:
  - DebertaV2Tokenizer: split the text on the added/special tokens ([PAD] [CLS] [SEP] [UNK] [MASK]),
    lowercase the other parts when do_lower_case (str.lower), split them at punctuation when
    split_by_punct (SPMTokenizer._run_split_on_punc), sp.encode each part; [CLS] A [SEP] (B [SEP]),
    token types 0 then 1;
  - XLMRobertaTokenizer: sp.encode, every id + 1 (fairseq offset) except SentencePiece's <unk> (0) -> 3;
    <s> A </s> (</s> B </s>), all token types 0.
The fast ids come from a plain-Python model of the fast pipeline (FastPipeline): added tokens split
off (a normalized one, DeBERTa-v3's [UNK], after normalizing), SentencePiece's own normalizer
standing in for Precompiled + Strip + Replace, Lowercase char by char, Punctuation (isolated) and
Metaspace splits, and a Unigram Viterbi written from Rust's (every vocabulary entry matches, unknown =
min score - 10, ties keep the first, unknown runs fused, no byte fallback). Every difference from the
slow ids must have a known reason (fast_difference), or the script fails. For the few texts where
Rust's normalizer differs from SentencePiece's (DEBERTA_FAST_WORDS) the fast words are written by
hand, with the reason.

Usage (from the repository root): /usr/bin/python3 scripts/make_spm_fixtures.py
"""
import io
import json
import os
import unicodedata

import numpy
import sentencepiece as spm

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'tokenizers')

# ---------------------------------------------------------------------------------------------
# Texts
# ---------------------------------------------------------------------------------------------
BASE = [
    # English, punctuation, digits
    "The quick brown fox jumps over the lazy dog.",
    "Don't stop believing! It's 3:45 p.m. on 2024-01-15; temp = 21.5°C.",
    "E-mail me at john.doe@example.com or visit https://example.org/path?q=1&r=2",
    "Prices: $1,299.99 (was $1,499.00) — save 13%!",
    "Q: What's 2+2? A: 4!!!",
    "...ellipsis... and -- dashes -- and (parentheses) [brackets] {braces}",
    "“Smart quotes” and ‘single’ ones, «guillemets» too",
    "ALL CAPS SHOUTING and MiXeD CaSe WoRdS",
    "snake_case_identifier and camelCaseIdentifier",
    "C++ & C# are languages; so is F#.",
    "I can't believe it's not butter!",
    "The year 1999 had 365 days, 52 weeks and 1 day.",
    "Phone: +1 (555) 123-4567 ext. 89",
    "A sentence with a very longwordthatgoesonandonwithoutanybreaksatall in it.",
    # emoji
    "Hello 👋 world 🌍! 😀😂🤖",
    "I ❤️ NY",
    "emoji🙂without spaces🙃",
    "🧑‍💻 developer and 👨‍👩‍👧‍👦 family, 🇫🇷 flag",
    # accents, compatibility forms
    "naïve café résumé coöperate façade",
    "e\u0301 (combining) vs é (precomposed)",
    "ﬁve ﬂowers and ﬀ ligatures",
    "①②③ ＡＢＣ １２３ ｶﾀｶﾅ",
    "x² + y² = z², ½ cup of ¼ inch",
    "Ångström Œuvre æsthetic",
    # German, French, Spanish, Portuguese, Polish, Czech, Turkish, Vietnamese
    "Größenordnung über Straße",
    "Die Bundesrepublik Deutschland ist ein föderaler Staat.",
    "Ärger, Öl, Übung — ÄÖÜ äöü ß ẞ",
    "L'hôtel était à côté de la forêt.",
    "¿Dónde está la biblioteca? ¡Aquí!",
    "Não há coração sem razão.",
    "Zażółć gęślą jaźń",
    "Příliš žluťoučký kůň úpěl ďábelské ódy",
    "İstanbul'da ılık bir gün",
    "Tiếng Việt có dấu rất đẹp",
    # Cyrillic, Greek
    "Привет, мир! Как дела?",
    "Съешь же ещё этих мягких французских булок, да выпей чаю.",
    "Ґанок і їжак",
    "Καλημέρα κόσμε",
    # CJK
    "我爱北京天安门。",
    "今天天气很好，我们去公园散步吧！",
    "繁體中文測試：臺灣",
    "𠀀𠀁 rare ideographs",
    "日本語のテキストです。",
    "東京タワーに行きました！",
    "ひらがなとカタカナ",
    "안녕하세요, 세계!",
    # Arabic, Hebrew, Hindi, Thai
    "مرحبا بالعالم",
    "اللغة العربية جميلة.",
    "שלום עולם",
    "नमस्ते दुनिया",
    "สวัสดีชาวโลก",
    # code
    "def f(x):\n    return x ** 2  # square",
    "for (int i = 0; i < n; ++i) { sum += a[i]; }",
    "const re = /^\\s+|\\s+$/g;",
    "SELECT * FROM users WHERE id = 42;",
    '<div class="a">&amp;</div>',
    '{"key": [1, 2, 3], "ok": true}',
    "path/to/file.txt C:\\Windows\\System32",
    # whitespace
    "multiple   spaces   here",
    "tabs\tand\nnewlines\r\nmixed",
    "  leading spaces",
    "trailing spaces   ",
    "   both   ",
    "",
    " ",
    "\t\n",
    "a\u00a0b (no-break space)",
    "a\u2009b (thin space)",
    "\u3000full-width space\u3000",
    "line1\u2028line2",
    "\u000bvertical\u000ctab",
    "x\u0085y",
    # special tokens in the text
    "[MASK]",
    "The capital of France is [MASK].",
    "[CLS] already [SEP]",
    "a [PAD] b",
    # rare characters (byte fallback in the slow tokenizer)
    "𓀀 hieroglyph",
    "a 𓀀𓀁 b",
    "\u0000null char",
    "control\u0007bell",
]

# Where the fast tokenizer differs from the slow one for a reason other than byte fallback:
# text -> (the words Rust's normalizer + pre-tokenizer give for the text, why). Only for the
# DeBERTa-v3 model; checked against the TypeScript code by the test.
DEBERTA_FAST_WORDS = {
    "ﾊﾟﾋﾟﾌﾟ": (
        ["▁パピプ"],
        "Rust's Precompiled looks up whole grapheme clusters of < 6 UTF-8 bytes, else each character; "
        "ﾊﾟ is one 6-byte cluster, so ﾊ and ﾟ map alone (to ハ and U+309A); SentencePiece maps the pair to パ",
    ),
    "™\u0301": (
        ["▁TM"],
        "the cluster ™ + U+0301 (5 bytes) is replaced whole by the map of its shortest mapped prefix ™ (TM), "
        "dropping the accent; SentencePiece keeps it",
    ),
    "zero\u200bwidth\u200b": (
        ["▁zero", "▁width", "▁"],
        "Strip runs before Precompiled, which turns U+200B into a space; the trailing one stays (a lone ▁), "
        "SentencePiece strips spaces after normalizing",
    ),
    "<0x41> literal": (
        ["▁<0x41>", "▁literal"],
        "Rust's Unigram matches every vocabulary entry, byte pieces too; SentencePiece never matches "
        "BYTE pieces against text",
    ),
    "▁ literal metaspace ▁▁": (
        ["▁literal", "▁metaspace", "▁"],
        "the charsmap turns U+2581 into a space after Strip has run, so the trailing ones stay (one ▁ once "
        "runs of spaces are collapsed); SentencePiece strips spaces after normalizing",
    ),
}
SPECIALS_IN_WORDS = {"[UNK]": 3}

PAIRS = [
    ("The quick brown fox.", "It jumps over the lazy dog!"),
    ("Is this a question?", "Yes, it is."),
    ("我爱北京天安门。", "Я люблю Москву."),
    ("  spaces around  ", "\ttabs\t"),
    ("", "empty first"),
    ("empty second", ""),
    ("Größe", "größe"),
    ("def f(x): return x", "f(2) == 2"),
    ("Hello 👋", "𓀀 rare"),
    ("The capital of France is [MASK].", "Paris"),
]


def variants(texts):
    """More cases from the base texts: surrounding whitespace, doubled spaces, upper case."""
    out = list(texts)
    for i, t in enumerate(texts):
        if not t.strip():
            continue
        if i % 3 == 0:
            out.append("  " + t + "  ")
        if i % 3 == 1:
            out.append(t.replace(" ", "  "))
        if i % 4 == 2:
            out.append(t.upper())
        if i % 5 == 3:
            out.append("\t" + t + "\n")
    return out


# ---------------------------------------------------------------------------------------------
# Slow tokenizers (transformers 4.x, written out from its source)
# ---------------------------------------------------------------------------------------------
def is_punctuation(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def run_split_on_punc(text):
    """SPMTokenizer._run_split_on_punc."""
    output, start_new_word = [], True
    for ch in text:
        if is_punctuation(ch):
            output.append([ch])
            start_new_word = True
        else:
            if start_new_word:
                output.append([])
            start_new_word = False
            output[-1].append(ch)
    return ["".join(x) for x in output]


def split_on_tokens(text, tokens):
    """The added-token split of PreTrainedTokenizer.tokenize (longest match first; no strip flags here)."""
    parts, i, start = [], 0, 0
    ordered = sorted(tokens, key=len, reverse=True)
    while i < len(text):
        hit = next((t for t in ordered if text.startswith(t, i)), None)
        if hit is None:
            i += 1
            continue
        if start < i:
            parts.append(text[start:i])
        parts.append(hit)
        i += len(hit)
        start = i
    if start < len(text):
        parts.append(text[start:])
    return parts


class SlowDeberta:
    def __init__(self, sp, added, do_lower_case=False, split_by_punct=False):
        self.sp, self.added = sp, added  # added: token -> id ([PAD] [CLS] [SEP] [UNK] [MASK])
        self.do_lower_case, self.split_by_punct = do_lower_case, split_by_punct

    def ids(self, text):
        out = []
        for part in split_on_tokens(text, list(self.added)):
            if part in self.added:
                out.append(self.added[part])
                continue
            if self.do_lower_case:
                part = part.lower()
            words = run_split_on_punc(part) if self.split_by_punct else [part]
            for w in words:
                out += self.sp.encode(w)
        return out

    def encode(self, a, b=None):
        cls, sep = self.added["[CLS]"], self.added["[SEP]"]
        ids_a = [cls] + self.ids(a) + [sep]
        if b is None:
            return ids_a, [0] * len(ids_a)
        ids_b = self.ids(b) + [sep]
        return ids_a + ids_b, [0] * len(ids_a) + [1] * len(ids_b)


class SlowXlmr:
    def __init__(self, sp):
        self.sp = sp
        self.mask = sp.get_piece_size() + 1

    def ids(self, text):
        out = []
        for part in split_on_tokens(text, ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]):
            fixed = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3, "<mask>": self.mask}
            if part in fixed:
                out.append(fixed[part])
                continue
            out += [i + 1 if i != 0 else 3 for i in self.sp.encode(part)]
        return out

    def encode(self, a, b=None):
        ids = [0] + self.ids(a) + [2]
        if b is not None:
            ids += [2] + self.ids(b) + [2]
        return ids, [0] * len(ids)


# ---------------------------------------------------------------------------------------------
# The fast tokenizer (Rust tokenizers running the converted tokenizer.json), in plain Python
# ---------------------------------------------------------------------------------------------
class Viterbi:
    """Rust tokenizers' Unigram (encode_optimized + fuse_unk) over a SentencePiece vocabulary: every
    entry can match (control and byte pieces too), a character no one-character entry covers is
    unknown (min score - 10), ties keep the first candidate, unknown runs are fused. Scores are
    summed in float64 as Rust does. With float32=True the arithmetic is SentencePiece's optimized
    Viterbi's (used to confirm that a difference is a tie broken by rounding): each candidate is a
    double (piece score + the float best score so far; its score is a double there because of the
    user-defined-symbol branch), compared with the float stored for the position, and stored as a float."""

    def __init__(self, sp, unk_id, float32=False):
        self.pieces = {}
        for i in range(sp.get_piece_size()):
            self.pieces[sp.id_to_piece(i)] = (i, sp.get_score(i))
        self.maxlen = max(len(p) for p in self.pieces)
        self.unk_id = unk_id
        self.unk_score = min(s for _, s in self.pieces.values()) - 10.0
        self.store = numpy.float32 if float32 else float

    def ids(self, word):
        n, store = len(word), self.store
        best = [None] * (n + 1)  # (score, start, id)
        best[0] = (store(0.0), None, None)
        for start in range(n):
            base = best[start][0]
            single = False
            for end in range(start + 1, min(n, start + self.maxlen) + 1):
                hit = self.pieces.get(word[start:end])
                if hit is None:
                    continue
                cand = float(base) + float(numpy.float32(hit[1]))
                if best[end] is None or cand > float(best[end][0]):
                    best[end] = (store(cand), start, hit[0])
                single = single or end == start + 1
            if not single:
                cand = float(base) + float(store(self.unk_score))
                if best[start + 1] is None or cand > float(best[start + 1][0]):
                    best[start + 1] = (store(cand), start, self.unk_id)
        out, end, run = [], n, False
        while end > 0:
            _, start, pid = best[end]
            if pid == self.unk_id:
                if not run:
                    out.append(self.unk_id)
                run = True
            else:
                out.append(pid)
                run = False
            end = start
        return out[::-1]


def metaspace(text):
    """Metaspace(replacement ▁, prepend_scheme always, split true): ▁ for spaces, one in front, split
    before each ▁ (merged with the text after it; a ▁ followed by another stands alone)."""
    s = text.replace(" ", "▁")
    if s and not s.startswith("▁"):
        s = "▁" + s
    words, i = [], 0
    while i < len(s):
        j = i + 1 if s[i] == "▁" else i
        if s[i] == "▁" and (j == len(s) or s[j] == "▁"):
            words.append("▁")
            i = j
            continue
        while j < len(s) and s[j] != "▁":
            j += 1
        words.append(s[i:j])
        i = j
    return words


def punctuation_isolated(text):
    """Punctuation(behavior isolated): each punctuation character is a piece of its own."""
    out = []
    for ch in text:
        if is_punctuation(ch) or not out or is_punctuation(out[-1][-1]):
            out.append(ch)
        else:
            out[-1] += ch
    return out


class FastPipeline:
    """The fast tokenizer's encode, with SentencePiece's own normalizer (nmt_nfkc + whitespace
    removal) standing in for Precompiled + Strip + Replace: they agree except on the texts listed in
    DEBERTA_FAST_WORDS. Added tokens are split off first (`raw`: matched in the raw text; `normalized`:
    in the normalized text), lowercasing is char by char (Rust's Lowercase)."""

    def __init__(self, sp, viterbi, raw, normalized=(), lowercase=False, punct=False, id_map=lambda i: i):
        self.sp, self.viterbi, self.raw, self.normalized_tokens = sp, viterbi, raw, dict(normalized)
        self.lowercase, self.punct, self.id_map = lowercase, punct, id_map

    def normalize(self, text):
        if self.lowercase:
            text = "".join(c.lower() for c in text)
        out, pending = "", bytearray()
        for piece, i in zip(self.sp.encode(text, out_type=str), self.sp.encode(text)):
            if self.sp.is_byte(i):
                pending.append(int(piece[3:5], 16))
                continue
            out += pending.decode("utf-8") + piece
            pending = bytearray()
        out += pending.decode("utf-8")
        return out.replace("▁", " ").lstrip(" ")

    def words(self, text):
        pieces = punctuation_isolated(text) if self.punct else [text]
        return [w for p in pieces for w in metaspace(p)]

    def ids(self, text):
        out = []
        for part in split_on_tokens(text, list(self.raw)):
            if part in self.raw:
                out.append(self.raw[part])
                continue
            for sub in split_on_tokens(self.normalize(part), list(self.normalized_tokens)):
                if sub in self.normalized_tokens:
                    out.append(self.normalized_tokens[sub])
                else:
                    out += [self.id_map(i) for w in self.words(sub) for i in self.viterbi.ids(w)]
        return out


def fast_difference(case, fast, slow_f32, byte_ids, punct):
    """Why the fast ids differ from the slow ones (raises when no known reason explains it)."""
    slow, text = case["input_ids"], case["text"] + " " + case.get("pair", "")
    reasons = []
    if punct and any(is_punctuation(c) for c in text):
        reasons.append("split_by_punct: the fast tokenizer splits punctuation off after normalizing the whole text, so a "
                       "space before a punctuation mark stays with the word before it and becomes a lone ▁ (and a mark "
                       "after a space gets no ▁ of its own); the slow one encodes each piece alone, which strips it")
    if "[UNK]" in text:
        reasons.append("[UNK] is a normalized added token (tokenizer_config), matched in the normalized text: the space "
                       "before it stays with the text before it and becomes a lone ▁; the slow tokenizer splits it off the raw text")
    if any(i in byte_ids for i in slow):
        reasons.append("BYTE: byte fallback in the slow tokenizer; the converted Unigram has none, so one [UNK] per unknown stretch")
    if not reasons and slow_f32 == slow:
        reasons.append("TIE: two segmentations score the same; Rust keeps the first in float64, SentencePiece stores the "
                       "best scores as float32 and compares in double, so rounding lets the later one win")
    if not reasons:
        raise AssertionError(("unexplained difference", case, fast))
    return " + ".join(reasons)


# ---------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------
def write_json(path, value):
    """Indented JSON, except that each reference case is one line (small enough to diff, easy to read)."""
    def dump(v, indent):
        pad = " " * indent
        if isinstance(v, dict) and v:
            items = [pad + " " + json.dumps(k) + ": " + dump(x, indent + 1).lstrip() for k, x in v.items()]
            return pad + "{\n" + ",\n".join(items) + "\n" + pad + "}"
        if isinstance(v, list) and v and isinstance(v[0], dict):
            return pad + "[\n" + ",\n".join(pad + " " + json.dumps(c, ensure_ascii=False) for c in v) + "\n" + pad + "]"
        return pad + json.dumps(v, ensure_ascii=False)

    with open(path, "w", encoding="utf-8") as f:
        f.write(dump(value, 0) + "\n")


def cases_for(slow, fast, slow_f32, texts, pairs, kind, overrides=None, punct=False, byte_ids=()):
    """Slow ids for each text (and pair); the fast tokenizer's ids where they differ, with the reason."""
    cls, sep, pair_type = (1, 2, 1) if kind == "deberta-v2" else (0, 2, 0)

    def build(enc, a, b):
        ids = [cls] + enc(a) + [sep]
        if b is not None:
            ids += ([sep] if kind == "xlm-roberta" else []) + enc(b) + [sep]
        return ids

    cases = []
    for a, b in [(t, None) for t in texts] + list(pairs):
        ids, types = slow.encode(a, b)
        case = {"text": a}
        if b is not None:
            case["pair"] = b
        case["input_ids"], case["token_type_ids"] = ids, types
        if overrides and b is None and a in overrides:
            words, why = overrides[a]
            body = [i for w in words for i in ([SPECIALS_IN_WORDS[w]] if w in SPECIALS_IN_WORDS else fast.viterbi.ids(w))]
            fast_ids = [cls] + body + [sep]
        else:
            fast_ids = build(fast.ids, a, b)
            why = None if fast_ids == ids else fast_difference(case, fast_ids, build(slow_f32.ids, a, b), byte_ids, punct)
        if fast_ids != ids:
            case["fast_input_ids"], case["why"] = fast_ids, why
        cases.append(case)
    return cases


def deberta_reference():
    d = os.path.join(ROOT, "deberta-v3")
    sp = spm.SentencePieceProcessor(model_file=os.path.join(d, "spm.model"))
    added = {"[PAD]": 0, "[CLS]": 1, "[SEP]": 2, "[UNK]": 3, "[MASK]": 128000}
    raw = {t: i for t, i in added.items() if t != "[UNK]"}  # [UNK] is a normalized added token
    slow = SlowDeberta(sp, added)
    fast = FastPipeline(sp, Viterbi(sp, 3), raw, {"[UNK]": 3})
    slow_f32 = FastPipeline(sp, Viterbi(sp, 3, float32=True), raw, {"[UNK]": 3})
    byte_ids = {i for i in range(sp.get_piece_size()) if sp.is_byte(i)}
    texts = variants(BASE) + ["What is [UNK] here"] + list(DEBERTA_FAST_WORDS)
    cases = cases_for(slow, fast, slow_f32, texts, PAIRS, "deberta-v2", DEBERTA_FAST_WORDS, byte_ids=byte_ids)
    write_json(os.path.join(d, "reference.json"), {"model": "spm.model (microsoft/deberta-v3-small)", "cases": cases})
    return cases


CORPUS = [t for t in BASE if t.strip() and "𓀀" not in t] + [
    "The tokenizer splits words into pieces; frequent words stay whole.",
    "Machine learning models need a lot of data to work well.",
    "Das Wetter ist heute schön, aber morgen soll es regnen.",
    "Je pense, donc je suis. La vie est belle.",
    "El conocimiento es poder y la paciencia es una virtud.",
    "Москва — столица России, а Киев — столица Украины.",
    "人工智能正在改变世界，我们需要学习新的技能。",
    "機械学習はとても面白いです。毎日勉強しています。",
    "print('hello world'); x = [i * i for i in range(10)]",
]


def train(**kwargs):
    out = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(CORPUS * 20), model_writer=out, model_type="unigram", num_threads=1, minloglevel=2,
        hard_vocab_limit=False, **kwargs
    )
    return out.getvalue()


def tiny_deberta():
    """DeBERTa-v3's layout: [PAD]=0 [CLS]=1 [SEP]=2 [UNK]=3, byte pieces, [MASK] in added_tokens.json."""
    d = os.path.join(ROOT, "spm-tiny")
    os.makedirs(d, exist_ok=True)
    model = train(vocab_size=700, byte_fallback=True, pad_id=0, bos_id=1, eos_id=2, unk_id=3,
                  pad_piece="[PAD]", bos_piece="[CLS]", eos_piece="[SEP]", unk_piece="[UNK]", user_defined_symbols=["<sym>"])
    with open(os.path.join(d, "spm.model"), "wb") as f:
        f.write(model)
    sp = spm.SentencePieceProcessor(model_proto=model)
    mask = sp.get_piece_size()
    write_json(os.path.join(d, "added_tokens.json"), {"[MASK]": mask})
    write_json(os.path.join(d, "tokenizer_config.json"), {"do_lower_case": False, "tokenizer_class": "DebertaV2Tokenizer", "vocab_type": "spm"})
    added = {"[PAD]": 0, "[CLS]": 1, "[SEP]": 2, "[UNK]": 3, "[MASK]": mask}
    raw = {t: i for t, i in added.items() if t != "[UNK]"}
    byte_ids = {i for i in range(sp.get_piece_size()) if sp.is_byte(i)}
    texts = [t for t in variants(BASE) if "<sym>" not in t]
    result = {"model": "spm.model (trained by scripts/make_spm_fixtures.py)", "mask_id": mask}
    for name, options in (("plain", {}), ("lower", {"do_lower_case": True}), ("punct", {"split_by_punct": True})):
        slow = SlowDeberta(sp, added, **options)
        flags = {"lowercase": options.get("do_lower_case", False), "punct": options.get("split_by_punct", False)}
        fast = FastPipeline(sp, Viterbi(sp, 3), raw, {"[UNK]": 3}, **flags)
        slow_f32 = FastPipeline(sp, Viterbi(sp, 3, float32=True), raw, {"[UNK]": 3}, **flags)
        cases = cases_for(slow, fast, slow_f32, texts, PAIRS, "deberta-v2", punct=flags["punct"], byte_ids=byte_ids)
        result[name] = {"config": options, "cases": cases}
    write_json(os.path.join(d, "reference.json"), result)
    return result


def tiny_xlmr():
    """XLM-R's layout: SentencePiece <unk>=0 <s>=1 </s>=2, no pad piece, no byte fallback."""
    d = os.path.join(ROOT, "xlmr-tiny")
    os.makedirs(d, exist_ok=True)
    model = train(vocab_size=500)
    with open(os.path.join(d, "sentencepiece.bpe.model"), "wb") as f:
        f.write(model)
    sp = spm.SentencePieceProcessor(model_proto=model)
    write_json(os.path.join(d, "tokenizer_config.json"), {"model_max_length": 512, "tokenizer_class": "XLMRobertaTokenizer"})
    slow = SlowXlmr(sp)
    raw = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3, "<mask>": slow.mask}
    id_map = lambda i: 3 if i == 0 else i + 1  # noqa: E731  fairseq offset, SentencePiece's <unk> -> 3
    fast = FastPipeline(sp, Viterbi(sp, 0), raw, id_map=id_map)
    slow_f32 = FastPipeline(sp, Viterbi(sp, 0, float32=True), raw, id_map=id_map)
    cases = cases_for(slow, fast, slow_f32, variants(BASE), PAIRS, "xlm-roberta")
    write_json(os.path.join(d, "reference.json"), {"model": "sentencepiece.bpe.model (trained by scripts/make_spm_fixtures.py)", "mask_id": slow.mask, "cases": cases})
    return cases


if __name__ == "__main__":
    for name, cases in (("deberta-v3", deberta_reference()), ("xlmr-tiny", tiny_xlmr())):
        print(name, len(cases), "cases,", sum("fast_input_ids" in c for c in cases), "with fast ids")
    tiny = tiny_deberta()
    for v in ("plain", "lower", "punct"):
        print("spm-tiny", v, len(tiny[v]["cases"]), "cases,", sum("fast_input_ids" in c for c in tiny[v]["cases"]), "with fast ids")
