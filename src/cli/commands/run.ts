/** train / evaluate / predict: a classification run (core/run/run.ts) with its events on the terminal or as JSON. */
import { ArgError, UsageError } from '../../core/errors.js';
import { resolveProblemType } from '../../core/model/config.js';
import { ARG_SPECS, type RunArgs } from '../../core/contract/args.js';
import { type Classified, Predictor } from '../../core/predict/predictor.js';
import { resolveModelFolder, runClassification } from '../../core/run/run.js';
import { pyFloat } from '../format.js';
import { type GlobalOptions, type Out, cancelOnSigint, reporter } from '../io.js';
import type { ParsedCommand } from '../parse.js';
import type { Command } from './types.js';

/** The run flags evaluate and predict take: model, data, evaluation and runtime ones (no training flags). */
export const RUN_FLAGS_EVAL = ARG_SPECS.filter(
  (s) => (['model', 'data', 'evaluation', 'runtime'].includes(s.group) && s.name !== 'ig_steps') || s.name === 'output_dir' || s.name === 'seed',
).map((s) => s.name);

async function runFromArgs(args: RunArgs, io: Out, g: GlobalOptions): Promise<number> {
  const emit = reporter(io, g.json);
  const sig = cancelOnSigint(io);
  try {
    const r = await runClassification(args, { emit, signal: sig.signal, env: process.env, token: process.env.HF_TOKEN, saveOnCancel: true });
    return r.cancelled ? 130 : 0;
  } finally {
    sig.dispose();
  }
}

function noPositionals(p: ParsedCommand): void {
  if (p.positionals.length) throw new UsageError(`unexpected argument "${p.positionals[0]}"`);
}

export const train: Command = {
  name: 'train',
  summary: 'fine-tune a model on a CSV/TSV/JSON/JSONL file (run_classification.py)',
  usage: 'finetune train --model_name_or_path ORG/NAME|DIR|preset:bert-tiny --train_file FILE --output_dir DIR [flags]',
  flags: { run: 'all' },
  run: (p, io, g) => {
    noPositionals(p);
    return runFromArgs({ ...p.args, do_train: true }, io, g);
  },
};

export const evaluate: Command = {
  name: 'evaluate',
  summary: 'evaluate a trained model on a labelled file',
  usage: 'finetune evaluate --model_name_or_path DIR --validation_file FILE [--output_dir DIR]',
  flags: { run: RUN_FLAGS_EVAL },
  run: (p, io, g) => {
    noPositionals(p);
    // Without --output_dir it prints the metrics and writes nothing (not into the working directory).
    return runFromArgs({ ...p.args, do_eval: true }, io, g);
  },
};

export const predict: Command = {
  name: 'predict',
  summary: 'classify a file (predict_results.csv) or sentences given with --text',
  usage: 'finetune predict --model_name_or_path DIR (--test_file FILE --output_dir DIR | --text "..." [--text "..."] [--text_pair "..."])',
  flags: {
    run: RUN_FLAGS_EVAL,
    own: [
      { name: 'text', type: 'string', repeat: true, help: 'a sentence to classify (repeatable)' },
      { name: 'text_pair', type: 'string', repeat: true, help: 'the second sentence of a pair (one per --text)' },
    ],
  },
  run: (p, io, g) => {
    noPositionals(p);
    const texts = (p.own.text as string[] | undefined) ?? [];
    if (texts.length) return predictTexts(p.args, texts, (p.own.text_pair as string[] | undefined) ?? [], io, g);
    if (!p.args.output_dir)
      throw new ArgError('--output_dir', 'predict: give --output_dir (where predict_results.csv goes), or --text "..." to classify sentences');
    return runFromArgs({ ...p.args, do_predict: true }, io, g);
  },
};

/** `predict --text` and `explain`: the model (a folder or Hub id) loaded for the given texts, after checking there is one and the pairs match. */
export async function textPredictor(command: string, args: RunArgs, texts: readonly string[], pairs: readonly string[]): Promise<Predictor> {
  if (!args.model_name_or_path) throw new ArgError('--model_name_or_path', `${command}: give --model_name_or_path (a trained model folder or Hub id)`);
  if (pairs.length && pairs.length !== texts.length)
    throw new ArgError('--text_pair', `--text_pair: give one per --text (${texts.length} texts, ${pairs.length} pairs)`);
  const dir = await resolveModelFolder(args.model_name_or_path, args, { emit: () => undefined, token: args.token ?? process.env.HF_TOKEN });
  return Predictor.load(dir, {
    ...(args.threads ? { threads: args.threads } : {}),
    executionProvider: args.execution_provider,
    // Long texts as given, else as the model was trained (its training_args.json).
    long_text: args.long_text,
    doc_stride: args.doc_stride,
    chunk_aggregation: args.chunk_aggregation,
    calibration: args.calibration !== 'none',
  });
}

async function predictTexts(args: RunArgs, texts: string[], pairs: string[], io: Out, g: GlobalOptions): Promise<number> {
  const predictor = await textPredictor('predict', args, texts, pairs);
  try {
    const results = await predictor.classify(texts, pairs.length ? pairs : undefined, args.max_seq_length);
    const problem = resolveProblemType(predictor.config);
    texts.forEach((text, i) => io.out.write(`${predictionLine(text, results[i]!, problem, g.json)}\n`));
    return 0;
  } finally {
    await predictor.dispose();
  }
}

/**
 * One sentence's answer. Text: `label<TAB>score<TAB>text` (multi-label: the labels above their
 * thresholds joined with "|"; "(abstained)" below the abstain threshold). JSON: text, label (null when
 * abstained), score, every label's score, and for multi-label the predicted labels.
 */
function predictionLine(text: string, r: Classified, problem: string, json: boolean): string {
  if (problem === 'regression') return json ? JSON.stringify({ text, prediction: r.score }) : `${pyFloat(r.score)}\t${text}`;
  const multi = problem === 'multi_label_classification';
  if (json) {
    const label = r.abstained ? null : multi ? (r.scores[0]?.label ?? null) : r.labels[0];
    return JSON.stringify({
      text,
      label,
      score: r.abstained || !multi ? r.score : r.scores[0]!.score,
      scores: r.scores,
      ...(multi ? { labels: r.labels } : {}),
      ...(r.abstained ? { abstained: true } : {}),
    });
  }
  const label = r.abstained ? '(abstained)' : multi ? r.labels.join('|') || '(none)' : r.labels[0]!;
  return `${label}\t${(multi ? (r.labels.length ? r.score : r.scores[0]!.score) : r.score).toFixed(4)}\t${text}`;
}
