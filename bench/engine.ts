/**
 * Training-step benchmark: bert-tiny / mini / small (or any preset, deberta-v3-* too) at batch 8 and 32, sequence 128, float32, one
 * step = forward + loss + backward + clip + AdamW. Each configuration runs in its own process (its
 * peak RSS is its own). Also measures ONNX Runtime's MatMul peak in the same run, and the two step
 * designs: `grads` (gradients out into pre-allocated buffers, AdamW in place in JS) and `fused`
 * (clip + AdamW inside the graph, weights and moments in and out).
 *
 *   npm run bench -- engine [--threads 2] [--steps 5] [--presets bert-tiny,bert-mini,bert-small]
 *                           [--batches 8,32] [--seq 128] [--modes grads,fused]
 *                           [--arena on|off] [--pattern on|off]   (ONNX Runtime's memory arena, default on /
 *                                                                 memory pattern, default off as in the engine)
 *                           [--packs on,off]   (encoder on the real tokens only, default on as in the
 *                                               engine; these batches have no padding, so this is its overhead)
 */
import type { ModelConfig } from '../src/core/model/config.js';
import { isLocalLayer } from '../src/core/model/modernbert-config.js';
import { createModel, type PresetName } from '../src/core/model/presets.js';
import { type Batch, type StepMode, TrainingEngine } from '../src/core/step/engine.js';
import { arg, inChild, matmulPeak, median, medianMs, peakRssMB, table } from './util.js';

interface Result {
  preset: string;
  batch: number;
  seq: number;
  mode: string;
  msPerStep: number;
  /** CPU time (user + system) of a step: with one thread, what the step costs on a shared machine. */
  cpuMsPerStep: number;
  samplesPerSec: number;
  gflops: number;
  rssMB: number;
  params: number;
}

/** Matmul FLOPs of one training step: forward x 3 (backward costs two forwards). */
export function stepFlops(L: number, H: number, I: number, B: number, S: number, labels = 2): number {
  const perTokenLayer = 2 * (4 * H * H + 2 * H * I) + 2 * 2 * S * H;
  const forward = B * S * L * perTokenLayer + B * 2 * (H * H + H * labels);
  return 3 * forward;
}

/** The same for ModernBERT: Wqkv + Wo (4 H^2), GeGLU Wi + Wo (3 H I), scores over the sequence or the 3r-key window. */
export function modernbertStepFlops(c: ModelConfig, B: number, S: number): number {
  const { hidden_size: H, intermediate_size: I, num_hidden_layers: L } = c;
  const r = Math.floor(c.modernbert!.local_attention / 2);
  let forward = B * 2 * (H * H + H * c.num_labels);
  for (let i = 0; i < L; i++) forward += B * S * (2 * (4 * H * H + 3 * H * I) + 2 * 2 * (isLocalLayer(c.modernbert!, i) ? 3 * r : S) * H);
  return 3 * forward;
}

/**
 * DeBERTa's extra matmul FLOPs of a step (forward x 3): each relative term (c2p, p2c) multiplies the
 * queries or keys with the 2S + 1 projected relative rows (see deberta-positions.ts), and each layer
 * projects them.
 */
export function debertaExtraFlops(c: ModelConfig, B: number, S: number): number {
  if (!c.deberta?.relative_attention) return 0;
  const H = c.hidden_size;
  const rows = 2 * S + 1;
  const perLayer = c.deberta.pos_att_type.length * (2 * B * S * rows * H + 2 * rows * H * H);
  return 3 * c.num_hidden_layers * perLayer;
}

export function randomBatch(batch: number, seq: number, vocab: number): Batch {
  const n = batch * seq;
  let s = 12345;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
  return {
    batch,
    seq,
    inputIds: BigInt64Array.from({ length: n }, (_, i) => BigInt(i % seq === 0 ? 101 : 1000 + (next() % (vocab - 1000)))),
    attentionMask: new BigInt64Array(n).fill(1n),
    tokenTypeIds: new BigInt64Array(n),
    labels: BigInt64Array.from({ length: batch }, (_, i) => BigInt(i % 2)),
  };
}

