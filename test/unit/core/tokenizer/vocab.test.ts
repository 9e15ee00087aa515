import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TokenizerError } from '../../../../src/core/tokenizer/errors.js';
import type { TokenizerJson } from '../../../../src/core/tokenizer/types.js';
import { bertVocabOptions, convertBertVocab, parseVocab } from '../../../../src/core/tokenizer/vocab.js';
import { plain, readFixture } from './fixtures.js';

describe('parseVocab (transformers load_vocab semantics)', () => {
  const cases: { name: string; text: string; expected: [string, number][] }[] = [
    {
      name: 'LF, final newline',
      text: 'a\nb\nc\n',
      expected: [
        ['a', 0],
        ['b', 1],
        ['c', 2],
      ],
    },
    {
      name: 'no final newline',
      text: 'a\nb',
      expected: [
        ['a', 0],
        ['b', 1],
      ],
    },
    {
      name: 'CRLF',
      text: 'a\r\nb\r\n',
      expected: [
        ['a', 0],
        ['b', 1],
      ],
    },
    {
      name: 'lone CR ends a line (Python universal newlines)',
      text: 'a\rb\n',
      expected: [
        ['a', 0],
        ['b', 1],
      ],
    },
    {
      name: 'U+2028 is a token, not a line end',
      text: 'a\n\u2028\n##\u2028\n',
      expected: [
        ['a', 0],
        ['\u2028', 1],
        ['##\u2028', 2],
      ],
    },
    {
      name: 'trailing spaces kept (only the newline is stripped)',
      text: 'a \n b\n',
      expected: [
        ['a ', 0],
        [' b', 1],
      ],
    },
    {
      name: 'empty line in the middle is a token',
      text: 'a\n\nb\n',
      expected: [
        ['a', 0],
        ['', 1],
        ['b', 2],
      ],
    },
    {
      name: 'duplicate keeps the last id',
      text: 'a\nb\na\n',
      expected: [
        ['a', 2],
        ['b', 1],
      ],
    },
    {
      name: 'BOM dropped',
      text: '\uFEFF[PAD]\nx\n',
      expected: [
        ['[PAD]', 0],
        ['x', 1],
      ],
    },
    { name: 'empty file', text: '', expected: [] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(
        [...parseVocab(c.text)].sort((x, y) => x[1] - y[1]),
        [...c.expected].sort((x, y) => x[1] - y[1]),
      );
    });
  }

  test('real vocabularies: one id per line', () => {
    const uncased = parseVocab(readFixture('bert-base-uncased/vocab.txt'));
    assert.equal(uncased.size, 30522);
    // ids are 0-based line numbers: `grep -n` gives line = id + 1.
    assert.equal(uncased.get('[PAD]'), 0);
    assert.equal(uncased.get('[UNK]'), 100);
    assert.equal(uncased.get('[CLS]'), 101);
    assert.equal(uncased.get('[SEP]'), 102);
    assert.equal(uncased.get('[MASK]'), 103);
    assert.equal(uncased.get('hello'), 7592);
    assert.equal(uncased.get('##ing'), 2075);
    const chinese = parseVocab(readFixture('bert-base-chinese/vocab.txt'));
    assert.equal(chinese.size, 21128);
    assert.equal(chinese.get('\u2028'), 343);
    assert.equal(chinese.get('##\u2028'), 13502);
    assert.equal(chinese.get('我'), 2769);
    assert.equal(chinese.get('😂'), 8104);
  });
});

