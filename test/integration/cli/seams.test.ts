/**
 * Where real Hugging Face files enter and leave a run: a classifier's head and label ids kept when
 * training further, config.json label names of any JSON scalar, predict_results.csv one row per
 * input row, the transformers flags users bring, and --push_to_hub with the Trainer's hub_strategy.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_TOKEN, FakeHub } from '../../helpers/fake-hub.js';
import { readEvent, readRecords } from '../../helpers/tfevents.js';
import { jsonEvents, prng, runCli, tempDir, writeCsv, writeSmallVocab } from './support.js';

const root = tempDir('seams');
const tok = writeSmallVocab(join(root, 'tok'));
const FAST = ['--per_device_train_batch_size', '8', '--max_seq_length', '16', '--threads', '1', '--export_onnx', 'false'];

const readJson = (p: string): Record<string, unknown> => JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;

/** Rows labelled with `labels`, each label cued by its own words. */
function rows(n: number, labels: readonly string[], seed: number): { text: string; label: string }[] {
  const words: Record<string, string> = { positive: 'great', negative: 'awful', neutral: 'fine' };
  const r = prng(seed);
  return Array.from({ length: n }, (_, i) => {
    const label = labels[i % labels.length]!;
    return { text: `the soup was ${words[label] ?? 'good'} ${r() < 0.5 ? 'today' : 'really'}`, label };
  });
}

async function createModel(dir: string, labels: string): Promise<void> {
  const r = await runCli(['create-model', '--preset', 'bert-tiny', '--tokenizer_name', tok, '--output_dir', dir, '--labels', labels, '--seed', '3']);
  assert.equal(r.code, 0, r.err);
}

async function predictLabels(model: string, texts: readonly string[]): Promise<string[]> {
  const r = await runCli(['predict', '--model_name_or_path', model, '--log_format', 'json', ...texts.flatMap((t) => ['--text', t])]);
  assert.equal(r.code, 0, r.err);
  return jsonEvents(r.out).map((e) => e.label as string);
}

const PROBES = ['the soup was great', 'the soup was awful', 'the soup was fine', 'delta epsilon', 'noodles today', 'good item'];