async function runOne(
  preset: PresetName,
  batch: number,
  seq: number,
  mode: StepMode,
  threads: number,
  steps: number,
  memory: { arena: boolean; pattern: boolean },
  pack = true,
): Promise<Result> {
  const vocab = 30522;
  const model = createModel({ preset, vocabSize: vocab, numLabels: 2, seed: 1 });
  const params = [...model.weights.values()].reduce((a, w) => a + w.data.length, 0);
  const engine = new TrainingEngine({
    config: model.config,
    weights: model.weights,
    threads,
    mode,
    adam: { weightDecay: 0.01 },
    memoryArena: memory.arena,
    memoryPattern: memory.pattern,
    packTokens: pack,
  });
  const data = randomBatch(batch, seq, vocab);
  const cpu: number[] = [];
  const ms = await medianMs(async () => {
    const start = process.cpuUsage();
    await engine.trainStep([data], 2e-5);
    const used = process.cpuUsage(start);
    cpu.push((used.user + used.system) / 1000);
  }, steps);
  await engine.dispose();
  const c = model.config;
  const flops =
    (c.modernbert ? modernbertStepFlops(c, batch, seq) : stepFlops(c.num_hidden_layers, c.hidden_size, c.intermediate_size, batch, seq)) +
    debertaExtraFlops(c, batch, seq);
  return {
    preset,
    batch,
    seq,
    mode: pack ? mode : `${mode}, padded`,
    msPerStep: ms,
    cpuMsPerStep: median(cpu.slice(-steps)),
    samplesPerSec: (batch * 1000) / ms,
    gflops: flops / (ms / 1000) / 1e9,
    rssMB: peakRssMB(),
    params,
  };
}

export async function main(argv: string[]): Promise<void> {
  const threads = Number(arg(argv, 'threads', '2'));
  const steps = Math.max(5, Number(arg(argv, 'steps', '5')));
  const seq = Number(arg(argv, 'seq', '128'));
  if (argv.includes('--peak-child')) {
    console.log(JSON.stringify(await matmulPeak(threads)));
    return;
  }
  if (argv.includes('--child')) {
    const [preset, batch, mode] = [arg(argv, 'preset', ''), Number(arg(argv, 'batch', '8')), arg(argv, 'mode', 'grads')];
    const memory = { arena: arg(argv, 'arena', 'on') !== 'off', pattern: arg(argv, 'pattern', 'off') === 'on' };
    console.log(JSON.stringify(await runOne(preset as PresetName, batch, seq, mode as StepMode, threads, steps, memory, arg(argv, 'pack', 'on') !== 'off')));
    return;
  }
  const presets = arg(argv, 'presets', 'bert-tiny,bert-mini,bert-small').split(',');
  const batches = arg(argv, 'batches', '8,32').split(',').map(Number);
  const modes = arg(argv, 'modes', 'grads,fused').split(',') as StepMode[];
  const packs = arg(argv, 'packs', 'on').split(',');
  const peak = inChild<{ gflops: number; shape: string }>('engine', ['--peak-child', '--threads', String(threads)]);
  console.log(`ONNX Runtime MatMul peak: ${peak.gflops.toFixed(1)} GFLOP/s (best of shapes, here ${peak.shape}), ${threads} threads`);
  const rows: (string | number)[][] = [];
  for (const preset of presets) {
    for (const batch of batches) {
      for (const [mode, pack] of modes.flatMap((m) => packs.map((p) => [m, p] as const))) {
        const r = inChild<Result>('engine', [
          '--preset',
          preset,
          '--batch',
          String(batch),
          '--mode',
          mode,
          '--threads',
          String(threads),
          '--steps',
          String(steps),
          '--seq',
          String(seq),
          '--arena',
          arg(argv, 'arena', 'on'),
          '--pattern',
          arg(argv, 'pattern', 'off'),
          '--pack',
          pack,
        ]);
        rows.push([
          r.preset,
          (r.params / 1e6).toFixed(1),
          r.batch,
          r.seq,
          r.mode,
          r.msPerStep.toFixed(1),
          r.samplesPerSec.toFixed(1),
          r.gflops.toFixed(1),
          `${((100 * r.gflops) / peak.gflops).toFixed(0)}%`,
          r.rssMB.toFixed(0),
        ]);
        console.error(`done ${preset} b${batch} ${mode}`);
      }
    }
  }
  console.log(table(['model', 'params (M)', 'batch', 'seq', 'step', 'ms/step', 'samples/s', 'GFLOP/s', 'of MatMul peak', 'peak RSS (MB)'], rows));
}
