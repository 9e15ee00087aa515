/**
 * The CLI's other commands: `export-script` writes a train.py that compiles and carries the run's
 * settings (RUN and TRAINING_ARGUMENTS, read back with Python's ast.literal_eval); `create-model`
 * writes a loadable Hugging Face folder; `inspect` prints row counts, label counts and token-length
 * percentiles that match the data.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadPretrained } from '../../../src/core/model/load.js';
import { Tokenizer } from '../../../src/core/tokenizer/index.js';
import { jsonEvents, reviewRows, runCli, tempDir, writeCsv, writeSmallVocab } from './support.js';

const root = tempDir('tools');
after(() => rmSync(root, { recursive: true, force: true }));

/** numpy.percentile(values, p) with its default linear interpolation, on sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  const pos = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
const hasPython = python.status === 0;

/** RUN and TRAINING_ARGUMENTS of a train.py, via Python's own parser. */
function readScriptDicts(file: string): { RUN: Record<string, unknown>; TRAINING_ARGUMENTS: Record<string, unknown> } {
  const code = [
    'import ast, json, sys',
    'tree = ast.parse(open(sys.argv[1], encoding="utf-8").read())',
    'out = {}',
    'for node in tree.body:',
    '    if isinstance(node, ast.Assign) and len(node.targets) == 1 and getattr(node.targets[0], "id", None) in ("RUN", "TRAINING_ARGUMENTS"):',
    '        out[node.targets[0].id] = ast.literal_eval(node.value)',
    'print(json.dumps(out))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', code, file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { RUN: Record<string, unknown>; TRAINING_ARGUMENTS: Record<string, unknown> };
}

describe('finetune export-script', () => {
  test(
    'train.py compiles and its RUN / TRAINING_ARGUMENTS equal the run configuration',
    { skip: hasPython ? false : 'python3 is not installed: cannot compile train.py' },
    async () => {
      const data = writeCsv(
        join(root, "it's data.csv"),
        reviewRows(40, 4).map((r) => ({ text: r.text, label: r.label })),
        'review,sentiment',
      );
      const valFile = writeCsv(join(root, 'val.csv'), reviewRows(10, 5), 'review,sentiment');
      const dir = join(root, 'script');
      // Settings from a --config file and from flags (flags win).
      const config = {
        learning_rate: 3e-5,
        weight_decay: 0.01,
        num_train_epochs: 2.5,
        per_device_train_batch_size: 32,
        warmup_ratio: 0.1,
        lr_scheduler_type: 'cosine',
        lr_scheduler_kwargs: { num_cycles: 0.25 },
        eval_strategy: 'steps',
        eval_steps: 50,
        save_strategy: 'steps',
        save_steps: 100,
        save_total_limit: 3,
        load_best_model_at_end: true,
        metric_for_best_model: 'f1',
        seed: 7,
        group_by_length: false,
      };
      const cfgFile = join(root, 'run.json');
      writeFileSync(cfgFile, JSON.stringify(config));
      const flags = {
        model_name_or_path: 'hfl/rbt3',
        train_file: data,
        validation_file: valFile,
        text_column_names: 'review',
        label_column_name: 'sentiment',
        max_seq_length: '64',
        gradient_accumulation_steps: '4',
        max_grad_norm: '0.5',
        adam_epsilon: '1e-6',
        logging_steps: '10',
        early_stopping_patience: '2',
        hidden_dropout_prob: '0.2',
        seed: '123',
      };
      const r = await runCli(['export-script', '--config', cfgFile, ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v]), '--output_dir', dir]);
      assert.equal(r.code, 0, r.err);
      for (const f of ['train.py', 'requirements.txt', 'accelerate_config.yaml']) assert.ok(existsSync(join(dir, f)), f);
      assert.match(r.out, /accelerate launch --config_file/);
      assert.match(readFileSync(join(dir, 'requirements.txt'), 'utf8'), /transformers/);

      const compiled = spawnSync('python3', ['-m', 'py_compile', join(dir, 'train.py')], {
        encoding: 'utf8',
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: '' },
      });
      assert.equal(compiled.status, 0, `py_compile failed:\n${compiled.stderr}`);

      const { RUN, TRAINING_ARGUMENTS: T } = readScriptDicts(join(dir, 'train.py'));
      // transformers 5.x names: a warmup ratio is a float warmup_steps; no overwrite_output_dir; the
      // output folder is relative to train.py.
      assert.deepEqual(T, {
        output_dir: './output',
        do_train: true,
        do_eval: false,
        do_predict: false,
        num_train_epochs: 2.5,
        max_steps: -1,
        per_device_train_batch_size: 32,
        per_device_eval_batch_size: 8,
        gradient_accumulation_steps: 4,
        learning_rate: 3e-5,
        weight_decay: 0.01,
        adam_beta1: 0.9,
        adam_beta2: 0.999,
        adam_epsilon: 1e-6,
        max_grad_norm: 0.5,
        lr_scheduler_type: 'cosine',
        lr_scheduler_kwargs: { num_cycles: 0.25 },
        warmup_steps: 0.1,
        seed: 123,
        eval_strategy: 'steps',
        eval_steps: 50,
        save_strategy: 'steps',
        save_steps: 100,
        save_total_limit: 3,
        load_best_model_at_end: true,
        metric_for_best_model: 'f1',
        greater_is_better: true,
        logging_steps: 10,
        fp16: false,
        report_to: 'none',
      });
      assert.deepEqual(RUN, {
        transformers: '>=4.50,<6',
        model_name_or_path: 'hfl/rbt3',
        tokenizer_name_or_path: 'hfl/rbt3',
        revision: 'main',
        cache_dir: null,
        problem_type: 'single_label_classification',
        labels: ['negative', 'positive'],
        max_seq_length: 64,
        long_text: 'truncate',
        dropout: { hidden_dropout_prob: 0.2, attention_probs_dropout_prob: null, classifier_dropout: null },
        class_weights: null,
        early_stopping_patience: 2,
        early_stopping_threshold: 0,
        train_order: 'random',
        average: 'macro',
        metric_name: null,
        do_train: true,
        do_eval: false,
        do_predict: false,
        overwrite_output_dir: false,
        resume_from_checkpoint: null,
        threads: null,
        data_files: { train: './data/train.jsonl', validation: './data/validation.jsonl' },
      });
      // The rows Finetune uses: the validation file's, the training file's.
      const lines = (f: string): number => readFileSync(join(dir, f), 'utf8').trim().split('\n').length;
      assert.deepEqual([lines('data/train.jsonl'), lines('data/validation.jsonl')], [40, 10]);
    },
  );

  test(
    'a regression run: train.py compiles, RUN.problem_type is regression, flags and defaults carried over',
    { skip: hasPython ? false : 'python3 is not installed' },
    async () => {
      const data = writeCsv(
        join(root, 'scores.csv'),
        reviewRows(20, 6).map((r, i) => ({ text: r.text, label: (i % 5) + 0.5 })),
      );
      const dir = join(root, 'script-regression');
      const r = await runCli([
        'export-script',
        '--model_name_or_path',
        'google-bert/bert-base-uncased',
        '--train_file',
        data,
        '--task',
        'regression',
        '--output_dir',
        dir,
        '--max_steps',
        '300',
      ]);
      assert.equal(r.code, 0, r.err);
      assert.equal(spawnSync('python3', ['-m', 'py_compile', join(dir, 'train.py')]).status, 0);
      const { RUN, TRAINING_ARGUMENTS } = readScriptDicts(join(dir, 'train.py'));
      assert.equal(RUN.problem_type, 'regression');
      assert.equal(TRAINING_ARGUMENTS.max_steps, 300);
      assert.equal(TRAINING_ARGUMENTS.learning_rate, 5e-5);
    },
  );
});

