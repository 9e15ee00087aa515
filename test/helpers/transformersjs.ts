/**
 * The export tests' comparison with Transformers.js: the pipeline loads an exported folder offline,
 * in fp32 and int8 (`onnx/model_quantized.onnx`), and each text's scores are set beside Finetune's.
 */
import { basename, dirname } from 'node:path';
import type { HostTensor } from '../../src/core/engine/tensor.js';

/** Each row's softmax of a [batch, labels] logits tensor. */
export function softmaxRows(t: HostTensor): number[][] {
  const [b, c] = t.dims as [number, number];
  const d = t.data as Float32Array;
  return Array.from({ length: b }, (_, i) => {
    const row = Array.from(d.subarray(i * c, i * c + c));
    const m = Math.max(...row);
    const e = row.map((x) => Math.exp(x - m));
    const s = e.reduce((a, x) => a + x, 0);
    return e.map((x) => x / s);
  });
}

/**
 * `pipeline('text-classification', dir)` in fp32 and int8 on `texts`, against Finetune's
 * probabilities `ours` (one row per text, in the order of `labels`): the largest fp32 score
 * difference, and on how many texts the int8 model's top label is Finetune's.
 */
export async function pipelineAgreement(
  dir: string,
  texts: readonly string[],
  ours: readonly number[][],
  labels: readonly string[] = ['negative', 'positive'],
): Promise<{ maxDiff: number; agree: number }> {
  const { pipeline, env } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = dirname(dir);
  const fp32 = await pipeline('text-classification', basename(dir), { dtype: 'fp32' });
  const q8 = await pipeline('text-classification', basename(dir), { dtype: 'q8' });
  let agree = 0;
  let maxDiff = 0;
  try {
    for (const [i, text] of texts.entries()) {
      const out = (await fp32(text, { top_k: null })) as { label: string; score: number }[];
      for (const { label, score } of out) maxDiff = Math.max(maxDiff, Math.abs(score - ours[i]![labels.indexOf(label)]!));
      const [top] = (await q8(text)) as { label: string; score: number }[];
      const row = ours[i]!;
      if (top!.label === labels[row.indexOf(Math.max(...row))]) agree++;
    }
  } finally {
    await fp32.dispose();
    await q8.dispose();
  }
  return { maxDiff, agree };
}
