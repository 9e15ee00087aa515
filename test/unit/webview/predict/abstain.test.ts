/** What the predict box says instead of a label when the model abstains. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { abstainText } from '../../../../webview/predict/view-model.js';

test('abstainText: the threshold and the precision it was set for', () => {
  const table: [{ threshold: number; targetPrecision: number }, string][] = [
    [{ threshold: 0.8712, targetPrecision: 0.95 }, 'abstained — below the 87.1% confidence threshold (set for 95% precision)'],
    [{ threshold: 0.5, targetPrecision: 0.9 }, 'abstained — below the 50.0% confidence threshold (set for 90% precision)'],
  ];
  for (const [a, want] of table) assert.equal(abstainText(a), want);
});