describe('finetune create-model', () => {
  test('writes a loadable Hugging Face folder sized from the preset and the vocabulary', async () => {
    const tok = writeSmallVocab(join(root, 'tok'));
    const dir = join(root, 'created');
    const r = await runCli(['create-model', '--preset', 'bert-tiny', '--tokenizer_name', tok, '--labels', 'bad,ok,good', '--seed', '3', '--output_dir', dir]);
    assert.equal(r.code, 0, r.err);
    const tokenizer = await Tokenizer.fromFolder(tok);
    const m = /^wrote (.+): bert-tiny, ([\d.]+)M parameters, vocabulary (\d+), labels bad, ok, good$/m.exec(r.out);
    assert.ok(m, r.out);
    assert.equal(m[1], dir);
    assert.equal(Number(m[3]), tokenizer.vocabSize);
    for (const f of ['config.json', 'model.safetensors', 'vocab.txt', 'tokenizer_config.json']) assert.ok(existsSync(join(dir, f)), f);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(config.model_type, 'bert');
    assert.deepEqual(config.architectures, ['BertForSequenceClassification']);
    assert.equal(config.vocab_size, tokenizer.vocabSize);
    assert.equal(config.hidden_size, 128);
    assert.equal(config.num_hidden_layers, 2);
    assert.deepEqual(config.id2label, { 0: 'bad', 1: 'ok', 2: 'good' });
    const model = await loadPretrained(dir);
    assert.equal(model.config.num_labels, 3);
    const params = [...model.weights.values()].reduce((a, w) => a + w.data.length, 0);
    assert.equal((params / 1e6).toFixed(1), m[2]);
    assert.deepEqual(model.weights.get('bert.embeddings.word_embeddings.weight')?.dims, [tokenizer.vocabSize, 128]);
    assert.deepEqual(model.weights.get('classifier.weight')?.dims, [3, 128]);

    // The folder trains as --model_name_or_path. Its head knows bad / ok / good, the data negative / positive:
    // refused with both label sets named, unless --ignore_mismatched_sizes asks for a new head.
    const train = writeCsv(join(root, 'created-train.csv'), reviewRows(32, 8));
    const refused = await runCli([
      'train',
      '--model_name_or_path',
      dir,
      '--train_file',
      train,
      '--output_dir',
      join(root, 'created-refused'),
      '--max_steps',
      '1',
    ]);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /labels the model does not know: "negative", "positive"\. The model's labels are "bad", "ok", "good"/);
    assert.match(refused.err, /--ignore_mismatched_sizes/);
    const t = await runCli([
      'train',
      '--ignore_mismatched_sizes',
      '--model_name_or_path',
      dir,
      '--train_file',
      train,
      '--output_dir',
      join(root, 'created-run'),
      '--max_steps',
      '2',
      '--per_device_train_batch_size',
      '8',
      '--max_seq_length',
      '16',
      '--threads',
      '1',
      '--export_onnx',
      'false',
    ]);
    assert.equal(t.code, 0, t.err);
    assert.equal(jsonEvents(t.out).pop()?.type, 'done');
  });
});

