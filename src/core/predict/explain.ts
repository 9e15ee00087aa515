/**
 * Why a model predicts a label: Integrated Gradients (Sundararajan et al. 2017) on the input
 * embeddings. The baseline is the padding token's embedding at every position of the text, the
 * special tokens kept; the path from it to the text is sampled at `steps` + 1 points, batched, and
 * the gradient of the label's logit at each point comes from the model's own autodiff
 * (step/graphs.ts `buildExplainGraph`). A token's attribution is (e(x) - e(b)) . the mean gradient
 * (trapezoid rule), so the attributions sum to logit_gap = logit(text) - logit(baseline) up to the
 * quadrature error: `delta` = sum - logit_gap is the completeness check.
 *
 * A text read in sliding-window chunks is explained through the same aggregation as its
 * prediction: with `mean`, each chunk's attributions (of that chunk's logit) weigh 1 / chunks and
 * are summed per document token, and logit_gap is the mean of the chunks' gaps; with `max`, the
 * chunk whose probability of the label is highest is explained. Tokens the model did not read
 * (truncation, head + tail) are not listed. Sub-word attributions are summed per word
 * (tokenizer/offsets.ts `groupWords`) for display.
 */
import { ArgError } from '../errors.js';
import type { Model } from '../model/presets.js';
import { resolveProblemType } from '../model/config.js';
import { createSession, type ProviderChoice, type Session } from '../engine/runtime.js';
import type { HostTensor } from '../engine/tensor.js';
import { EXPLAIN_IO, buildExplainGraph } from '../step/graphs.js';
import { type Offset, type Tokenizer, groupWords } from '../tokenizer/index.js';
import { chunkProbabilities } from '../data/index.js';
import { type ModelInput, type TextInputs, textInputs } from './inputs.js';
import type { LongTextSettings } from './long-text-settings.js';
import type { LabelScore, PredictOptions } from './types.js';

export interface ExplainOptions extends PredictOptions {
  /** The second text of a pair. */
  pair?: string;
  /** The label to explain, by name or id (default: the predicted one; regression: the value). */
  label?: string | number;
  /** Integrated Gradients steps (default 32): steps + 1 points on the path. */
  steps?: number;
  /** Path points per ONNX Runtime run (default 16). */
  batchSize?: number;
}

/** A word of the text (or pair) with the sum of its tokens' attributions. */
export interface ExplainedWord {
  text: string;
  /** Character span [start, end) in its text. */
  start: number;
  end: number;
  /** 0: the text, 1: the pair. */
  sequence: 0 | 1;
  attribution: number;
  /** Its tokens: indices first..last into `tokens`. */
  tokens: [number, number];
}

export interface Explanation {
  text: string;
  pair?: string;
  label: string;
  /** The label's probability as the prediction gives it (chunks aggregated); regression: the value. */
  score: number;
  /** The tokens the model read, text first then pair (special tokens left out: their attribution is 0 by construction). */
  tokens: string[];
  /** Each token's character span in its text. */
  offsets: Offset[];
  /** Pairs only: which text each token is from (0 text, 1 pair). */
  sequence?: (0 | 1)[];
  /** One per token. */
  attributions: number[];
  /** The label's logit on the text minus on the baseline (averaged over the explained chunks). */
  logit_gap: number;
  /** sum(attributions) - logit_gap: the completeness check, small against logit_gap when steps suffice. */
  delta: number;
  words: ExplainedWord[];
  /** Model inputs explained (sliding windows: chunks). */
  chunks: number;
  steps: number;
}

const DEFAULT_STEPS = 32;
const DEFAULT_BATCH = 16;

export class Explainer {
  private constructor(
    private readonly model: Pick<Model, 'config'>,
    private readonly tokenizer: Tokenizer,
    private readonly session: Session,
  ) {}

  static async create(
    model: Model,
    tokenizer: Tokenizer,
    opts: { threads?: number | undefined; executionProvider?: ProviderChoice | undefined } = {},
  ): Promise<Explainer> {
    const built = buildExplainGraph({ config: model.config, weights: model.weights });
    const session = await createSession(built.model, {
      ...(opts.threads ? { threads: opts.threads } : {}),
      ...(opts.executionProvider ? { executionProvider: opts.executionProvider } : {}),
    });
    return new Explainer({ config: model.config }, tokenizer, session);
  }

