#!/usr/bin/env node
/**
 * The `finetune` command line: train / evaluate / predict / export / create-model / inspect /
 * pull / push / deploy-space / export-script. Flags follow run_classification.py and
 * TrainingArguments. On a terminal it shows a progress bar and the Trainer's log lines; otherwise
 * (or with --log_format json) it prints one JSON object per event, the events the worker sends.
 */
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { TrainingEvent } from '../protocol/events.js';
import { datasetStats, encodeDataset, loadClassificationData } from '../core/data/index.js';
import { exportModel } from '../core/export/index.js';
import { exportScript } from '../core/export/script.js';
import { HubError, deploySpace, pullModel, pushFolder } from '../core/hub/index.js';
import { loadPretrained } from '../core/model/load.js';
import { checkVocabulary } from '../core/model/pretrained.js';
import { PRESETS, type PresetName, createModel } from '../core/model/presets.js';
import { saveModel } from '../core/model/save.js';
import { Tokenizer } from '../core/tokenizer/index.js';
import { ARG_SPECS, ArgError, type ArgSpec, type RunArgs, applyConfigObject, defaultArgs, parseFlags } from '../core/train/args.js';
import { Predictor } from '../core/train/predictor.js';
import { resolveModelFolder, runClassification } from '../core/train/run.js';
import { TextReporter, confusionTable, pyFloat } from './format.js';

type Out = { out: NodeJS.WritableStream; err: NodeJS.WritableStream & { isTTY?: boolean } };

interface Command {
  summary: string;
  usage: string;
  /** Flags from the run table this command takes (all of them when undefined). */
  runFlags?: readonly string[] | 'all';
  /** Extra flags of its own: name -> help. */
  own?: Record<string, string>;
  run(argv: string[], io: Out, opts: GlobalOptions): Promise<number>;
}

interface GlobalOptions {
  json: boolean;
  debug: boolean;
}

class UsageError extends Error {}

/** Pulls `--name value` (repeatable) out of argv for flags that are not in the run table. */
function takeFlag(argv: string[], name: string, kind: 'value' | 'bool' = 'value'): string[] {
  const found: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === `--${name}` || a.startsWith(`--${name}=`)) {
      if (a.includes('=')) {
        found.push(a.slice(a.indexOf('=') + 1));
        argv.splice(i--, 1);
      } else if (kind === 'bool') {
        const next = argv[i + 1];
        if (next !== undefined && /^(true|false)$/i.test(next)) {
          found.push(next);
          argv.splice(i, 2);
        } else {
          found.push('true');
          argv.splice(i, 1);
        }
        i--;
      } else {
        const v = argv[i + 1];
        if (v === undefined) throw new ArgError(`--${name}`, `--${name}: expects a value`);
        found.push(v);
        argv.splice(i--, 2);
      }
    }
  }
  return found;
}

async function argsFrom(argv: string[], allowed: readonly string[] | 'all'): Promise<{ args: RunArgs; positionals: string[] }> {
  const args = defaultArgs();
  const allowedSet = allowed === 'all' ? undefined : new Set(allowed);
  // A --config file first, then flags on top of it.
  const cfg = takeFlag(argv, 'config');
  if (cfg.length) {
    let obj: unknown;
    try {
      obj = JSON.parse(await readFile(cfg[cfg.length - 1]!, 'utf8'));
    } catch (e) {
      throw new ArgError(
        '--config',
        `--config ${cfg[cfg.length - 1]}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `not valid JSON (${(e as Error).message})`}`,
      );
    }
    applyConfigObject(args, obj, cfg[cfg.length - 1]!);
  }
  const { positionals } = parseFlags(argv, args, allowedSet);
  return { args, positionals };
}

function reporter(io: Out, json: boolean): (e: TrainingEvent) => void {
  if (json) return (e) => io.out.write(`${JSON.stringify(e)}\n`);
  const text = new TextReporter(io.out, io.err);
  return (e) => text.handle(e);
}

