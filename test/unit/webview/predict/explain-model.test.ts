/** The predict box's explanation view-model: the shading scale, the segments of a text, the labels, the lines under it. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TextExplanation, WordAttribution } from '../../../../src/protocol/explain.js';
import {
  explainLabels,
  explainedTexts,
  legend,
  readLine,
  segments,
  shadeMax,
  smallPrint,
  strength,
  topWordLines,
  wordTitle,
} from '../../../../webview/predict/explain-model.js';

/** The words of `text` with the given attributions, found left to right. */
function words(text: string, attrs: [string, number][], sequence: 0 | 1 = 0): WordAttribution[] {
  let at = 0;
  return attrs.map(([w, attribution]) => {
    const start = text.indexOf(w, at);
    at = start + w.length;
    return { text: w, start, end: at, sequence, attribution };
  });
}

const TEXT = 'great food, cold soup';
const E: TextExplanation = {
  text: TEXT,
  label: 'pos',
  score: 0.8,
  words: words(TEXT, [
    ['great', 1.2],
    ['food', 0.3],
    [',', 0],
    ['cold', -0.6],
    ['soup', -0.12],
  ]),
  unread: [],
  logit_gap: 0.8,
  delta: -0.02,
  steps: 32,
  chunks: 1,
  read: { mode: 'truncate', aggregation: 'mean', maxLength: 128, chunks: 1, tokens: 6, tokensRead: 6 },
  seconds: 0.42,
};

describe('shading scale', () => {
  test('the largest |attribution| of the words is full strength, both texts of a pair together', () => {
    assert.equal(shadeMax(E.words), 1.2);
    assert.equal(shadeMax([...E.words, ...words('x y', [['y', -2.4]], 1)]), 2.4);
    assert.equal(shadeMax([]), 0);
  });
  const table: [number, number, number][] = [
    [1.2, 1.2, 1],
    [-0.6, 1.2, 0.5],
    [0.3, 1.2, 0.25],
    [0, 1.2, 0],
    [0.5, 0, 0],
    [3, 1, 1],
  ];
  for (const [a, max, want] of table) test(`strength(${a}, ${max}) = ${want}`, () => assert.equal(strength(a, max), want));

  const titles: [string, number, string][] = [
    ['great', 1.2, '“great”: +1.200 toward pos (the strongest word)'],
    ['cold', -0.6, '“cold”: −0.600 against pos (50% of the strongest)'],
    [',', 0, '“,”: +0.000 toward pos (0% of the strongest)'],
  ];
  for (const [w, a, want] of titles) test(`wordTitle ${w}`, () => assert.equal(wordTitle(w, a, 1.2, { label: 'pos' }), want));
  test('wordTitle of a regression model: raises or lowers the value', () => {
    assert.equal(wordTitle('cheap', -0.6, 1.2, { label: 'value', regression: true }), '“cheap”: −0.600 lowers the value (50% of the strongest)');
    assert.equal(wordTitle('luxury', 1.2, 1.2, { label: 'value', regression: true }), '“luxury”: +1.200 raises the value (the strongest word)');
  });
});

