import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { TokenizerError } from '../../../../src/core/tokenizer/errors.js';
import { PrecompiledCharsmap } from '../../../../src/core/tokenizer/precompiled.js';
import { parseSentencePieceModel } from '../../../../src/core/tokenizer/spm-model.js';
import { FIXTURES } from './fixtures.js';

// DeBERTa-v3's nmt_nfkc charsmap.
const path = `${FIXTURES}deberta-v3/spm.model`;
const charsmap = parseSentencePieceModel(readFileSync(path), path).normalizerSpec.precompiledCharsmap;
const map = new PrecompiledCharsmap(charsmap, path);

describe('PrecompiledCharsmap (Rust tokenizers Precompiled)', () => {
  // NFKC-like results agree with Python's unicodedata.normalize('NFKC', ...); the rest are the
  // nmt_nfkc rules (spaces, removed characters) as SentencePiece's own normalizer applies them.
  const rows: { name: string; text: string; out: string }[] = [
    { name: 'printable ASCII unchanged', text: 'plain ascii 123 !?', out: 'plain ascii 123 !?' },
    { name: 'ligature', text: 'ﬁ', out: 'fi' },
    { name: 'full-width letters', text: 'Ａｂｃ', out: 'Abc' },
    { name: 'circled digit', text: '①', out: '1' },
    { name: 'vulgar fraction', text: '½', out: '1\u20442' },
    { name: 'superscript', text: 'x²', out: 'x2' },
    { name: 'mathematical bold (astral)', text: '\u{1D400}', out: 'A' },
    { name: 'ellipsis', text: '…', out: '...' },
    { name: 'decomposed e + acute composed', text: 'e\u0301', out: '\u00e9' },
    { name: 'ideographic space, tab, no-break space -> space', text: '\u3000\t\u00a0', out: '   ' },
    { name: 'zero-width space and BOM -> space', text: '\u200b\ufeff', out: '  ' },
    { name: 'U+2581 -> space', text: '\u2581', out: ' ' },
    { name: 'CRLF is one grapheme: the map of CR replaces it whole', text: 'a\r\nb', out: 'a b' },
    { name: 'half-width kana + voiced mark (2 x 3 bytes = 6): mapped char by char', text: 'ｶﾞ', out: 'カ\u3099' },
    { name: 'a cluster under 6 bytes takes the map of its shortest mapped prefix', text: '™\u0301', out: 'TM' },
    { name: 'NUL stops the trie search: kept', text: '\u0000', out: '\u0000' },
  ];
  for (const r of rows) test(r.name, () => assert.equal(map.normalize(r.text), r.out));

  test('transform: shortest mapped prefix, or null', () => {
    assert.equal(map.transform('ﬁx'), 'fi');
    assert.equal(map.transform('abc'), null);
  });

  const bad: { name: string; bytes: Uint8Array; re: RegExp }[] = [
    { name: 'shorter than its header', bytes: new Uint8Array([1, 0]), re: /shorter than its 4-byte header/ },
    { name: 'trie larger than the data', bytes: new Uint8Array([0, 1, 0, 0, 1, 2, 3, 4]), re: /does not fit/ },
    { name: 'replacements not UTF-8', bytes: new Uint8Array([4, 0, 0, 0, 0, 0, 0, 0, 0xff]), re: /not valid UTF-8/ },
  ];
  for (const b of bad) {
    test(`malformed charsmap: ${b.name}`, () => {
      assert.throws(
        () => new PrecompiledCharsmap(b.bytes, 'dir/tokenizer.json'),
        (e: unknown) => e instanceof TokenizerError && e.code === 'malformed-file' && e.path === 'dir/tokenizer.json' && b.re.test(e.message),
      );
    });
  }
});
