/**
 * The predict box's explanation in real Chromium under the host's CSP: "read in N chunks", Explain,
 * each word shaded by the attribution the host sent (the hue by its sign, the strength by its share
 * of the strongest word), the legend, switching the label, the text pair, unread parts, errors; in
 * the dark, light and high-contrast themes (screenshots in .test-output/webview).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PredictState, TextExplanation } from '../../../src/protocol/webviews/predict.js';
import { THEMES, WebviewHarness, type Theme, type WebviewPage } from '../../helpers/webview-harness.js';

const MODELS: PredictState = { models: [{ id: 'final', label: 'reviews (final)', dir: '/ws/out/reviews' }], selected: 'final' };
const TEXT = 'the food was really wonderful, but it came cold';

/** Words of TEXT with attributions toward `pos` (the strongest: wonderful). */
const WORDS: [string, number][] = [
  ['the', 0.02],
  ['food', 0.31],
  ['was', -0.04],
  ['really', 0.22],
  ['wonderful', 1.25],
  [',', 0],
  ['but', -0.38],
  ['it', 0.01],
  ['came', -0.12],
  ['cold', -0.91],
];

function explanation(label: string, sign: 1 | -1, text = TEXT): TextExplanation {
  let at = 0;
  const words = WORDS.map(([w, a]) => {
    const start = text.indexOf(w, at);
    at = start + w.length;
    return { text: w, start, end: at, sequence: 0 as const, attribution: sign * a + 0 };
  });
  const sum = words.reduce((s, w) => s + w.attribution, 0);
  return {
    text,
    label,
    score: sign > 0 ? 0.83 : 0.17,
    words,
    unread: [],
    logit_gap: sum + 0.013,
    delta: -0.013,
    steps: 32,
    chunks: 3,
    read: { mode: 'sliding_window', aggregation: 'mean', maxLength: 32, chunks: 3, tokens: 70, tokensRead: 70 },
    seconds: 0.84,
  };
}

const SCORES = [
  { label: 'neg', score: 0.17 },
  { label: 'pos', score: 0.83 },
];

/** `rgb(r, g, b)`, `rgba(r, g, b, a)` or `color(srgb r g b / a)` as [r, g, b] in 0..255 and alpha. */
function parseColor(c: string): { rgb: [number, number, number]; alpha: number } {
  const srgb = /^color\(srgb ([\d.e-]+) ([\d.e-]+) ([\d.e-]+)(?: \/ ([\d.e-]+))?\)$/.exec(c);
  if (srgb) return { rgb: [Number(srgb[1]) * 255, Number(srgb[2]) * 255, Number(srgb[3]) * 255], alpha: srgb[4] === undefined ? 1 : Number(srgb[4]) };
  const rgb = /^rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(?:, ([\d.]+))?\)$/.exec(c);
  if (rgb) return { rgb: [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])], alpha: rgb[4] === undefined ? 1 : Number(rgb[4]) };
  throw new Error(`unparsed colour ${c}`);
}

const hex = (h: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number];

interface Shaded {
  text: string;
  cls: string;
  attribution: number;
  title: string;
  aria: string;
  bg: string;
  strong: boolean;
}

