/** Keeping or replacing a classification head when fine-tuning a model folder (model/head.ts). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProblemType } from '../../../../src/core/model/config.js';
import { HeadMismatchError, decideHead } from '../../../../src/core/model/head.js';
import { parseHfConfig } from '../../../../src/core/model/hf-config.js';

function config(labels: readonly (string | number)[] | null, opts: { arch?: string; problem?: string } = {}) {
  return parseHfConfig({
    model_type: 'bert',
    architectures: [opts.arch ?? 'BertForSequenceClassification'],
    ...(labels
      ? { id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])), label2id: Object.fromEntries(labels.map((l, i) => [String(l), i])) }
      : {}),
    ...(opts.problem ? { problem_type: opts.problem } : {}),
  });
}

const req = (dataLabels: string[], o: { problem?: ProblemType; ignore?: boolean } = {}) => ({
  dataLabels,
  problemType: o.problem ?? ('single_label_classification' as ProblemType),
  integerLabels: dataLabels.length > 0 && dataLabels.every((l) => /^-?\d+$/.test(l)),
  ignoreMismatchedSizes: o.ignore ?? false,
});

describe('decideHead', () => {
  const keep = [
    {
      name: "the model's names in another sorted order keep the model's ids",
      cfg: config(['positive', 'negative', 'neutral']),
      data: ['negative', 'neutral', 'positive'],
      labels: ['positive', 'negative', 'neutral'],
    },
    {
      name: 'a subset of a 151-label head keeps all 151',
      cfg: config(Array.from({ length: 151 }, (_, i) => `intent_${i}`)),
      data: ['intent_3', 'intent_140', 'intent_77'],
      labels: Array.from({ length: 151 }, (_, i) => `intent_${i}`),
    },
    {
      name: 'names that differ in case only (run_glue lower-cases them)',
      cfg: config(['NEGATIVE', 'POSITIVE']),
      data: ['negative', 'positive'],
      labels: ['NEGATIVE', 'POSITIVE'],
    },
    {
      name: "integer names run_classification.py writes ({'0': 0})",
      cfg: config([0, 1, 2]),
      data: ['0', '2'],
      labels: ['0', '1', '2'],
    },
    {
      name: 'unnamed labels and integer data: k trains LABEL_k, named "k"',
      cfg: config(['LABEL_0', 'LABEL_1', 'LABEL_2']),
      data: ['0', '1'],
      labels: ['0', '1', '2'],
    },
    {
      name: 'unnamed labels and as many named data labels: sorted order, as transformers',
      cfg: config(['LABEL_0', 'LABEL_1', 'LABEL_2']),
      data: ['negative', 'neutral', 'positive'],
      labels: ['negative', 'neutral', 'positive'],
    },
  ];
  for (const c of keep) {
    test(`keeps the head: ${c.name}`, () => {
      const d = decideHead(c.cfg, req(c.data));
      assert.equal(d.kind, 'keep');
      assert.deepEqual(d.labels, c.labels);
    });
  }

  test('a model without a classification head (MaskedLM, base) gets a new head for the data', () => {
    for (const arch of ['BertForMaskedLM', 'BertModel']) {
      const d = decideHead(config(['LABEL_0', 'LABEL_1'], { arch }), req(['a', 'b', 'c']));
      assert.deepEqual(d, { kind: 'new', labels: ['a', 'b', 'c'] });
    }
  });

  test('regression data on a one-output regression head keeps it', () => {
    const d = decideHead(config(['LABEL_0'], { problem: 'regression' }), req([], { problem: 'regression' }));
    assert.deepEqual(d, { kind: 'keep', labels: null });
  });

  const refuse = [
    {
      name: 'labels the model lacks',
      cfg: config(['bad', 'ok', 'good']),
      data: ['negative', 'positive'],
      msg: /labels the model does not know: "negative", "positive"\. The model's labels are "bad", "ok", "good"/,
    },
    {
      name: 'more data labels than unnamed ones',
      cfg: config(['LABEL_0', 'LABEL_1']),
      data: ['a', 'b', 'c'],
      msg: /2 unnamed labels \(LABEL_0\.\.LABEL_1\) but the data has 3/,
    },
    { name: 'integers beyond an unnamed head', cfg: config(['LABEL_0', 'LABEL_1']), data: ['0', '1', '5'], msg: /2 unnamed labels/ },
    { name: 'classes on a regression head', cfg: config(['LABEL_0']), data: ['x', 'y'], msg: /predicts one number \(regression\)/ },
  ];
  for (const c of refuse) {
    test(`refuses without --ignore_mismatched_sizes: ${c.name}`, () => {
      assert.throws(
        () => decideHead(c.cfg, req(c.data)),
        (e: unknown) => e instanceof HeadMismatchError && c.msg.test(e.message) && /--ignore_mismatched_sizes/.test(e.message),
      );
      const d = decideHead(c.cfg, req(c.data, { ignore: true }));
      assert.equal(d.kind, 'new');
      assert.deepEqual(d.labels, c.data);
      assert.ok(d.kind === 'new' && d.discarded && d.discarded.length > 0);
      assert.match(d.message ?? '', /are discarded/);
    });
  }
});
