/**
 * Inference for the predict box and "classify selection": a loaded model + tokenizer that scores
 * texts (or pairs) and returns every label with its probability. Models stay loaded (one session
 * per model folder) so repeated predictions cost one ONNX Runtime run. The session's graph holds
 * the weights as initializers (as the exported ONNX model does), so a run feeds only ids and masks
 * and ONNX Runtime can fold and pre-pack the weights (`npm run bench -- inference`).
 * A model folder's calibration.json (predict/calibration.ts) is applied: its temperature to every
 * score, its multi-label thresholds and abstain rule by `classify`.
 */
import { type ModelConfig, resolveProblemType } from '../model/config.js';
import { loadModelAndTokenizer } from '../model/pretrained.js';
import { Tokenizer } from '../tokenizer/index.js';
import { createSession, type ProviderChoice, type Session } from '../engine/runtime.js';
import type { HostTensor } from '../engine/tensor.js';
import { buildGraph } from '../step/graphs.js';
import { type Calibration, type Decision, decide, probabilitiesOf, readCalibration } from './calibration.js';

export { softmax } from './calibration.js';

export interface LabelScore {
  label: string;
  score: number;
}

/** Every label's score, most likely first, and the decision the calibration makes from them. */
export interface Classified extends Decision {
  scores: LabelScore[];
}

export class Predictor {
  private constructor(
    readonly dir: string,
    readonly config: ModelConfig,
    private readonly tokenizer: Tokenizer,
    private readonly session: Session,
    /** The folder's calibration.json (null: none, or turned off with `calibration: false`). */
    readonly calibration: Calibration | null,
  ) {}

  /** `calibration: false` ignores the folder's calibration.json (`--calibration none`). */
  static async load(dir: string, opts: { threads?: number; executionProvider?: ProviderChoice; calibration?: boolean } = {}): Promise<Predictor> {
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
    return new Predictor(dir, config, tokenizer, session, calibration);
  }

  get labels(): string[] {
    return Array.from({ length: this.config.num_labels }, (_, i) => this.config.id2label[String(i)] ?? `LABEL_${i}`);
  }

  /** Scores, most likely first, for each text. */
  async predict(texts: readonly string[], pairs?: readonly string[], maxLength = 128): Promise<LabelScore[][]> {
    if (texts.length === 0) return [];
    const max = Math.min(maxLength, this.config.max_position_embeddings - (this.config.model_type.includes('roberta') ? this.config.pad_token_id + 1 : 0));
    const enc = texts.map((t, i) => this.tokenizer.encode(t, pairs?.[i] ?? null, { maxLength: max }));
    const seq = Math.max(...enc.map((e) => e.inputIds.length));
    const n = texts.length * seq;
    const batch = {
      batch: texts.length,
      seq,
      inputIds: new BigInt64Array(n).fill(BigInt(this.tokenizer.padTokenId)),
      attentionMask: new BigInt64Array(n),
      tokenTypeIds: new BigInt64Array(n),
    };
    enc.forEach((e, b) =>
      e.inputIds.forEach((id, s) => {
        batch.inputIds[b * seq + s] = BigInt(id);
        batch.attentionMask[b * seq + s] = 1n;
        batch.tokenTypeIds[b * seq + s] = BigInt(e.tokenTypeIds[s] ?? 0);
      }),
    );
    const dims = [batch.batch, seq];
    const feeds: Record<string, HostTensor> = {
      input_ids: { dtype: 'int64', dims, data: batch.inputIds },
      attention_mask: { dtype: 'int64', dims, data: batch.attentionMask },
    };
    if (this.session.inputNames.includes('token_type_ids')) feeds.token_type_ids = { dtype: 'int64', dims, data: batch.tokenTypeIds };
    const logits = (await this.session.run(feeds, ['logits'])).logits!.data as Float32Array;
    const C = this.config.num_labels;
    const problem = resolveProblemType(this.config);
    const labels = this.labels;
    return texts.map((_, i) => {
      const z = Array.from(logits.subarray(i * C, i * C + C));
      if (problem === 'regression') return [{ label: 'value', score: z[0]! }];
      const probs = probabilitiesOf(problem === 'multi_label_classification', z, this.calibration?.temperature ?? 1);
      return labels.map((label, k) => ({ label, score: probs[k]! })).sort((a, b) => b.score - a.score);
    });
  }

  /**
   * Scores and the decision for each text: the predicted label(s) (multi-label: those above their
   * thresholds), or none with `abstained` when the top score is below the abstain threshold.
   * Regression: the value as the one score, no labels.
   */
  async classify(texts: readonly string[], pairs?: readonly string[], maxLength = 128): Promise<Classified[]> {
    const all = await this.predict(texts, pairs, maxLength);
    const problem = resolveProblemType(this.config);
    const names = this.labels;
    return all.map((scores) => {
      if (problem === 'regression') return { scores, labels: [], score: scores[0]!.score, abstained: false };
      const probs = names.map((l) => scores.find((s) => s.label === l)!.score);
      return { scores, ...decide(problem === 'multi_label_classification', probs, names, this.calibration) };
    });
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
  }
}