/** SIGINT: the first cancels at the next step boundary (saving a checkpoint); the second exits. */
function cancelOnSigint(io: Out): { signal: AbortSignal; dispose: () => void } {
  const ac = new AbortController();
  const onInt = (): void => {
    if (ac.signal.aborted) process.exit(130);
    io.err.write('\nstopping at the next step and saving a checkpoint (Ctrl-C again to quit now)\n');
    ac.abort();
  };
  process.on('SIGINT', onInt);
  return { signal: ac.signal, dispose: () => process.off('SIGINT', onInt) };
}

const RUN_FLAGS_EVAL = ARG_SPECS.filter(
  (s) => ['model', 'data', 'evaluation', 'runtime'].includes(s.group) || s.name === 'output_dir' || s.name === 'seed',
).map((s) => s.name);

async function runCommand(argv: string[], io: Out, g: GlobalOptions, mode: 'train' | 'evaluate' | 'predict'): Promise<number> {
  const texts = mode === 'predict' ? takeFlag(argv, 'text') : [];
  const pairs = mode === 'predict' ? takeFlag(argv, 'text_pair') : [];
  const { args, positionals } = await argsFrom(argv, mode === 'train' ? 'all' : RUN_FLAGS_EVAL);
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (mode === 'train') args.do_train = true;
  if (mode === 'evaluate') args.do_eval = true;
  if (mode === 'predict') {
    if (texts.length) return predictTexts(args, texts, pairs, io, g);
    args.do_predict = true;
  }
  if (!args.do_train && !args.output_dir && mode !== 'evaluate')
    throw new ArgError('--output_dir', `${mode}: give --output_dir (where predict_results.csv goes), or --text "..." to classify sentences`);
  if (mode === 'evaluate' && !args.output_dir) args.output_dir = null;
  const emit = reporter(io, g.json);
  const sig = cancelOnSigint(io);
  try {
    const r = await runClassification(args, { emit, signal: sig.signal, env: process.env, token: process.env.HF_TOKEN, saveOnCancel: true });
    return r.cancelled ? 130 : 0;
  } finally {
    sig.dispose();
  }
}

async function predictTexts(args: RunArgs, texts: string[], pairs: string[], io: Out, g: GlobalOptions): Promise<number> {
  if (!args.model_name_or_path) throw new ArgError('--model_name_or_path', 'predict: give --model_name_or_path (a trained model folder or Hub id)');
  if (pairs.length && pairs.length !== texts.length)
    throw new ArgError('--text_pair', `--text_pair: give one per --text (${texts.length} texts, ${pairs.length} pairs)`);
  const dir = await resolveModelFolder(args.model_name_or_path, args, { emit: () => undefined, token: process.env.HF_TOKEN });
  const predictor = await Predictor.load(dir, { ...(args.threads ? { threads: args.threads } : {}), executionProvider: args.execution_provider });
  try {
    const scores = await predictor.predict(texts, pairs.length ? pairs : undefined, args.max_seq_length);
    const regression = predictor.config.num_labels === 1 && (predictor.config.problem_type ?? 'regression') === 'regression';
    texts.forEach((text, i) => {
      const s = scores[i]!;
      if (g.json)
        io.out.write(`${JSON.stringify(regression ? { text, prediction: s[0]!.score } : { text, label: s[0]!.label, score: s[0]!.score, scores: s })}\n`);
      else if (regression) io.out.write(`${pyFloat(s[0]!.score)}\t${text}\n`);
      else io.out.write(`${s[0]!.label}\t${s[0]!.score.toFixed(4)}\t${text}\n`);
    });
    return 0;
  } finally {
    await predictor.dispose();
  }
}

function hubToken(): string {
  const t = process.env.HF_TOKEN;
  if (!t) throw new UsageError('set HF_TOKEN to a Hugging Face access token with write permission (https://huggingface.co/settings/tokens)');
  return t;
}

