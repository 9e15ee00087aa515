/** The predict box in real Chromium under the host's CSP. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PredictState } from '../../../src/protocol/webview.js';
import { WebviewHarness, type WebviewPage } from '../../helpers/webview-harness.js';

const MODELS: PredictState = {
  models: [
    { id: 'final', label: 'rbt3-waimai (final model)', dir: '/ws/out/rbt3-waimai' },
    { id: 'ckpt-500', label: 'rbt3-waimai checkpoint-500', dir: '/ws/out/rbt3-waimai/checkpoint-500' },
  ],
  selected: 'final',
};

/** The same runs trained on sentence pairs. */
const PAIR_MODELS: PredictState = { ...MODELS, models: MODELS.models.map((m) => ({ ...m, pairs: true })) };

describe('predict page', () => {
  let h: WebviewHarness;
  before(async () => {
    h = await WebviewHarness.start();
  });
  after(async () => {
    await h?.close();
  });

  const withPage = (fn: (p: WebviewPage) => Promise<void>): Promise<void> => h.withPage('predict', { viewport: { width: 900, height: 600 } }, fn);

  it('sends predict and shows every label with its probability, best first', () =>
    withPage(async (p) => {
      await p.send({ type: 'bootstrap', page: 'predict', state: MODELS });
      await p.waitForProp('#model', 'value', 'final');
      assert.deepEqual(await p.options('#model'), ['final', 'ckpt-500']);
      assert.equal(await p.page.locator('#pair-row').isVisible(), false);

      await p.page.locator('#text textarea').fill('味道很好，送餐也快');
      await p.page.locator('#predict').click();
      const req = await p.next('predict');
      assert.deepEqual(req, { type: 'predict', requestId: req.requestId, model: 'final', text: '味道很好，送餐也快' });
      await p.respond(req, {
        scores: [
          { label: 'negative', score: 0.0712 },
          { label: 'neutral', score: 0.0421 },
          { label: 'positive', score: 0.8867 },
        ],
      });
      await p.page.locator('#results .result').first().waitFor();
      assert.deepEqual(await p.texts('#results .result-label'), ['positive', 'negative', 'neutral']);
      assert.deepEqual(await p.texts('#results .pct'), ['88.7%', '7.1%', '4.2%']);
      assert.deepEqual(await p.texts('#results .result.top .result-label'), ['positive']);
      const widths = await p.page.locator('#results .bar').evaluateAll((els) => els.map((e) => (e as unknown as { style: { width: string } }).style.width));
      assert.deepEqual(widths, ['88.67%', '7.12%', '4.21%']);
      await p.screenshot('predict-dark');
    }));

  it('Ctrl+Enter predicts with the chosen model; errors show inline', () =>
    withPage(async (p) => {
      await p.send({ type: 'bootstrap', page: 'predict', state: MODELS });
      await p.waitForProp('#model', 'value', 'final');
      // nothing typed: a message, no request
      await p.page.locator('#predict').click();
      await p.page.locator('#error', { hasText: 'Type a text' }).waitFor();
      assert.equal(await p.count('predict'), 0);

      await p.choose('#model', 'rbt3-waimai checkpoint-500');
      await p.waitForProp('#model', 'value', 'ckpt-500');
      await p.page.locator('#text textarea').fill('cold food');
      await p.page.locator('#text textarea').press('Control+Enter');
      const req = await p.next('predict');
      assert.equal(req.model, 'ckpt-500');
      assert.equal(req.text, 'cold food');
      await p.fail(req, 'checkpoint-500: model.safetensors is missing');
      await p.page.locator('#error', { hasText: 'model.safetensors is missing' }).waitFor();
      assert.equal(await p.page.locator('#results').isVisible(), false);

      // a later success clears the error
      await p.page.locator('#predict').click();
      await p.respond(await p.next('predict'), {
        scores: [
          { label: 'pos', score: 0.25 },
          { label: 'neg', score: 0.75 },
        ],
      });
      await p.page.locator('#results .result').first().waitFor();
      assert.equal(await p.page.locator('#error').isVisible(), false);
      assert.deepEqual(await p.texts('#results .pct'), ['75.0%', '25.0%']);
    }));

  it('sentence-pair models get a second text; the model list follows `models` messages; the text survives a reload', () =>
    withPage(async (p) => {
      await p.send({ type: 'bootstrap', page: 'predict', state: { models: [] } });
      await p.page.locator('#no-models').waitFor();
      await p.send({ type: 'models', state: { ...PAIR_MODELS, selected: 'ckpt-500' } });
      await p.waitForProp('#model', 'value', 'ckpt-500');
      await p.page.locator('#pair-row').waitFor();
      assert.equal(await p.page.locator('#no-models').isVisible(), false);

      await p.page.locator('#text textarea').fill('A man is playing a guitar.');
      await p.page.locator('#predict').click();
      await p.page.locator('#error', { hasText: 'second text' }).waitFor();
      await p.page.locator('#pair textarea').fill('A person plays music.');
      await p.page.locator('#predict').click();
      const req = await p.next('predict');
      assert.deepEqual(req, {
        type: 'predict',
        requestId: req.requestId,
        model: 'ckpt-500',
        text: 'A man is playing a guitar.',
        pair: 'A person plays music.',
      });

      await p.reload();
      await p.next('ready');
      await p.send({ type: 'bootstrap', page: 'predict', state: PAIR_MODELS });
      await p.waitForProp('#text', 'value', 'A man is playing a guitar.');
      await p.waitForProp('#pair', 'value', 'A person plays music.');
    }));

  it('no model yet: Choose a Hub model asks the host; the picked model is selected with its note; a second text on request', () =>
    withPage(async (p) => {
      await p.send({ type: 'bootstrap', page: 'predict', state: { models: [] } });
      await p.page.locator('#no-models', { hasText: 'Try a pretrained classifier from the Hugging Face Hub' }).waitFor();
      await p.page.locator('#choose-model-empty').click();
      await p.respond(await p.next('chooseModel'), {
        models: [{ id: 'org/sst2', label: 'org/sst2 (Hub)', dir: 'org/sst2', source: 'hub' }],
        selected: 'org/sst2',
      });
      await p.waitForProp('#model', 'value', 'org/sst2');
      assert.equal(await p.page.locator('#no-models').isVisible(), false);
      assert.match((await p.texts('#model-note'))[0]!, /from the Hugging Face Hub, as it is/);
      assert.equal(await p.page.locator('#pair-row').isVisible(), false);
      await p.page.locator('#pair-toggle').click();
      await p.page.locator('#pair-row').waitFor();
      await p.page.locator('#text textarea').fill('a');
      await p.page.locator('#pair textarea').fill('b');
      await p.page.locator('#predict').click();
      const req = await p.next('predict');
      assert.equal(req.model, 'org/sst2');
      assert.equal(req.pair, 'b');
    }));
});
