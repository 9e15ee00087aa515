import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { TokenizerError } from '../../../../src/core/tokenizer/errors.js';
import { Tokenizer, type EncodeOptions } from '../../../../src/core/tokenizer/tokenizer.js';
import { CHINESE_DIR, plain, readFixture, UNCASED_DIR } from './fixtures.js';

// The real bert-base-uncased tokenizer (tokenizer.json + tokenizer_config.json from the Hub) and
// the one converted from its vocab.txt alone; bert-base-chinese has only vocab.txt + config.json.
const real = await Tokenizer.fromFolder(UNCASED_DIR);
const converted = await Tokenizer.fromVocab(readFixture('bert-base-uncased/vocab.txt'), { do_lower_case: true, model_max_length: 512 });
const chinese = await Tokenizer.fromFolder(CHINESE_DIR);
const chineseCased = await Tokenizer.fromVocab(readFixture('bert-base-chinese/vocab.txt'), { do_lower_case: false });

const CLS = 101;
const SEP = 102;
const UNK = 100;

// Expected word-piece ids worked out independently of this code, from the vocab files (id = line
// number - 1: `grep -nxF hello vocab.txt` prints line 7593, so hello = 7592) with a separate
// Python re-implementation of HF tokenizers' BertNormalizer + BertPreTokenizer + WordPiece
// (scripts/bert_wordpiece_reference.py).
const ENGLISH: { name: string; text: string; ids: number[] }[] = [
  { name: 'punctuation split', text: 'Hello, world!', ids: [7592, 1010, 2088, 999] },
  { name: 'accents stripped (uncased)', text: 'Café naïve', ids: [7668, 15743] },
  { name: 'uppercase accents', text: 'ÉCOLE Über', ids: [12431, 19169] },
  { name: 'apostrophes', text: "I can't believe it's not butter.", ids: [1045, 2064, 1005, 1056, 2903, 2009, 1005, 1055, 2025, 12136, 1012] },
  {
    name: 'word pieces',
    text: 'unaffable tokenization embeddings',
    ids: [14477, 20961, 3468, 19204, 3989, 7861, 8270, 4667, 2015],
  },
  { name: 'repeated punctuation', text: 'Wait... what?!', ids: [3524, 1012, 1012, 1012, 2054, 1029, 999] },
  {
    name: 'ASCII symbols are punctuation',
    text: '(12.5%) [test] {x} <y> @home #tag $5 ~z',
    ids: [1006, 2260, 1012, 1019, 1003, 1007, 1031, 3231, 1033, 1063, 1060, 1065, 1026, 1061, 1028, 1030, 2188, 1001, 6415, 1002, 1019, 1066, 1062],
  },
  { name: 'emoji -> [UNK]', text: 'smile 😀 please', ids: [2868, UNK, 3531] },
  {
    name: 'control chars dropped, tab/NBSP are spaces, zero-width space dropped',
    text: 'tab\there\u00a0nbsp\u200bzw\u0007bell',
    ids: [21628, 2182, 1050, 5910, 2361, 2480, 2860, 17327],
  },
  { name: 'Greek final sigma as Rust lowercases it (char by char)', text: 'ΟΔΟΣ', ids: [1169, 29722, 29730, 29733] },
  { name: 'CJK in uncased vocab', text: '中文测试', ids: [1746, 1861, UNK, UNK] },
  { name: 'astral CJK ideograph split off like BMP ones', text: '𠀀a𠀀', ids: [UNK, 1037, UNK] },
  { name: '101-char word -> [UNK]', text: 'a'.repeat(101), ids: [UNK] },
  { name: '100-char word is still split', text: 'a'.repeat(100), ids: [13360, ...new Array<number>(48).fill(11057), 2050] },
  { name: 'empty text', text: '', ids: [] },
  { name: 'only whitespace', text: ' \t\n ', ids: [] },
  { name: 'special tokens in the text are matched (case-sensitive)', text: 'a [SEP] b [MASK]', ids: [1037, SEP, 1038, 103] },
];