describe('finetune inspect', () => {
  test('rows, dropped rows, label counts and token-length percentiles that match the data', async () => {
    const tok = writeSmallVocab(join(root, 'tok-inspect'));
    const rows = reviewRows(100, 9);
    const withEmpty = [...rows.slice(0, 50), { text: '', label: 'positive' }, ...rows.slice(50), { text: '   ', label: 'negative' }];
    const train = writeCsv(join(root, 'inspect-train.csv'), withEmpty);
    const valRows = [...reviewRows(20, 10), rows[0]!, rows[0]!];
    const val = writeCsv(join(root, 'inspect-val.csv'), valRows);
    const maxLen = 10;
    const r = await runCli([
      'inspect',
      '--train_file',
      train,
      '--validation_file',
      val,
      '--tokenizer_name',
      tok,
      '--max_seq_length',
      String(maxLen),
      '--log_format',
      'text',
    ]);
    assert.equal(r.code, 0, r.err);

    // The expected numbers, computed here.
    const tokenizer = await Tokenizer.fromFolder(tok);
    const lengths = rows.map((x) => tokenizer.encode(x.text, null, { maxLength: 512 }).inputIds.length).sort((a, b) => a - b);
    const counts = { negative: rows.filter((x) => x.label === 'negative').length, positive: rows.filter((x) => x.label === 'positive').length };
    const truncated = lengths.filter((n) => n > maxLen).length;
    const dupes = (texts: string[]): number => texts.length - new Set(texts).size;
    const trainTexts = new Set(rows.map((x) => x.text));
    const overlap = valRows.filter((x) => trainTexts.has(x.text)).length;

    assert.match(r.out, /^task: single_label_classification; text: text; label: label$/m);
    const head = new RegExp(
      `^\\[train\\] ${train.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: 100 rows \\(2 dropped: 2 empty text, 0 empty label; ${dupes(rows.map((x) => x.text))} duplicates\\)$`,
      'm',
    );
    assert.match(r.out, head);
    assert.match(r.out, new RegExp(`^ {2}negative +${counts.negative} +${((100 * counts.negative) / 100).toFixed(1)}%$`, 'm'));
    assert.match(r.out, new RegExp(`^ {2}positive +${counts.positive} +${((100 * counts.positive) / 100).toFixed(1)}%$`, 'm'));
    const tokenLine = r.out.split('\n').find((l) => l.startsWith('  tokens:'));
    assert.equal(
      tokenLine,
      `  tokens: p50 ${percentile(lengths, 50)}, p90 ${percentile(lengths, 90)}, p95 ${percentile(lengths, 95)}, p99 ${percentile(lengths, 99)}, max ${lengths[lengths.length - 1]}; ${truncated} rows (${((100 * truncated) / 100).toFixed(1)}%) truncated at ${maxLen}`,
    );
    assert.ok(truncated > 0 && truncated < 100, 'the data should straddle max_seq_length');
    assert.ok(overlap >= 2);
    assert.match(
      r.out,
      new RegExp(
        `^\\[validation\\] .*inspect-val\\.csv: 22 rows \\(0 dropped: 0 empty text, 0 empty label; ${dupes(valRows.map((x) => x.text))} duplicates; ${overlap} also in train\\)$`,
        'm',
      ),
    );

    // JSON: the same statistics as an object
    const j = await runCli(['inspect', '--train_file', train, '--tokenizer_name', tok, '--max_seq_length', String(maxLen), '--log_format', 'json']);
    assert.equal(j.code, 0, j.err);
    const obj = jsonEvents(j.out)[0] as unknown as {
      labels: string[];
      stats: { train: { rows: number; labelCounts: Record<string, number>; tokens: { max: number; truncatedRows: number } } };
    };
    assert.deepEqual(obj.labels, ['negative', 'positive']);
    assert.equal(obj.stats.train.rows, 100);
    assert.deepEqual(obj.stats.train.labelCounts, counts);
    assert.equal(obj.stats.train.tokens.max, lengths[lengths.length - 1]);
    assert.equal(obj.stats.train.tokens.truncatedRows, truncated);
  });
});
