/**
 * Long documents and explanations, end to end on tiny models:
 *  - documents whose label cue sits beyond max_seq_length: truncation stays near chance, head_tail
 *    and sliding_window recover the label (metrics per document; predict_results.csv one row per
 *    document; the predictor reads texts as the model was trained);
 *  - Integrated Gradients (`finetune explain`): completeness (the attributions sum to the logit gap,
 *    closer with more steps), and deleting the top-attributed word lowers the score more than
 *    deleting a random word.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { Predictor } from '../../../src/core/predict/predictor.js';
import type { Explanation } from '../../../src/core/predict/explain.js';
import { jsonEvents, prng, reviewRows, runCli, tempDir, writeCsv, writeSmallVocab } from './support.js';

const root = tempDir('long-text');
after(() => rmSync(root, { recursive: true, force: true }));

const POS = ['great', 'wonderful', 'excellent', 'delicious'];
const NEG = ['terrible', 'awful', 'horrible', 'boring'];
const FILL = [
  'the',
  'food',
  'service',
  'movie',
  'place',
  'staff',
  'pizza',
  'was',
  'is',
  'really',
  'very',
  'quite',
  'so',
  'today',
  'and',
  'it',
  'a',
  'item',
  'soup',
  'noodles',
];

/** 30-39 neutral words with the one sentiment word among the last four: past max_seq_length 16. */
function longDocs(n: number, seed: number): { text: string; label: string }[] {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  return Array.from({ length: n }, () => {
    const pos = r() < 0.5;
    const len = 30 + Math.floor(r() * 10);
    const words = Array.from({ length: len }, () => pick(FILL));
    words[len - 1 - Math.floor(r() * 4)] = pick(pos ? POS : NEG);
    return { text: words.join(' '), label: pos ? 'positive' : 'negative' };
  });
}

const TOK = writeSmallVocab(join(root, 'tok'));
const MODES = ['truncate', 'head_tail', 'sliding_window'] as const;

function trainArgs(train: string, out: string, extra: string[]): string[] {
  return [
    'train',
    ...['--model_name_or_path', 'preset:bert-tiny', '--tokenizer_name', TOK, '--train_file', train, '--output_dir', out],
    ...['--num_train_epochs', '4', '--per_device_train_batch_size', '16', '--learning_rate', '1e-3', '--warmup_ratio', '0.1'],
    ...['--save_strategy', 'no', '--logging_steps', '1000', '--threads', '1', '--export_onnx', 'false', '--log_format', 'json', ...extra],
  ];
}

