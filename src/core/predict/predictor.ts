/**
 * Inference for the predict box and "classify selection": a loaded model + tokenizer that scores
 * texts (or pairs) and returns every label with its probability. Models stay loaded (one session
 * per model folder) so repeated predictions cost one ONNX Runtime run. The session's graph holds
 * the weights as initializers (as the exported ONNX model does), so a run feeds only ids and masks
 * and ONNX Runtime can fold and pre-pack the weights (`npm run bench -- inference`).
 *
 * Long texts are read as the model was trained to read them (long-text-settings.ts: the options
 * given, else its training_args.json): truncated, head + tail, or in sliding-window chunks whose
 * probabilities are aggregated per text (`predictTexts` says how many chunks). `explain` gives each
 * token's and word's Integrated Gradients attribution (explain.ts).
 *
 * A model folder's calibration.json (predict/calibration.ts) is applied: its temperature to every
 * score, its multi-label thresholds and abstain rule by `classify`.
 */
import { aggregateProbabilities, chunkProbabilities } from '../data/index.js';
import { type ModelConfig, type ProblemType, resolveProblemType } from '../model/config.js';
import { loadModelAndTokenizer } from '../model/pretrained.js';
import { Tokenizer } from '../tokenizer/index.js';
import { createSession, type ProviderChoice, type Session } from '../engine/runtime.js';
import type { HostTensor } from '../engine/tensor.js';
import { buildGraph } from '../step/graphs.js';
import { type ExplainOptions, type Explanation, Explainer } from './explain.js';
import type { LabelScore, PredictOptions, TextPrediction } from './types.js';
import { type ModelInput, textInputs } from './inputs.js';
import { type LongTextFlags, type LongTextSettings, longTextSettings, trainedLongTextFlags } from './long-text-settings.js';
import { type Calibration, type Decision, decide, readCalibration } from './calibration.js';

export type { LabelScore, PredictOptions, TextPrediction } from './types.js';
export { softmax } from './calibration.js';

export interface LoadOptions extends LongTextFlags {
  threads?: number;
  executionProvider?: ProviderChoice;
  /** false: ignore the folder's calibration.json (`--calibration none`). */
  calibration?: boolean;
}

/** Every label's score, most likely first, how much of the text was read, and the decision the calibration makes from the scores. */
export interface Classified extends Decision, TextPrediction {}

/** Rows per ONNX Runtime run when a call has many texts or chunks. */
const BATCH = 32;

export class Predictor {
  private explainer: Explainer | undefined;

  private constructor(
    readonly dir: string,
    readonly config: ModelConfig,
    private readonly tokenizer: Tokenizer,
    private readonly session: Session,
    /** How texts are read unless a call says otherwise: the load options, else the model's training_args.json. */
    readonly settings: LongTextSettings,
    private readonly opts: LoadOptions,
    /** The folder's calibration.json (null: none, or turned off with `calibration: false`). */
    readonly calibration: Calibration | null,
  ) {}

  static async load(dir: string, opts: LoadOptions = {}): Promise<Predictor> {
    const { model: m, tokenizer } = await loadModelAndTokenizer(dir);
    const { config, weights } = m;
    const labels = Array.from({ length: config.num_labels }, (_, i) => config.id2label[String(i)] ?? `LABEL_${i}`);
    const calibration = opts.calibration === false || resolveProblemType(config) === 'regression' ? null : await readCalibration(dir, labels);
    // The encoder on the real tokens only: a batch of sentences of mixed lengths pads to its longest.
    const { model } = buildGraph({ kind: 'infer', config, weights, packTokens: true });
    const session = await createSession(model, {
      ...(opts.threads ? { threads: opts.threads } : {}),
      ...(opts.executionProvider ? { executionProvider: opts.executionProvider } : {}),
    });
    return new Predictor(dir, config, tokenizer, session, longTextSettings(opts, await trainedLongTextFlags(dir)), opts, calibration);
  }

  get labels(): string[] {
    return Array.from({ length: this.config.num_labels }, (_, i) => this.config.id2label[String(i)] ?? `LABEL_${i}`);
  }

  /** The settings of one call: its options over the predictor's. maxLength is capped at the model's positions. */
  resolve(o: PredictOptions = {}): LongTextSettings {
    const s = longTextSettings(
      { long_text: o.longText, doc_stride: o.docStride, chunk_aggregation: o.aggregation, max_seq_length: o.maxLength },
      {
        long_text: this.settings.longText.mode,
        doc_stride: this.settings.longText.docStride,
        chunk_aggregation: this.settings.aggregation,
        max_seq_length: this.settings.maxLength,
      },
    );
    const positions = this.config.max_position_embeddings - (this.config.model_type.includes('roberta') ? this.config.pad_token_id + 1 : 0);
    return { ...s, maxLength: Math.min(s.maxLength, positions) };
  }

  /** Scores, most likely first, for each text. `opts`: a max length (as before), or the reading options. */
  async predict(texts: readonly string[], pairs?: readonly string[], opts: number | PredictOptions = {}): Promise<LabelScore[][]> {
    return (await this.predictTexts(texts, pairs, typeof opts === 'number' ? { maxLength: opts } : opts)).map((p) => p.scores);
  }