async function shaded(p: WebviewPage): Promise<Shaded[]> {
  return p.page.locator('#explain-texts mark.xw').evaluateAll((els) =>
    els.map((e) => {
      const el = e as unknown as {
        textContent: string;
        className: string;
        dataset: Record<string, string>;
        title: string;
        getAttribute(n: string): string | null;
      };
      return {
        text: el.textContent,
        cls: el.className,
        attribution: Number(el.dataset.attribution),
        title: el.title,
        aria: el.getAttribute('aria-label') ?? '',
        bg: (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(e).backgroundColor,
        strong: el.getAttribute('data-strong') !== null,
      };
    }),
  );
}

/** Each shaded word has the attribution sent, its sign's class and hue (the theme's blue or orange), an alpha of 0.55 × its share of the strongest. */
function checkShading(words: Shaded[], sent: TextExplanation, theme: Theme): void {
  const max = Math.max(...sent.words.map((w) => Math.abs(w.attribution)));
  const colours = { for: hex(THEMES[theme]['charts-blue']!), against: hex(THEMES[theme]['charts-orange']!) };
  assert.deepEqual(
    words.map((w) => w.text),
    sent.words.map((w) => w.text),
  );
  words.forEach((w, i) => {
    const a = sent.words[i]!.attribution;
    assert.equal(w.attribution, a, w.text);
    const sign = a < 0 ? 'against' : 'for';
    assert.equal(w.cls, `xw ${sign}`, w.text);
    const c = parseColor(w.bg);
    const share = Math.abs(a) / max;
    assert.ok(Math.abs(c.alpha - 0.55 * share) < 0.01, `${w.text}: alpha ${c.alpha}, want ${0.55 * share}`);
    if (share > 0.01) c.rgb.forEach((v, k) => assert.ok(Math.abs(v - colours[sign][k]!) < 2, `${w.text}: ${w.bg} is not the ${sign} colour ${colours[sign]}`));
    assert.equal(w.strong, share >= 0.2, `${w.text}: underlined when strong`);
    assert.match(w.title, new RegExp(`^“${w.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}”: [+−]\\d\\.\\d{3} (toward|against) ${sent.label} \\(`));
    assert.equal(w.aria, w.title);
  });
}

describe('predict page: explanations', () => {
  let h: WebviewHarness;
  before(async () => {
    h = await WebviewHarness.start();
  });
  after(async () => {
    await h?.close();
  });

  const predicted = async (p: WebviewPage, text = TEXT): Promise<void> => {
    await p.send({ type: 'bootstrap', page: 'predict', state: MODELS });
    await p.waitForProp('#model', 'value', 'final');
    await p.page.locator('#text textarea').fill(text);
    await p.page.locator('#predict').click();
    await p.respond(await p.next('predict'), {
      scores: SCORES,
      read: { mode: 'sliding_window', aggregation: 'mean', maxLength: 32, chunks: 3, tokens: 70, tokensRead: 70 },
    });
    await p.page.locator('#explain').waitFor();
  };

  for (const theme of ['dark', 'light', 'high-contrast'] as const) {
    it(`${theme}: Explain shades each word by the attribution sent; the legend; switching the label explains it`, () =>
      h.withPage('predict', { theme, viewport: { width: 860, height: 760 } }, async (p) => {
        await predicted(p);
        assert.equal(await p.page.locator('#read-note').innerText(), 'Read in 3 chunks of 32 tokens (sliding_window, mean of the chunks).');
        assert.deepEqual(await p.options('#explain-label'), ['pos', 'neg']);
        assert.equal(await p.page.locator('#explanation').isVisible(), false);

        await p.page.locator('#explain').click();
        const req = await p.next('explain');
        assert.deepEqual(req, { type: 'explain', requestId: req.requestId, model: 'final', text: TEXT, label: 'pos' });
        const pos = explanation('pos', 1);
        await p.respond(req, pos);
        await p.page.locator('#explanation').waitFor();
        checkShading(await shaded(p), pos, theme);
        assert.deepEqual(await p.texts('#explain-legend .legend-item'), ['toward pos', 'against pos']);
        assert.equal(await p.page.locator('#explain-legend .swatch.for').count(), 1);
        assert.equal(await p.page.locator('#explain-legend .swatch.against').count(), 1);
        assert.deepEqual(await p.texts('#explain-top > div'), [
          'Toward pos: wonderful +1.250, food +0.310, really +0.220, the +0.020, it +0.010',
          'Against pos: cold −0.910, but −0.380, came −0.120',
        ]);
        const note = await p.page.locator('#explain-note').innerText();
        assert.match(note, /^Integrated Gradients over 3 chunks: attributions sum to 0\.360, the logit gap is 0\.373 \(delta −0\.013; 32 steps\) · 0\.8 s\.$/);
        // the whole text is shown, words and what lies between
        assert.equal(await p.page.locator('#explain-texts .explain-text').innerText(), TEXT);
        await p.screenshot(`predict-explain-${theme}`);

        // another label: asked for, and shaded the other way
        await p.choose('#explain-label', 'neg');
        const reqNeg = await p.next('explain');
        assert.equal(reqNeg.label, 'neg');
        const neg = explanation('neg', -1);
        await p.respond(reqNeg, neg);
        await p.page.locator('#explain-legend .legend-item', { hasText: 'toward neg' }).waitFor();
        checkShading(await shaded(p), neg, theme);
        assert.match((await shaded(p)).find((w) => w.text === 'wonderful')!.title, /^“wonderful”: −1\.250 against neg \(the strongest word\)$/);

        // back to pos: the explanation already made, no new request
        await p.choose('#explain-label', 'pos');
        await p.page.locator('#explain-legend .legend-item', { hasText: 'toward pos' }).waitFor();
        checkShading(await shaded(p), pos, theme);
        assert.equal(await p.count('explain'), 2);
      }));
  }

  it("a theme's translucent chart colour: the shading takes its hue, the strength stays the word's", () =>
    h.withPage('predict', { viewport: { width: 860, height: 600 } }, async (p) => {
      // as Dark Modern in VS Code: charts.orange is a translucent highlight colour
      await p.page.evaluate(() =>
        (
          globalThis as unknown as { document: { documentElement: { style: { setProperty(k: string, v: string): void } } } }
        ).document.documentElement.style.setProperty('--vscode-charts-orange', '#d1861654'),
      );
      await predicted(p);
      await p.page.locator('#explain').click();
      const e = explanation('pos', 1);
      await p.respond(await p.next('explain'), e);
      await p.page.locator('#explanation').waitFor();
      checkShading(await shaded(p), e, 'dark');
    }));

  it('a new prediction clears the explanation; an explain error is a plain message', () =>
    h.withPage('predict', { viewport: { width: 860, height: 600 } }, async (p) => {
      await predicted(p);
      await p.page.locator('#explain').click();
      await p.respond(await p.next('explain'), explanation('pos', 1));
      await p.page.locator('#explanation').waitFor();
      await p.page.locator('#predict').click();
      assert.equal(await p.page.locator('#explanation').isVisible(), false);
      await p.respond(await p.next('predict'), { scores: SCORES });
      await p.page.locator('#explain').waitFor();
      assert.equal(await p.page.locator('#read-note').isVisible(), false, 'a text read whole in one input has no reading note');
      await p.page.locator('#explain').click();
      await p.fail(await p.next('explain'), 'out of memory while explaining: lower finetune.igSteps');
      await p.page.locator('#explain-error', { hasText: 'out of memory while explaining: lower finetune.igSteps' }).waitFor();
      assert.equal(await p.page.locator('#explanation').isVisible(), false);
      assert.equal(await p.page.locator('#error').isVisible(), false, "the prediction's own error line stays empty");
    }));

  it('a pair: both texts shaded on one scale; the part the model did not read is marked', () =>
    h.withPage('predict', { theme: 'light', viewport: { width: 860, height: 700 } }, async (p) => {
      await p.send({ type: 'bootstrap', page: 'predict', state: { ...MODELS, models: MODELS.models.map((m) => ({ ...m, pairs: true })) } });
      await p.waitForProp('#model', 'value', 'final');
      const text = 'A man plays a guitar.';
      const pair = 'Someone makes music on a long stage far away';
      await p.page.locator('#text textarea').fill(text);
      await p.page.locator('#pair textarea').fill(pair);
      await p.page.locator('#predict').click();
      const read = { mode: 'truncate' as const, aggregation: 'mean' as const, maxLength: 16, chunks: 1, tokens: 17, tokensRead: 14 };
      await p.respond(await p.next('predict'), { scores: [{ label: 'entailment', score: 0.7 }], read });
      assert.equal(await p.page.locator('#read-note').innerText(), 'Read 14 of 17 tokens (truncate at max_seq_length 16).');
      await p.page.locator('#explain').click();
      const req = await p.next('explain');
      assert.equal(req.pair, pair);
      const span = (s: string, w: string, seq: 0 | 1, a: number) => ({
        text: w,
        start: s.indexOf(w),
        end: s.indexOf(w) + w.length,
        sequence: seq,
        attribution: a,
      });
      const e: TextExplanation = {
        text,
        pair,
        label: 'entailment',
        score: 0.7,
        words: [span(text, 'guitar', 0, 0.5), span(text, 'man', 0, -0.1), span(pair, 'music', 1, 1.0), span(pair, 'Someone', 1, 0.25)].sort(
          (a, b) => a.sequence - b.sequence || a.start - b.start,
        ),
        unread: [{ sequence: 1, start: pair.indexOf('long'), end: pair.length }],
        logit_gap: 1.6,
        delta: 0.05,
        steps: 32,
        chunks: 1,
        read,
        seconds: 0.2,
      };
      await p.respond(req, e);
      await p.page.locator('#explanation').waitFor();
      assert.deepEqual(await p.texts('#explain-texts .explain-title'), ['Text', 'Second text']);
      assert.deepEqual(await p.texts('#explain-texts .explain-text'), [text, pair]);
      checkShading(await shaded(p), e, 'light');
      assert.deepEqual(await p.texts('#explain-texts .unread'), ['long stage far away']);
      assert.deepEqual(await p.texts('#explain-legend .legend-item'), [
        'toward entailment',
        'against entailment',
        'italicnot read by the model (truncate at max_seq_length 16)',
      ]);
      assert.match((await p.page.locator('#explain-texts .unread').getAttribute('title'))!, /not read by the model \(truncate at max_seq_length 16\)/);
      await p.screenshot('predict-explain-pair-light');
    }));
});