const CHINESE: { name: string; text: string; ids: number[]; casedIds?: number[] }[] = [
  { name: 'review with full-width commas', text: '很快，好吃，味道足，量大', ids: [2523, 2571, 8024, 1962, 1391, 8024, 1456, 6887, 6639, 8024, 7030, 1920] },
  { name: 'sentence', text: '我爱北京天安门', ids: [2769, 4263, 1266, 776, 1921, 2128, 7305] },
  { name: 'emoji in the vocab', text: '好吃😂', ids: [1962, 1391, 8104] },
  { name: 'Latin with accent (lowercase strips it; cased keeps it -> [UNK])', text: 'Café good', ids: [8377, 9005], casedIds: [UNK, 9005] },
  { name: 'astral ideograph', text: '𠀀好', ids: [UNK, 1962] },
];

describe('encode: expected ids', () => {
  for (const c of ENGLISH) {
    test(`bert-base-uncased: ${c.name}`, () => {
      assert.deepEqual(real.textToIds(c.text), c.ids);
      const enc = real.encode(c.text);
      assert.deepEqual(enc.inputIds, [CLS, ...c.ids, SEP]);
      assert.deepEqual(enc.attentionMask, new Array(c.ids.length + 2).fill(1));
      assert.deepEqual(enc.tokenTypeIds, new Array(c.ids.length + 2).fill(0));
    });
  }
  for (const c of CHINESE) {
    test(`bert-base-chinese (vocab.txt only): ${c.name}`, () => {
      assert.deepEqual(chinese.encode(c.text).inputIds, [CLS, ...c.ids, SEP]);
      assert.deepEqual(chineseCased.encode(c.text).inputIds, [CLS, ...(c.casedIds ?? c.ids), SEP]);
    });
  }
});

describe('converted vocab.txt == real tokenizer.json', () => {
  const sentences = [
    ...ENGLISH.map((c) => c.text),
    ...CHINESE.map((c) => c.text),
    'The quick brown fox jumps over the lazy dog.',
    "Don't stop believin' — hold on to that feelin'!",
    'Ünïcödé façade, coöperate, jalapeño, résumé, São Paulo, Zürich, Ångström',
    'Numbers: 3.14159, 1,000,000, 2nd, 10th, 1990s, 24/7, e-mail, x86_64',
    'URL https://example.com/a?b=c&d=e#frag and user@example.org',
    'Mixed 中文 and English 混合 text、with ideographic punctuation。',
    'Русский текст, Ελληνικά, עברית, العربية, हिन्दी, 日本語のテキスト, 한국어 텍스트',
    'tabs\tand\nnewlines\r\nand   multiple    spaces',
    '😀😃😄 🎉🎉 👍🏽 ❤️ ✔︎',
    'supercalifragilisticexpialidocious pneumonoultramicroscopicsilicovolcanoconiosis',
    '[CLS] [SEP] [PAD] [UNK] [MASK] [cls] [unused0]',
  ];
  const pairs: [string, string][] = [
    ['How old are you?', "I'm 6 years old."],
    ['The cat sat on the mat.', '猫坐在垫子上。'],
  ];
  test('same ids on the same sentences', () => {
    for (const s of sentences) {
      assert.deepEqual(converted.encode(s), real.encode(s), s);
      assert.deepEqual(converted.tokenize(s), real.tokenize(s), s);
    }
    for (const [a, b] of pairs) assert.deepEqual(converted.encode(a, b), real.encode(a, b));
  });
  test('same special tokens and sizes', () => {
    for (const t of [real, converted]) {
      assert.equal(t.vocabSize, 30522);
      assert.deepEqual([t.padTokenId, t.unkTokenId, t.clsTokenId, t.sepTokenId, t.maskTokenId], [0, 100, 101, 102, 103]);
      assert.equal(t.modelMaxLength, 512);
      assert.equal(t.numSpecialTokensToAdd(false), 2);
      assert.equal(t.numSpecialTokensToAdd(true), 3);
    }
    assert.equal(chinese.vocabSize, 21128);
    assert.equal(chinese.modelMaxLength, undefined); // config.json is a model config, not a tokenizer config
  });
  test('same tokenizer.json (model.type aside)', () => {
    const json = plain(converted.toJSON());
    delete json.model.type;
    assert.deepEqual(json, plain(real.toJSON()));
  });
});