/** What a model folder holds (save_pretrained / export); anything else in a folder is someone else's. */
const MODEL_FOLDER_ENTRIES = new Set([
  'config.json',
  'model.safetensors',
  'README.md',
  'onnx',
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'vocab.txt',
  'vocab.json',
  'merges.txt',
  'added_tokens.json',
  'sentencepiece.bpe.model',
  'spiece.model',
]);

/**
 * export and create-model replace their --output_dir whole: refuse a folder that holds more than a
 * model (a training run's checkpoints and results, a git clone, other files), which would be lost.
 */
async function checkReplaceable(dir: string, command: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return;
  }
  const foreign = entries.filter((e) => !MODEL_FOLDER_ENTRIES.has(e)).sort();
  if (foreign.length) {
    throw new ArgError(
      '--output_dir',
      `--output_dir ${dir} holds ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? `, ... (${foreign.length} entries)` : ''}, which ${command} would delete: it replaces the folder whole. Choose a new or empty folder (or one holding only a model)`,
    );
  }
}

/** Simple `--name value` flags of a command's own. */
function ownFlags(argv: string[], spec: Record<string, string>, bools: readonly string[] = []): { flags: Record<string, string>; positionals: string[] } {
  const flags: Record<string, string> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = (eq >= 0 ? a.slice(2, eq) : a.slice(2)).replace(/-/g, '_');
    if (!(name in spec)) throw new ArgError(`--${name}`, `unknown option --${name}; see --help`);
    if (eq >= 0) flags[name] = a.slice(eq + 1);
    else if (bools.includes(name)) flags[name] = argv[i + 1] && /^(true|false)$/i.test(argv[i + 1]!) ? argv[++i]! : 'true';
    else {
      const v = argv[++i];
      if (v === undefined) throw new ArgError(`--${name}`, `--${name}: expects a value`);
      flags[name] = v;
    }
  }
  return { flags, positionals };
}