describe('a classifier trained further keeps its head and label ids', () => {
  const model = join(root, 'three-labels');
  before(async () => createModel(model, 'positive,negative,neutral'));

  test("data with the model's names in another order: same ids, same predictions after a negligible step", async () => {
    const before = await predictLabels(model, PROBES);
    const out = join(root, 'kept');
    const train = writeCsv(join(root, 'kept.csv'), rows(24, ['negative', 'neutral', 'positive'], 1));
    const r = await runCli([
      'train',
      '--model_name_or_path',
      model,
      '--train_file',
      train,
      '--output_dir',
      out,
      '--max_steps',
      '2',
      '--learning_rate',
      '1e-9',
      ...FAST,
    ]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /keeping the model's classification head and its 3 labels/);
    const cfg = readJson(join(out, 'config.json'));
    assert.deepEqual(cfg.id2label, { 0: 'positive', 1: 'negative', 2: 'neutral' });
    assert.deepEqual(cfg.label2id, { positive: 0, negative: 1, neutral: 2 });
    // Had the ids been rebuilt from the sorted data labels, every name would be moved.
    assert.deepEqual(await predictLabels(out, PROBES), before);
  });

  test('data holding some of the labels keeps all of them', async () => {
    const out = join(root, 'subset');
    const train = writeCsv(join(root, 'subset.csv'), rows(16, ['negative', 'positive'], 2));
    const r = await runCli(['train', '--model_name_or_path', model, '--train_file', train, '--output_dir', out, '--max_steps', '1', ...FAST]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /1 of them have no training row: the model keeps them/);
    assert.deepEqual(readJson(join(out, 'config.json')).id2label, { 0: 'positive', 1: 'negative', 2: 'neutral' });
  });

  test('labels the model lacks: refused naming both sets; --ignore_mismatched_sizes trains a new head', async () => {
    const train = writeCsv(join(root, 'other.csv'), rows(16, ['spam', 'ham'], 3));
    const refused = await runCli([
      'train',
      '--model_name_or_path',
      model,
      '--train_file',
      train,
      '--output_dir',
      join(root, 'refused'),
      '--max_steps',
      '1',
      ...FAST,
    ]);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /labels the model does not know: "ham", "spam"\. The model's labels are "positive", "negative", "neutral"/);
    const out = join(root, 'new-head');
    const r = await runCli([
      'train',
      '--model_name_or_path',
      model,
      '--train_file',
      train,
      '--output_dir',
      out,
      '--max_steps',
      '1',
      '--ignore_mismatched_sizes',
      ...FAST,
    ]);
    assert.equal(r.code, 0, r.err);
    const messages = jsonEvents(r.out)
      .map((e) => e.message)
      .join('\n');
    assert.match(messages, /a new classification head for the labels "ham", "spam"; the model's labels "positive", "negative", "neutral" are discarded/);
    assert.match(messages, /newly initialized: \[classifier\.weight: a new head for new labels, classifier\.bias: a new head for new labels\]/);
    assert.deepEqual(readJson(join(out, 'config.json')).id2label, { 0: 'ham', 1: 'spam' });
  });
});

describe("config.json as run_classification.py writes it for integer labels ({'0': 0})", () => {
  test('loads, trains on integer labels, predicts the names "0" / "1" and keeps them integers', async () => {
    const model = join(root, 'int-labels');
    await createModel(model, 'a,b');
    const cfgPath = join(model, 'config.json');
    const cfg = readJson(cfgPath);
    writeFileSync(cfgPath, JSON.stringify({ ...cfg, id2label: { 0: 0, 1: 1 }, label2id: { 0: 0, 1: 1 } }));
    const train = writeCsv(
      join(root, 'int.csv'),
      rows(16, ['positive', 'negative'], 4).map((x) => ({ text: x.text, label: x.label === 'positive' ? 1 : 0 })),
    );
    const out = join(root, 'int-out');
    const r = await runCli(['train', '--model_name_or_path', model, '--train_file', train, '--output_dir', out, '--max_steps', '1', ...FAST]);
    assert.equal(r.code, 0, r.err);
    const saved = readJson(join(out, 'config.json'));
    assert.deepEqual(saved.id2label, { 0: 0, 1: 1 });
    for (const l of await predictLabels(out, PROBES)) assert.ok(['0', '1'].includes(l));
  });
});

describe('predict_results.csv: one row per input row', () => {
  test('rows with no text are answered with a note; rows without a label are predicted; metrics use the labelled ones', async () => {
    const model = join(root, 'predict-model');
    await createModel(model, 'negative,positive');
    const file = join(root, 'to-predict.csv');
    writeFileSync(file, 'text,label\nthe soup was great,positive\n,negative\n"the soup\nwas awful",\nnoodles today,negative\n   ,\n');
    const out = join(root, 'predict-out');
    const r = await runCli(['predict', '--model_name_or_path', model, '--test_file', file, '--output_dir', out, '--threads', '1']);
    assert.equal(r.code, 0, r.err);
    const lines = readFileSync(join(out, 'predict_results.csv'), 'utf8').trimEnd().split('\n');
    assert.equal(lines[0], 'index,line,text,label,predicted,score,p(negative),p(positive),correct,note');
    const body = lines.slice(1).join('\n');
    // 5 data rows, the third spans two lines: every row is there, in order, with its first line.
    const starts = [...body.matchAll(/^(\d+),(\d+),/gm)].map((m) => [Number(m[1]), Number(m[2])]);
    assert.deepEqual(starts, [
      [0, 2],
      [1, 3],
      [2, 4],
      [3, 6],
      [4, 7],
    ]);
    assert.match(lines[2]!, /,not predicted: empty text$/);
    assert.match(lines[lines.length - 1]!, /,not predicted: empty text$/);
    assert.match(body, /"the soup\nwas awful",,(negative|positive),[\d.]+,[\d.]+,[\d.]+,,no label\n/);
    const test = readJson(join(out, 'test_results.json'));
    assert.equal(typeof test.test_accuracy, 'number');
  });
});

describe('transformers flags', () => {
  const train = writeCsv(join(root, 'flags.csv'), rows(32, ['negative', 'positive'], 5));
  let model: string;
  before(async () => {
    model = join(root, 'flags-model');
    const r = await runCli(['create-model', '--preset', 'bert-tiny', '--tokenizer_name', tok, '--output_dir', model]);
    assert.equal(r.code, 0, r.err);
  });

  const unsupported: [string[], RegExp][] = [
    [['--bf16'], /--bf16 is not supported: bfloat16 training is not available/],
    [['--evaluation_strategy', 'epoch'], /--evaluation_strategy is not supported: renamed --eval_strategy in transformers 4\.41 and removed in 5/],
    [['--deepspeed', 'ds.json'], /--deepspeed is not supported: Finetune trains on one device/],
    [['--report_to', 'wandb'], /--report_to: each must be one of none, all, tensorboard/],
  ];
  for (const [flags, message] of unsupported) {
    test(`${flags[0]} gets the reason, not "unknown option"`, async () => {
      const r = await runCli(['train', '--model_name_or_path', model, '--train_file', train, '--output_dir', join(root, 'x'), ...flags]);
      assert.equal(r.code, 2);
      assert.match(r.err, message);
    });
  }

  test('--model_revision and --data_seed are the same flags as --revision and --shuffle_seed', async () => {
    const out = join(root, 'alias');
    const r = await runCli([
      'train',
      '--model_name_or_path',
      model,
      '--train_file',
      train,
      '--output_dir',
      out,
      '--max_steps',
      '1',
      '--model_revision',
      'main',
      '--data_seed',
      '7',
      ...FAST,
    ]);
    assert.equal(r.code, 0, r.err);
    const args = readJson(join(out, 'training_args.json'));
    assert.equal(args.revision, 'main');
    assert.equal(args.shuffle_seed, 7);
  });

  test('--shuffle_seed changes the training order, not the initialisation', async () => {
    const order = async (seed: string): Promise<number[]> => {
      const out = join(root, `order-${seed}`);
      const r = await runCli([
        'train',
        '--model_name_or_path',
        model,
        '--train_file',
        train,
        '--output_dir',
        out,
        '--max_steps',
        '3',
        '--logging_steps',
        '1',
        '--shuffle_seed',
        seed,
        ...FAST,
      ]);
      assert.equal(r.code, 0, r.err);
      return jsonEvents(r.out)
        .filter((e) => e.type === 'log')
        .map((e) => e.loss as number);
    };
    assert.notDeepEqual(await order('1'), await order('2'));
  });

  test('--eval_on_start evaluates at step 0; --logging_strategy epoch logs at epoch ends only', async () => {
    const out = join(root, 'eval-start');
    const r = await runCli([
      'train',
      '--model_name_or_path',
      model,
      '--train_file',
      train,
      '--output_dir',
      out,
      '--num_train_epochs',
      '2',
      '--eval_strategy',
      'epoch',
      '--eval_on_start',
      '--logging_strategy',
      'epoch',
      '--logging_steps',
      '1',
      ...FAST,
    ]);
    assert.equal(r.code, 0, r.err);
    const history = readJson(join(out, 'trainer_state.json')).log_history as Record<string, number>[];
    assert.equal(history[0]!.step, 0);
    assert.ok('eval_loss' in history[0]!);
    // 32 rows, 10% held out: 29 train rows, 4 batches of 8 per epoch.
    assert.deepEqual(
      history.filter((h) => 'loss' in h).map((h) => h.step),
      [4, 8],
    );
  });

  test('--label_smoothing_factor: refused with --class_weights and for regression', async () => {
    const a = await runCli([
      'train',
      '--model_name_or_path',
      model,
      '--train_file',
      train,
      '--output_dir',
      join(root, 'ls1'),
      '--label_smoothing_factor',
      '0.1',
      '--class_weights',
      'auto',
    ]);
    assert.equal(a.code, 2);
    assert.match(a.err, /cannot be combined/);
    const reg = writeCsv(
      join(root, 'reg.csv'),
      rows(16, ['negative', 'positive'], 6).map((x, i) => ({ text: x.text, label: (i % 5) / 4 + 0.5 })),
    );
    const b = await runCli([
      'train',
      '--model_name_or_path',
      model,
      '--train_file',
      reg,
      '--output_dir',
      join(root, 'ls2'),
      '--label_smoothing_factor',
      '0.1',
      '--ignore_mismatched_sizes',
    ]);
    assert.equal(b.code, 2);
    assert.match(b.err, /applies to single-label classification; this data is regression/);
  });

  test('--do_regression false makes classes of numeric labels', async () => {
    const reg = writeCsv(
      join(root, 'numeric.csv'),
      rows(16, ['negative', 'positive'], 7).map((x, i) => ({ text: x.text, label: i % 2 ? '1.5' : '2.5' })),
    );
    const out = join(root, 'no-regression');
    const r = await runCli([
      'train',
      '--model_name_or_path',
      model,
      '--train_file',
      reg,
      '--output_dir',
      out,
      '--max_steps',
      '1',
      '--do_regression',
      'false',
      '--ignore_mismatched_sizes',
      ...FAST,
    ]);
    assert.equal(r.code, 0, r.err);
    const cfg = readJson(join(out, 'config.json'));
    assert.equal(cfg.problem_type, 'single_label_classification');
    assert.deepEqual(cfg.id2label, { 0: '1.5', 1: '2.5' });
  });
});

describe('--push_to_hub', () => {
  let hub: FakeHub;
  const saved = process.env.HF_ENDPOINT;
  const savedToken = process.env.HF_TOKEN;
  const train = writeCsv(join(root, 'push.csv'), rows(16, ['negative', 'positive'], 8));
  let model: string;
  before(async () => {
    hub = await FakeHub.start();
    process.env.HF_ENDPOINT = hub.url;
    delete process.env.HF_TOKEN;
    model = join(root, 'push-model');
    const r = await runCli(['create-model', '--preset', 'bert-tiny', '--tokenizer_name', tok, '--output_dir', model, '--labels', 'negative,positive']);
    assert.equal(r.code, 0, r.err);
  });
  after(async () => {
    if (saved === undefined) delete process.env.HF_ENDPOINT;
    else process.env.HF_ENDPOINT = saved;
    if (savedToken !== undefined) process.env.HF_TOKEN = savedToken;
    await hub.close();
  });

  const run = (out: string, strategy: string): Promise<{ code: number; out: string; err: string }> =>
    runCli([
      'train',
      '--model_name_or_path',
      model,
      '--train_file',
      train,
      '--output_dir',
      out,
      '--max_steps',
      '2',
      '--save_steps',
      '1',
      '--push_to_hub',
      '--hub_model_id',
      `alice/${strategy}`,
      '--hub_strategy',
      strategy,
      '--hub_token',
      DEFAULT_TOKEN,
      ...FAST,
    ]);

  test('every_save (the default): the model at each save and at the end; no checkpoint folders, no token in any file', async () => {
    const out = join(root, 'push-every');
    const r = await run(out, 'every_save');
    assert.equal(r.code, 0, r.err);
    const files = hub.listFiles('alice/every_save');
    for (const f of [
      'config.json',
      'model.safetensors',
      'README.md',
      'tokenizer_config.json',
      'train_results.json',
      'trainer_state.json',
      'training_args.json',
    ])
      assert.ok(files.includes(f), `${f} pushed`);
    assert.deepEqual(
      files.filter((f) => f.startsWith('checkpoint-') || f.includes('optimizer')),
      [],
    );
    const titles = [...hub.repo('alice/every_save')!.commits.values()].map((c) => c.title);
    assert.ok(titles.includes('Training in progress, step 1'));
    assert.ok(titles.includes('End of training'));
    // The token is never written: training_args.json holds the Trainer's placeholder.
    assert.equal(JSON.parse(hub.fileAt('alice/every_save', 'training_args.json')!.toString()).hub_token, '<HUB_TOKEN>');
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
    for (const f of walk(out)) assert.ok(!readFileSync(f).includes(DEFAULT_TOKEN), `${f} holds the token`);
  });

  test('checkpoint: and the last checkpoint as last-checkpoint/; end: one push at the end', async () => {
    const r = await run(join(root, 'push-ckpt'), 'checkpoint');
    assert.equal(r.code, 0, r.err);
    const files = hub.listFiles('alice/checkpoint');
    assert.ok(files.includes('last-checkpoint/optimizer.safetensors'));
    assert.ok(files.includes('last-checkpoint/trainer_state.json'));
    assert.deepEqual(
      files.filter((f) => f.startsWith('checkpoint-')),
      [],
    );
    const e = await run(join(root, 'push-end'), 'end');
    assert.equal(e.code, 0, e.err);
    const titles = [...hub.repo('alice/end')!.commits.values()].map((c) => c.title);
    assert.ok(!titles.some((t) => t.startsWith('Training in progress')));
    assert.ok(titles.includes('End of training'));
  });
});

describe('--report_to tensorboard and reduce_lr_on_plateau through a run', () => {
  test('event files under output_dir/runs/ with train/* at each log and eval/* at each evaluation', async () => {
    const model = join(root, 'tb-model');
    await createModel(model, 'negative,positive');
    const train = writeCsv(join(root, 'tb.csv'), rows(40, ['negative', 'positive'], 9));
    const out = join(root, 'tb-run');
    const r = await runCli([
      'train',
      '--model_name_or_path',
      model,
      '--train_file',
      train,
      '--output_dir',
      out,
      '--max_steps',
      '4',
      '--logging_steps',
      '1',
      '--eval_strategy',
      'steps',
      '--eval_steps',
      '2',
      '--report_to',
      'tensorboard',
      ...FAST,
    ]);
    assert.equal(r.code, 0, r.err);
    const [run] = readdirSync(join(out, 'runs'));
    const [file] = readdirSync(join(out, 'runs', run!));
    assert.match(file!, /^events\.out\.tfevents\.\d{10}\./);
    const events = readRecords(readFileSync(join(out, 'runs', run!, file!))).map(readEvent);
    const steps = (tag: string): number[] => events.filter((e) => e.tag === tag).map((e) => e.step);
    assert.deepEqual(steps('train/loss'), [1, 2, 3, 4]);
    assert.deepEqual(steps('eval/loss'), [2, 4]);
    assert.deepEqual(steps('train/train_runtime'), [4]);
    const history = readJson(join(out, 'trainer_state.json')).log_history as Record<string, number>[];
    const loss2 = history.find((h) => h.step === 2 && 'loss' in h)!.loss!;
    assert.equal(events.find((e) => e.tag === 'train/loss' && e.step === 2)!.value, Math.fround(loss2));
    assert.ok(events.some((e) => e.tag === 'args/text_summary' && e.text!.includes('"learning_rate"')));
  });

  test('reduce_lr_on_plateau lowers the rate after evaluations without improvement, and its state is in scheduler.json', async () => {
    const model = join(root, 'plateau-model');
    await createModel(model, 'negative,positive');
    const train = writeCsv(join(root, 'plateau.csv'), rows(40, ['negative', 'positive'], 10));
    const out = join(root, 'plateau-run');
    const r = await runCli([
      'train',
      '--model_name_or_path',
      model,
      '--train_file',
      train,
      '--output_dir',
      out,
      '--max_steps',
      '6',
      '--logging_steps',
      '1',
      '--eval_strategy',
      'steps',
      '--eval_steps',
      '1',
      '--save_steps',
      '6',
      '--learning_rate',
      '1e-4',
      '--lr_scheduler_type',
      'reduce_lr_on_plateau',
      '--lr_scheduler_kwargs',
      '{"patience": 0, "factor": 0.5, "threshold": 0.5}',
      ...FAST,
    ]);
    assert.equal(r.code, 0, r.err);
    const history = readJson(join(out, 'trainer_state.json')).log_history as Record<string, number>[];
    // With threshold 0.5 (relative) no later loss counts as better than the first: each evaluation halves the
    // rate (patience 0), from the step after the first one. (torch skips a reduction smaller than eps 1e-8.)
    const rates = history.filter((h) => 'loss' in h).map((h) => h.learning_rate!);
    assert.deepEqual(
      rates.map((x) => Math.round(x / 1e-4 / 0.03125)),
      [32, 32, 16, 8, 4, 2],
    );
    const sched = readJson(join(out, 'checkpoint-6', 'scheduler.json')) as { plateau: { _last_lr: number[] } };
    assert.ok(Math.abs(sched.plateau._last_lr[0]! - 1e-4 / 32) < 1e-18, 'the sixth evaluation halved it once more');
  });
});

describe('--metric_name', () => {
  test('headlines the chosen metric after evaluation; a metric of another task is refused', async () => {
    const model = join(root, 'metric-model');
    await createModel(model, 'negative,positive');
    const train = writeCsv(join(root, 'metric.csv'), rows(40, ['negative', 'positive'], 11));
    const r = await runCli([
      'train',
      '--model_name_or_path',
      model,
      '--train_file',
      train,
      '--output_dir',
      join(root, 'metric-run'),
      '--max_steps',
      '2',
      '--do_eval',
      '--metric_name',
      'f1',
      ...FAST,
    ]);
    assert.equal(r.code, 0, r.err);
    assert.ok(jsonEvents(r.out).some((e) => e.type === 'info' && /^eval_f1 = [\d.]+ \(--metric_name f1\)$/.test(String(e.message))));
    const bad = await runCli([
      'train',
      '--model_name_or_path',
      model,
      '--train_file',
      train,
      '--output_dir',
      join(root, 'metric-bad'),
      '--metric_name',
      'mse',
      ...FAST,
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--metric_name mse: this data is single label classification, whose metrics are accuracy, precision, recall, f1/);
  });
});