describe('long documents: truncate, head_tail, sliding_window', () => {
  const train = writeCsv(join(root, 'train.csv'), longDocs(200, 1));
  const val = writeCsv(join(root, 'val.csv'), longDocs(100, 2));
  const testRows = longDocs(40, 3);
  const testFile = writeCsv(join(root, 'test.csv'), testRows);
  const results: Record<string, Record<string, number>> = {};
  const logs: Record<string, string[]> = {};

  before(async () => {
    for (const mode of MODES) {
      const out = join(root, mode);
      const flags = [
        '--validation_file',
        val,
        '--test_file',
        testFile,
        '--do_eval',
        '--do_predict',
        '--max_seq_length',
        '16',
        '--long_text',
        mode,
        '--doc_stride',
        '4',
      ];
      // Chunks go through length grouping (and, as every batch, the packed encoder) like any row.
      if (mode === 'sliding_window') flags.push('--group_by_length');
      const r = await runCli(trainArgs(train, out, flags));
      assert.equal(r.code, 0, r.err);
      results[mode] = JSON.parse(readFileSync(join(out, 'eval_results.json'), 'utf8')) as Record<string, number>;
      logs[mode] = jsonEvents(r.out)
        .filter((e) => e.type === 'info')
        .map((e) => String(e.message));
    }
  });

  test('truncation stays near chance; head_tail and sliding_window find the cue past max_seq_length', () => {
    const acc = Object.fromEntries(MODES.map((m) => [m, results[m]!.eval_accuracy!]));
    assert.ok(acc.truncate! <= 0.65, `truncate ${acc.truncate}`);
    assert.ok(acc.head_tail! >= 0.85, `head_tail ${acc.head_tail}`);
    assert.ok(acc.sliding_window! >= 0.8, `sliding_window ${acc.sliding_window}`);
    // Metrics count documents, not chunks.
    for (const m of MODES) assert.equal(results[m]!.eval_samples, 100, m);
  });

  test('the run log says what each mode reads of the long rows', () => {
    assert.ok(
      logs.truncate!.some((l) =>
        /100\.0% longer than 16; truncate reads 4\d% of their tokens \(--long_text sliding_window reads them all in \d+ chunks\)/.test(l),
      ),
      logs.truncate!.join('\n'),
    );
    assert.ok(
      logs.sliding_window!.some((l) => /sliding_window: \d+ chunks \(3\.\d\d per row, at most 4\)/.test(l)),
      logs.sliding_window!.join('\n'),
    );
  });

  test('inspect: how many rows are longer and what each mode reads of them (text and JSON)', async () => {
    const flags = ['inspect', '--train_file', train, '--tokenizer_name', TOK, '--max_seq_length', '16', '--doc_stride', '4'];
    const t = await runCli([...flags, '--log_format', 'text']);
    assert.equal(t.code, 0, t.err);
    assert.match(
      t.out,
      /^ {2}long rows: truncate reads 4\d% of their tokens, head_tail 4\d%, sliding_window all of them in \d+ model inputs for 200 rows \(3\.\d\d per row, at most 4; doc_stride 4\)$/m,
    );
    const j = await runCli([...flags, '--log_format', 'json']);
    const stats = (jsonEvents(j.out)[0] as unknown as { stats: { train: { longText: { rowsOverLength: number; modes: Record<string, { inputs: number }> } } } })
      .stats;
    assert.equal(stats.train.longText.rowsOverLength, 200);
    assert.equal(stats.train.longText.modes.truncate!.inputs, 200);
    assert.ok(stats.train.longText.modes.sliding_window!.inputs > 600);
  });

  test('predict_results.csv has one row per document, predicted from its chunks', () => {
    const [header, ...rows] = parse(readFileSync(join(root, 'sliding_window', 'predict_results.csv'), 'utf8')) as string[][];
    assert.equal(rows.length, testRows.length);
    const text = header!.indexOf('text');
    const predicted = header!.indexOf('predicted');
    rows.forEach((r, i) => assert.equal(r[text], testRows[i]!.text));
    const right = rows.filter((r, i) => r[predicted] === testRows[i]!.label).length;
    assert.ok(right / rows.length >= 0.8, `${right} of ${rows.length}`);
  });

  test('the predictor reads texts as the model was trained (training_args.json): chunks, or head + tail', async () => {
    const doc = testRows[0]!.text;
    const words = doc.split(' ').length;
    const sliding = await Predictor.load(join(root, 'sliding_window'), { threads: 1 });
    const headTail = await Predictor.load(join(root, 'head_tail'), { threads: 1 });
    try {
      assert.equal(sliding.settings.longText.mode, 'sliding_window');
      assert.equal(sliding.settings.maxLength, 16);
      const [s] = await sliding.predictTexts([doc]);
      // 14 tokens a chunk, 10 new ones each after the first.
      assert.deepEqual({ chunks: s!.chunks, tokens: s!.tokens, read: s!.tokensRead }, { chunks: 1 + Math.ceil((words - 14) / 10), tokens: words, read: words });
      const [h] = await headTail.predictTexts([doc]);
      assert.deepEqual({ chunks: h!.chunks, read: h!.tokensRead }, { chunks: 1, read: 14 });
      // A call may ask otherwise.
      const [t] = await sliding.predictTexts([doc], undefined, { longText: 'truncate' });
      assert.equal(t!.chunks, 1);
      const cli = await runCli([
        'predict',
        '--model_name_or_path',
        join(root, 'sliding_window'),
        '--max_seq_length',
        '16',
        '--text',
        doc,
        '--log_format',
        'json',
      ]);
      const [line] = jsonEvents(cli.out) as unknown as { label: string; score: number }[];
      assert.equal(line!.label, s!.scores[0]!.label);
      assert.ok(Math.abs(line!.score - s!.scores[0]!.score) < 1e-6);
    } finally {
      await sliding.dispose();
      await headTail.dispose();
    }
  });

  test('explaining a long document over its chunks: the cue word carries the most attribution', async () => {
    const rows = testRows.slice(0, 4);
    const r = await runCli([
      'explain',
      ...['--model_name_or_path', join(root, 'sliding_window'), '--max_seq_length', '16', '--threads', '1', '--log_format', 'json'],
      ...rows.flatMap((x) => ['--text', x.text]),
    ]);
    assert.equal(r.code, 0, r.err);
    const out = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Explanation);
    out.forEach((e, i) => {
      assert.ok(e.chunks > 1);
      assert.equal(e.tokens.length, rows[i]!.text.split(' ').length, 'every token was read');
      assert.ok(Math.abs(e.delta) <= 0.05 * Math.abs(e.logit_gap) + 0.01, `delta ${e.delta} gap ${e.logit_gap}`);
      const label = e.label === 'positive' ? POS : NEG;
      const top = [...e.words].sort((a, b) => b.attribution - a.attribution)[0]!;
      if (e.label === rows[i]!.label) assert.ok(label.includes(top.text), `${e.label}: top word ${top.text} in "${rows[i]!.text}"`);
    });
  });
});