  /** The explanation of `text` (see the file comment); `scores`: its prediction, most likely first. */
  async explain(text: string, opts: ExplainOptions, s: LongTextSettings, scores: readonly LabelScore[]): Promise<Explanation> {
    const steps = opts.steps ?? DEFAULT_STEPS;
    if (!Number.isInteger(steps) || steps < 1) throw new ArgError('--ig_steps', `--ig_steps must be a positive integer (got ${steps})`);
    const pair = opts.pair ?? null;
    const read = textInputs(this.tokenizer, text, pair, s.maxLength, s.longText);
    const { index, name } = this.labelOf(opts.label, scores);
    const C = this.model.config.num_labels;
    const target = Float32Array.from({ length: C }, (_, k) => (k === index ? 1 : 0));
    const weights = await this.chunkWeights(read.inputs, index, s);
    const attr = [new Float64Array(read.a.length), new Float64Array(read.b?.length ?? 0)] as const;
    const seen = [new Uint8Array(read.a.length), new Uint8Array(read.b?.length ?? 0)] as const;
    let gap = 0;
    for (const [c, input] of read.inputs.entries()) {
      for (const src of input.source) if (src) seen[src[0]][src[1]] = 1;
      if (weights[c] === 0) continue;
      const r = await this.integrate(input, target, steps, opts.batchSize ?? DEFAULT_BATCH);
      gap += weights[c]! * r.gap;
      input.source.forEach((src, p) => {
        if (src) attr[src[0]][src[1]] = attr[src[0]][src[1]]! + weights[c]! * r.attributions[p]!;
      });
    }
    const score = scores.find((x) => x.label === name)?.score ?? NaN;
    return this.assemble(text, pair, read, { attr, seen, gap, name, score, chunks: weights.filter((w) => w > 0).length, steps });
  }

  /** The label explained: given by name or id, else the predicted one. */
  private labelOf(label: string | number | undefined, scores: readonly LabelScore[]): { index: number; name: string } {
    const c = this.model.config;
    if (resolveProblemType(c) === 'regression') return { index: 0, name: 'value' };
    const names = Array.from({ length: c.num_labels }, (_, i) => c.id2label[String(i)] ?? `LABEL_${i}`);
    const wanted = label === undefined ? scores[0]!.label : String(label);
    let index = names.indexOf(wanted);
    if (index < 0 && /^\d+$/.test(wanted) && Number(wanted) < names.length) index = Number(wanted);
    if (index < 0) throw new ArgError('--label', `--label ${wanted}: the model's labels are ${names.join(', ')} (a name, or an id 0..${names.length - 1})`);
    return { index, name: names[index]! };
  }

  /** How much each chunk's explanation counts: 1 / chunks (mean), or 1 for the chunk most sure of the label (max). */
  private async chunkWeights(inputs: readonly ModelInput[], label: number, s: LongTextSettings): Promise<number[]> {
    const K = inputs.length;
    if (K === 1 || s.aggregation === 'mean') return inputs.map(() => 1 / K);
    const C = this.model.config.num_labels;
    const problem = resolveProblemType(this.model.config);
    const probs: number[] = [];
    for (const input of inputs) {
      const { logits } = await this.runPoints(input, new Float32Array(C), [1]);
      probs.push(chunkProbabilities(problem, logits, C)[label]!);
    }
    const best = probs.indexOf(Math.max(...probs));
    return inputs.map((_, c) => (c === best ? 1 : 0));
  }

