/**
 * explain: which words make a model predict a label — Integrated Gradients attributions per token
 * and per word (core/predict/explain.ts). JSON: one object per text (label, score, tokens, offsets,
 * attributions, logit_gap, delta, words). Text: the label, the completeness check, and the text with
 * its words shaded by the sign and size of their attribution (blue for, orange against: a
 * colour-blind-safe pair), or marked with their values where colour is off (not a terminal, NO_COLOR).
 */
import { ArgError } from '../../core/errors.js';
import type { RunArgs } from '../../core/contract/args.js';
import type { ExplainedWord, Explanation } from '../../core/predict/explain.js';
import type { Out } from '../io.js';
import { textPredictor } from './run.js';
import type { Command } from './types.js';

const RUN_FLAGS = [
  'model_name_or_path',
  'revision',
  'token',
  'cache_dir',
  'max_seq_length',
  'long_text',
  'doc_stride',
  'chunk_aggregation',
  'ig_steps',
  'per_device_eval_batch_size',
  'threads',
  'execution_provider',
];

const FOR = [33, 102, 172];
const AGAINST = [230, 97, 1];

/** One word with a background of its sign's colour, as strong as |attribution| / the largest. */
function shade(word: string, a: number, max: number): string {
  const t = max > 0 ? Math.min(1, Math.abs(a) / max) : 0;
  const rgb = (a >= 0 ? FOR : AGAINST).map((c) => Math.round(255 + (c - 255) * t));
  const fg = t > 0.55 ? '97' : '30';
  return `\u001b[48;2;${rgb.join(';')}m\u001b[${fg}m${word}\u001b[0m`;
}

/** The text with its words shaded (colour) or, without colour, the strongest words marked with their values. */
export function renderWords(text: string, words: readonly ExplainedWord[], colour: boolean): string {
  const max = Math.max(0, ...words.map((w) => Math.abs(w.attribution)));
  let out = '';
  let at = 0;
  for (const w of words) {
    if (w.start < at) continue;
    out += text.slice(at, w.start);
    const value = `${w.attribution >= 0 ? '+' : ''}${w.attribution.toFixed(2)}`;
    if (colour) out += shade(text.slice(w.start, w.end), w.attribution, max);
    else out += max > 0 && Math.abs(w.attribution) >= 0.2 * max ? `[${text.slice(w.start, w.end)} ${value}]` : text.slice(w.start, w.end);
    at = w.end;
  }
  return out + text.slice(at);
}

function writeText(io: Out, e: Explanation, colour: boolean): void {
  io.out.write(
    `${e.label}\t${e.score.toFixed(4)}\tlogit gap ${e.logit_gap.toFixed(4)}, attributions sum ${(e.logit_gap + e.delta).toFixed(4)} (delta ${e.delta.toFixed(4)}; ${e.steps} steps${e.chunks > 1 ? `, ${e.chunks} chunks` : ''})\n`,
  );
  io.out.write(
    `${renderWords(
      e.text,
      e.words.filter((w) => w.sequence === 0),
      colour,
    )}\n`,
  );
  if (e.pair !== undefined)
    io.out.write(
      `${renderWords(
        e.pair,
        e.words.filter((w) => w.sequence === 1),
        colour,
      )}\n`,
    );
  const top = [...e.words].sort((a, b) => Math.abs(b.attribution) - Math.abs(a.attribution)).slice(0, 5);
  io.out.write(`  top words: ${top.map((w) => `${w.text} ${w.attribution >= 0 ? '+' : ''}${w.attribution.toFixed(3)}`).join(', ')}\n`);
}

async function explainTexts(args: RunArgs, texts: string[], pairs: string[], label: string | undefined, io: Out, json: boolean): Promise<number> {
  const predictor = await textPredictor('explain', args, texts, pairs);
  const colour = (io.out as { isTTY?: boolean }).isTTY === true && !process.env.NO_COLOR;
  try {
    for (const [i, text] of texts.entries()) {
      const e = await predictor.explain(text, {
        ...(pairs.length ? { pair: pairs[i]! } : {}),
        ...(label !== undefined ? { label } : {}),
        steps: args.ig_steps,
        batchSize: args.per_device_eval_batch_size,
        maxLength: args.max_seq_length,
      });
      if (json) io.out.write(`${JSON.stringify(e)}\n`);
      else writeText(io, e, colour);
    }
    return 0;
  } finally {
    await predictor.dispose();
  }
}

export const explain: Command = {
  name: 'explain',
  summary: 'which words make a model predict a label (Integrated Gradients attributions per token and word)',
  usage: 'finetune explain --model_name_or_path DIR --text "..." [--text "..."] [--text_pair "..."] [--label LABEL] [--ig_steps 32]',
  flags: {
    run: RUN_FLAGS,
    own: [
      { name: 'text', type: 'string', repeat: true, help: 'a text to explain (repeatable)' },
      { name: 'text_pair', type: 'string', repeat: true, help: 'the second text of a pair (one per --text)' },
      { name: 'label', type: 'string', help: 'the label to explain, by name or id (default: the predicted one)' },
    ],
  },
  run: (p, io, g) => {
    if (p.positionals.length) throw new ArgError('--text', `unexpected argument "${p.positionals[0]}" (give texts with --text "...")`);
    const texts = (p.own.text as string[] | undefined) ?? [];
    if (!texts.length) throw new ArgError('--text', 'explain: give --text "..." (repeatable)');
    return explainTexts(p.args, texts, (p.own.text_pair as string[] | undefined) ?? [], p.own.label as string | undefined, io, g.json);
  },
};
