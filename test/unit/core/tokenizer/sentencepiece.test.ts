import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { PbWriter } from '../../../../src/core/engine/onnx/protobuf.js';
import { TokenizerError } from '../../../../src/core/tokenizer/errors.js';
import { chooseConverter } from '../../../../src/core/tokenizer/sentencepiece.js';
import { Tokenizer } from '../../../../src/core/tokenizer/tokenizer.js';
import { FIXTURES, readFixture } from './fixtures.js';

// Reference ids from the SentencePiece library (scripts/make_spm_fixtures.py; see the README in
// test/fixtures/tokenizers): the slow tokenizer's ids, and the fast tokenizer's where they differ
// for a documented reason (`why`). We reproduce the fast tokenizer, so we compare with those.
interface Case {
  text: string;
  pair?: string;
  input_ids: number[];
  token_type_ids: number[];
  fast_input_ids?: number[];
  why?: string;
}
const reference = (dir: string) => JSON.parse(readFixture(`${dir}/reference.json`)) as Record<string, unknown>;
const DEBERTA_DIR = `${FIXTURES}deberta-v3`;
const XLMR_DIR = `${FIXTURES}xlmr-tiny`;
const TINY_DIR = `${FIXTURES}spm-tiny`;
const debertaCases = reference('deberta-v3').cases as Case[];
const xlmrRef = reference('xlmr-tiny') as { mask_id: number; cases: Case[] };
const tinyRef = reference('spm-tiny') as Record<'plain' | 'lower' | 'punct', { config: Record<string, unknown>; cases: Case[] }> & { mask_id: number };

const deberta = await Tokenizer.fromFolder(DEBERTA_DIR);
const xlmr = await Tokenizer.fromFolder(XLMR_DIR);
const debertaModel = await readFile(join(DEBERTA_DIR, 'spm.model'));
const xlmrModel = await readFile(join(XLMR_DIR, 'sentencepiece.bpe.model'));

/** Token types of the fast ids: DeBERTa's B part (after the first [SEP]) is type 1, XLM-R's all 0. */
function fastTypes(c: Case, ids: number[], sep: number, pairType: number): number[] {
  if (!c.fast_input_ids) return c.token_type_ids;
  const firstSep = ids.indexOf(sep);
  return ids.map((_, i) => (c.pair !== undefined && i > firstSep ? pairType : 0));
}

function assertCases(tok: Tokenizer, cases: Case[], pairType: number): void {
  for (const c of cases) {
    const want = c.fast_input_ids ?? c.input_ids;
    const got = tok.encode(c.text, c.pair ?? null);
    const label = { text: c.text, pair: c.pair, why: c.why };
    assert.deepEqual({ ...label, ids: got.inputIds }, { ...label, ids: want });
    assert.deepEqual({ ...label, types: got.tokenTypeIds }, { ...label, types: fastTypes(c, want, tok.sepTokenId, pairType) });
  }
}

