/**
 * export-script, Python side: train.py compiles, and its helpers that need no transformers give
 * Finetune's answers — class weights, metrics and predict_results.csv against Finetune's own
 * TypeScript, the TrainingArguments translation against the field lists of transformers 5.x and
 * 4.5x (test/fixtures/transformers), the length-grouped order, resuming, and (with torch) the
 * Trainer subclass's weighted loss and samplers over a stand-in Trainer. Skipped without python3
 * and numpy (transformers itself is not installed here, so main() is not run).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ClassificationData, DataSplit } from '../../../../../src/core/data/index.js';
import { exportScript, trainOrder, trainingArgumentsFor } from '../../../../../src/core/run/script/script.js';
import { type RunArgs, defaultArgs, parseFlags } from '../../../../../src/core/contract/args.js';
import { type Average, createMetrics } from '../../../../../src/core/train/metrics.js';
import { classWeightsFor } from '../../../../../src/core/run/run.js';
import { predictionsCsv } from '../../../../../src/core/predict/predictions.js';
import { planChunks } from '../../../../../src/core/data/index.js';

const PY = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const hasNumpy = spawnSync(PY, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
const hasTorch = hasNumpy && spawnSync(PY, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
const skip = hasNumpy ? false : 'python3 with numpy is not installed: train.py is not checked';

const FIXTURES = join(import.meta.dirname, '../../../../fixtures/transformers');
const fields = (v: string): string[] => JSON.parse(readFileSync(join(FIXTURES, `training_args_fields_${v}.json`), 'utf8')) as string[];

const root = mkdtempSync(join(tmpdir(), 'export-script-py-'));
after(() => rmSync(root, { recursive: true, force: true }));

function argsOf(flags: string[]): RunArgs {
  const a = defaultArgs();
  parseFlags(flags, a);
  return a;
}

/** Seeded numbers in [0, 1) (a small LCG), so the cases are the same every run. */
function numbers(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

let trainPy = '';

/** Runs `code` with train.py imported as T and the JSON `input` as IN; returns what it prints as OUT (NaN as null). */
function callPython(code: string, input: unknown): unknown {
  const prelude = [
    'import importlib.util, json, math, sys',
    `spec = importlib.util.spec_from_file_location("train", ${JSON.stringify(trainPy)})`,
    'T = importlib.util.module_from_spec(spec)',
    'spec.loader.exec_module(T)',
    'IN = json.loads(sys.stdin.read())',
    'def clean(x):',
    '    if isinstance(x, float) and math.isnan(x): return None',
    '    if isinstance(x, dict): return {k: clean(v) for k, v in x.items()}',
    '    if isinstance(x, (list, tuple)): return [clean(v) for v in x]',
    '    return x',
    '',
  ].join('\n');
  const r = spawnSync(PY, ['-c', `${prelude}${code}\nprint(json.dumps(clean(OUT)))`], { input: JSON.stringify(input), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as unknown;
}

function closeTo(got: unknown, want: number, what: string, tol = 1e-9): void {
  if (Number.isNaN(want)) return assert.equal(got, null, `${what}: want NaN`);
  assert.equal(typeof got, 'number', what);
  assert.ok(Math.abs((got as number) - want) <= tol * Math.max(1, Math.abs(want)), `${what}: ${String(got)} != ${want}`);
}

describe('export-script: train.py under python3', { skip }, () => {
  before(async () => {
    const csv = join(root, 'reviews.csv');
    writeFileSync(csv, 'text,label\ngreat,pos\nbad,neg\nfine,pos\nawful,neg\nok,pos\n');
    const files = await exportScript(argsOf(['--model_name_or_path', 'hfl/rbt3', '--train_file', csv]));
    trainPy = join(root, 'train.py');
    writeFileSync(trainPy, files['train.py']!);
  });

  test('train.py compiles for single-label, multi-label, regression and pair runs with every kind of setting', async () => {
    const cases: { header: string; lines: string[]; flags: string[] }[] = [
      {
        header: 'text,label',
        lines: ['a,x', 'b,y', 'c,x', 'd,y'],
        flags: ['--class_weights', 'auto', '--eval_strategy', 'epoch', '--early_stopping_patience', '1'],
      },
      { header: 'text,labels', lines: ['a,x|y', 'b,y', 'c,x'], flags: ['--label_column_name', 'labels', '--label_delimiter', '|', '--group_by_length'] },
      { header: 'text,label', lines: ['a,0.5', 'b,1.5'], flags: ['--task', 'regression', '--warmup_ratio', '0.1', '--shuffle_train_dataset', 'false'] },
      { header: 'a,b,label', lines: ['x,y,1', 'z,w,0'], flags: ['--text_column_names', 'a,b', '--fp16', '--threads', '2', '--hidden_dropout_prob', '0.2'] },
    ];
    for (const [i, c] of cases.entries()) {
      const file = join(root, `compile-${i}.csv`);
      writeFileSync(file, `${c.header}\n${c.lines.join('\n')}\n`);
      const files = await exportScript(argsOf(['--model_name_or_path', 'google-bert/bert-base-uncased', '--train_file', file, ...c.flags]));
      const py = join(root, `compile-${i}.py`);
      writeFileSync(py, files['train.py']!);
      const r = spawnSync(PY, ['-m', 'py_compile', py], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
      assert.equal(r.status, 0, `case ${i}: ${r.stderr}`);
    }
  });

  test("head_tail keeps what Finetune's --long_text head_tail keeps (truncation's share per text, then head + tail)", () => {
    const cases: [number, number | null, number][] = [
      [20, null, 6],
      [600, null, 510],
      [3, null, 6],
      [10, 20, 15],
      [30, 4, 12],
      [9, 9, 7],
      [5, 40, 1],
    ];
    for (const [lenA, lenB, budget] of cases) {
      const [chunk] = planChunks(lenA, lenB, { mode: 'head_tail', budget, maxLength: budget + 3 });
      const kept = (spans: readonly (readonly [number, number])[]): number[] => spans.flatMap(([x, y]) => Array.from({ length: y - x }, (_, i) => x + i));
      const got = callPython(
        'ka, kb = T.longest_first_lengths(IN["a"], IN["b"], IN["budget"])\n' +
          'OUT = [T.head_tail(list(range(IN["a"])), ka), None if kb is None else T.head_tail(list(range(IN["b"])), kb)]',
        { a: lenA, b: lenB, budget },
      );
      assert.deepEqual(got, [kept(chunk!.a), chunk!.b === null ? null : kept(chunk!.b)], `${lenA} + ${lenB} in ${budget}`);
    }
  });

  test('class_weights_for equals Finetune\'s classWeightsFor ("auto" = n / (C * count), 0 for an empty class; a list as given)', () => {
    const ids = [0, 0, 0, 1, 2, 2, 0, 1];
    const data = {
      problemType: 'single_label_classification',
      numLabels: 4,
      labels: ['a', 'b', 'c', 'd'],
      train: { labels: { kind: 'single', ids: Int32Array.from(ids) } },
    };
    for (const spec of ['auto', '1, 2.5, 0, 3']) {
      const want = Array.from(classWeightsFor(spec, data as unknown as ClassificationData)!);
      const got = callPython('OUT = T.class_weights_for(IN["spec"], IN["ids"], 4)', { spec, ids }) as number[];
      assert.equal(got.length, 4);
      want.forEach((w, k) => closeTo(got[k], w, `${spec} [${k}]`, 1e-6));
    }
    assert.deepEqual(callPython('OUT = [T.class_weights_for(None, [0], 2)]', {}), [null]);
  });

  test("metrics equal Finetune's (single-label binary / macro / micro / weighted with an absent class, multi-label, regression)", () => {
    const rnd = numbers(7);
    const cases: {
      name: string;
      problem: 'single_label_classification' | 'multi_label_classification' | 'regression';
      c: number;
      n: number;
      average?: Average;
    }[] = [
      { name: 'binary', problem: 'single_label_classification', c: 2, n: 40 },
      { name: 'macro', problem: 'single_label_classification', c: 4, n: 50, average: 'macro' },
      { name: 'micro', problem: 'single_label_classification', c: 4, n: 50, average: 'micro' },
      { name: 'weighted', problem: 'single_label_classification', c: 4, n: 50, average: 'weighted' },
      { name: 'multi-label', problem: 'multi_label_classification', c: 3, n: 30 },
      { name: 'regression', problem: 'regression', c: 1, n: 25 },
    ];
    for (const k of cases) {
      const logits = Array.from({ length: k.n }, () => Array.from({ length: k.c }, () => rnd() * 4 - 2));
      // Class 3 never occurs as a true label in the 4-class cases; its column is pushed down so it is rarely predicted either.
      const labels = Array.from({ length: k.n }, () =>
        k.problem === 'regression'
          ? rnd() * 5
          : k.problem === 'multi_label_classification'
            ? Array.from({ length: k.c }, () => (rnd() < 0.4 ? 1 : 0))
            : Math.floor(rnd() * Math.min(k.c, 3)),
      );
      if (k.c === 4) for (const row of logits) row[3] = row[3]! - 2.5;
      const acc = createMetrics(k.problem, k.c, { average: k.c === 2 ? 'binary' : (k.average ?? 'macro') });
      const flatLabels = k.problem === 'multi_label_classification' ? Float32Array.from((labels as number[][]).flat()) : Float64Array.from(labels as number[]);
      acc.add(Float64Array.from(logits.flat()), flatLabels);
      const want = acc.compute().metrics;
      const code = [
        'p, c = IN["problem"], IN["c"]',
        'if p == "regression": OUT = T.regression_metrics(IN["logits"], IN["labels"])',
        'elif p == "multi_label_classification": OUT = T.multi_label_metrics(IN["logits"], IN["labels"])',
        'else: OUT = T.classification_metrics(IN["logits"], IN["labels"], c, IN["average"])',
      ].join('\n');
      const got = callPython(code, { problem: k.problem, c: k.c, logits, labels, average: k.average ?? 'macro' }) as Record<string, unknown>;
      assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), k.name);
      for (const [key, v] of Object.entries(want)) closeTo(got[key], v, `${k.name} ${key}`);
    }
    // Constant targets: r2 is 1 when predicted exactly, else 0; pearson is NaN.
    const constant = callPython('OUT = [T.regression_metrics([2, 2], [2, 2]), T.regression_metrics([1, 3], [2, 2])]', {}) as Record<string, unknown>[];
    assert.deepEqual([constant[0]!.r2, constant[1]!.r2, constant[1]!.pearson], [1, 0, null]);
  });

  test("predict_results.csv rows equal Finetune's predictionsCsv (single-label, multi-label, regression)", () => {
    const rnd = numbers(11);
    for (const problem of ['single_label_classification', 'multi_label_classification', 'regression'] as const) {
      const labels = problem === 'regression' ? [] : ['neg', 'pos', 'mid'];
      const width = problem === 'regression' ? 1 : 3;
      const rows = [
        { index: 0, line: 2, text: 'a, "quoted"', text_pair: 'x' },
        { index: 1, line: 3, text: 'b', text_pair: 'y' },
        { index: 3, line: 6, text: 'c', text_pair: 'z' },
      ];
      const logits = Float32Array.from({ length: rows.length * width }, () => rnd() * 6 - 3);
      const skipped = [{ index: 2, line: 4, reason: 'empty text' }];
      const split = {
        texts: rows.map((r) => r.text),
        pairs: rows.map((r) => r.text_pair),
        rowIndices: rows.map((r) => r.index),
        rowNumbers: rows.map((r) => r.line),
        labels: null,
        skipped,
      } as unknown as DataSplit;
      const jsonlRows = [rows[0], rows[1], { index: 2, line: 4, skipped: 'empty text' }, rows[2]];
      const want = predictionsCsv({ problemType: problem, labels } as unknown as ClassificationData, split, logits, width)
        .trim()
        .split('\n');
      const nested = Array.from({ length: rows.length }, (_, i) => Array.from(logits.subarray(i * width, (i + 1) * width)));
      const got = callPython(
        'import csv, io\nbuf = io.StringIO()\ncsv.writer(buf, lineterminator="\\n").writerows(T.prediction_rows(IN["rows"], IN["logits"], IN["labels"], IN["problem"]))\nOUT = buf.getvalue().strip().split("\\n")',
        { rows: jsonlRows, logits: nested, labels, problem },
      ) as string[];
      assert.equal(got.length, want.length);
      assert.equal(got[0], want[0], `${problem} header`);
      for (let i = 1; i < want.length; i++) {
        const g = got[i]!.split(',');
        const w = want[i]!.split(',');
        assert.equal(g.length, w.length, `${problem} row ${i}`);
        g.forEach((cell, k) => {
          const x = Number(w[k]);
          if (w[k] !== '' && Number.isFinite(x) && k > 0) closeTo(Number(cell), x, `${problem} row ${i} cell ${k}`, 1e-5);
          else assert.equal(cell, w[k], `${problem} row ${i} cell ${k}`);
        });
      }
    }
  });

  test('training_arguments_for: every keyword a field of transformers 5.x (5.2+, 5.0/5.1 and 4.5x), translated where the version lacks one', () => {
    const v5 = fields('5.x');
    const v50 = [...v5.filter((f) => f !== 'train_sampling_strategy'), 'group_by_length'];
    const v4 = fields('4.5x');
    const runs = [
      [],
      ['--warmup_ratio', '0.1'],
      ['--warmup_steps', '20'],
      ['--shuffle_train_dataset', 'false'],
      ['--group_by_length', '--length_grouping', 'transformers'],
      ['--group_by_length'],
    ];
    for (const flags of runs) {
      const a = argsOf(['--model_name_or_path', 'm/m', '--train_file', 'x', '--output_dir', 'o', ...flags]);
      const wanted = trainingArgumentsFor(a);
      const order = trainOrder(a);
      const out = callPython('OUT = {v: list(T.training_arguments_for(IN["wanted"], IN["order"], set(IN[v]), IN["major"][v])) for v in ("v5", "v50", "v4")}', {
        wanted,
        order,
        v5,
        v50,
        v4,
        major: { v5: 5, v50: 5, v4: 4 },
      }) as Record<'v5' | 'v50' | 'v4', [Record<string, unknown>, string | null, string[]]>;
      const what = flags.join(' ') || 'defaults';
      for (const v of ['v5', 'v50', 'v4'] as const) assert.deepEqual(out[v][2], [], `${what} on ${v}: unknown keywords`);
      assert.deepEqual(out.v5[0], wanted, `${what}: 5.2+ takes TRAINING_ARGUMENTS as written`);
      const shuffled = order === 'length_shuffled' ? 'length_shuffled' : null;
      assert.equal(out.v5[1], shuffled, what);
      assert.equal(out.v50[1], order === 'sequential' ? 'sequential' : shuffled, what);
      assert.equal(out.v50[0].group_by_length, order === 'length_grouped' ? true : undefined, what);
      assert.equal(out.v4[0].group_by_length, order === 'length_grouped' ? true : undefined, what);
      if (a.warmup_steps === 0 && a.warmup_ratio > 0) {
        assert.equal(out.v4[0].warmup_ratio, a.warmup_ratio, `${what}: before 5.0 the ratio is warmup_ratio`);
        assert.equal('warmup_steps' in out.v4[0], false, what);
        assert.equal(out.v50[0].warmup_steps, a.warmup_ratio, what);
      } else assert.equal(out.v4[0].warmup_steps, wanted.warmup_steps, what);
    }
    // A keyword the installed version lacks is reported, not passed on.
    const lacking = callPython('OUT = T.training_arguments_for({"output_dir": "o", "fp16": True}, "random", {"output_dir"}, 5)[2]', {});
    assert.deepEqual(lacking, ['fp16']);
  });

  test('shuffled_length_grouped_indices: a permutation of length-sorted batches, the longest first, the short one last', () => {
    const rnd = numbers(3);
    const lengths = Array.from({ length: 23 }, () => 1 + Math.floor(rnd() * 60));
    const out = callPython(
      'import random\nOUT = [T.shuffled_length_grouped_indices(IN["lengths"], 4, random.Random(s), mega_batch_mult=100) for s in (1, 2)] + [T.length_grouped_indices(IN["lengths"], 4, random.Random(5))]',
      { lengths },
    ) as number[][];
    const sorted = [...lengths.keys()].sort((x, y) => lengths[y]! - lengths[x]!);
    const chunks = (xs: number[]): string[] =>
      Array.from({ length: Math.ceil(xs.length / 4) }, (_, i) =>
        xs
          .slice(i * 4, i * 4 + 4)
          .map((k) => lengths[k]!)
          .sort((p, q) => p - q)
          .join(','),
      );
    for (const order of out.slice(0, 2)) {
      assert.deepEqual(
        [...order].sort((x, y) => x - y),
        [...lengths.keys()],
      );
      // One mega-batch: the batches are the length-sorted order cut in fours (compared by their lengths, as ties may swap rows).
      assert.deepEqual(chunks(order).sort(), chunks(sorted).sort());
      assert.equal(lengths[order[0]!], Math.max(...lengths));
      assert.deepEqual(chunks(order).at(-1), chunks(sorted).at(-1)); // 23 rows: the 3-row batch stays last
    }
    assert.notDeepEqual(out[0], out[1]);
    // transformers' order: mega-batches of min(23 // 16, 50) = 1 batch, each sorted longest first, then the heads of the
    // first and the longest mega-batch swapped, so the longest row of all comes first.
    const plain = out[2]!;
    assert.deepEqual(
      [...plain].sort((x, y) => x - y),
      [...lengths.keys()],
    );
    assert.equal(lengths[plain[0]!], Math.max(...lengths));
    for (let i = 0; i < plain.length; i += 4) {
      const tail = plain.slice(i + 1, i + 4).map((k) => lengths[k]!);
      assert.deepEqual(
        tail,
        [...tail].sort((p, q) => q - p),
      );
    }
  });

  test('checkpoint_to_resume: as Finetune decides (latest checkpoint, overwrite, "true", a given folder, a non-empty folder)', () => {
    const dir = (name: string, entries: string[]): string => {
      const d = join(root, 'resume', name);
      for (const e of entries) mkdirSync(join(d, e), { recursive: true });
      mkdirSync(d, { recursive: true });
      return d;
    };
    const withCk = dir('with', ['checkpoint-5', 'checkpoint-40', 'checkpoint-100', 'runs']);
    const empty = dir('empty', []);
    const other = dir('other', ['stuff']);
    const cases: { args: [string, boolean, string | null]; want: string | null | 'error' }[] = [
      { args: [withCk, false, null], want: join(withCk, 'checkpoint-100') },
      { args: [withCk, true, null], want: null },
      { args: [withCk, true, 'true'], want: join(withCk, 'checkpoint-100') },
      { args: [withCk, false, '/some/checkpoint-7'], want: '/some/checkpoint-7' },
      { args: [empty, false, null], want: null },
      { args: [join(root, 'resume', 'missing'), false, null], want: null },
      { args: [empty, false, 'true'], want: 'error' },
      { args: [other, false, null], want: 'error' },
      { args: [other, true, null], want: null },
    ];
    const got = callPython(
      'OUT = []\nfor a in IN:\n    try: OUT.append(T.checkpoint_to_resume(*a))\n    except ValueError: OUT.append("error")',
      cases.map((c) => c.args),
    );
    assert.deepEqual(
      got,
      cases.map((c) => c.want),
    );
  });

  test('label targets, the max_seq_length cap and the dropout names', () => {
    const out = callPython(
      [
        'OUT = [',
        '  T.targets_of([{"text": "a", "label": "y"}, {"text": "b", "label": "x"}], ["x", "y"], "single_label_classification"),',
        '  T.targets_of([{"text": "a", "label": ["y", "z"]}], ["x", "y", "z"], "multi_label_classification"),',
        '  T.targets_of([{"text": "a", "label": 2.5}], [], "regression"),',
        '  T.targets_of([{"text": "a"}], ["x"], "single_label_classification"),',
        '  T.effective_max_length(128, "bert", 512, 0), T.effective_max_length(600, "roberta", 514, 1), T.effective_max_length(600, "xlm-roberta", 514, 1),',
        '  T.dropout_overrides("distilbert", {"hidden_dropout_prob": 0.2, "attention_probs_dropout_prob": None, "classifier_dropout": 0.3}),',
        '  T.dropout_overrides("bert", {"hidden_dropout_prob": 0.2, "classifier_dropout": None}),',
        '  T.dropout_overrides("modernbert", {"hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.05, "classifier_dropout": 0.2}),',
        '  T.dropout_overrides("deberta-v2", {"hidden_dropout_prob": 0.1, "classifier_dropout": 0.3}),',
        ']',
      ].join('\n'),
      {},
    );
    assert.deepEqual(out, [
      [1, 0],
      [[0, 1, 1]],
      [2.5],
      null,
      128,
      512,
      512,
      { dropout: 0.2, seq_classif_dropout: 0.3 },
      { hidden_dropout_prob: 0.2 },
      { mlp_dropout: 0.1, attention_dropout: 0.05, classifier_dropout: 0.2 },
      { hidden_dropout_prob: 0.1, cls_dropout: 0.3 },
    ]);
  });

  test(
    "FinetuneTrainer over a stand-in Trainer: class-weighted loss, file order, Finetune's length-grouped order",
    { skip: hasTorch ? false : 'torch is not installed' },
    () => {
      const code = [
        'import torch, types',
        'class Base:',
        '    def __init__(self, model=None, args=None, train_dataset=None, **kw):',
        '        self.model, self.args, self.train_dataset, self.model_accepts_loss_kwargs = model, args, train_dataset, True',
        '    def compute_loss(self, model, inputs, return_outputs=False, **kw): return "base loss"',
        '    def _get_train_sampler(self, *a, **k): return "base sampler"',
        'FT = T.finetune_trainer_class(Base, torch)',
        'args = types.SimpleNamespace(per_device_train_batch_size=2, seed=3)',
        'rows = [{"input_ids": [0] * n} for n in IN["lengths"]]',
        'logits = torch.tensor(IN["logits"])',
        'model = lambda **inputs: {"logits": logits}',
        'labels = torch.tensor(IN["labels"])',
        'w = FT(model=model, args=args, train_dataset=rows, class_weights=IN["weights"], sampler="length_shuffled")',
        'inputs = {"input_ids": torch.zeros(3, 2, dtype=torch.long), "labels": labels}',
        'loss = w.compute_loss(model, inputs, num_items_in_batch=7)',
        'order = list(iter(w._get_train_sampler()))',
        'seq = FT(model=model, args=args, train_dataset=rows, sampler="sequential")',
        'OUT = {"loss": float(loss), "labels_kept": "labels" in inputs, "accepts": w.model_accepts_loss_kwargs, "order": order,',
        '       "sequential": list(iter(seq._get_train_sampler())), "plain": [seq.compute_loss(model, inputs), FT(args=args)._get_train_sampler()]}',
      ].join('\n');
      const logits = [
        [1, 2],
        [0.5, -1],
        [3, 0],
      ];
      const labels = [1, 0, 1];
      const weights = [1, 3];
      const lengths = [5, 9, 2, 7, 1];
      const out = callPython(code, { logits, labels, weights, lengths }) as Record<string, unknown>;
      // PyTorch's weighted mean: sum(w_y * nll) / sum(w_y).
      let num = 0;
      let den = 0;
      logits.forEach((z, i) => {
        const lse = Math.log(z.reduce((s, x) => s + Math.exp(x), 0));
        const wy = weights[labels[i]!]!;
        num += wy * (lse - z[labels[i]!]!);
        den += wy;
      });
      closeTo(out.loss, num / den, 'weighted loss', 1e-6);
      assert.equal(out.labels_kept, true);
      assert.equal(out.accepts, false);
      assert.deepEqual([...(out.order as number[])].sort(), [0, 1, 2, 3, 4]);
      assert.equal((out.order as number[])[0], 1); // the longest row's batch comes first
      assert.deepEqual(out.sequential, [0, 1, 2, 3, 4]);
      assert.deepEqual(out.plain, ['base loss', 'base sampler']);
    },
  );
});
