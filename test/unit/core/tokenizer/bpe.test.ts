import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertRobertaBpe, parseBpeVocab, parseMerges, tokenizerKind } from '../../../../src/core/tokenizer/bpe.js';
import { TokenizerError } from '../../../../src/core/tokenizer/errors.js';
import { Tokenizer } from '../../../../src/core/tokenizer/tokenizer.js';
import type { TokenizerJson } from '../../../../src/core/tokenizer/types.js';
import { FIXTURES, plain, readFixture } from './fixtures.js';

const ROBERTA_DIR = `${FIXTURES}roberta-base-bpe`;
const VOCAB = readFixture('roberta-base-bpe/vocab.json');
const MERGES = readFixture('roberta-base-bpe/merges.txt');

interface Reference {
  settings: TokenizerJson;
  singles: { text: string; ids: number[] }[];
  pairs: { a: string; b: string; ids: number[] }[];
  truncation: { a: string; b: string | null; maxLength: number; strategy: 'longest_first' | 'only_first' | 'only_second'; ids?: number[]; error?: string }[];
  addPrefixSpace: { text: string; ids: number[] }[];
}
const REF = JSON.parse(readFixture('roberta-base-bpe/reference.json')) as Reference;

// The fixture folder holds only vocab.json + merges.txt (no tokenizer.json, no config).
const roberta = await Tokenizer.fromFolder(ROBERTA_DIR);

describe('vocab.json + merges.txt give the ids of the real tokenizer.json (Rust tokenizers reference)', () => {
  test(`${REF.singles.length} sentences: input ids, attention mask, token types`, () => {
    for (const c of REF.singles) {
      const enc = roberta.encode(c.text);
      assert.deepEqual(enc.inputIds, c.ids, JSON.stringify(c.text));
      assert.deepEqual(enc.attentionMask, new Array<number>(c.ids.length).fill(1));
      assert.deepEqual(enc.tokenTypeIds, new Array<number>(c.ids.length).fill(0));
    }
  });
  test(`${REF.pairs.length} pairs: <s> A </s></s> B </s>`, () => {
    for (const c of REF.pairs) assert.deepEqual(roberta.encode(c.a, c.b).inputIds, c.ids, JSON.stringify([c.a, c.b]));
  });
  test(`${REF.truncation.length} truncation cases (max length, strategy; the ones the library refuses too)`, () => {
    for (const c of REF.truncation) {
      const run = () => roberta.encode(c.a, c.b, { maxLength: c.maxLength, truncation: c.strategy });
      if (c.error !== undefined) assert.throws(run, (e: unknown) => e instanceof TokenizerError && e.code === 'truncation', JSON.stringify(c));
      else assert.deepEqual(run().inputIds, c.ids, JSON.stringify(c));
    }
  });
  test('add_prefix_space: true from tokenizer_config.json', async () => {
    const spaced = await Tokenizer.fromBpeFiles({ vocabJson: VOCAB, merges: MERGES }, { add_prefix_space: true });
    for (const c of REF.addPrefixSpace) assert.deepEqual(spaced.encode(c.text).inputIds, c.ids, JSON.stringify(c.text));
    assert.equal(spaced.toJSON().pre_tokenizer?.add_prefix_space, true);
    assert.equal(spaced.toJSON().post_processor?.add_prefix_space, true);
  });
  test('the converted tokenizer.json equals the real one (its padding/truncation were saved from a padded call)', () => {
    const json = roberta.toJSON();
    const { vocab, merges, ...model } = json.model;
    assert.deepEqual(plain({ ...json, model, truncation: REF.settings.truncation, padding: REF.settings.padding }), REF.settings);
    assert.deepEqual(plain(vocab), JSON.parse(VOCAB));
    assert.deepEqual(
      (merges as [string, string][]).map((m) => m.join(' ')),
      MERGES.split('\n').slice(1, -1),
    );
    assert.deepEqual(
      [roberta.clsTokenId, roberta.sepTokenId, roberta.padTokenId, roberta.unkTokenId, roberta.maskTokenId, roberta.vocabSize],
      [0, 2, 1, 3, 50264, 50265],
    );
  });
});