describe('convertBertVocab', () => {
  const realJson = JSON.parse(readFixture('bert-base-uncased/tokenizer.json')) as TokenizerJson;
  const uncasedConfig = JSON.parse(readFixture('bert-base-uncased/tokenizer_config.json')) as Record<string, unknown>;

  test('bert-base-uncased vocab.txt + tokenizer_config.json -> the Hub tokenizer.json', () => {
    const { tokenizerJson } = convertBertVocab(readFixture('bert-base-uncased/vocab.txt'), uncasedConfig);
    const converted = plain(tokenizerJson);
    // The Hub file predates `"type": "WordPiece"` in the model; otherwise it is identical.
    assert.equal(converted.model.type, 'WordPiece');
    delete converted.model.type;
    assert.deepEqual(converted, realJson);
  });

  test('vocab ids and their order in the produced object', () => {
    const { tokenizerJson } = convertBertVocab('[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n1997\nhello\n##s\n');
    const vocab = tokenizerJson.model.vocab as Record<string, number>;
    assert.deepEqual(plain(vocab), { '[PAD]': 0, '[UNK]': 1, '[CLS]': 2, '[SEP]': 3, '[MASK]': 4, '1997': 5, hello: 6, '##s': 7 });
    assert.deepEqual(
      tokenizerJson.added_tokens.map((t) => [t.id, t.content, t.special, t.normalized]),
      [
        [0, '[PAD]', true, false],
        [1, '[UNK]', true, false],
        [2, '[CLS]', true, false],
        [3, '[SEP]', true, false],
        [4, '[MASK]', true, false],
      ],
    );
  });

  const flagCases: { name: string; config: Record<string, unknown>; normalizer: Record<string, unknown> }[] = [
    { name: 'defaults (BertTokenizer)', config: {}, normalizer: { lowercase: true, strip_accents: null, handle_chinese_chars: true } },
    { name: 'cased', config: { do_lower_case: false }, normalizer: { lowercase: false, strip_accents: null, handle_chinese_chars: true } },
    {
      name: 'all flags',
      config: { do_lower_case: true, strip_accents: false, tokenize_chinese_chars: false },
      normalizer: { lowercase: true, strip_accents: false, handle_chinese_chars: false },
    },
  ];
  for (const c of flagCases) {
    test(`normalizer flags: ${c.name}`, () => {
      const { tokenizerJson, tokenizerConfig } = convertBertVocab(readFixture('bert-base-chinese/vocab.txt'), c.config);
      assert.deepEqual(tokenizerJson.normalizer, { type: 'BertNormalizer', clean_text: true, ...c.normalizer });
      assert.equal(tokenizerConfig.do_lower_case, c.normalizer.lowercase);
      assert.equal(tokenizerConfig.strip_accents, c.normalizer.strip_accents);
      assert.equal(tokenizerConfig.tokenize_chinese_chars, c.normalizer.handle_chinese_chars);
    });
  }

  test('tokenizer_config.json and special_tokens_map.json as transformers saves them', () => {
    const { tokenizerConfig, specialTokensMap } = convertBertVocab(readFixture('bert-base-uncased/vocab.txt'), uncasedConfig);
    assert.deepEqual(specialTokensMap, {
      cls_token: '[CLS]',
      mask_token: '[MASK]',
      pad_token: '[PAD]',
      sep_token: '[SEP]',
      unk_token: '[UNK]',
    });
    assert.deepEqual(Object.keys(tokenizerConfig), [...Object.keys(tokenizerConfig)].sort());
    const { added_tokens_decoder: decoder, ...rest } = tokenizerConfig;
    assert.deepEqual(rest, {
      clean_up_tokenization_spaces: true,
      cls_token: '[CLS]',
      do_basic_tokenize: true,
      do_lower_case: true,
      mask_token: '[MASK]',
      model_max_length: 512,
      never_split: null,
      pad_token: '[PAD]',
      sep_token: '[SEP]',
      strip_accents: null,
      tokenize_chinese_chars: true,
      tokenizer_class: 'BertTokenizer',
      unk_token: '[UNK]',
    });
    assert.deepEqual(Object.keys(decoder as object), ['0', '100', '101', '102', '103']);
    assert.deepEqual((decoder as Record<string, unknown>)['101'], {
      content: '[CLS]',
      lstrip: false,
      normalized: false,
      rstrip: false,
      single_word: false,
      special: true,
    });
  });

  test('special-token names from the config (strings or AddedToken objects)', () => {
    const vocab = '<pad>\n<unk>\n<cls>\n<sep>\nhello\n';
    const { tokenizerJson, specialTokensMap } = convertBertVocab(vocab, {
      pad_token: '<pad>',
      unk_token: { content: '<unk>', __type: 'AddedToken' },
      cls_token: '<cls>',
      sep_token: '<sep>',
    });
    assert.equal(tokenizerJson.model.unk_token, '<unk>');
    assert.deepEqual(specialTokensMap, { cls_token: '<cls>', pad_token: '<pad>', sep_token: '<sep>', unk_token: '<unk>' });
    assert.deepEqual(plain(tokenizerJson.post_processor), {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<cls>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '<sep>', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '<cls>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '<sep>', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '<sep>', type_id: 1 } },
      ],
      special_tokens: { '<cls>': { id: '<cls>', ids: [2], tokens: ['<cls>'] }, '<sep>': { id: '<sep>', ids: [3], tokens: ['<sep>'] } },
    });
    // [MASK] is not in this vocabulary: it is left out, not invented.
    assert.ok(!tokenizerJson.added_tokens.some((t) => t.content === '[MASK]'));
  });

  const full = '[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n';
  for (const token of ['[UNK]', '[CLS]', '[SEP]', '[PAD]']) {
    test(`vocab without ${token}: error names the file and the token`, () => {
      const vocab = full.replace(`${token}\n`, '');
      assert.throws(
        () => convertBertVocab(vocab, {}, '/data/my-model/vocab.txt'),
        (e: unknown) =>
          e instanceof TokenizerError &&
          e.code === 'missing-token' &&
          e.path === '/data/my-model/vocab.txt' &&
          e.token === token &&
          e.message.includes('/data/my-model/vocab.txt') &&
          e.message.includes(token),
      );
    });
  }

  test('empty vocab.txt is a malformed file', () => {
    assert.throws(
      () => convertBertVocab('', {}, 'x/vocab.txt'),
      (e: unknown) => e instanceof TokenizerError && e.code === 'malformed-file' && e.message.includes('x/vocab.txt'),
    );
  });

  test('bertVocabOptions ignores values of the wrong type', () => {
    assert.deepEqual(bertVocabOptions({ do_lower_case: 'yes' as unknown as boolean, strip_accents: 1 as unknown as boolean }), {
      do_lower_case: true,
      tokenize_chinese_chars: true,
      strip_accents: null,
      specialTokens: { unk_token: '[UNK]', sep_token: '[SEP]', pad_token: '[PAD]', cls_token: '[CLS]', mask_token: '[MASK]' },
    });
  });
});