describe('segments', () => {
  test('words shaded by sign and strength, the text between them plain, in order, covering the text', () => {
    const s = segments(TEXT, E.words, [], 1.2, E);
    assert.equal(s.map((x) => x.text).join(''), TEXT);
    assert.deepEqual(
      s.map((x) => [x.text, x.word?.sign ?? '', x.word ? Number(x.word.strength.toFixed(3)) : null]),
      [
        ['great', 'for', 1],
        [' ', '', null],
        ['food', 'for', 0.25],
        [',', 'for', 0],
        [' ', '', null],
        ['cold', 'against', 0.5],
        [' ', '', null],
        ['soup', 'against', 0.1],
      ],
    );
  });

  test('unread parts are marked; overlapping or out-of-range spans are skipped', () => {
    const text = 'head words middle part tail';
    const ws = words(text, [
      ['head', 0.5],
      ['words', -0.5],
      ['tail', 1],
    ]);
    const unread = [{ sequence: 0 as const, start: text.indexOf('middle'), end: text.indexOf(' tail') }];
    const bogus = { ...ws[0]!, start: 2, end: 7 };
    const s = segments(text, [...ws, bogus, { ...ws[2]!, start: 40, end: 44 }], unread, 1, E);
    assert.equal(s.map((x) => x.text).join(''), text);
    assert.deepEqual(
      s.filter((x) => x.unread).map((x) => x.text),
      ['middle part'],
    );
    assert.deepEqual(
      s.filter((x) => x.word).map((x) => x.text),
      ['head', 'words', 'tail'],
    );
  });

  test('explainedTexts: one text, or the text and the second text on one scale', () => {
    assert.deepEqual(
      explainedTexts(E).map((t) => t.title),
      ['Text'],
    );
    const pair = 'soup was cold';
    const withPair: TextExplanation = { ...E, pair, words: [...E.words, ...words(pair, [['cold', -2.4]], 1)] };
    const parts = explainedTexts(withPair);
    assert.deepEqual(
      parts.map((t) => [t.title, t.segments.map((x) => x.text).join('')]),
      [
        ['Text', TEXT],
        ['Second text', pair],
      ],
    );
    // "great" (1.2) is half the pair's "cold" (-2.4)
    assert.equal(parts[0]!.segments[0]!.word!.strength, 0.5);
    assert.equal(parts[1]!.segments.find((x) => x.text === 'cold')!.word!.strength, 1);
  });
});

describe('around the text', () => {
  test('labels: the prediction best first', () => {
    assert.deepEqual(
      explainLabels([
        { label: 'neg', score: 0.2 },
        { label: 'pos', score: 0.7 },
        { label: 'mid', score: 0.1 },
      ]),
      ['pos', 'neg', 'mid'],
    );
  });

  test('legend: toward and against the label; raises and lowers a regression value', () => {
    assert.deepEqual(legend(E), [
      { sign: 'for', text: 'toward pos' },
      { sign: 'against', text: 'against pos' },
    ]);
    assert.deepEqual(legend({ label: 'value', regression: true }), [
      { sign: 'for', text: 'raises the value' },
      { sign: 'against', text: 'lowers the value' },
    ]);
  });

  test('top words each way, or a line saying there are none', () => {
    assert.deepEqual(topWordLines(E), ['Toward pos: great +1.200, food +0.300', 'Against pos: cold −0.600, soup −0.120']);
    assert.deepEqual(topWordLines({ ...E, label: 'value', regression: true }), [
      'Raises the value: great +1.200, food +0.300',
      'Lowers the value: cold −0.600, soup −0.120',
    ]);
    assert.deepEqual(topWordLines({ ...E, words: E.words.map((w) => ({ ...w, attribution: 0 })) }), ["No word moves the pos logit away from the baseline's."]);
  });

  const prints: [string, Partial<TextExplanation>, string][] = [
    ['plain', {}, 'Integrated Gradients: attributions sum to 0.780, the logit gap is 0.800 (delta −0.020; 32 steps) · 0.4 s.'],
    [
      'chunks, fast',
      { chunks: 3, seconds: 0.01 },
      'Integrated Gradients over 3 chunks: attributions sum to 0.780, the logit gap is 0.800 (delta −0.020; 32 steps).',
    ],
    [
      'off by more than 5%',
      { delta: 0.3, steps: 4 },
      'Integrated Gradients: attributions sum to 1.100, the logit gap is 0.800 (delta +0.300; 4 steps) · 0.4 s. The sum is off by more than 5% of the gap: raise the finetune.igSteps setting for a closer one.',
    ],
  ];
  for (const [name, patch, want] of prints) test(`smallPrint: ${name}`, () => assert.equal(smallPrint({ ...E, ...patch }), want));

  test('readLine: a sentence, or nothing for a text read whole', () => {
    assert.equal(readLine(E.read), '');
    assert.equal(readLine(undefined), '');
    assert.equal(readLine({ ...E.read, mode: 'sliding_window', chunks: 4 }), 'Read in 4 chunks of 128 tokens (sliding_window, mean of the chunks).');
  });
});