const COMMANDS: Record<string, Command> = {
  train: {
    summary: 'fine-tune a model on a CSV/TSV/JSON/JSONL file (run_classification.py)',
    usage: 'finetune train --model_name_or_path ORG/NAME|DIR|preset:bert-tiny --train_file FILE --output_dir DIR [flags]',
    runFlags: 'all',
    run: (argv, io, g) => runCommand(argv, io, g, 'train'),
  },
  evaluate: {
    summary: 'evaluate a trained model on a labelled file',
    usage: 'finetune evaluate --model_name_or_path DIR --validation_file FILE [--output_dir DIR]',
    runFlags: RUN_FLAGS_EVAL,
    run: (argv, io, g) => runCommand(argv, io, g, 'evaluate'),
  },
  predict: {
    summary: 'classify a file (predict_results.csv) or sentences given with --text',
    usage: 'finetune predict --model_name_or_path DIR (--test_file FILE --output_dir DIR | --text "..." [--text "..."] [--text_pair "..."])',
    runFlags: RUN_FLAGS_EVAL,
    own: { text: 'a sentence to classify (repeatable)', text_pair: 'the second sentence of a pair (one per --text)' },
    run: (argv, io, g) => runCommand(argv, io, g, 'predict'),
  },
  export: {
    summary: 'write a model (e.g. a checkpoint) as a Hugging Face folder with ONNX for Transformers.js',
    usage: 'finetune export --model_name_or_path DIR --output_dir DIR [--no_onnx]',
    own: {
      model_name_or_path: 'the model folder or Hub id',
      output_dir: 'the folder to write (replaced whole; one holding anything but a model is refused)',
      no_onnx: 'skip onnx/model.onnx and onnx/model_quantized.onnx',
    },
    async run(argv, io) {
      const { flags } = ownFlags(argv, this.own!, ['no_onnx']);
      if (!flags.model_name_or_path || !flags.output_dir) throw new UsageError('export needs --model_name_or_path and --output_dir');
      await checkReplaceable(flags.output_dir, 'export');
      const dir = await resolveModelFolder(
        flags.model_name_or_path,
        { revision: 'main', cache_dir: null },
        { emit: () => undefined, token: process.env.HF_TOKEN },
      );
      const { config, weights } = await loadPretrained(dir);
      const tok = await Tokenizer.fromFolder(dir);
      checkVocabulary(tok, config, dir);
      const onnx = flags.no_onnx !== 'true';
      const files = await exportModel(flags.output_dir, {
        config,
        weights,
        tokenizerFiles: tok.saveFiles(),
        onnx,
        quantized: onnx,
        card: { baseModel: flags.model_name_or_path },
      });
      io.out.write(`wrote ${flags.output_dir}: ${files.join(', ')}\n`);
      return 0;
    },
  },
  'create-model': {
    summary: 'make a random-init model from a preset and a vocabulary, saved in the Hugging Face layout',
    usage: `finetune create-model --preset ${Object.keys(PRESETS).join('|')} --tokenizer_name DIR --output_dir DIR [--labels a,b,c | --num_labels N] [--seed 42]`,
    own: {
      preset: 'model size',
      tokenizer_name: 'folder with tokenizer.json or vocab.txt',
      output_dir: 'where to write it',
      labels: 'label names, comma-separated',
      num_labels: 'number of labels (default 2)',
      seed: 'initialisation seed (default 42)',
      problem_type: 'single_label_classification | multi_label_classification | regression',
    },
    async run(argv, io) {
      const { flags } = ownFlags(argv, this.own!);
      if (!flags.preset || !(flags.preset in PRESETS)) throw new ArgError('--preset', `--preset: choose one of ${Object.keys(PRESETS).join(', ')}`);
      if (!flags.tokenizer_name || !flags.output_dir) throw new UsageError('create-model needs --tokenizer_name and --output_dir');
      await checkReplaceable(flags.output_dir, 'create-model');
      const tok = await Tokenizer.fromFolder(flags.tokenizer_name);
      const numLabels = flags.num_labels === undefined ? undefined : Number(flags.num_labels);
      if (numLabels !== undefined && !(Number.isInteger(numLabels) && numLabels >= 1))
        throw new ArgError('--num_labels', `--num_labels: expects a positive integer (got ${flags.num_labels})`);
      const seed = flags.seed === undefined ? 42 : Number(flags.seed);
      if (!Number.isInteger(seed) || seed < 0) throw new ArgError('--seed', `--seed: expects a non-negative integer (got ${flags.seed})`);
      const model = createModel({
        preset: flags.preset as PresetName,
        vocabSize: tok.vocabSize,
        padTokenId: tok.padTokenId,
        ...(flags.labels ? { labels: flags.labels.split(',').map((s) => s.trim()) } : {}),
        ...(numLabels !== undefined ? { numLabels } : {}),
        ...(flags.problem_type ? { problemType: flags.problem_type as never } : {}),
        seed,
      });
      await saveModel(flags.output_dir, { ...model, files: { ...tok.saveFiles() } });
      const params = [...model.weights.values()].reduce((a, w) => a + w.data.length, 0);
      io.out.write(
        `wrote ${flags.output_dir}: ${flags.preset}, ${(params / 1e6).toFixed(1)}M parameters, vocabulary ${tok.vocabSize}, labels ${Object.values(model.config.id2label).join(', ')}\n`,
      );
      return 0;
    },
  },
  inspect: {
    summary: 'dataset statistics: rows, dropped rows, labels, token lengths, truncation',
    usage: 'finetune inspect --train_file FILE [--validation_file FILE] [--tokenizer_name DIR | --model_name_or_path DIR] [--max_seq_length 128]',
    runFlags: ARG_SPECS.filter((s) => s.group === 'data' || s.group === 'model').map((s) => s.name),
    async run(argv, io, g) {
      const { args } = await argsFrom(argv, this.runFlags as readonly string[]);
      if (!args.train_file) throw new ArgError('--train_file', 'inspect needs --train_file');
      const data = await loadClassificationData({
        trainFile: args.train_file,
        ...(args.validation_file ? { validationFile: args.validation_file } : {}),
        ...(args.test_file ? { testFile: args.test_file } : {}),
        ...(args.label_column_name !== null ? { labelColumn: args.label_column_name } : {}),
        task: args.task,
        hasHeader: !args.no_header,
        ...(args.text_column_names
          ? args.text_column_names.length === 2 && args.text_column_delimiter === null
            ? { textColumns: [args.text_column_names[0]!], pairColumn: args.text_column_names[1]! }
            : { textColumns: args.text_column_names }
          : {}),
        ...(args.text_column_delimiter !== null ? { textColumnDelimiter: args.text_column_delimiter } : {}),
        ...(args.label_delimiter !== null ? { labelDelimiter: args.label_delimiter } : {}),
      });
      const tokDir = args.tokenizer_name ?? args.model_name_or_path;
      const encoded = tokDir
        ? await encodeDataset(data, await Tokenizer.fromFolder(await resolveModelFolder(tokDir, args, { emit: () => undefined })), {
            maxSeqLength: args.max_seq_length,
          })
        : undefined;
      const stats = datasetStats(data, encoded);
      if (g.json)
        io.out.write(`${JSON.stringify({ problemType: data.problemType, labels: data.labels, columns: data.columns, stats, warnings: data.warnings })}\n`);
      else {
        io.out.write(
          `task: ${data.problemType}; text: ${data.columns.text.join(' + ')}${data.columns.pair ? ` / pair: ${data.columns.pair}` : ''}; label: ${data.columns.label}\n`,
        );
        for (const s of Object.values(stats)) {
          if (!s) continue;
          io.out.write(
            `\n[${s.split}] ${s.file}: ${s.rows} rows (${s.droppedTotal} dropped: ${s.dropped.emptyText} empty text, ${s.dropped.emptyLabel} empty label; ${s.duplicates} duplicates${s.overlapWithTrain !== undefined ? `; ${s.overlapWithTrain} also in train` : ''})\n`,
          );
          if (s.labelCounts)
            for (const [l, c] of Object.entries(s.labelCounts) as [string, number][])
              io.out.write(`  ${l.padEnd(20)} ${String(c).padStart(7)}  ${((100 * c) / s.rows).toFixed(1)}%\n`);
          if (s.target)
            io.out.write(`  target: min ${pyFloat(s.target.min)} max ${pyFloat(s.target.max)} mean ${pyFloat(s.target.mean)} std ${pyFloat(s.target.std)}\n`);
          if (s.tokens)
            io.out.write(
              `  tokens: p50 ${s.tokens.p50}, p90 ${s.tokens.p90}, p95 ${s.tokens.p95}, p99 ${s.tokens.p99}, max ${s.tokens.max}; ${s.tokens.truncatedRows} rows (${(100 * s.tokens.truncatedShare).toFixed(1)}%) truncated at ${s.tokens.maxLength}\n`,
            );
        }
        for (const w of data.warnings) io.err.write(`warning: ${w}\n`);
      }
      return 0;
    },
  },
  pull: {
    summary: 'download a model from the Hugging Face Hub into the cache (HF_HOME / HF_HUB_CACHE)',
    usage: 'finetune pull ORG/NAME [--revision main] [--cache_dir DIR]',
    own: { revision: 'branch, tag or commit', cache_dir: 'Hub cache folder' },
    async run(argv, io, g) {
      const { flags, positionals } = ownFlags(argv, this.own!);
      if (positionals.length !== 1) throw new UsageError('pull needs one repo id, e.g. finetune pull google-bert/bert-base-uncased');
      const sig = cancelOnSigint(io);
      try {
        const r = await pullModel(positionals[0]!, {
          ...(flags.revision ? { revision: flags.revision } : {}),
          ...(flags.cache_dir ? { cacheDir: flags.cache_dir } : {}),
          ...(process.env.HF_TOKEN ? { token: process.env.HF_TOKEN } : {}),
          signal: sig.signal,
          onProgress: (e) => {
            if (g.json) io.out.write(`${JSON.stringify(e)}\n`);
            else if (e.type === 'file-done') io.err.write(`${e.cached ? 'cached' : 'downloaded'} ${e.file}\n`);
            else if (e.type === 'log') io.err.write(`${e.message}\n`);
          },
        });
        io.out.write(g.json ? `${JSON.stringify({ type: 'done', ...r })}\n` : `${r.folder}\n`);
        return 0;
      } finally {
        sig.dispose();
      }
    },
  },
  push: {
    summary: 'upload a saved model folder to the Hub (token: HF_TOKEN)',
    usage: 'finetune push DIR ORG/NAME [--private] [--commit_message "..."]',
    own: { private: 'create the repo private', commit_message: 'commit message' },
    async run(argv, io, g) {
      const { flags, positionals } = ownFlags(argv, this.own!, ['private']);
      if (positionals.length !== 2) throw new UsageError('push needs a folder and a repo id: finetune push out/model my-name/my-model');
      const r = await pushFolder(positionals[0]!, positionals[1]!, {
        token: hubToken(),
        private: flags.private === 'true',
        ...(flags.commit_message ? { commitMessage: flags.commit_message } : {}),
        onProgress: (e) => {
          if (g.json) io.out.write(`${JSON.stringify(e)}\n`);
          else if (e.type === 'file-done') io.err.write(`uploaded ${e.file}\n`);
        },
      });
      io.out.write(g.json ? `${JSON.stringify({ type: 'done', ...r })}\n` : `${r.url}\n`);
      return 0;
    },
  },
  'deploy-space': {
    summary: 'create a demo Space for a pushed model (Gradio app or static Transformers.js page)',
    usage: 'finetune deploy-space ORG/MODEL [--template gradio|static] [--space_id ORG/NAME] [--private]',
    own: { template: 'gradio (default) or static', space_id: 'the Space repo (default ORG/MODEL-demo)', private: 'create it private', title: 'Space title' },
    async run(argv, io, g) {
      const { flags, positionals } = ownFlags(argv, this.own!, ['private']);
      if (positionals.length !== 1) throw new UsageError('deploy-space needs the model repo id');
      const template = (flags.template ?? 'gradio') as 'gradio' | 'static';
      if (template !== 'gradio' && template !== 'static') throw new ArgError('--template', '--template: gradio or static');
      const r = await deploySpace(positionals[0]!, {
        template,
        ...(flags.space_id ? { spaceId: flags.space_id } : {}),
        ...(flags.title ? { title: flags.title } : {}),
        private: flags.private === 'true',
        token: hubToken(),
      });
      io.out.write(g.json ? `${JSON.stringify({ type: 'done', url: r.url, files: r.files })}\n` : `${r.url}\n`);
      return 0;
    },
  },
  'export-script': {
    summary: 'write train.py + requirements.txt + accelerate config (+ the data rows) reproducing this run with transformers.Trainer',
    usage: 'finetune export-script --output_dir DIR [the train flags]',
    runFlags: 'all',
    async run(argv, io) {
      const { args } = await argsFrom(argv, 'all');
      if (!args.output_dir) throw new ArgError('--output_dir', 'export-script needs --output_dir (the folder for train.py)');
      const scriptDir = args.output_dir;
      const files = await exportScript(args);
      for (const [name, content] of Object.entries(files)) {
        await mkdir(dirname(join(scriptDir, name)), { recursive: true });
        await writeFile(join(scriptDir, name), content);
      }
      io.out.write(
        `wrote ${Object.keys(files)
          .map((f) => join(scriptDir, f))
          .join(', ')}\nrun: accelerate launch --config_file ${join(scriptDir, 'accelerate_config.yaml')} ${join(scriptDir, 'train.py')}\n`,
      );
      return 0;
    },
  },
};

