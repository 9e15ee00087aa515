#!/usr/bin/env node
/**
 * Writes test/fixtures/tokenizers/roberta-base-bpe/reference.json: sentences and sentence pairs in
 * several scripts with the ids that Hugging Face `tokenizers` (the Rust library, through its Node
 * bindings) gives them from a REAL tokenizer.json of a RoBERTa model, and that tokenizer.json's
 * settings (everything but its vocabulary and merges). The unit tests check that the tokenizer.json
 * Finetune builds from vocab.json + merges.txt alone gives the same ids; they never need this script.
 *
 * Usage (from the repository root; the Rust bindings are not a dependency of the project):
 *   npm install --prefix /tmp/tokref tokenizers@0.23.2
 *   TOKENIZERS_MODULE=/tmp/tokref/node_modules/tokenizers \
 *     node scripts/make_roberta_bpe_reference.mjs <folder with tokenizer.json, vocab.json, merges.txt>
 *
 * The folder used is a RoBERTa model saved by transformers 4.51 (j-hartmann/emotion-english-distilroberta-base,
 * see the fixture's README). The script first checks that the tokenizer.json's vocabulary and merges
 * equal the folder's vocab.json and merges.txt, so the ids compare the conversion and nothing else.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const folder = process.argv[2];
const modulePath = process.env.TOKENIZERS_MODULE;
if (!folder || !modulePath) {
  console.error('usage: TOKENIZERS_MODULE=<path to node_modules/tokenizers> node scripts/make_roberta_bpe_reference.mjs <model folder>');
  process.exit(2);
}
const { Tokenizer } = createRequire(import.meta.url)(modulePath);
const OUT = 'test/fixtures/tokenizers/roberta-base-bpe/reference.json';

const real = JSON.parse(readFileSync(join(folder, 'tokenizer.json'), 'utf8'));
checkSameVocabulary(real, folder);

/** Hand-written sentences: English with punctuation, numbers, emoji, odd spacing; accents; CJK; RTL; code; special tokens. */
const BASE = [
  'Hello world!',
  "I can't believe it's not butter.",
  'The quick brown fox jumps over the lazy dog.',
  "It's 3:45pm on 2024-01-15; the price is $1,234.56 (or €999).",
  'Wow!!! This is AMAZING!!! 😍😍😍',
  "@user you're the best #blessed http://t.co/abc123",
  "They'll be here at 10 o'clock, won't they?",
  "I'M SO HAPPY I'LL CRY",
  'e-mail me at john.doe@example.com',
  'Temperatures ranged from -5°C to 30°C.',
  'multiple   internal    spaces',
  'tabs\tand\nnewlines\r\nhere',
  'a',
  'I',
  '😀',
  '👨‍👩‍👧‍👦 family emoji',
  'flags 🇺🇸🇫🇷 and a skin tone 👍🏽',
  'numbers 1234567890 and 3.14159 and 1e10 and 007',
  '100% sure...',
  '....?!?!',
  '"quoted" and \'single\' and “curly” and ‘curly’',
  '(parentheses) [brackets] {braces} <angles>',
  'under_score and-dash and em—dash and en–dash',
  'CamelCaseWord and snake_case_word and ALLCAPS',
  "don't DON'T Don't",
  "we've we're we'd we'll I'm you'RE",
  "rock'n'roll and the '90s",
  'naïve café résumé façade',
  'Ångström Øresund Straße',
  'Crème brûlée à la carte',
  'Zürich Köln Düsseldorf',
  'señor niño año',
  'ﬁnancial ligature',
  'combining: e\u0301 vs é',
  '① ② ③ ｆｕｌｌｗｉｄｔｈ',
  'non\u00a0breaking space',
  'zero\u200bwidth space',
  'ideographic\u3000space',
  '我爱北京天安门',
  '今天天气很好，我们去公园吧！',
  '这家外卖送得太慢了，菜都凉了。',
  '中文English混合text',
  '繁體中文測試',
  '東京は日本の首都です。',
  'カタカナとひらがな',
  '안녕하세요 세계',
  'مرحبا بالعالم',
  'اللغة العربية جميلة جدا، أليس كذلك؟',
  'שלום עולם',
  'Привет, мир!',
  'Γειά σου Κόσμε',
  'नमस्ते दुनिया',
  'สวัสดีชาวโลก',
  'Tiếng Việt có dấu',
  'İstanbul ığdır',
  'def f(x):\n    return x**2 + 1',
  'for (let i = 0; i < n; i++) { sum += a[i]; }',
  'SELECT * FROM users WHERE id = 42;',
  '<div class="main">Hello</div>',
  'console.log(`template ${x}`);',
  'if (a && b || !c) {}',
  '#include <stdio.h>',
  'x = [1, 2, 3]  # comment',
  'path/to/file.txt C:\\Windows\\System32',
  'https://www.example.com/path?query=1&b=2#frag',
  'Hello <mask> world',
  'The capital of France is<mask>.',
  '<s>already</s>',
  'a</s></s>b',
  '<pad><unk>',
  '<mask>',
  ' <mask> ',
  '<MASK> and < mask >',
  'emoji🙂inline',
  'bell\u0007 and null\u0000 chars',
  '   \n\n  ',
  'The food was cold and the delivery took two hours. Never again!',
  'Absolutely loved it, would order again 10/10',
  'meh',
  'Not bad, not great.',
  "I don't know what to say... it was fine I guess?",
  'Customer service was rude & unhelpful!!!',
  'Best. Pizza. Ever.',
  'lol wtf is this 🤣🤣',
  'The movie was long; the ending, however, was brilliant.',
  'Mr. Smith paid £30 for 2 tickets at 7:30 p.m.',
];

