import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bertNormalize, type BertNormalizerOptions } from '../../../../src/core/tokenizer/normalizer.js';

const uncased: BertNormalizerOptions = { cleanText: true, handleChineseChars: true, stripAccents: null, lowercase: true };
const cased: BertNormalizerOptions = { cleanText: true, handleChineseChars: true, stripAccents: null, lowercase: false };

describe('bertNormalize (Rust tokenizers BertNormalizer)', () => {
  const cases: { name: string; text: string; options: BertNormalizerOptions; expected: string }[] = [
    { name: 'ASCII lowercased', text: 'Hello World', options: uncased, expected: 'hello world' },
    { name: 'accents stripped when lowercasing', text: 'Café naïve ÅNGSTRÖM', options: uncased, expected: 'cafe naive angstrom' },
    { name: 'cased keeps accents (strip_accents null)', text: 'Café', options: cased, expected: 'Café' },
    { name: 'strip_accents true without lowercase', text: 'Café', options: { ...cased, stripAccents: true }, expected: 'Cafe' },
    { name: 'strip_accents false with lowercase', text: 'CAFÉ', options: { ...uncased, stripAccents: false }, expected: 'café' },
    { name: 'final sigma: char-by-char lowercase', text: 'ΟΔΟΣ ΣΑ', options: uncased, expected: 'οδοσ σα' },
    { name: 'dotted capital I (strip before lowercase)', text: 'İ', options: uncased, expected: 'i' },
    { name: 'CJK padded', text: '我爱NLP', options: uncased, expected: ' 我  爱 nlp' },
    { name: 'astral CJK padded', text: 'a𠀀b', options: cased, expected: 'a 𠀀 b' },
    { name: 'CJK not padded when disabled', text: '我爱', options: { ...uncased, handleChineseChars: false }, expected: '我爱' },
    { name: 'hiragana / hangul are not CJK ideographs', text: 'ひらがな한국', options: cased, expected: 'ひらがな한국' },
    { name: 'tab, newline, CR, NBSP, ideographic space -> space', text: 'a\tb\nc\rd\u00a0e\u3000f', options: cased, expected: 'a b c d e f' },
    {
      name: 'NUL, U+FFFD, BEL, zero-width space, BOM, private use dropped',
      text: 'a\u0000b\uFFFDc\u0007d\u200Be\uFEFFf\uE000g',
      options: cased,
      expected: 'abcdefg',
    },
    { name: 'vertical tab / form feed / NEL dropped, not spaces (control first)', text: 'a\u000Bb\u000Cc\u0085d', options: cased, expected: 'abcd' },
    { name: 'emoji kept', text: 'ok 😀', options: uncased, expected: 'ok 😀' },
    { name: 'no cleaning when disabled', text: 'a\u0007b', options: { ...cased, cleanText: false }, expected: 'a\u0007b' },
  ];
  for (const c of cases) {
    test(c.name, () => assert.equal(bertNormalize(c.text, c.options), c.expected));
  }
});
