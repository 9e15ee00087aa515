/** The predict box when the model abstains (a target-precision threshold in its calibration.json), in real Chromium. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PredictState } from '../../../src/protocol/webview.js';
import { WebviewHarness } from '../../helpers/webview-harness.js';

const MODELS: PredictState = { models: [{ id: 'final', label: 'sms (final model)', dir: '/ws/out/sms' }], selected: 'final' };
const scores = [
  { label: 'ham', score: 0.62 },
  { label: 'spam', score: 0.38 },
];

describe('predict page: abstaining', () => {
  let h: WebviewHarness;
  before(async () => {
    h = await WebviewHarness.start();
  });
  after(async () => {
    await h?.close();
  });

  it('says it abstained instead of a label, still lists the probabilities; a confident answer clears it', () =>
    h.withPage('predict', { viewport: { width: 900, height: 500 } }, async (p) => {
      await p.send({ type: 'bootstrap', page: 'predict', state: MODELS });
      await p.waitForProp('#model', 'value', 'final');
      await p.page.locator('#text textarea').fill('call me back maybe');
      await p.page.locator('#predict').click();
      await p.respond(await p.next('predict'), { scores, abstained: { threshold: 0.87, targetPrecision: 0.95 } });
      await p.page.locator('#abstained').waitFor();
      assert.equal((await p.texts('#abstained'))[0], 'abstained — below the 87.0% confidence threshold (set for 95% precision)');
      assert.deepEqual(await p.texts('#results .pct'), ['62.0%', '38.0%']);
      assert.equal(await p.page.locator('#results.abstained').count(), 1);
      await p.screenshot('predict-abstained');

      await p.page.locator('#predict').click();
      await p.respond(await p.next('predict'), {
        scores: [
          { label: 'spam', score: 0.97 },
          { label: 'ham', score: 0.03 },
        ],
      });
      await p.page.locator('#results .pct', { hasText: '97.0%' }).waitFor();
      assert.equal(await p.page.locator('#abstained').isVisible(), false);
      assert.equal(await p.page.locator('#results.abstained').count(), 0);
      assert.deepEqual(await p.texts('#results .result.top .result-label'), ['spam']);
    }));
});