const LONG = [
  'The committee met on Tuesday to discuss the budget, and after three hours of debate they agreed to postpone the vote until the next session, which will be held in the main hall.',
  'Les résultats de l’étude montrent que les participants ayant dormi plus de huit heures ont obtenu de meilleurs scores aux tests de mémoire à court terme.',
  '在过去的十年里，人工智能技术取得了巨大的进步，特别是在自然语言处理和计算机视觉领域，许多应用已经进入了人们的日常生活。',
  'function debounce(fn, ms) { let t; return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); }; } // 🚀',
];

function variants() {
  const out = [];
  const seen = new Set();
  const add = (s) => {
    if (!seen.has(s)) {
      seen.add(s);
      out.push(s);
    }
  };
  for (const s of ['', ' ', '   ', '\n']) add(s);
  for (const s of [...BASE, ...LONG]) add(s);
  for (const s of BASE) {
    add(` ${s}`);
    add(`${s}  `);
  }
  for (const s of BASE.slice(0, 40)) add(s.toUpperCase());
  for (const s of BASE.slice(40, 70)) add(s.toLowerCase());
  for (let i = 0; i + 1 < BASE.length && out.length < 300; i += 3) add(`${BASE[i]}\n${BASE[i + 1]}`);
  return out;
}

function pairs(singles) {
  const list = [];
  for (let i = 0; i < 60; i++) list.push([singles[(i * 7 + 3) % singles.length], singles[(i * 13 + 5) % singles.length]]);
  list.push(['', ''], ['', 'second only'], ['first only', ''], ['  spaced  ', '  spaced  '], ['<mask>', '<mask>']);
  return list;
}

function truncations(singles) {
  const cases = [];
  const lengths = [4, 5, 8, 16, 32];
  for (let i = 0; i < LONG.length; i++) {
    for (const maxLength of lengths) cases.push({ a: LONG[i], b: null, maxLength, strategy: 'longest_first' });
    const other = LONG[(i + 1) % LONG.length];
    const short = BASE[i * 5 + 1];
    for (const maxLength of [12, 40, 80]) {
      cases.push({ a: LONG[i], b: other, maxLength, strategy: 'longest_first' });
      cases.push({ a: LONG[i], b: short, maxLength, strategy: 'only_first' });
      cases.push({ a: short, b: LONG[i], maxLength, strategy: 'only_second' });
    }
  }
  cases.push({ a: singles[10], b: LONG[0], maxLength: 12, strategy: 'longest_first' });
  // Neither sequence alone can make room: the library refuses (an error case).
  cases.push({ a: LONG[2], b: LONG[3], maxLength: 12, strategy: 'only_first' });
  cases.push({ a: LONG[2], b: LONG[3], maxLength: 12, strategy: 'only_second' });
  return cases;
}

