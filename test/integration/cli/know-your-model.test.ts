/**
 * Know your model, through the command line on a tiny model and generated data: eval_predictions.csv
 * and predict_results.csv with every row's source line (CSV with quoted newlines, TSV, JSONL, JSON);
 * calibration fitted after training (calibration.json, ECE / NLL before and after, the abstain rule
 * of --target_precision, multi-label thresholds) applied by predict, kept by export and measured on
 * held-back data; find-label-errors finding injected label flips, and cancelled.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { TrainingEvent } from '../../../src/core/contract/events.js';
import { defaultArgs } from '../../../src/core/contract/args.js';
import { type Calibration, probabilitiesOf } from '../../../src/core/predict/calibration.js';
import { Predictor } from '../../../src/core/predict/predictor.js';
import { findLabelErrors } from '../../../src/core/run/label-errors.js';
import { jsonEvents, prng, reviewRows, runCli, tempDir, writeCsv, writeSmallVocab } from './support.js';

const root = tempDir('know');
after(() => rmSync(root, { recursive: true, force: true }));
const TOK = writeSmallVocab(join(root, 'tok'));

const readJson = <T = Record<string, number>>(p: string): T => JSON.parse(readFileSync(p, 'utf8')) as T;
function readCsv(path: string): { header: string[]; rows: Record<string, string>[] } {
  const [header, ...rows] = parse(readFileSync(path, 'utf8')) as string[][];
  return { header: header!, rows: rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]!]))) };
}

type Row = { text: string; label: string };
const flip = (l: string): string => (l === 'positive' ? 'negative' : 'positive');
/** Review rows with the labels of a seeded `share` of them flipped. */
function noisyRows(n: number, seed: number, share: number): Row[] {
  const r = prng(seed + 1000);
  return reviewRows(n, seed).map((x) => (r() < share ? { ...x, label: flip(x.label) } : x));
}

const TRAIN_FLAGS = [
  '--per_device_train_batch_size',
  '16',
  '--per_device_eval_batch_size',
  '32',
  '--max_seq_length',
  '24',
  '--threads',
  '1',
  '--logging_steps',
  '1000',
];