describe('saveFiles of a converted folder: what RobertaTokenizerFast.save_pretrained writes', () => {
  const tmp: string[] = [];
  after(async () => {
    for (const dir of tmp) await rm(dir, { recursive: true, force: true });
  });
  const files = roberta.saveFiles();
  test('vocab.json and merges.txt as tokenizers saves them (byte-identical to the transformers 4.51 save)', () => {
    assert.deepEqual(Object.keys(files).sort(), ['merges.txt', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.json']);
    assert.equal(files['vocab.json'], VOCAB);
    assert.equal(files['merges.txt'], MERGES);
  });
  test('tokenizer_config.json and special_tokens_map.json', () => {
    const config = JSON.parse(files['tokenizer_config.json']) as Record<string, unknown>;
    const token = (content: string, lstrip = false) => ({ content, lstrip, normalized: false, rstrip: false, single_word: false, special: true });
    assert.deepEqual(config, {
      add_prefix_space: false,
      added_tokens_decoder: { '0': token('<s>'), '1': token('<pad>'), '2': token('</s>'), '3': token('<unk>'), '50264': token('<mask>', true) },
      bos_token: '<s>',
      clean_up_tokenization_spaces: false,
      cls_token: '<s>',
      eos_token: '</s>',
      errors: 'replace',
      mask_token: '<mask>',
      pad_token: '<pad>',
      sep_token: '</s>',
      tokenizer_class: 'RobertaTokenizer',
      trim_offsets: true,
      unk_token: '<unk>',
    });
    assert.deepEqual(JSON.parse(files['special_tokens_map.json']), {
      bos_token: '<s>',
      cls_token: '<s>',
      eos_token: '</s>',
      mask_token: '<mask>',
      pad_token: '<pad>',
      sep_token: '</s>',
      unk_token: '<unk>',
    });
  });
  test('the saved folder loads (through its tokenizer.json) with the same ids; merges stay pairs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'finetune-bpe-'));
    tmp.push(dir);
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    const reloaded = await Tokenizer.fromFolder(dir);
    assert.deepEqual(reloaded.toJSON(), roberta.toJSON());
    for (const c of REF.pairs.slice(0, 20)) assert.deepEqual(reloaded.encode(c.a, c.b).inputIds, c.ids);
    const saved = JSON.parse(files['tokenizer.json']) as TokenizerJson;
    assert.deepEqual((saved.model.merges as unknown[]).slice(0, 2), [
      ['Ġ', 't'],
      ['Ġ', 'a'],
    ]);
    // Saving the reloaded tokenizer gives the same files.
    assert.deepEqual(reloaded.saveFiles(), files);
  });
});

// A tiny byte-level BPE vocabulary: "hello" is one token, " hello" another.
const TINY_VOCAB = { '<s>': 0, '<pad>': 1, '</s>': 2, '<unk>': 3, Ġhello: 4, h: 5, e: 6, l: 7, o: 8, Ġ: 9, he: 10, ll: 11, hell: 12, hello: 13, '<mask>': 14 };
const TINY_MERGES = '#version: 0.2\nh e\nl l\nhe ll\nhell o\nĠ hello\n';
const tinyFiles = (over: { vocabJson?: string; merges?: string; addedTokensJson?: string } = {}) => ({
  vocabJson: JSON.stringify(TINY_VOCAB),
  merges: TINY_MERGES,
  ...over,
});

describe('parseMerges (GPT-2 merges.txt as transformers reads it)', () => {
  const expected = [
    ['h', 'e'],
    ['l', 'l'],
  ];
  const cases: { name: string; text: string; expected: string[][] }[] = [
    { name: '#version header, final newline', text: '#version: 0.2\nh e\nl l\n', expected },
    { name: 'tokenizers header', text: '#version: 0.2 - Trained by huggingface/tokenizers\nh e\nl l\n', expected },
    { name: 'no header', text: 'h e\nl l\n', expected },
    { name: 'CRLF', text: '#version: 0.2\r\nh e\r\nl l\r\n', expected },
    { name: 'blank trailing lines', text: '#version: 0.2\nh e\nl l\n\n\n  \n', expected },
    { name: 'blank line inside, no final newline', text: '#version: 0.2\nh e\n\nl l', expected },
    { name: 'extra spaces and tabs', text: '#version: 0.2\n h  e \nl\tl\n', expected },
    { name: 'a repeated merge keeps its first rank', text: '#version: 0.2\nh e\nl l\nh e\n', expected },
    { name: 'byte order mark', text: '\uFEFF#version: 0.2\nh e\nl l\n', expected },
    { name: 'empty file', text: '', expected: [] },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(parseMerges(c.text), c.expected));

  const errors: { name: string; text: string; re: RegExp }[] = [
    { name: 'three tokens', text: '#version: 0.2\nh e\na b c\n', re: /merges\.txt line 3: a merge is two tokens.*"a b c"/ },
    { name: 'one token', text: '#version: 0.2\nhe\n', re: /merges\.txt line 2: a merge is two tokens/ },
    { name: 'token not in vocab.json', text: '#version: 0.2\nh e\nx y\n', re: /merges\.txt line 3: the token "x" of merge "x y" is not in vocab\.json/ },
    { name: 'merged token not in vocab.json', text: '#version: 0.2\ne h\n', re: /merges\.txt line 2: the token "eh" of merge "e h"/ },
  ];
  for (const c of errors) {
    test(`error: ${c.name}`, () => {
      assert.throws(
        () => parseMerges(c.text, 'merges.txt', new Map(Object.entries(TINY_VOCAB))),
        (e: unknown) => e instanceof TokenizerError && e.code === 'malformed-file' && e.path === 'merges.txt' && c.re.test(e.message),
      );
    });
  }
});

describe('parseBpeVocab', () => {
  test('token -> id, BOM dropped, "__proto__" is a plain token', () => {
    const vocab = parseBpeVocab('\uFEFF{"a": 0, "__proto__": 1, "Ġb": 2}');
    assert.deepEqual(
      [...vocab],
      [
        ['a', 0],
        ['__proto__', 1],
        ['Ġb', 2],
      ],
    );
  });
  const errors: { name: string; text: string; re: RegExp }[] = [
    { name: 'not JSON', text: '{"a": 0,', re: /vocab\.json is not valid JSON/ },
    { name: 'an array', text: '["a", "b"]', re: /vocab\.json must contain a JSON object mapping each token to its id/ },
    { name: 'a string id', text: '{"a": "0"}', re: /vocab\.json: the id of "a" must be a non-negative integer, got "0"/ },
    { name: 'a negative id', text: '{"a": -1}', re: /the id of "a" must be a non-negative integer, got -1/ },
    { name: 'a fractional id', text: '{"a": 0.5}', re: /got 0\.5/ },
    { name: 'empty', text: '{}', re: /vocab\.json is empty/ },
  ];
  for (const c of errors) {
    test(`error: ${c.name}`, () => {
      assert.throws(
        () => parseBpeVocab(c.text, 'vocab.json'),
        (e: unknown) => e instanceof TokenizerError && e.code === 'malformed-file' && e.path === 'vocab.json' && c.re.test(e.message),
      );
    });
  }
});

describe('convertRobertaBpe: tokenizer_config.json settings and quirks', () => {
  test('defaults: the slow RobertaTokenizer special tokens, <mask> takes the space before it', async () => {
    const t = await Tokenizer.fromBpeFiles(tinyFiles());
    assert.deepEqual(t.encode('hello hello').inputIds, [0, 13, 4, 2]);
    assert.deepEqual(t.encode('hello <mask>').inputIds, [0, 13, 14, 2]); // lstrip: the space goes with <mask>
    assert.deepEqual(t.encode('hello', 'hello hello').inputIds, [0, 13, 2, 2, 13, 4, 2]);
    assert.equal(t.decode([0, 13, 4, 2], { skipSpecialTokens: true }), 'hello hello');
  });
  test('AddedToken dicts with "__type", a Windows special_tokens_map_file path, pipeline kwargs (a transformers 4.21 Windows save)', async () => {
    const added = (content: string, lstrip = false) => ({ __type: 'AddedToken', content, lstrip, normalized: true, rstrip: false, single_word: false });
    const config = {
      add_prefix_space: false,
      bos_token: added('<s>'),
      cls_token: added('<s>'),
      eos_token: added('</s>'),
      errors: 'replace',
      mask_token: added('<mask>', true),
      name_or_path: 'cardiffnlp/twitter-roberta-base-sentiment',
      pad_token: added('<pad>'),
      sep_token: added('</s>'),
      special_tokens_map_file: 'C:\\Users\\me/.cache\\huggingface\\transformers\\5d76655',
      tokenizer_file: 'C:\\Users\\me\\.cache\\huggingface\\tokenizer.json',
      tokenizer_class: 'RobertaTokenizer',
      trim_offsets: true,
      unk_token: added('<unk>'),
      max_length: 512,
      truncation_strategy: 'longest_first',
      stride: 0,
    };
    const converted = convertRobertaBpe(tinyFiles(), config);
    const mask = converted.tokenizerJson.added_tokens.find((a) => a.content === '<mask>');
    assert.deepEqual(mask, { id: 14, content: '<mask>', single_word: false, lstrip: true, rstrip: false, normalized: true, special: true });
    const saved = converted.tokenizerConfig;
    for (const key of ['name_or_path', 'special_tokens_map_file', 'tokenizer_file']) assert.equal(key in saved, false, key);
    assert.deepEqual(
      [saved.bos_token, saved.mask_token, saved.max_length, saved.truncation_strategy, saved.stride],
      ['<s>', '<mask>', 512, 'longest_first', 0],
    );
    // Pipeline kwargs do not truncate by themselves (transformers ignores them in __call__ too).
    const t = await Tokenizer.fromBpeFiles(tinyFiles(), config);
    assert.equal(t.encode(Array(600).fill('hello').join(' ')).inputIds.length, 602);
  });
  test('added_tokens_decoder flags win over the role value; a role set to null has no token', () => {
    const converted = convertRobertaBpe(tinyFiles(), {
      mask_token: null,
      pad_token: '<pad>',
      added_tokens_decoder: { '1': { content: '<pad>', lstrip: false, normalized: true, rstrip: true, single_word: false, special: true } },
    });
    const pad = converted.tokenizerJson.added_tokens.find((a) => a.content === '<pad>');
    assert.deepEqual(pad, { id: 1, content: '<pad>', single_word: false, lstrip: false, rstrip: true, normalized: true, special: true });
    assert.equal(
      converted.tokenizerJson.added_tokens.some((a) => a.content === '<mask>'),
      false,
    );
    assert.equal(converted.specialTokensMap.mask_token, undefined);
    assert.equal(converted.tokenizerConfig.mask_token, null);
  });
  test('special tokens missing from vocab.json get the next ids, in transformers order; added_tokens.json is read and written back', async () => {
    const vocab = { ...TINY_VOCAB } as Record<string, number>;
    delete vocab['<mask>'];
    const files = tinyFiles({ vocabJson: JSON.stringify(vocab), addedTokensJson: '{"<new>": 14}' });
    const t = await Tokenizer.fromBpeFiles(files, { additional_special_tokens: ['<extra>'] });
    const json = t.toJSON();
    assert.deepEqual(
      json.added_tokens.map((a) => [a.id, a.content, a.special]),
      [
        [0, '<s>', true],
        [1, '<pad>', true],
        [2, '</s>', true],
        [3, '<unk>', true],
        [14, '<new>', false],
        [15, '<mask>', true],
        [16, '<extra>', true],
      ],
    );
    assert.deepEqual(t.encode('hello<new> <mask>').inputIds, [0, 13, 14, 15, 2]);
    const saved = t.saveFiles();
    assert.equal(saved['added_tokens.json'], '{\n  "<extra>": 16,\n  "<mask>": 15,\n  "<new>": 14\n}\n');
    assert.deepEqual(JSON.parse(saved['special_tokens_map.json']).additional_special_tokens, ['<extra>']);
    assert.deepEqual(JSON.parse(saved['tokenizer_config.json']).additional_special_tokens, ['<extra>']);
    assert.equal(saved['vocab.json'], JSON.stringify(vocab));
  });
  test('trim_offsets false, a Bart tokenizer class kept', () => {
    const converted = convertRobertaBpe(tinyFiles(), { trim_offsets: false, tokenizer_class: 'BartTokenizerFast' });
    assert.equal(converted.tokenizerJson.post_processor?.trim_offsets, false);
    assert.equal(converted.tokenizerJson.pre_tokenizer?.trim_offsets, true);
    assert.equal(converted.tokenizerConfig.tokenizer_class, 'BartTokenizer');
  });
  test('cls_token null is refused, naming the setting', () => {
    assert.throws(
      () => convertRobertaBpe(tinyFiles(), { cls_token: null }, { config: '/m/tokenizer_config.json' }),
      (e: unknown) => e instanceof TokenizerError && e.code === 'missing-token' && /\/m\/tokenizer_config\.json sets cls_token to null/.test(e.message),
    );
  });
});

describe('tokenizerKind (the class AutoTokenizer would pick)', () => {
  const cases: { cls?: string; modelType?: string; kind: string }[] = [
    { cls: 'RobertaTokenizer', kind: 'roberta' },
    { cls: 'RobertaTokenizerFast', modelType: 'bert', kind: 'roberta' },
    { cls: 'LongformerTokenizer', kind: 'roberta' },
    { cls: 'BertTokenizer', modelType: 'roberta', kind: 'other' },
    { cls: 'GPT2Tokenizer', kind: 'other' },
    { modelType: 'roberta', kind: 'roberta' },
    { modelType: 'bart', kind: 'roberta' },
    { modelType: 'bert', kind: 'other' },
    { modelType: 'xlm-roberta', kind: 'other' },
    { kind: 'unknown' },
  ];
  for (const c of cases) test(`${c.cls ?? '-'} / ${c.modelType ?? '-'} -> ${c.kind}`, () => assert.equal(tokenizerKind(c.cls, c.modelType).kind, c.kind));
});

describe('Tokenizer.fromFolder: which files a folder is read through', () => {
  const tmp: string[] = [];
  after(async () => {
    for (const dir of tmp) await rm(dir, { recursive: true, force: true });
  });
  async function folder(files: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'finetune-bpe-'));
    tmp.push(dir);
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    return dir;
  }
  const bpe = { 'vocab.json': JSON.stringify(TINY_VOCAB), 'merges.txt': TINY_MERGES };
  // A WordPiece vocabulary in which "hello" is id 4: [CLS] hello [SEP] = [2, 4, 3].
  const wordPiece = { 'vocab.txt': '[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n' };
  const roberta = '{"model_type": "roberta"}';
  const cases: { name: string; files: Record<string, string>; ids: number[] }[] = [
    { name: 'vocab.json + merges.txt only', files: bpe, ids: [0, 13, 2] },
    { name: 'RoBERTa config.json: BPE before vocab.txt', files: { ...bpe, ...wordPiece, 'config.json': roberta }, ids: [0, 13, 2] },
    { name: 'BERT config.json: vocab.txt', files: { ...bpe, ...wordPiece, 'config.json': '{"model_type": "bert"}' }, ids: [2, 4, 3] },
    { name: 'no config: vocab.txt (as before)', files: { ...bpe, ...wordPiece }, ids: [2, 4, 3] },
    {
      name: 'tokenizer_class RobertaTokenizerFast beats a bert model_type',
      files: { ...bpe, ...wordPiece, 'tokenizer_config.json': '{"tokenizer_class": "RobertaTokenizerFast"}', 'config.json': '{"model_type": "bert"}' },
      ids: [0, 13, 2],
    },
    {
      name: 'tokenizer_class BertTokenizer beats a roberta model_type',
      files: { ...bpe, ...wordPiece, 'tokenizer_config.json': '{"tokenizer_class": "BertTokenizer"}', 'config.json': roberta },
      ids: [2, 4, 3],
    },
    {
      name: 'RoBERTa folder with merges.txt but no vocab.json: vocab.txt',
      files: { 'merges.txt': TINY_MERGES, ...wordPiece, 'config.json': roberta },
      ids: [2, 4, 3],
    },
    {
      name: 'a GPT-2 style merges.txt: CRLF, tokenizers header, blank trailing lines',
      files: {
        ...bpe,
        'merges.txt': `${TINY_MERGES.replace('#version: 0.2', '#version: 0.2 - Trained by huggingface/tokenizers').replace(/\n/g, '\r\n')}\r\n\r\n`,
      },
      ids: [0, 13, 2],
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const t = await Tokenizer.fromFolder(await folder(c.files));
      assert.deepEqual(t.encode('hello').inputIds, c.ids);
    });
  }
  test('tokenizer.json wins over vocab.json + merges.txt', async () => {
    const json = convertRobertaBpe(tinyFiles(), { add_prefix_space: true }).tokenizerJson;
    const dir = await folder({ ...bpe, 'tokenizer.json': JSON.stringify(json), 'config.json': roberta });
    assert.deepEqual((await Tokenizer.fromFolder(dir)).encode('hello').inputIds, [0, 4, 2]); // " hello": the prefix space
  });
  test('special_tokens_map.json AddedToken objects are used when there is no tokenizer_config.json', async () => {
    const map = { mask_token: { content: '<mask>', lstrip: false, normalized: false, rstrip: false, single_word: false }, bos_token: '<s>' };
    const t = await Tokenizer.fromFolder(await folder({ ...bpe, 'special_tokens_map.json': JSON.stringify(map) }));
    assert.equal(t.toJSON().added_tokens.find((a) => a.content === '<mask>')?.lstrip, false);
    assert.deepEqual(t.encode('hello <mask>').inputIds, [0, 13, 9, 14, 2]); // no lstrip: " " stays a token
  });

  const errors: { name: string; files: Record<string, string>; code: string; file: string; re: RegExp }[] = [
    {
      name: 'merges.txt without vocab.json',
      files: { 'merges.txt': TINY_MERGES },
      code: 'missing-path',
      file: 'vocab.json',
      re: /merges\.txt has no .*vocab\.json beside it/,
    },
    {
      name: 'vocab.json without merges.txt',
      files: { 'vocab.json': bpe['vocab.json'], 'config.json': roberta },
      code: 'missing-path',
      file: 'merges.txt',
      re: /needs both/,
    },
    {
      name: 'malformed vocab.json',
      files: { ...bpe, 'vocab.json': '{"<s>": 0, ' },
      code: 'malformed-file',
      file: 'vocab.json',
      re: /vocab\.json is not valid JSON/,
    },
    {
      name: 'vocab.json that is a list',
      files: { ...bpe, 'vocab.json': '["<s>"]' },
      code: 'malformed-file',
      file: 'vocab.json',
      re: /must contain a JSON object/,
    },
    {
      name: 'merges.txt with a bad line',
      files: { ...bpe, 'merges.txt': '#version: 0.2\nh e\nh e l\n' },
      code: 'malformed-file',
      file: 'merges.txt',
      re: /merges\.txt line 3/,
    },
    {
      name: 'malformed added_tokens.json',
      files: { ...bpe, 'added_tokens.json': '{"<x>": "a"}' },
      code: 'malformed-file',
      file: 'added_tokens.json',
      re: /integer id/,
    },
    {
      name: 'a GPT-2 tokenizer class',
      files: { ...bpe, 'tokenizer_config.json': '{"tokenizer_class": "GPT2Tokenizer"}' },
      code: 'unsupported',
      file: 'vocab.json',
      re: /tokenizer_class GPT2Tokenizer is not a RoBERTa-family tokenizer/,
    },
    {
      name: 'a BERT model_type with no vocab.txt',
      files: { ...bpe, 'config.json': '{"model_type": "bert"}' },
      code: 'unsupported',
      file: 'vocab.json',
      re: /model_type bert/,
    },
  ];
  for (const c of errors) {
    test(`error: ${c.name}`, async () => {
      const dir = await folder(c.files);
      const path = join(dir, c.file);
      await assert.rejects(
        Tokenizer.fromFolder(dir),
        (e: unknown) => e instanceof TokenizerError && e.code === c.code && e.path === path && e.message.includes(path) && c.re.test(e.message),
      );
    });
  }
  test('the "no tokenizer" error lists every accepted layout', async () => {
    const dir = await folder({ 'config.json': roberta });
    await assert.rejects(Tokenizer.fromFolder(dir), (e: unknown) => {
      const message = (e as Error).message;
      return (
        e instanceof TokenizerError &&
        e.code === 'missing-path' &&
        ['tokenizer.json', 'vocab.json', 'merges.txt', 'vocab.txt'].every((f) => message.includes(join(dir, f))) &&
        /tokenizer_config\.json, special_tokens_map\.json and added_tokens\.json/.test(message)
      );
    });
  });
});
