/**
 * Training-step benchmark: bert-tiny / mini / small (or any preset, deberta-v3-* too) at batch 8 and 32, sequence 128, float32, one
 * step = forward + loss + backward + clip + AdamW. Each configuration runs in its own process (its
 * peak RSS is its own). Also measures ONNX Runtime's MatMul peak in the same run, and the two step
 * designs: `grads` (gradients out into pre-allocated buffers, AdamW in place in JS) and `fused`
 * (clip + AdamW inside the graph, weights and moments in and out). Reports wall and CPU time per
 * step (CPU time is the steadier one on a shared machine; with --threads 1 it is the work done).
 *
 *   npm run bench -- engine [--threads 2] [--steps 5] [--presets bert-tiny,bert-mini,bert-small]
 *                           [--batches 8,32] [--seq 128] [--modes grads,fused]
 *                           [--arena on|off] [--pattern on|off]   (ONNX Runtime's memory arena, default on /
 *                                                                 memory pattern, default off as in the engine)
 *                           [--packs on,off]   (encoder on the real tokens only, default on as in the
 *                                               engine; these batches have no padding, so this is its overhead)
 *   npm run bench -- engine --variants 'base={};padded={"packTokens":false}' [--rounds 3]
 *       (A/B of TrainingEngine options, as JSON, the rounds alternating the variants; CPU-time ratio to the first)
 */
import type { ModelConfig } from '../src/core/model/config.js';
import { isLocalLayer } from '../src/core/model/modernbert-config.js';
import { createModel, type PresetName } from '../src/core/model/presets.js';
import { type Batch, type EngineOptions, type StepMode, TrainingEngine } from '../src/core/step/engine.js';
import { arg, inChild, loadAverage, matmulPeak, median, medianMs, peakRssMB, table } from './util.js';

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

/** The engine options a benchmark may set (`--engine-options '{"packTokens":false}'`). */
export type BenchEngineOptions = Partial<Omit<EngineOptions, 'config' | 'weights' | 'onWarning'>>;

async function runOne(preset: PresetName, batch: number, seq: number, steps: number, options: BenchEngineOptions): Promise<Result> {
  const vocab = 30522;
  const model = createModel({ preset, vocabSize: vocab, numLabels: 2, seed: 1 });
  const params = [...model.weights.values()].reduce((a, w) => a + w.data.length, 0);
  const engine = new TrainingEngine({ config: model.config, weights: model.weights, adam: { weightDecay: 0.01 }, ...options });
  const mode = engine.mode;
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
    mode: options.packTokens === false ? `${mode}, padded` : mode,
    msPerStep: ms,
    cpuMsPerStep: median(cpu.slice(-steps)),
    samplesPerSec: (batch * 1000) / ms,
    gflops: flops / (ms / 1000) / 1e9,
    rssMB: peakRssMB(),
    params,
  };
}

/** The runs a bench asks for: `--variants 'a={json};b={json}'`, else the --modes x --packs grid with --arena / --pattern. */
function variants(argv: string[]): { name: string; options: BenchEngineOptions }[] {
  const given = arg(argv, 'variants', '');
  if (given) {
    return given.split(';').map((v) => {
      const at = v.indexOf('=');
      return { name: v.slice(0, at), options: JSON.parse(v.slice(at + 1)) as BenchEngineOptions };
    });
  }
  const modes = arg(argv, 'modes', 'grads,fused').split(',') as StepMode[];
  const packs = arg(argv, 'packs', 'on').split(',');
  const memory = { memoryArena: arg(argv, 'arena', 'on') !== 'off', memoryPattern: arg(argv, 'pattern', 'off') === 'on' };
  return modes.flatMap((mode) =>
    packs.map((p) => ({ name: p === 'off' ? `${mode}, padded` : mode, options: { mode, packTokens: p !== 'off', ...memory } as BenchEngineOptions })),
  );
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
    const [preset, batch] = [arg(argv, 'preset', ''), Number(arg(argv, 'batch', '8'))];
    const options = JSON.parse(arg(argv, 'engine-options', '{}')) as BenchEngineOptions;
    console.log(JSON.stringify(await runOne(preset as PresetName, batch, seq, steps, { threads, ...options })));
    return;
  }
  const presets = arg(argv, 'presets', 'bert-tiny,bert-mini,bert-small').split(',');
  const batches = arg(argv, 'batches', '8,32').split(',').map(Number);
  const rounds = Math.max(1, Number(arg(argv, 'rounds', '1')));
  const runs = variants(argv);
  const load = [loadAverage()];
  const peak = inChild<{ gflops: number; shape: string }>('engine', ['--peak-child', '--threads', String(threads)]);
  const rows: (string | number)[][] = [];
  for (const preset of presets) {
    for (const batch of batches) {
      // Rounds alternate the variants (and which goes first), so a change of the machine's speed lands on all.
      const results = runs.map(() => [] as Result[]);
      for (let r = 0; r < rounds; r++) {
        const order = runs.map((_, i) => i);
        if (r % 2 === 1) order.reverse();
        for (const i of order) {
          const child = ['--preset', preset, '--batch', String(batch), '--threads', String(threads), '--steps', String(steps), '--seq', String(seq)];
          results[i]!.push(inChild<Result>('engine', [...child, '--engine-options', JSON.stringify(runs[i]!.options)]));
        }
      }
      const baseCpu = median(results[0]!.map((x) => x.cpuMsPerStep));
      runs.forEach((v, i) => {
        const rs = results[i]!;
        const ms = median(rs.map((x) => x.msPerStep));
        const cpu = median(rs.map((x) => x.cpuMsPerStep));
        const gflops = median(rs.map((x) => x.gflops));
        rows.push([
          preset,
          (rs[0]!.params / 1e6).toFixed(1),
          batch,
          seq,
          v.name,
          ms.toFixed(1),
          cpu.toFixed(1),
          i === 0 ? '-' : `${(baseCpu / cpu).toFixed(2)}x`,
          ((batch * 1000) / ms).toFixed(1),
          gflops.toFixed(1),
          `${((100 * gflops) / peak.gflops).toFixed(0)}%`,
          Math.max(...rs.map((x) => x.rssMB)).toFixed(0),
        ]);
      });
      console.error(`done ${preset} b${batch}`);
    }
  }
  load.push(loadAverage());
  console.log(
    `ONNX Runtime MatMul peak: ${peak.gflops.toFixed(1)} GFLOP/s (best of shapes, here ${peak.shape}), ${threads} threads; ` +
      `ms/step: median of ${steps} steps after 2 warm-up${rounds > 1 ? `, then the median of ${rounds} rounds alternating the variants` : ''}; ` +
      `CPU ms: user + system time per step; vs first: the first variant's CPU time over this one's; load average ${load.join(' -> ')}`,
  );
  console.log(
    table(
      ['model', 'params (M)', 'batch', 'seq', 'variant', 'ms/step', 'CPU ms/step', 'vs first (CPU)', 'samples/s', 'GFLOP/s', 'of MatMul peak', 'peak RSS (MB)'],
      rows,
    ),
  );
}