// Clean training labels, 15% of the validation and held-back labels flipped: the model learns to be
// sure of itself and is right about 85% of the time there, overconfident (temperature about 2).
describe('calibration and prediction tables after training (single-label; noisy validation and held-back labels)', () => {
  const train = writeCsv(join(root, 'train.csv'), noisyRows(240, 21, 0));
  const val = writeCsv(join(root, 'val.csv'), noisyRows(160, 22, 0.15));
  const heldRows = noisyRows(300, 23, 0.15);
  const held = writeCsv(join(root, 'held.csv'), heldRows);
  const out = join(root, 'run');
  let events: TrainingEvent[] = [];

  before(async () => {
    const r = await runCli([
      'train',
      ...['--model_name_or_path', 'preset:bert-tiny', '--tokenizer_name', TOK, '--train_file', train, '--validation_file', val, '--test_file', held],
      ...['--do_eval', '--do_predict', '--eval_strategy', 'epoch', '--save_strategy', 'no', '--num_train_epochs', '4', '--learning_rate', '3e-3'],
      ...['--target_precision', '0.97', '--output_dir', out, '--log_format', 'json', ...TRAIN_FLAGS],
    ]);
    assert.equal(r.code, 0, r.err);
    events = jsonEvents(r.out) as unknown as TrainingEvent[];
  });

  test('calibration.json: the temperature, what it did on validation, the abstain rule; the model card says so', () => {
    const c = readJson<Calibration>(join(out, 'calibration.json'));
    assert.equal(c.method, 'temperature');
    assert.deepEqual(c.labels, ['negative', 'positive']);
    assert.ok(c.temperature > 1.3, `overconfident: T ${c.temperature}`);
    assert.equal(c.fit.rows, 160);
    assert.equal(c.fit.bins, 15);
    assert.ok(c.fit.nll_after <= c.fit.nll_before + 1e-9);
    assert.ok(c.abstain && c.abstain.target_precision === 0.97 && c.abstain.precision >= 0.97 && c.abstain.coverage < 1);
    const card = readFileSync(join(out, 'README.md'), 'utf8');
    assert.match(card, /## Calibration/);
    assert.match(card, new RegExp(`T = ${c.temperature.toFixed(4)}`));
  });

  test('eval_results.json and test_results.json: ECE and NLL before and after; after <= before on the held-back test file', () => {
    const ev = readJson(join(out, 'eval_results.json'));
    for (const k of ['eval_ece', 'eval_nll', 'eval_ece_calibrated', 'eval_nll_calibrated', 'eval_temperature']) assert.equal(typeof ev[k], 'number', k);
    assert.ok(ev.eval_nll_calibrated! <= ev.eval_nll! + 1e-9);
    // eval_nll is the cross-entropy, as eval_loss (no label smoothing here)
    assert.ok(Math.abs(ev.eval_nll! - ev.eval_loss!) < 1e-4, `${ev.eval_nll} vs ${ev.eval_loss}`);
    const t = readJson(join(out, 'test_results.json'));
    assert.ok(t.test_ece_calibrated! <= t.test_ece! / 2, `held-back ECE ${t.test_ece} -> ${t.test_ece_calibrated}`);
    assert.ok(t.test_nll_calibrated! <= t.test_nll!, `held-back NLL ${t.test_nll} -> ${t.test_nll_calibrated}`);
  });

  test('events: eval_predictions.csv after the final evaluation, the fitted calibration with its reliability bins, predict_results.csv', () => {
    const preds = events.filter((e) => e.type === 'predictions');
    assert.deepEqual(
      preds.map((e) => [e.split, e.calibrated]),
      [
        ['eval', true],
        ['test', true],
      ],
    );
    const last = preds[0]!;
    assert.equal(last.path, join(out, 'eval_predictions.csv'));
    assert.equal(last.dataFile, val);
    assert.equal(last.rows, 160);
    assert.deepEqual(last.labels, ['negative', 'positive']);
    const cal = events.filter((e) => e.type === 'calibration');
    assert.equal(cal.length, 1);
    const c = cal[0]!;
    assert.equal(c.fitted, true);
    assert.equal(c.path, join(out, 'calibration.json'));
    for (const m of [c.before, c.after]) {
      assert.equal(m.bins.length, 15);
      assert.equal(
        m.bins.reduce((a, b) => a + b.count, 0),
        160,
      );
    }
  });

  test('eval_predictions.csv: source line, calibrated scores, abstained rows with no label and no verdict', () => {
    const { header, rows } = readCsv(join(out, 'eval_predictions.csv'));
    assert.deepEqual(header, ['index', 'line', 'text', 'label', 'predicted', 'score', 'p(negative)', 'p(positive)', 'correct', 'abstained', 'note']);
    const c = readJson<Calibration>(join(out, 'calibration.json'));
    const valLines = readFileSync(val, 'utf8').split('\n');
    let abstained = 0;
    rows.forEach((r, i) => {
      assert.equal(Number(r.line), i + 2);
      assert.ok(valLines[Number(r.line) - 1]!.startsWith(r.text!.includes(',') ? `"${r.text}` : r.text!));
      if (r.abstained === 'true') {
        abstained++;
        assert.equal(r.predicted, '');
        assert.equal(r.correct, '');
        assert.ok(Number(r.score) < c.abstain!.threshold);
      } else assert.ok(Number(r.score) >= c.abstain!.threshold);
    });
    assert.ok(abstained > 0 && abstained < rows.length, `${abstained} abstained`);
    assert.ok(Math.abs(abstained / rows.length - (1 - c.abstain!.coverage)) < 1e-9, 'the coverage on validation is the share answered');
  });

  test('predict --text applies the temperature and abstains; --calibration none gives the raw probabilities', async () => {
    const c = readJson<Calibration>(join(out, 'calibration.json'));
    const texts = heldRows.slice(0, 12).map((r) => r.text);
    const run = async (extra: string[]) => {
      const r = await runCli(['predict', '--model_name_or_path', out, '--log_format', 'json', ...extra, ...texts.flatMap((t) => ['--text', t])]);
      assert.equal(r.code, 0, r.err);
      return jsonEvents(r.out) as unknown as { label: string | null; score: number; abstained?: boolean; scores: { label: string; score: number }[] }[];
    };
    const raw = await run(['--calibration', 'none']);
    const cal = await run([]);
    raw.forEach((r, i) => {
      assert.equal(r.abstained, undefined);
      const p = ['negative', 'positive'].map((l) => r.scores.find((s) => s.label === l)!.score);
      const want = probabilitiesOf(false, p.map(Math.log), c.temperature);
      const got = ['negative', 'positive'].map((l) => cal[i]!.scores.find((s) => s.label === l)!.score);
      got.forEach((g, k) => assert.ok(Math.abs(g - want[k]!) < 1e-5, `${texts[i]}: ${g} vs ${want[k]}`));
      assert.equal(cal[i]!.abstained === true, Math.max(...got) < c.abstain!.threshold);
      assert.equal(cal[i]!.label === null, cal[i]!.abstained === true);
    });
  });

  test('export keeps calibration.json; the predictor loads it back', async () => {
    const dir = join(root, 'exported');
    const r = await runCli(['export', '--model_name_or_path', out, '--output_dir', dir, '--no_onnx']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(readJson(join(dir, 'calibration.json')), readJson(join(out, 'calibration.json')));
    const p = await Predictor.load(dir, { threads: 1 });
    try {
      assert.deepEqual(p.calibration, readJson(join(out, 'calibration.json')));
      const [first] = await p.classify([heldRows[0]!.text]);
      assert.equal(first!.abstained, first!.score < p.calibration!.abstain!.threshold);
    } finally {
      await p.dispose();
    }
    const none = await Predictor.load(dir, { threads: 1, calibration: false });
    assert.equal(none.calibration, null);
    await none.dispose();
  });

  test('evaluate on held-back data measures the calibration (a calibration event, fitted false)', async () => {
    const dir = join(root, 'eval-held');
    const r = await runCli([
      'evaluate',
      '--model_name_or_path',
      out,
      '--validation_file',
      held,
      '--output_dir',
      dir,
      '--log_format',
      'json',
      ...['--max_seq_length', '24', '--threads', '1'],
    ]);
    assert.equal(r.code, 0, r.err);
    const ev = jsonEvents(r.out) as unknown as TrainingEvent[];
    const cal = ev.find((e) => e.type === 'calibration');
    assert.ok(cal && cal.fitted === false && cal.split === 'eval');
    const res = readJson(join(dir, 'eval_results.json'));
    assert.ok(Math.abs(res.eval_ece! - cal.before.ece) < 1e-12 && Math.abs(res.eval_ece_calibrated! - cal.after.ece) < 1e-12);
    assert.ok(existsSync(join(dir, 'eval_predictions.csv')));
  });
});

describe('`line` points at the row in every format', () => {
  const rows: Row[] = [
    { text: 'the food was great', label: 'positive' },
    { text: 'the service\nwas\nawful', label: 'negative' },
    { text: 'a "quoted", word: lovely', label: 'positive' },
    { text: 'cold soup', label: 'negative' },
  ];
  const files: Record<string, string> = {
    'v.csv': `text,label\n${rows.map((r) => `"${r.text.replace(/"/g, '""')}",${r.label}`).join('\n')}\n`,
    'v.tsv': `text\tlabel\n\n${rows.map((r) => `${r.text.replace(/\n/g, ' ')}\t${r.label}`).join('\n')}\n`,
    'v.jsonl': `${rows.map((r) => JSON.stringify(r)).join('\n\n')}\n`,
    'v.json': `[\n${rows.map((r) => `  {\n    "text": ${JSON.stringify(r.text)},\n    "label": "${r.label}"\n  }`).join(',\n')}\n]\n`,
  };
  const model = join(root, 'line-model');

  before(async () => {
    const r = await runCli([
      'train',
      ...['--model_name_or_path', 'preset:bert-tiny', '--tokenizer_name', TOK, '--train_file', writeCsv(join(root, 'line-train.csv'), reviewRows(64, 5))],
      ...['--num_train_epochs', '1', '--output_dir', model, '--save_strategy', 'no', '--export_onnx', 'false', ...TRAIN_FLAGS],
    ]);
    assert.equal(r.code, 0, r.err);
  });

  for (const [name, content] of Object.entries(files)) {
    test(name, async () => {
      const file = join(root, name);
      writeFileSync(file, content);
      const dir = join(root, `lines-${name}`);
      const r = await runCli(['evaluate', '--model_name_or_path', model, '--validation_file', file, '--output_dir', dir, '--threads', '1']);
      assert.equal(r.code, 0, r.err);
      const { rows: got } = readCsv(join(dir, 'eval_predictions.csv'));
      const lines = content.split('\n');
      assert.equal(got.length, rows.length);
      got.forEach((g, i) => {
        const at = lines[Number(g.line) - 1]!;
        const first = rows[i]!.text.split('\n')[0]!;
        if (name === 'v.json') {
          assert.equal(at.trim(), '{', `${name} row ${i}: line ${g.line}`);
          assert.ok(lines[Number(g.line)]!.includes(JSON.stringify(rows[i]!.text).slice(0, 12)));
        } else if (name === 'v.csv') assert.ok(at.startsWith(`"${first.replace(/"/g, '""')}`), `${name} row ${i}: line ${g.line} is ${at}`);
        else if (name === 'v.jsonl') assert.ok(at.startsWith(`{"text":${JSON.stringify(rows[i]!.text)}`), `${name} row ${i}: line ${g.line}`);
        else assert.ok(at.startsWith(first), `${name} row ${i}: line ${g.line} is ${at}`);
      });
    });
  }
});