describe('pairs and token type ids', () => {
  test('[CLS] A [SEP] B [SEP] with types 0.. 1..', () => {
    const enc = real.encode('How old are you?', "I'm 6 years old.");
    // how old are you ? | i ' m 6 years old .
    assert.deepEqual(enc.inputIds, [CLS, 2129, 2214, 2024, 2017, 1029, SEP, 1045, 1005, 1049, 1020, 2086, 2214, 1012, SEP]);
    assert.deepEqual(enc.tokenTypeIds, [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual(enc.attentionMask, new Array(15).fill(1));
  });
  test('empty second text still gets its [SEP] with type 1', () => {
    const enc = real.encode('hello', '');
    assert.deepEqual(enc.inputIds, [CLS, 7592, SEP, SEP]);
    assert.deepEqual(enc.tokenTypeIds, [0, 0, 0, 1]);
  });
  test('without special tokens: A then B, B typed 1 (fast) or 0 (slow)', () => {
    assert.deepEqual(real.encode('hello', 'world', { addSpecialTokens: false }), {
      inputIds: [7592, 2088],
      attentionMask: [1, 1],
      tokenTypeIds: [0, 1],
    });
    assert.deepEqual(real.encode('hello', 'world', { addSpecialTokens: false, parity: 'slow' }).tokenTypeIds, [0, 0]);
  });
  test('chinese pair', () => {
    const enc = chinese.encode('我爱北京', '天安门');
    assert.deepEqual(enc.inputIds, [CLS, 2769, 4263, 1266, 776, SEP, 1921, 2128, 7305, SEP]);
    assert.deepEqual(enc.tokenTypeIds, [0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
  });
});

// Single-letter words are single tokens: a=1037, b=1038, ... z=1062.
const letters = (s: string) => s.split(' ').map((ch) => 1037 + ch.charCodeAt(0) - 97);

describe('truncation and max_length (special tokens counted)', () => {
  const A = 'a b c d e f g h i j'; // 10 tokens
  const B = 'k l m n o p'; // 6 tokens
  const cases: { name: string; pair: string | null; options: EncodeOptions; a: string; b?: string }[] = [
    { name: 'single, max_length counts [CLS]/[SEP]', pair: null, options: { maxLength: 6 }, a: 'a b c d' },
    { name: 'single, fits exactly', pair: null, options: { maxLength: 12 }, a: A },
    { name: 'single, longer max_length: untouched', pair: null, options: { maxLength: 512, truncation: true }, a: A },
    { name: 'single, left side', pair: null, options: { maxLength: 6, truncationSide: 'left' }, a: 'g h i j' },
    { name: 'single, only_first', pair: null, options: { maxLength: 5, truncation: 'only_first' }, a: 'a b c' },
    { name: 'pair, longest_first, only the longer cut', pair: B, options: { maxLength: 15 }, a: 'a b c d e f', b: B },
    { name: 'pair, longest_first, both cut, even budget', pair: B, options: { maxLength: 11 }, a: 'a b c d', b: 'k l m n' },
    // budget 7, A longer: fast gives the extra token to the longer one (A).
    { name: 'pair, longest_first, odd budget (fast)', pair: B, options: { maxLength: 10 }, a: 'a b c d', b: 'k l m' },
    { name: 'pair, longest_first, left side', pair: B, options: { maxLength: 11, truncationSide: 'left' }, a: 'g h i j', b: 'm n o p' },
    { name: 'pair, only_first', pair: B, options: { maxLength: 12, truncation: 'only_first' }, a: 'a b c', b: B },
    { name: 'pair, only_second', pair: B, options: { maxLength: 15, truncation: 'only_second' }, a: A, b: 'k l' },
    { name: 'pair, no truncation', pair: B, options: { maxLength: 5, truncation: false }, a: A, b: B },
    { name: 'pair, do_not_truncate', pair: B, options: { maxLength: 5, truncation: 'do_not_truncate' }, a: A, b: B },
    { name: 'max_length without special tokens', pair: B, options: { maxLength: 8, addSpecialTokens: false }, a: 'a b c d', b: 'k l m n' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const enc = real.encode(A, c.pair, c.options);
      const special = c.options.addSpecialTokens !== false;
      const a = letters(c.a);
      const b = c.b === undefined ? null : letters(c.b);
      const expected = special ? (b ? [CLS, ...a, SEP, ...b, SEP] : [CLS, ...a, SEP]) : [...a, ...(b ?? [])];
      assert.deepEqual(enc.inputIds, expected);
      const types = special
        ? b
          ? [...new Array(a.length + 2).fill(0), ...new Array(b.length + 1).fill(1)]
          : new Array(a.length + 2).fill(0)
        : [...new Array(a.length).fill(0), ...new Array(b?.length ?? 0).fill(1)];
      assert.deepEqual(enc.tokenTypeIds, types);
      if (c.options.maxLength !== undefined && c.options.truncation !== false && c.options.truncation !== 'do_not_truncate') {
        assert.ok(enc.inputIds.length <= c.options.maxLength);
      }
    });
  }

  test('fast vs slow longest_first on an odd budget where B is longer', () => {
    // A = 4 tokens, B = 10 tokens, max_length 10 -> budget 7.
    const a = 'a b c d';
    const b = 'k l m n o p q r s t';
    const fast = real.encode(a, b, { maxLength: 10 });
    const slow = real.encode(a, b, { maxLength: 10, parity: 'slow' });
    // fast (Rust tokenizers): A keeps 3, B (the longer) keeps 4. slow: B is cut one at a time
    // to 4 (tie), then B again (ties go to B) -> 3, A keeps 4.
    assert.deepEqual(fast.inputIds, [CLS, ...letters('a b c'), SEP, ...letters('k l m n'), SEP]);
    assert.deepEqual(slow.inputIds, [CLS, ...letters('a b c d'), SEP, ...letters('k l m'), SEP]);
  });

  test('truncation: true without maxLength uses model_max_length (512)', () => {
    const long = new Array(600).fill('a').join(' ');
    assert.equal(real.encode(long, null, { truncation: true }).inputIds.length, 512);
    assert.equal(real.encode(long).inputIds.length, 602); // no truncation asked for
    // no model_max_length known -> no truncation (transformers warns and does not truncate)
    assert.equal(chinese.encode(long, null, { truncation: true }).inputIds.length, 602);
  });

  test('only_first / only_second errors as HF tokenizers raises them; slow leaves the ids', () => {
    const tooShort = () => real.encode('a b', 'k l m n o p q r', { maxLength: 8, truncation: 'only_first' });
    assert.throws(tooShort, (e: unknown) => e instanceof TokenizerError && e.code === 'truncation' && /too short/.test(e.message));
    assert.throws(
      () => real.encode('a b c d e', null, { maxLength: 4, truncation: 'only_second' }),
      (e: unknown) => e instanceof TokenizerError && e.code === 'truncation' && /Second sequence not provided/.test(e.message),
    );
    assert.equal(real.encode('a b c d e', null, { maxLength: 7, truncation: 'only_second' }).inputIds.length, 7); // fits: no error
    assert.equal(real.encode('a b', 'k l m n o p q r', { maxLength: 8, truncation: 'only_first', parity: 'slow' }).inputIds.length, 13);
  });

  test('invalid max lengths', () => {
    assert.throws(
      () => real.encode('a', 'b', { maxLength: 2 }),
      (e: unknown) => e instanceof TokenizerError && e.code === 'invalid-argument' && /3 special tokens/.test(e.message),
    );
    assert.throws(() => real.encode('a', null, { maxLength: 2.5 }), /non-negative integer/);
    assert.deepEqual(real.encode('a b c', null, { maxLength: 2 }).inputIds, [CLS, SEP]);
  });

  test('prepareForModel on pre-tokenized ids equals encode', () => {
    const a = real.textToIds('The quick brown fox');
    const b = real.textToIds('jumps over the lazy dog');
    for (const maxLength of [5, 8, 13, 64]) {
      assert.deepEqual(real.prepareForModel(a, b, { maxLength }), real.encode('The quick brown fox', 'jumps over the lazy dog', { maxLength }));
    }
  });
});

describe('encodeBatch', () => {
  test('matches encode row by row, pairs optional per row', () => {
    const texts = ['Hello, world!', '我爱北京天安门', 'a b c d e f g h'];
    const pairs = [null, 'second', undefined];
    const batch = real.encodeBatch(texts, pairs, { maxLength: 8 });
    assert.deepEqual(
      batch,
      texts.map((t, i) => real.encode(t, pairs[i] ?? null, { maxLength: 8 })),
    );
    assert.deepEqual(
      real.encodeBatch(texts),
      texts.map((t) => real.encode(t)),
    );
  });
  test('length mismatch and non-string rows are clear errors', () => {
    assert.throws(() => real.encodeBatch(['a', 'b'], ['x']), /2 texts but 1 pairs/);
    assert.throws(
      () => real.encodeBatch(['a', null as unknown as string]),
      (e: unknown) => e instanceof TokenizerError && /must be a string, got null/.test(e.message),
    );
  });
  // Throughput is reported as a diagnostic only (speed is for benchmarks, not assertions).
  test('encodeBatch over thousands of mixed rows', (t) => {
    const rows = Array.from({ length: 4000 }, (_, i) =>
      i % 2 ? `Review ${i}: the food arrived quickly and tasted great, but the portion was small!` : `第${i}条评论：很快，好吃，味道足，量大，送餐员态度也很好`,
    );
    real.encodeBatch(rows.slice(0, 200), null, { maxLength: 128 }); // warm up
    const start = performance.now();
    const out = real.encodeBatch(rows, null, { maxLength: 128 });
    const seconds = (performance.now() - start) / 1000;
    const perSecond = Math.round(rows.length / seconds);
    t.diagnostic(`encodeBatch: ${perSecond} rows/s (${rows.length} rows, max_length 128)`);
    assert.equal(out.length, rows.length);
    assert.ok(out.every((e) => e.inputIds.length <= 128 && e.inputIds[0] === real.clsTokenId));
  });
});

describe('tokenize / decode / lookups', () => {
  test('tokenize gives word pieces without special tokens', () => {
    assert.deepEqual(real.tokenize('unaffable Café!'), ['una', '##ffa', '##ble', 'cafe', '!']);
    assert.deepEqual(real.tokenize('hi', 'there'), ['hi', 'there']);
  });
  test('decode joins word pieces and cleans up spaces', () => {
    const ids = real.encode("Hello, world! Isn't it unaffable?").inputIds;
    assert.equal(real.decode(ids), "[CLS] hello, world! isn't it unaffable? [SEP]");
    assert.equal(real.decode(ids, { skipSpecialTokens: true }), "hello, world! isn't it unaffable?");
    assert.equal(real.decode([]), '');
    assert.equal(chinese.decode(chinese.encode('我爱北京', '天安门').inputIds, { skipSpecialTokens: true }), '我 爱 北 京 天 安 门');
  });
  test('token <-> id', () => {
    assert.equal(real.tokenToId('hello'), 7592);
    assert.equal(real.tokenToId('no-such-token'), undefined);
    assert.equal(real.idToToken(2075), '##ing');
    assert.deepEqual(plain(real.specialTokens), {
      unk_token: { token: '[UNK]', id: 100 },
      sep_token: { token: '[SEP]', id: 102 },
      pad_token: { token: '[PAD]', id: 0 },
      cls_token: { token: '[CLS]', id: 101 },
      mask_token: { token: '[MASK]', id: 103 },
    });
  });
});

describe('saveFiles', () => {
  const tmp: string[] = [];
  after(async () => {
    for (const dir of tmp) await rm(dir, { recursive: true, force: true });
  });

  test('from tokenizer.json: files reload to the same tokenizer; vocab.txt is byte-identical', async () => {
    const files = real.saveFiles();
    assert.deepEqual(Object.keys(files).sort(), ['special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']);
    assert.equal(files['vocab.txt'], readFixture('bert-base-uncased/vocab.txt'));
    assert.deepEqual(JSON.parse(files['tokenizer.json']), JSON.parse(readFixture('bert-base-uncased/tokenizer.json')));
    // vocab written in id order even where JS would reorder integer-like keys ("0", "1997", ...)
    const vocabOrder = Object.entries(JSON.parse(files['tokenizer.json']).model.vocab as Record<string, number>);
    assert.ok(files['tokenizer.json'].indexOf('"[PAD]": 0') < files['tokenizer.json'].indexOf('"0": 1014'));
    assert.equal(vocabOrder.length, 30522);
    assert.deepEqual(JSON.parse(files['tokenizer_config.json']), {
      cls_token: '[CLS]',
      do_lower_case: true,
      mask_token: '[MASK]',
      model_max_length: 512,
      pad_token: '[PAD]',
      sep_token: '[SEP]',
      unk_token: '[UNK]',
    });
    assert.deepEqual(JSON.parse(files['special_tokens_map.json']), {
      cls_token: '[CLS]',
      mask_token: '[MASK]',
      pad_token: '[PAD]',
      sep_token: '[SEP]',
      unk_token: '[UNK]',
    });
    const dir = await mkdtemp(join(tmpdir(), 'finetune-tok-'));
    tmp.push(dir);
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    const reloaded = await Tokenizer.fromFolder(dir);
    for (const s of ENGLISH) assert.deepEqual(reloaded.encode(s.text, 'pair text'), real.encode(s.text, 'pair text'));
  });

  test('from vocab.txt: saved folder loads as tokenizer.json with the same ids', async () => {
    const files = chineseCased.saveFiles();
    assert.equal(files['vocab.txt'], readFixture('bert-base-chinese/vocab.txt'));
    const config = JSON.parse(files['tokenizer_config.json']) as Record<string, unknown>;
    assert.equal(config.do_lower_case, false);
    assert.equal(config.tokenizer_class, 'BertTokenizer');
    const dir = await mkdtemp(join(tmpdir(), 'finetune-tok-'));
    tmp.push(dir);
    await writeFile(join(dir, 'tokenizer.json'), files['tokenizer.json']);
    await writeFile(join(dir, 'tokenizer_config.json'), files['tokenizer_config.json']);
    const reloaded = await Tokenizer.fromFolder(dir);
    for (const c of CHINESE) assert.deepEqual(reloaded.encode(c.text), chineseCased.encode(c.text));
  });
});

describe('loading errors name the path', () => {
  const tmp: string[] = [];
  after(async () => {
    for (const dir of tmp) await rm(dir, { recursive: true, force: true });
  });
  async function folder(files: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'finetune-tok-'));
    tmp.push(dir);
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    return dir;
  }
  const isError = (code: string, path: (dir: string) => string, dir: () => string, re?: RegExp) => (e: unknown) =>
    e instanceof TokenizerError && e.code === code && e.path === path(dir()) && e.message.includes(path(dir())) && (!re || re.test(e.message));

  test('missing folder', async () => {
    const dir = join(tmpdir(), 'finetune-no-such-folder-xyz');
    await assert.rejects(
      Tokenizer.fromFolder(dir),
      isError(
        'missing-path',
        (d) => d,
        () => dir,
        /not found/,
      ),
    );
  });
  test('a file instead of a folder', async () => {
    const dir = await folder({ 'vocab.txt': '[PAD]\n' });
    const file = join(dir, 'vocab.txt');
    await assert.rejects(
      Tokenizer.fromFolder(file),
      isError(
        'missing-path',
        (d) => d,
        () => file,
        /Not a folder/,
      ),
    );
  });
  test('folder without tokenizer.json or vocab.txt', async () => {
    const dir = await folder({ 'config.json': '{}' });
    await assert.rejects(
      Tokenizer.fromFolder(dir),
      (e: unknown) =>
        e instanceof TokenizerError &&
        e.code === 'missing-path' &&
        e.message.includes(join(dir, 'tokenizer.json')) &&
        e.message.includes(join(dir, 'vocab.txt')),
    );
  });
  const malformed: { name: string; text: string; re: RegExp }[] = [
    { name: 'not JSON', text: '{"model": ', re: /not valid JSON/ },
    { name: 'JSON array', text: '[1, 2]', re: /must contain a JSON object/ },
    { name: 'no model', text: '{"added_tokens": []}', re: /no "model" object/ },
    { name: 'model without vocab', text: '{"model": {"type": "WordPiece"}}', re: /model\.vocab/ },
    { name: 'bad added token', text: '{"model": {"vocab": {"a": 0}}, "added_tokens": [{"id": "x"}]}', re: /added_tokens\[0\]/ },
    {
      name: 'unknown post_processor',
      text: '{"model": {"vocab": {"[UNK]": 0}, "unk_token": "[UNK]"}, "post_processor": {"type": "Magic"}}',
      re: /Magic is not supported/,
    },
    {
      name: 'normalizer type the library does not know',
      text: '{"model": {"vocab": {"[UNK]": 0}, "unk_token": "[UNK]", "continuing_subword_prefix": "##"}, "normalizer": {"type": "Nope"}}',
      re: /could not be loaded.*Nope/,
    },
  ];
  for (const c of malformed) {
    test(`malformed tokenizer.json: ${c.name}`, async () => {
      const dir = await folder({ 'tokenizer.json': c.text });
      const path = join(dir, 'tokenizer.json');
      await assert.rejects(
        Tokenizer.fromFolder(dir),
        (e: unknown) => e instanceof TokenizerError && e.path === path && e.message.includes(path) && c.re.test(e.message),
      );
    });
  }
  test('malformed tokenizer_config.json', async () => {
    const dir = await folder({ 'vocab.txt': '[PAD]\n[UNK]\n[CLS]\n[SEP]\n', 'tokenizer_config.json': '{oops' });
    await assert.rejects(
      Tokenizer.fromFolder(dir),
      isError(
        'malformed-file',
        (d) => join(d, 'tokenizer_config.json'),
        () => dir,
        /not valid JSON/,
      ),
    );
  });
  for (const token of ['[UNK]', '[CLS]', '[SEP]', '[PAD]']) {
    test(`vocab.txt without ${token}`, async () => {
      const dir = await folder({ 'vocab.txt': ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'hello'].filter((t) => t !== token).join('\n') + '\n' });
      const path = join(dir, 'vocab.txt');
      await assert.rejects(
        Tokenizer.fromFolder(dir),
        (e: unknown) => e instanceof TokenizerError && e.code === 'missing-token' && e.token === token && e.message.includes(path) && e.message.includes(token),
      );
    });
  }
  test('tokenizer.json whose config names a pad token it does not have', async () => {
    const json = readFixture('bert-base-uncased/tokenizer.json');
    const dir = await folder({ 'tokenizer.json': json, 'tokenizer_config.json': '{"pad_token": "<pad>"}' });
    const path = join(dir, 'tokenizer.json');
    await assert.rejects(
      Tokenizer.fromFolder(dir),
      (e: unknown) => e instanceof TokenizerError && e.code === 'missing-token' && e.token === '<pad>' && e.message.includes(path),
    );
  });
  test('special_tokens_map.json is read when tokenizer_config.json lacks the names', async () => {
    const dir = await folder({
      'vocab.txt': '<pad>\n[UNK]\n[CLS]\n[SEP]\nhello\n',
      'special_tokens_map.json': '{"pad_token": {"content": "<pad>", "lstrip": false}}',
    });
    const t = await Tokenizer.fromFolder(dir);
    assert.equal(t.padTokenId, 0);
    assert.deepEqual(t.encode('hello').inputIds, [2, 4, 3]);
  });
});