describe('finetune explain: Integrated Gradients', () => {
  const out = join(root, 'reviews');
  const sentences = reviewRows(30, 9).map((r) => r.text);
  let predictor: Predictor;

  before(async () => {
    const r = await runCli(trainArgs(writeCsv(join(root, 'reviews.csv'), reviewRows(300, 1)), out, ['--num_train_epochs', '3', '--max_seq_length', '24']));
    assert.equal(r.code, 0, r.err);
    predictor = await Predictor.load(out, { threads: 1 });
  });
  after(() => predictor?.dispose());

  test('completeness: the attributions sum to the logit gap, closer with more steps', async () => {
    let coarse = 0;
    let fine = 0;
    for (const text of sentences.slice(0, 10)) {
      const e8 = await predictor.explain(text, { steps: 8, maxLength: 24 });
      const e = await predictor.explain(text, { steps: 64, maxLength: 24 });
      assert.ok(Math.abs(e.delta) <= 0.02 * Math.abs(e.logit_gap) + 0.005, `${text}: delta ${e.delta}, gap ${e.logit_gap}`);
      assert.ok(Math.abs(e.logit_gap) > 0.05, `${text}: the text and the baseline differ (gap ${e.logit_gap})`);
      const words = e.words.reduce((a, w) => a + w.attribution, 0);
      assert.ok(Math.abs(words - (e.logit_gap + e.delta)) < 1e-9, 'words sum their tokens');
      assert.equal(e.tokens.length, e.attributions.length);
      assert.equal(e.offsets.length, e.tokens.length);
      coarse += Math.abs(e8.delta);
      fine += Math.abs(e.delta);
    }
    assert.ok(fine < coarse / 4, `mean |delta| ${fine / 10} at 64 steps against ${coarse / 10} at 8`);
  });

  test('deleting the top-attributed word lowers the score more than deleting a random word', async () => {
    const r = prng(5);
    const without = (text: string, w: { start: number; end: number }): string => `${text.slice(0, w.start)} ${text.slice(w.end)}`.replace(/\s+/g, ' ').trim();
    let topDrop = 0;
    let randomDrop = 0;
    for (const text of sentences) {
      const e = await predictor.explain(text, { maxLength: 24 });
      const scoreOf = async (t: string): Promise<number> =>
        (await predictor.predictTexts([t], undefined, { maxLength: 24 }))[0]!.scores.find((s) => s.label === e.label)!.score;
      const words = e.words.filter((w) => /\w/.test(w.text));
      const top = [...words].sort((a, b) => b.attribution - a.attribution)[0]!;
      topDrop += e.score - (await scoreOf(without(text, top)));
      for (let k = 0; k < 3; k++) randomDrop += (e.score - (await scoreOf(without(text, words[Math.floor(r() * words.length)]!)))) / 3;
    }
    assert.ok(
      topDrop > 2 * randomDrop && topDrop / sentences.length > 0.1,
      `mean drop ${topDrop / sentences.length} (top word) vs ${randomDrop / sentences.length} (random word)`,
    );
  });

  test('text mode: the label, the completeness check, the words marked by their attribution', async () => {
    const r = await runCli(['explain', '--model_name_or_path', out, '--max_seq_length', '24', '--text', 'the food was really great', '--log_format', 'text']);
    assert.equal(r.code, 0, r.err);
    const [head, words, top] = r.out.split('\n');
    assert.match(head!, /^(positive|negative)\t0\.\d{4}\tlogit gap -?\d+\.\d{4}, attributions sum -?\d+\.\d{4} \(delta -?\d\.\d{4}; 32 steps\)$/);
    assert.match(words!, /\[great [+-]\d\.\d\d\]/);
    assert.match(top!, /^ {2}top words: /);
  });

  test("an unknown --label names the model's labels", async () => {
    const r = await runCli(['explain', '--model_name_or_path', out, '--text', 'great', '--label', 'neutral', '--log_format', 'json']);
    assert.equal(r.code, 2);
    assert.match(r.err, /--label neutral: the model's labels are negative, positive/);
  });
});
