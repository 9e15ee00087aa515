// Token offsets (character spans) recovered by alignment, for WordPiece (uncased, Chinese), byte-level
// BPE (RoBERTa, ModernBERT) and SentencePiece tokenizers, and tokens grouped into words.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Tokenizer, groupWords } from '../../../../src/core/tokenizer/index.js';
import { CHINESE_DIR, FIXTURES, UNCASED_DIR } from './fixtures.js';

/** The text under each token's span. */
function pieces(tok: Tokenizer, text: string): string[] {
  return tok.offsets(text).map(([a, b]) => text.slice(a, b));
}

describe('token offsets', () => {
  const tk: Record<string, Tokenizer> = {};
  before(async () => {
    tk.uncased = await Tokenizer.fromFolder(UNCASED_DIR);
    tk.chinese = await Tokenizer.fromFolder(CHINESE_DIR);
    tk.roberta = await Tokenizer.fromFolder(`${FIXTURES}roberta-base-bpe`);
    tk.modernbert = await Tokenizer.fromFolder(`${FIXTURES}modernbert-large`);
    tk.deberta = await Tokenizer.fromFolder(`${FIXTURES}deberta-v3`);
  });

  const cases: { tok: string; text: string; want: string[] }[] = [
    // Lower-cased and accent-stripped tokens land on the original characters; ## pieces on their part of the word.
    { tok: 'uncased', text: 'Héllo, WORLD! Unbelievably', want: ['Héllo', ',', 'WORLD', '!', 'Un', 'bel', 'ie', 'va', 'bly'] },
    // A character the vocabulary lacks is [UNK]: it takes the stretch between its neighbours.
    { tok: 'uncased', text: 'a \u{1D518} b', want: ['a', '\u{1D518}', 'b'] },
    { tok: 'chinese', text: '我爱 北京!', want: ['我', '爱', '北', '京', '!'] },
    // Byte-level BPE: spans leave out the space a token starts with (trim_offsets).
    { tok: 'roberta', text: 'Hello world, café', want: ['Hello', 'world', ',', 'café'] },
    // A token of spaces alone has an empty span.
    { tok: 'modernbert', text: 'naïve  résumé', want: ['na', 'ïve', '', 'ré', 'sum', 'é'] },
    { tok: 'deberta', text: 'Hello World', want: ['Hello', 'World'] },
    // NFKC (the SentencePiece charsmap) folds full-width letters and ligatures: spans are the original characters.
    { tok: 'deberta', text: 'Ｈｅｌｌｏ wörld', want: ['Ｈｅｌｌｏ', 'w', 'ör', 'ld'] },
    { tok: 'deberta', text: 'ﬁne  tuning\tok', want: ['ﬁne', 'tuning', 'ok'] },
  ];
  for (const c of cases) {
    test(`${c.tok}: ${c.text}`, () => {
      const tokens = tk[c.tok]!.tokenize(c.text);
      const got = pieces(tk[c.tok]!, c.text);
      assert.equal(got.length, tokens.length, `one span per token (${tokens.join(' ')})`);
      assert.deepEqual(got, c.want, `tokens ${tokens.join(' ')}`);
    });
  }

  test('byte-level: tokens holding parts of one character (an emoji) share its span', () => {
    const text = 'ok 😀 go';
    const tok = tk.roberta!;
    const ids = tok.textToIds(text);
    const spans = tok.offsets(text, ids);
    assert.equal(spans.length, ids.length);
    assert.ok(ids.length > 3, 'the emoji is several byte tokens');
    const emoji = spans.filter(([a]) => a === 3);
    assert.ok(emoji.length >= 2 && emoji.every(([, b]) => b === 5), JSON.stringify(spans));
    assert.deepEqual(spans[0], [0, 2]);
    assert.deepEqual(spans[spans.length - 1], [6, 8]);
  });

  test('offsets are in order and inside the text', () => {
    const text = 'The quick brown fox — jumps; over 2 lazy dogs…';
    for (const tok of Object.values(tk)) {
      let last = 0;
      for (const [a, b] of tok.offsets(text)) {
        assert.ok(a >= last - 2 && a <= b && b <= text.length, `${tok.source}: [${a}, ${b}]`);
        last = a;
      }
    }
  });
});

describe('words', () => {
  test('sub-words join their word; punctuation and CJK characters stand alone', async () => {
    const tok = await Tokenizer.fromFolder(UNCASED_DIR);
    const text = "Unbelievably good, isn't it? 我爱";
    const words = groupWords(text, tok.offsets(text)).map((w) => text.slice(w.start, w.end));
    assert.deepEqual(words, ['Unbelievably', 'good', ',', "isn't", 'it', '?', '我', '爱']);
  });

  test('token ranges of the words', () => {
    const text = 'ab cd';
    const w = groupWords(text, [
      [0, 1],
      [1, 2],
      [3, 5],
    ]);
    assert.deepEqual(w, [
      { start: 0, end: 2, first: 0, last: 1 },
      { start: 3, end: 5, first: 2, last: 2 },
    ]);
  });
});
