/** GradScaler: torch.amp.GradScaler's defaults and its scale update rule. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GradScaler } from '../../../../src/core/step/grad-scaler.js';

describe('GradScaler', () => {
  test("torch's defaults: 2^16, x2 every 2000 finite steps, x0.5 on overflow", () => {
    const s = new GradScaler();
    assert.equal(s.scale, 65536);
    for (let i = 0; i < 1999; i++) s.update(false);
    assert.equal(s.scale, 65536);
    s.update(false);
    assert.equal(s.scale, 131072);
    s.update(true);
    assert.equal(s.scale, 65536);
  });

  // [steps (true = overflow), scale after each, growth tracker at the end], growth interval 3.
  const cases: [string, boolean[], number[], number][] = [
    ['grows after 3 finite steps in a row', [false, false, false, false], [8, 8, 16, 16], 1],
    ['an overflow backs off and restarts the count', [false, false, true, false, false, false], [8, 8, 4, 4, 4, 8], 0],
    ['overflows in a row keep halving', [true, true, true], [4, 2, 1], 0],
  ];
  for (const [name, steps, scales, tracker] of cases) {
    test(name, () => {
      const s = new GradScaler({ initScale: 8, growthInterval: 3 });
      const seen = steps.map((inf) => {
        s.update(inf);
        return s.scale;
      });
      assert.deepEqual(seen, scales);
      assert.equal(s.stateDict()._growth_tracker, tracker);
    });
  }

  test('state round-trips with torch state_dict keys; a damaged state is refused', () => {
    const a = new GradScaler({ initScale: 1024, growthInterval: 5 });
    a.update(false);
    a.update(false);
    const st = a.stateDict();
    assert.deepEqual(st, { scale: 1024, growth_factor: 2, backoff_factor: 0.5, growth_interval: 5, _growth_tracker: 2 });
    const b = new GradScaler({ growthInterval: 5 });
    b.loadStateDict(st);
    for (let i = 0; i < 3; i++) b.update(false);
    assert.equal(b.scale, 2048);
    assert.throws(() => b.loadStateDict({ ...st, scale: 0 }), /not a valid GradScaler state/);
  });
});