describe('DeBERTa-v3 (microsoft/deberta-v3-small spm.model, no tokenizer.json)', () => {
  test('ids and token types equal the reference for every case', () => assertCases(deberta, debertaCases, 1));

  test('the reference has slow/fast differences of each documented kind', () => {
    const whys = debertaCases.filter((c) => c.why).map((c) => c.why as string);
    assert.ok(debertaCases.length >= 180);
    assert.ok(whys.filter((w) => w.startsWith('BYTE')).length >= 10);
    assert.ok(whys.some((w) => w.includes('grapheme')));
    assert.ok(whys.some((w) => w.includes('normalized added token')));
    assert.ok(debertaCases.filter((c) => !c.why).length > 150);
  });

  test('a tokenizer.json that keeps byte_fallback on gives the slow byte pieces', async () => {
    const json = deberta.toJSON();
    json.model.byte_fallback = true;
    const withBytes = await Tokenizer.fromJSON(json, deberta.tokenizerConfig());
    const byteCases = debertaCases.filter((c) => c.why?.startsWith('BYTE'));
    assert.ok(byteCases.length > 0);
    for (const c of byteCases) assert.deepEqual(withBytes.encode(c.text, c.pair ?? null).inputIds, c.input_ids, c.text);
  });

  test('the tokenizer.json DebertaV2Converter writes', () => {
    const json = deberta.toJSON();
    const normalizers = (json.normalizer?.normalizers as { type: string }[]).map((n) => n.type);
    assert.deepEqual(normalizers, ['Strip', 'Precompiled', 'Replace']);
    assert.deepEqual((json.normalizer?.normalizers as unknown[])[2], { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' });
    assert.deepEqual(json.pre_tokenizer, {
      type: 'Sequence',
      pretokenizers: [{ type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: true }],
    });
    assert.deepEqual(json.decoder, { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: true });
    assert.deepEqual(json.post_processor?.special_tokens, {
      '[CLS]': { id: '[CLS]', ids: [1], tokens: ['[CLS]'] },
      '[SEP]': { id: '[SEP]', ids: [2], tokens: ['[SEP]'] },
    });
    assert.deepEqual([json.model.type, json.model.unk_id, json.model.byte_fallback, (json.model.vocab as unknown[]).length], ['Unigram', 3, false, 128000]);
    assert.deepEqual((json.model.vocab as unknown[])[127999], ['얻', -24.518644332885742]);
    assert.deepEqual(
      json.added_tokens.map((t) => [t.id, t.content, t.normalized, t.special]),
      [
        [0, '[PAD]', false, true],
        [1, '[CLS]', false, true],
        [2, '[SEP]', false, true],
        [3, '[UNK]', true, true],
        [128000, '[MASK]', false, true],
      ],
    );
  });

  test('special tokens, sizes and decoding', () => {
    assert.equal(deberta.vocabSize, 128001);
    assert.deepEqual([deberta.clsTokenId, deberta.sepTokenId, deberta.padTokenId, deberta.unkTokenId, deberta.maskTokenId], [1, 2, 0, 3, 128000]);
    assert.deepEqual([deberta.numSpecialTokensToAdd(false), deberta.numSpecialTokensToAdd(true)], [2, 3]);
    const ids = deberta.encode('The quick brown fox, 2024!').inputIds;
    assert.equal(deberta.decode(ids, { skipSpecialTokens: true }), 'The quick brown fox, 2024!');
    assert.equal(deberta.decode(ids), '[CLS] The quick brown fox, 2024![SEP]');
  });

  test("the Hub's original files (tokenizer_config without added tokens, no added_tokens.json): [MASK] is added at 128000", async () => {
    const tok = await Tokenizer.fromSentencePiece(debertaModel, { do_lower_case: false, vocab_type: 'spm' }, { source: 'deberta-v3-small/spm.model' });
    assert.equal(tok.maskTokenId, 128000);
    assert.deepEqual(
      tok.toJSON().added_tokens.map((t) => [t.id, t.content, t.normalized]),
      [
        [0, '[PAD]', false],
        [1, '[CLS]', false],
        [2, '[SEP]', false],
        [3, '[UNK]', false],
        [128000, '[MASK]', false],
      ],
    );
    assert.equal(JSON.parse(tok.saveFiles()['tokenizer_config.json']).tokenizer_class, 'DebertaV2Tokenizer');
  });
});

describe('XLM-R (a small sentencepiece.bpe.model trained by the fixture script)', () => {
  test('ids (fairseq offset) and token types equal the slow tokenizer for every case', () => {
    assertCases(xlmr, xlmrRef.cases, 0);
    assert.ok(xlmrRef.cases.length >= 170);
  });

  test("fairseq's special ids: <s> 0, <pad> 1, </s> 2, <unk> 3, pieces one higher than SentencePiece's, <mask> last", () => {
    assert.deepEqual(
      ['<s>', '<pad>', '</s>', '<unk>', '<mask>'].map((t) => xlmr.tokenToId(t)),
      [0, 1, 2, 3, xlmrRef.mask_id],
    );
    assert.equal(xlmr.vocabSize, xlmrRef.mask_id + 1);
    assert.equal(xlmr.idToToken(4), '\u2581'); // SentencePiece id 3
    assert.deepEqual(xlmr.encode('', '').inputIds, [0, 2, 2, 2]);
  });

  test('the tokenizer.json XLMRobertaConverter writes', () => {
    const json = xlmr.toJSON();
    assert.deepEqual((json.normalizer?.normalizers as { type: string }[]).slice(1), [
      { type: 'Strip', strip_left: false, strip_right: true },
      { type: 'Replace', pattern: { Regex: ' {2,}' }, content: '\u2581' },
    ]);
    assert.deepEqual(json.pre_tokenizer, { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: true });
    assert.deepEqual(
      json.added_tokens.map((t) => [t.id, t.content, t.lstrip]),
      [
        [0, '<s>', false],
        [1, '<pad>', false],
        [2, '</s>', false],
        [3, '<unk>', false],
        [xlmrRef.mask_id, '<mask>', true],
      ],
    );
  });
});

describe('DeBERTa converter options (a small spm.model with byte fallback, trained by the fixture script)', () => {
  for (const variant of ['plain', 'lower', 'punct'] as const) {
    test(`${variant}: ${JSON.stringify(tinyRef[variant].config)}`, async () => {
      const model = await readFile(join(TINY_DIR, 'spm.model'));
      const config = { ...JSON.parse(readFixture('spm-tiny/tokenizer_config.json')), ...tinyRef[variant].config };
      const addedTokens = JSON.parse(readFixture('spm-tiny/added_tokens.json'));
      const tok = await Tokenizer.fromSentencePiece(model, config, { source: join(TINY_DIR, 'spm.model'), addedTokens });
      assertCases(tok, tinyRef[variant].cases, 1);
      if (variant === 'plain') {
        // A USER_DEFINED piece becomes a normal (not special) added token.
        const sym = tok.toJSON().added_tokens.find((t) => t.content === '<sym>');
        assert.deepEqual(sym && [sym.special, sym.normalized], [false, false]);
        assert.equal(tok.maskTokenId, tinyRef.mask_id);
      }
    });
  }
});

describe('folders: loading, saving, choosing the converter, errors', () => {
  const tmp: string[] = [];
  after(async () => {
    for (const dir of tmp) await rm(dir, { recursive: true, force: true });
  });
  async function folder(files: Record<string, string | Uint8Array>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'finetune-spm-'));
    tmp.push(dir);
    for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
    return dir;
  }
  test('saveFiles: tokenizer.json + the model file + added_tokens.json, which reload to the same tokenizer', async () => {
    const files = deberta.saveFiles();
    assert.deepEqual(Object.keys(files).sort(), ['added_tokens.json', 'special_tokens_map.json', 'spm.model', 'tokenizer.json', 'tokenizer_config.json']);
    assert.deepEqual(files['spm.model'], debertaModel);
    assert.deepEqual(JSON.parse(files['added_tokens.json'] as string), { '[MASK]': 128000 });
    assert.ok(files['tokenizer.json'].includes('      [\n        "[PAD]",\n        0.0\n      ],'), 'scores as Rust writes them');
    const config = JSON.parse(files['tokenizer_config.json']) as Record<string, unknown>;
    assert.deepEqual(Object.keys(config.added_tokens_decoder as object), ['0', '1', '2', '3', '128000']);
    assert.deepEqual([config.tokenizer_class, config.do_lower_case, config.split_by_punct], ['DebertaV2Tokenizer', false, false]);
    const reloaded = await Tokenizer.fromFolder(await folder(files));
    assert.deepEqual(reloaded.toJSON(), deberta.toJSON());
    for (const c of debertaCases.slice(0, 60)) assert.deepEqual(reloaded.encode(c.text, c.pair ?? null), deberta.encode(c.text, c.pair ?? null));
  });

  test('tokenizer.json wins over the SentencePiece model', async () => {
    const dir = await folder({ 'spm.model': debertaModel, 'tokenizer.json': readFixture('bert-base-uncased/tokenizer.json') });
    assert.equal((await Tokenizer.fromFolder(dir)).vocabSize, 30522);
  });

  test('converter from the file name, config.json model_type, or tokenizer_class', async () => {
    const byName = await Tokenizer.fromFolder(await folder({ 'sentencepiece.bpe.model': xlmrModel }));
    assert.equal(byName.tokenToId('<mask>'), xlmrRef.mask_id);
    const byType = await Tokenizer.fromFolder(await folder({ 'spiece.model': xlmrModel, 'config.json': '{"model_type": "xlm-roberta"}' }));
    assert.equal(byType.tokenToId('<mask>'), xlmrRef.mask_id);
    assert.deepEqual(
      Object.keys(byType.saveFiles()).filter((f) => f.endsWith('.model')),
      ['sentencepiece.bpe.model'],
    );
    const byClass = await Tokenizer.fromFolder(
      await folder({ 'spm.model': xlmrModel, 'tokenizer_config.json': '{"tokenizer_class": "XLMRobertaTokenizerFast"}' }),
    );
    assert.equal(byClass.tokenToId('<mask>'), xlmrRef.mask_id);
  });

  test('chooseConverter', () => {
    const rows: [string, unknown, unknown, string][] = [
      ['spm.model', undefined, undefined, 'deberta-v2'],
      ['sentencepiece.bpe.model', undefined, undefined, 'xlm-roberta'],
      ['spiece.model', undefined, 'deberta-v2', 'deberta-v2'],
      ['spm.model', 'XLMRobertaTokenizer', 'deberta-v2', 'xlm-roberta'],
      ['sentencepiece.bpe.model', 'DebertaV2TokenizerFast', undefined, 'deberta-v2'],
    ];
    for (const [file, cls, type, kind] of rows) assert.equal(chooseConverter(file, cls, type, file), kind);
  });

  const unsupported = (path: string, re: RegExp) => (e: unknown) =>
    e instanceof TokenizerError && e.code === 'unsupported' && e.path === path && e.message.includes(path) && re.test(e.message);

  test('another tokenizer class, or nothing to tell which: unsupported, naming the file', async () => {
    const albert = await folder({ 'spiece.model': debertaModel, 'tokenizer_config.json': '{"tokenizer_class": "AlbertTokenizer"}' });
    await assert.rejects(Tokenizer.fromFolder(albert), unsupported(join(albert, 'spiece.model'), /AlbertTokenizer is not supported/));
    const unknown = await folder({ 'spiece.model': debertaModel });
    await assert.rejects(Tokenizer.fromFolder(unknown), unsupported(join(unknown, 'spiece.model'), /tokenizer_class/));
  });

  test('a BPE SentencePiece model: unsupported, naming the file', async () => {
    const w = new PbWriter();
    w.message(1, new PbWriter().string(1, '<unk>').float(2, 0).int(3, 2));
    w.message(1, new PbWriter().string(1, 'a').float(2, -1));
    w.message(2, new PbWriter().int(3, 2));
    await assert.rejects(Tokenizer.fromSentencePiece(w.finish(), {}, { source: 'm/spm.model' }), unsupported('m/spm.model', /SentencePiece BPE model/));
  });

  test('a corrupt model file: malformed-file, naming the file', async () => {
    const dir = await folder({ 'spm.model': debertaModel.subarray(0, 5000) });
    const path = join(dir, 'spm.model');
    await assert.rejects(
      Tokenizer.fromFolder(dir),
      (e: unknown) =>
        e instanceof TokenizerError && e.code === 'malformed-file' && e.path === path && e.message.startsWith(`${path} is not a valid SentencePiece model`),
    );
  });

  test('a folder with no tokenizer at all lists the SentencePiece names it looked for', async () => {
    const dir = await folder({ 'config.json': '{}' });
    await assert.rejects(
      Tokenizer.fromFolder(dir),
      (e: unknown) => e instanceof TokenizerError && /spm\.model, sentencepiece\.bpe\.model, spiece\.model/.test(e.message),
    );
  });

  test('the copied model keeps the bytes of the file read', async () => {
    const dir = await folder({});
    await copyFile(join(XLMR_DIR, 'sentencepiece.bpe.model'), join(dir, 'sentencepiece.bpe.model'));
    const files = (await Tokenizer.fromFolder(dir)).saveFiles();
    assert.deepEqual(files['sentencepiece.bpe.model'], xlmrModel);
    assert.equal(files['added_tokens.json'], undefined); // <mask> is in the converted vocabulary
  });
});