  /** One ONNX Runtime run: the input at the path points `alphas`; per point its logits and its token attributions. */
  private async runPoints(input: ModelInput, target: Float32Array, alphas: readonly number[]): Promise<{ logits: Float32Array; attributions: Float32Array }> {
    const B = alphas.length;
    const S = input.inputIds.length;
    const pad = this.tokenizer.padTokenId;
    const rows = (f: (s: number) => number): BigInt64Array => BigInt64Array.from({ length: B * S }, (_, k) => BigInt(f(k % S)));
    const dims = [B, S];
    const feeds: Record<string, HostTensor> = {
      input_ids: { dtype: 'int64', dims, data: rows((s) => input.inputIds[s]!) },
      attention_mask: { dtype: 'int64', dims, data: rows(() => 1) },
      [EXPLAIN_IO.baseline]: { dtype: 'int64', dims, data: rows((s) => (input.source[s] ? pad : input.inputIds[s]!)) },
      [EXPLAIN_IO.alphas]: { dtype: 'float32', dims: [B], data: Float32Array.from(alphas) },
      [EXPLAIN_IO.target]: { dtype: 'float32', dims: [target.length], data: target },
    };
    if (this.session.inputNames.includes('token_type_ids')) feeds.token_type_ids = { dtype: 'int64', dims, data: rows((s) => input.tokenTypeIds[s] ?? 0) };
    const out = await this.session.run(feeds, [EXPLAIN_IO.logits, EXPLAIN_IO.attributions]);
    return { logits: out[EXPLAIN_IO.logits]!.data as Float32Array, attributions: out[EXPLAIN_IO.attributions]!.data as Float32Array };
  }

  /** Integrated Gradients of one model input: trapezoid rule over alpha = k / steps, k = 0..steps, `batch` points a run. */
  private async integrate(input: ModelInput, target: Float32Array, steps: number, batch: number): Promise<{ attributions: Float64Array; gap: number }> {
    const S = input.inputIds.length;
    const C = target.length;
    const attributions = new Float64Array(S);
    let atText = 0;
    let atBaseline = 0;
    for (let k0 = 0; k0 <= steps; k0 += batch) {
      const ks = Array.from({ length: Math.min(batch, steps + 1 - k0) }, (_, r) => k0 + r);
      const out = await this.runPoints(
        input,
        target,
        ks.map((k) => k / steps),
      );
      ks.forEach((k, r) => {
        const w = (k === 0 || k === steps ? 0.5 : 1) / steps;
        for (let p = 0; p < S; p++) attributions[p]! += w * out.attributions[r * S + p]!;
        let z = 0;
        for (let j = 0; j < C; j++) z += target[j]! * out.logits[r * C + j]!;
        if (k === 0) atBaseline = z;
        if (k === steps) atText = z;
      });
    }
    return { attributions, gap: atText - atBaseline };
  }

  /** The explanation object: the tokens read, their offsets and attributions, the words. */
  private assemble(
    text: string,
    pair: string | null,
    read: TextInputs,
    r: {
      attr: readonly [Float64Array, Float64Array];
      seen: readonly [Uint8Array, Uint8Array];
      gap: number;
      name: string;
      score: number;
      chunks: number;
      steps: number;
    },
  ): Explanation {
    const tokens: string[] = [];
    const offsets: Offset[] = [];
    const sequence: (0 | 1)[] = [];
    const attributions: number[] = [];
    const words: ExplainedWord[] = [];
    const texts = [text, pair] as const;
    for (const seq of [0, 1] as const) {
      const ids = seq === 0 ? read.a : read.b;
      const source = texts[seq];
      if (!ids || source === null) continue;
      const all = this.tokenizer.offsets(source, ids);
      const first = tokens.length;
      ids.forEach((id, i) => {
        if (!r.seen[seq][i]) return;
        tokens.push(this.tokenizer.idToToken(id) ?? '');
        offsets.push(all[i]!);
        sequence.push(seq);
        attributions.push(r.attr[seq][i]!);
      });
      for (const w of groupWords(source, offsets.slice(first))) {
        const sum = attributions.slice(first + w.first, first + w.last + 1).reduce((a, b) => a + b, 0);
        words.push({
          text: source.slice(w.start, w.end),
          start: w.start,
          end: w.end,
          sequence: seq,
          attribution: sum,
          tokens: [first + w.first, first + w.last],
        });
      }
    }
    const total = attributions.reduce((a, b) => a + b, 0);
    return {
      text,
      ...(pair !== null ? { pair } : {}),
      label: r.name,
      score: r.score,
      tokens,
      offsets,
      ...(pair !== null ? { sequence } : {}),
      attributions,
      logit_gap: r.gap,
      delta: total - r.gap,
      words,
      chunks: r.chunks,
      steps: r.steps,
    };
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
  }
}