describe('multi-label: per-label thresholds tuned on validation, used by predictions, kept by export', () => {
  /** positive / negative by the sentiment word, plus "long" for texts of 6 words or more. */
  const multi = (n: number, seed: number): { text: string; label: string }[] =>
    reviewRows(n, seed).map((r) => ({ text: r.text, label: [r.label, ...(r.text.split(' ').length >= 6 ? ['long'] : [])].join('|') }));
  const out = join(root, 'multi');

  before(async () => {
    const r = await runCli([
      'train',
      ...['--model_name_or_path', 'preset:bert-tiny', '--tokenizer_name', TOK, '--train_file', writeCsv(join(root, 'm-train.csv'), multi(200, 31))],
      ...['--validation_file', writeCsv(join(root, 'm-val.csv'), multi(80, 32)), '--label_delimiter', '|', '--do_eval', '--do_predict'],
      ...['--test_file', writeCsv(join(root, 'm-test.csv'), multi(40, 33)), '--num_train_epochs', '3', '--learning_rate', '3e-3'],
      ...['--output_dir', out, '--save_strategy', 'no', '--export_onnx', 'false', ...TRAIN_FLAGS],
    ]);
    assert.equal(r.code, 0, r.err);
  });

  test('calibration.json has a threshold per label; predict_results.csv predicts p > threshold', () => {
    const c = readJson<Calibration>(join(out, 'calibration.json'));
    assert.equal(c.problem_type, 'multi_label_classification');
    assert.deepEqual(Object.keys(c.thresholds!).sort(), ['long', 'negative', 'positive']);
    for (const t of Object.values(c.thresholds!)) assert.ok(t > 0 && t < 1);
    const { rows } = readCsv(join(out, 'predict_results.csv'));
    for (const r of rows) {
      const want = ['long', 'negative', 'positive'].filter((l) => Number(r[`p(${l})`]) > c.thresholds![l]!);
      assert.deepEqual(r.predicted!.split('|').filter(Boolean).sort(), want);
    }
  });

  test('thresholds round-trip: save -> export -> load', async () => {
    const dir = join(root, 'multi-exported');
    const r = await runCli(['export', '--model_name_or_path', out, '--output_dir', dir, '--no_onnx']);
    assert.equal(r.code, 0, r.err);
    const p = await Predictor.load(dir, { threads: 1 });
    try {
      assert.deepEqual(p.calibration?.thresholds, readJson<Calibration>(join(out, 'calibration.json')).thresholds);
      const [c] = await p.classify(['the food was really very quite so wonderful']);
      const byLabel = Object.fromEntries(c!.scores.map((s) => [s.label, s.score]));
      assert.deepEqual(
        c!.labels,
        ['long', 'negative', 'positive'].filter((l) => byLabel[l]! > p.calibration!.thresholds![l]!),
      );
    } finally {
      await p.dispose();
    }
  });
});