describe('other tokenizer.json models', () => {
  // A tiny RoBERTa-style byte-level BPE tokenizer.json: <s> A </s></s> B </s>, type ids all 0.
  const roberta = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      { id: 0, content: '<s>', single_word: false, lstrip: false, rstrip: false, normalized: true, special: true },
      { id: 1, content: '<pad>', single_word: false, lstrip: false, rstrip: false, normalized: true, special: true },
      { id: 2, content: '</s>', single_word: false, lstrip: false, rstrip: false, normalized: true, special: true },
      { id: 3, content: '<unk>', single_word: false, lstrip: false, rstrip: false, normalized: true, special: true },
      { id: 14, content: '<mask>', single_word: false, lstrip: true, rstrip: false, normalized: false, special: true },
    ],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0], trim_offsets: true, add_prefix_space: false },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab: { '<s>': 0, '<pad>': 1, '</s>': 2, '<unk>': 3, Ġhello: 4, h: 5, e: 6, l: 7, o: 8, Ġ: 9, he: 10, ll: 11, hell: 12, hello: 13, '<mask>': 14 },
      merges: ['h e', 'l l', 'he ll', 'hell o', 'Ġ hello'],
    },
  };
  test('RobertaProcessing: special tokens, types, truncation with 4 added tokens', async () => {
    const t = await Tokenizer.fromJSON(roberta, {}, { source: 'roberta/tokenizer.json' });
    assert.deepEqual([t.clsTokenId, t.padTokenId, t.sepTokenId, t.unkTokenId, t.maskTokenId, t.vocabSize], [0, 1, 2, 3, 14, 15]);
    assert.deepEqual(t.encode('hello hello').inputIds, [0, 13, 4, 2]);
    const pair = t.encode('hello', 'hello hello');
    assert.deepEqual(pair.inputIds, [0, 13, 2, 2, 13, 4, 2]);
    assert.deepEqual(pair.tokenTypeIds, [0, 0, 0, 0, 0, 0, 0]);
    // budget 7 - 4 = 3: A (3 tokens) keeps 2, B (2 tokens) keeps 1
    assert.deepEqual(t.encode('hello hello hello', 'hello hello', { maxLength: 7 }).inputIds, [0, 13, 4, 2, 2, 13, 2]);
    assert.equal(t.decode(t.encode('hello hello').inputIds, { skipSpecialTokens: true }), 'hello hello');
    assert.equal(t.saveFiles()['vocab.txt'], undefined); // no vocab.txt for BPE
  });
});