  /** Each text's scores (its chunks' probabilities aggregated) and how much of it the model read. */
  async predictTexts(texts: readonly string[], pairs?: readonly string[], opts: PredictOptions = {}): Promise<TextPrediction[]> {
    if (texts.length === 0) return [];
    const s = this.resolve(opts);
    const read = texts.map((t, i) => textInputs(this.tokenizer, t, pairs?.[i] ?? null, s.maxLength, s.longText));
    const logits = await this.logits(read.flatMap((r) => r.inputs));
    const C = this.config.num_labels;
    const problem = resolveProblemType(this.config);
    let row = 0;
    return read.map((r) => {
      const chunks = r.inputs.map(() => this.probabilities(problem, logits.subarray(row * C, ++row * C)));
      const probs = chunks.length === 1 ? chunks[0]! : aggregateProbabilities(chunks, s.aggregation, problem);
      const scores = problem === 'regression' ? [{ label: 'value', score: probs[0]! }] : this.labels.map((label, k) => ({ label, score: probs[k]! }));
      if (problem !== 'regression') scores.sort((x, y) => y.score - x.score);
      return { scores, chunks: r.inputs.length, tokens: r.a.length + (r.b?.length ?? 0), tokensRead: r.tokensRead };
    });
  }

  /** One model input's probabilities (softmax, sigmoid; regression: the value), the calibration's temperature applied. */
  private probabilities(problem: ProblemType, z: ArrayLike<number>): Float64Array {
    const t = problem === 'regression' ? 1 : (this.calibration?.temperature ?? 1);
    return chunkProbabilities(problem, t === 1 ? z : Array.from(z, (v) => v / t), this.config.num_labels);
  }

  /**
   * Scores and the decision for each text: the predicted label(s) (multi-label: those above their
   * thresholds), or none with `abstained` when the top score is below the abstain threshold.
   * Regression: the value as the one score, no labels.
   */
  async classify(texts: readonly string[], pairs?: readonly string[], opts: number | PredictOptions = {}): Promise<Classified[]> {
    const all = await this.predictTexts(texts, pairs, typeof opts === 'number' ? { maxLength: opts } : opts);
    const problem = resolveProblemType(this.config);
    const names = this.labels;
    return all.map((p) => {
      if (problem === 'regression') return { ...p, labels: [], score: p.scores[0]!.score, abstained: false };
      const probs = names.map((l) => p.scores.find((s) => s.label === l)!.score);
      return { ...p, ...decide(problem === 'multi_label_classification', probs, names, this.calibration) };
    });
  }

  /** Logits of model inputs, [inputs * labels], run in batches padded to their longest. */
  private async logits(inputs: readonly ModelInput[]): Promise<Float32Array> {
    const C = this.config.num_labels;
    const out = new Float32Array(inputs.length * C);
    for (let start = 0; start < inputs.length; start += BATCH) {
      const part = inputs.slice(start, start + BATCH);
      const feeds = paddedFeeds(part, this.tokenizer.padTokenId, this.session.inputNames.includes('token_type_ids'));
      out.set((await this.session.run(feeds, ['logits'])).logits!.data as Float32Array, start * C);
    }
    return out;
  }

  /**
   * Integrated Gradients attributions of one text (and pair) for a label (default: the predicted
   * one): per token, per word, with the completeness check (explain.ts). The explanation graph is
   * built on the first call (the weights read again from the folder) and kept.
   */
  async explain(text: string, opts: ExplainOptions = {}): Promise<Explanation> {
    if (!this.explainer) {
      const { model } = await loadModelAndTokenizer(this.dir);
      this.explainer = await Explainer.create(model, this.tokenizer, { threads: this.opts.threads, executionProvider: this.opts.executionProvider });
    }
    const s = this.resolve(opts);
    const [prediction] = await this.predictTexts([text], opts.pair !== undefined ? [opts.pair] : undefined, opts);
    return this.explainer.explain(text, opts, s, prediction!.scores);
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
    await this.explainer?.dispose();
  }
}

/** input_ids, attention_mask (and token_type_ids) of inputs padded on the right to the longest. */
export function paddedFeeds(inputs: readonly ModelInput[], padId: number, tokenTypes: boolean): Record<string, HostTensor> {
  const seq = Math.max(...inputs.map((e) => e.inputIds.length));
  const n = inputs.length * seq;
  const ids = new BigInt64Array(n).fill(BigInt(padId));
  const mask = new BigInt64Array(n);
  const types = new BigInt64Array(n);
  inputs.forEach((e, b) =>
    e.inputIds.forEach((id, s) => {
      ids[b * seq + s] = BigInt(id);
      mask[b * seq + s] = 1n;
      types[b * seq + s] = BigInt(e.tokenTypeIds[s] ?? 0);
    }),
  );
  const dims = [inputs.length, seq];
  const feeds: Record<string, HostTensor> = { input_ids: { dtype: 'int64', dims, data: ids }, attention_mask: { dtype: 'int64', dims, data: mask } };
  if (tokenTypes) feeds.token_type_ids = { dtype: 'int64', dims, data: types };
  return feeds;
}