function flagHelp(s: ArgSpec): string {
  const def = s.default === null ? '' : ` (default: ${Array.isArray(s.default) ? s.default.join(',') : String(s.default)})`;
  const choices = s.choices ? ` [${s.choices.join('|')}]` : '';
  return `  --${s.name}${s.type === 'bool' ? '' : ` ${s.type.toUpperCase()}`}${choices}\n      ${s.help}${def}`;
}

function help(name?: string): string {
  if (name && COMMANDS[name]) {
    const c = COMMANDS[name];
    const lines = [`finetune ${name}: ${c.summary}`, '', `usage: ${c.usage}`, ''];
    if (c.own) for (const [k, h] of Object.entries(c.own)) lines.push(`  --${k}\n      ${h}`);
    if (c.runFlags) {
      const names = c.runFlags === 'all' ? ARG_SPECS.map((s) => s.name) : c.runFlags;
      for (const group of ['model', 'data', 'training', 'evaluation', 'output', 'runtime'] as const) {
        const specs = ARG_SPECS.filter((s) => s.group === group && names.includes(s.name));
        if (specs.length) lines.push(`${group}:`, ...specs.map(flagHelp), '');
      }
      lines.push('  --config FILE\n      read flags from a JSON object {"learning_rate": 2e-5, ...}; flags given after it win');
    }
    lines.push('', 'global: --log_format text|json (default: text on a terminal, json otherwise), --debug (stack traces), --help');
    return `${lines.join('\n')}\n`;
  }
  return [
    'finetune: fine-tune transformer text classifiers (BERT, RoBERTa, DistilBERT, ELECTRA, MiniLM, DeBERTa-v2/v3) on ONNX Runtime, no Python.',
    '',
    'usage: finetune <command> [flags]',
    '',
    ...Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(14)} ${c.summary}`),
    '',
    'finetune <command> --help shows its flags. Environment: HF_TOKEN, HF_ENDPOINT, HF_HOME, HF_HUB_CACHE, HF_HUB_OFFLINE.',
    '',
  ].join('\n');
}

export async function main(argvIn: string[], io: Out = { out: process.stdout, err: process.stderr }): Promise<number> {
  const argv = [...argvIn];
  let g: GlobalOptions = { json: !(io.err as { isTTY?: boolean }).isTTY, debug: false };
  try {
    const fmt = takeFlag(argv, 'log_format');
    const debug = takeFlag(argv, 'debug', 'bool');
    g = { json: fmt.length ? fmt[fmt.length - 1] === 'json' : g.json, debug: debug.length > 0 && debug[debug.length - 1] !== 'false' };
    if (fmt.length && !['json', 'text'].includes(fmt[fmt.length - 1]!)) throw new ArgError('--log_format', '--log_format: text or json');
    const name = argv.shift();
    if (!name || name === '--help' || name === '-h' || name === 'help') {
      io.out.write(help(argv[0]));
      return name ? 0 : 2;
    }
    const cmd = COMMANDS[name];
    if (!cmd) throw new UsageError(`unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')}`);
    if (argv.includes('--help') || argv.includes('-h')) {
      io.out.write(help(name));
      return 0;
    }
    return await cmd.run(argv, io, g);
  } catch (e) {
    const err = e as Error;
    const usage = e instanceof ArgError || e instanceof UsageError;
    const known = usage || e instanceof HubError || /Error$/.test(err.name) || typeof (e as { file?: unknown }).file === 'string';
    const message = known ? err.message : `unexpected error: ${err.message} (rerun with --debug for details)`;
    if (g.json) io.out.write(`${JSON.stringify({ type: 'error', message, ...(g.debug ? { detail: err.stack } : {}) })}\n`);
    io.err.write(`error: ${message}\n`);
    if (g.debug && err.stack) io.err.write(`${err.stack}\n`);
    return usage ? 2 : 1;
  }
}

// Run when executed directly (bundled dist/cli.cjs or tsx src/cli/main.ts).
const entry = process.argv[1] ? resolve(process.argv[1]) : '';
if (/(^|[\\/])(cli\.cjs|main\.ts|finetune)$/.test(entry)) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

export { confusionTable };