describe('find-label-errors', () => {
  const rows = reviewRows(300, 5);
  const flipped = new Set(Array.from({ length: 15 }, (_, k) => 7 + 19 * k));
  const noisy = rows.map((r, i) => (flipped.has(i) ? { ...r, label: flip(r.label) } : r));
  const file = writeCsv(join(root, 'noisy.csv'), noisy);
  const FOLD_FLAGS = ['--num_train_epochs', '6', '--learning_rate', '3e-3', ...TRAIN_FLAGS];
  const out = join(root, 'issues');
  let events: TrainingEvent[] = [];

  before(async () => {
    const r = await runCli([
      'find-label-errors',
      ...[
        '--model_name_or_path',
        'preset:bert-tiny',
        '--tokenizer_name',
        TOK,
        '--train_file',
        file,
        '--output_dir',
        out,
        '--folds',
        '3',
        '--log_format',
        'json',
      ],
      ...FOLD_FLAGS,
    ]);
    assert.equal(r.code, 0, r.err);
    events = jsonEvents(r.out) as unknown as TrainingEvent[];
  });

  test('the 15 flipped labels (5%) lead label_issues.csv; the estimate is close', () => {
    const { header, rows: got } = readCsv(join(out, 'label_issues.csv'));
    assert.deepEqual(header, [
      'rank',
      'index',
      'line',
      'text',
      'given_label',
      'suggested_label',
      'label_quality',
      'is_label_issue',
      'p(negative)',
      'p(positive)',
      'fold',
    ]);
    assert.equal(got.length, 300);
    const top = got.slice(0, 15).map((r) => Number(r.index));
    const found = top.filter((i) => flipped.has(i)).length;
    assert.ok(found >= 12, `${found} of the 15 flips in the top 15: ${top.join(' ')}`);
    const summary = readJson<{ estimated_issues: number; rank_by: string; folds: number }>(join(out, 'label_issues.json'));
    assert.ok(summary.estimated_issues >= 10 && summary.estimated_issues <= 25, `estimate ${summary.estimated_issues}`);
    assert.equal(got.filter((r) => r.is_label_issue === 'true').length, summary.estimated_issues);
    // lines point at the rows; the suggestion of a flagged row is the other label; quality is p(given)
    const fileLines = readFileSync(file, 'utf8').split('\n');
    for (const r of got) {
      assert.ok(fileLines[Number(r.line) - 1]!.includes(r.text!.split(',')[0]!));
      assert.equal(Number(r.label_quality), Number(r[`p(${r.given_label}`.concat(')')]));
      if (r.is_label_issue === 'true') assert.notEqual(r.suggested_label, r.given_label);
    }
  });

  test('events: each fold starts and ends, the estimate before, the label-issues summary', () => {
    assert.deepEqual(
      events.filter((e) => e.type === 'fold').map((e) => `${e.fold}/${e.folds} ${e.phase}`),
      ['1/3 start', '1/3 end', '2/3 start', '2/3 end', '3/3 start', '3/3 end'],
    );
    const firstFold = events.findIndex((e) => e.type === 'fold');
    assert.ok(events.slice(0, firstFold).some((e) => e.type === 'info' && /3-fold cross-validation = 3 trainings .* optimizer steps in all/.test(e.message)));
    const li = events.find((e) => e.type === 'label-issues');
    assert.ok(li);
    assert.equal(li.path, join(out, 'label_issues.csv'));
    assert.equal(li.dataFile, file);
    assert.equal(li.labelColumn, 'label');
    assert.equal(li.hasHeader, true);
    assert.equal(li.rankedBy, 'self_confidence');
    assert.ok(li.cvAccuracy > 0.85, `cv accuracy ${li.cvAccuracy}`);
  });

  test('cancelled (AbortSignal) in the second fold: stops, writes nothing', async () => {
    const dir = join(root, 'issues-cancelled');
    const ac = new AbortController();
    let fold = 0;
    const emit = (e: TrainingEvent): void => {
      if (e.type === 'fold' && e.phase === 'start') fold = e.fold;
      if (e.type === 'progress' && fold === 2) ac.abort();
    };
    const args = {
      ...defaultArgs(),
      model_name_or_path: 'preset:bert-tiny',
      tokenizer_name: TOK,
      train_file: file,
      output_dir: dir,
      num_train_epochs: 6,
      learning_rate: 3e-3,
    };
    const r = await findLabelErrors(
      { ...args, per_device_train_batch_size: 16, max_seq_length: 24, threads: 1 },
      { folds: 3, rankBy: 'self_confidence' },
      { emit, signal: ac.signal },
    );
    assert.equal(r.cancelled, true);
    assert.equal(fold, 2);
    assert.ok(!existsSync(join(dir, 'label_issues.csv')));
  });

  test('--folds 1 and a regression file are refused, naming the flag', async () => {
    const one = await runCli([
      'find-label-errors',
      '--model_name_or_path',
      'preset:bert-tiny',
      '--tokenizer_name',
      TOK,
      '--train_file',
      file,
      '--output_dir',
      out,
      '--folds',
      '1',
    ]);
    assert.equal(one.code, 2);
    assert.match(one.err, /--folds: must be at least 2/);
    const reg = writeCsv(
      join(root, 'reg.csv'),
      rows.slice(0, 20).map((r, i) => ({ text: r.text, label: (i / 7).toFixed(2) })),
    );
    const r = await runCli([
      'find-label-errors',
      '--model_name_or_path',
      'preset:bert-tiny',
      '--tokenizer_name',
      TOK,
      '--train_file',
      reg,
      '--output_dir',
      out,
    ]);
    assert.equal(r.code, 2);
    assert.match(r.err, /find-label-errors works on single-label classification; .* is regression/);
  });
});