const RUST_STRATEGY = { longest_first: 'LongestFirst', only_first: 'OnlyFirst', only_second: 'OnlySecond' };

async function ids(tok, a, b) {
  const enc = b === null ? await tok.encode(a) : await tok.encode(a, b);
  const mask = enc.getAttentionMask();
  if (mask.length !== enc.getIds().length || mask.some((m) => m !== 1)) throw new Error(`unexpected attention mask for ${JSON.stringify(a)}`);
  return enc.getIds();
}

function fresh(json) {
  const tok = Tokenizer.fromString(JSON.stringify(json));
  // transformers switches off the padding/truncation stored in a tokenizer.json unless a call asks for them.
  tok.disablePadding();
  tok.disableTruncation();
  return tok;
}

const tok = fresh(real);
const singles = variants();
const out = {
  note: 'Generated by scripts/make_roberta_bpe_reference.mjs with Hugging Face tokenizers (Rust) 0.23.2 from a real tokenizer.json; see README.md.',
  settings: withoutVocabulary(real),
  singles: [],
  pairs: [],
  truncation: [],
  addPrefixSpace: [],
};
for (const text of singles) out.singles.push({ text, ids: await ids(tok, text, null) });
for (const [a, b] of pairs(singles)) out.pairs.push({ a, b, ids: await ids(tok, a, b) });
for (const c of truncations(singles)) {
  const t = fresh(real);
  try {
    t.setTruncation(c.maxLength, { strategy: RUST_STRATEGY[c.strategy] });
    out.truncation.push({ ...c, ids: await ids(t, c.a, c.b) });
  } catch (e) {
    out.truncation.push({ ...c, error: String(e.message ?? e).slice(0, 200) });
  }
}
// add_prefix_space: true (a tokenizer_config.json setting), as RobertaTokenizerFast applies it.
const spaced = structuredClone(real);
spaced.pre_tokenizer.add_prefix_space = true;
spaced.post_processor.add_prefix_space = true;
const spacedTok = fresh(spaced);
for (const text of singles.slice(0, 40)) out.addPrefixSpace.push({ text, ids: await ids(spacedTok, text, null) });

writeFileSync(OUT, `${JSON.stringify(out, null, 0).replace(/\},\{/g, '},\n{')}\n`);
console.log(
  `${OUT}: ${out.singles.length} singles, ${out.pairs.length} pairs, ${out.truncation.length} truncation cases ` +
    `(${out.truncation.filter((c) => c.error).length} errors), ${out.addPrefixSpace.length} add_prefix_space`,
);

function withoutVocabulary(json) {
  const copy = structuredClone(json);
  delete copy.model.vocab;
  delete copy.model.merges;
  return copy;
}

function checkSameVocabulary(json, dir) {
  const vocab = JSON.parse(readFileSync(join(dir, 'vocab.json'), 'utf8'));
  const a = Object.entries(vocab).sort((x, y) => x[1] - y[1]);
  const b = Object.entries(json.model.vocab).sort((x, y) => x[1] - y[1]);
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error('tokenizer.json vocabulary differs from vocab.json');
  const lines = readFileSync(join(dir, 'merges.txt'), 'utf8').split('\n').slice(1, -1);
  const merges = json.model.merges.map((m) => (Array.isArray(m) ? m.join(' ') : m));
  if (JSON.stringify(lines) !== JSON.stringify(merges)) throw new Error('tokenizer.json merges differ from merges.txt');
}
