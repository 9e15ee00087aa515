/**
 * Finetune against PyTorch eager at equal shapes, side by side in one run (bench/torch_bert.py:
 * transformers' BertForSequenceClassification semantics in plain PyTorch, AdamW + clipping; for the
 * deberta-v3-* presets, DebertaV2ForSequenceClassification as scripts/make_deberta_fixtures.py writes
 * it from transformers' modeling code).
 * Both use the same thread count. Each configuration runs in its own process, so each side's peak
 * RSS is its own.
 *
 * PyTorch runs at its best here (`--torch-env best`, the default): Debian's OpenBLAS picks its own
 * kernels for the CPU (OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are removed from the PyTorch process's
 * environment only: a pin such as OPENBLAS_CORETYPE=Haswell switches off the AVX-512 kernels),
 * ATen's own vectorized kernels use AVX-512 where the CPU has it (ATEN_CPU_CAPABILITY=avx512; torch
 * 1.13 defaults to AVX2), and OpenMP threads wait passively (OMP_WAIT_POLICY=PASSIVE: spinning
 * threads starved each other on a shared machine). `--torch-env inherit` keeps this process's
 * environment (plus the OpenMP settings). The table's header says which BLAS, kernel set and ATen
 * capability PyTorch reported, and the CPU's vector extensions ONNX Runtime's MLAS kernels can use.
 *
 *   npm run bench -- compare [--threads 2] [--steps 5] [--rounds 3] [--presets bert-tiny,bert-mini,bert-small] [--batches 8,32] [--seq 128]
 *                            [--torch-env best|inherit]
 *     (--presets modernbert-tiny: ModernBERT on both sides, bench/torch_bert.py's PyTorch ModernBERT written
 *      from transformers' modeling code: eager attention with transformers' [seq, seq] sliding-window mask)
 *   npm run bench -- compare --presets deberta-v3-tiny,deberta-v3-xsmall --batches 8   (DeBERTa-v3 at equal shapes)
 *   npm run bench -- compare --whole [--presets bert-mini] [--batches 32] [--steps 20] [--rounds 2]
 *     (whole processes, start-up included: Finetune's engine bundled as the CLI is (dist/bench-whole.cjs)
 *      against torch_bert.py, both making a random-init model and taking --steps steps with no warm-up)
 *   npm run bench -- compare --finetune [--seeds 42,43,44] [--modes shuffled,random]
 *     (the waimai_10k fine-tune, 1 epoch, batch 64, both sides on the same split)
 *
 * Needs Debian's python3-torch (and libopenblas0-openmp, or PyTorch falls back to the slow
 * reference BLAS); installed with apt-get when missing and this runs as root.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, cpuFlags, describeMachine, inChild, loadAverage, median, table } from './util.js';

const PY = '/usr/bin/python3';

function ensureTorch(): string | undefined {
  const check = (): boolean => spawnSync(PY, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
  const blas = (): boolean =>
    spawnSync('sh', ['-c', 'readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 | grep -q openblas'], { stdio: 'ignore' }).status === 0;
  if (check() && blas()) return undefined;
  if (process.getuid?.() !== 0)
    return 'PyTorch comparison skipped: install python3-torch and libopenblas0-openmp (apt), or run as root to let the bench install them';
  console.error('installing python3-torch and libopenblas0-openmp with apt-get…');
  const r = spawnSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch libopenblas0-openmp'], {
    stdio: 'inherit',
  });
  if (r.status !== 0 || !check()) return 'PyTorch comparison skipped: apt-get could not install python3-torch';
  return undefined;
}

/** What torch_bert.py reports of its BLAS (see blas_info there). */
export interface TorchBlas {
  libraries: string[];
  corename?: string;
  config?: string;
  aten_cpu_capability: string;
  env: Record<string, string>;
}

/** The environment PyTorch runs in (see the file comment). */
export function torchEnv(threads: number, mode: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', OMP_NUM_THREADS: String(threads) };
  if (mode === 'inherit') return env;
  if (mode !== 'best') throw new Error(`--torch-env: best or inherit, not ${mode}`);
  for (const k of Object.keys(env)) if (k.startsWith('OPENBLAS_CORETYPE') || k === 'OPENBLAS_L2_SIZE' || k === 'OPENBLAS_VERBOSE') delete env[k];
  // torch 1.13 takes ATEN_CPU_CAPABILITY=avx512 on trust: only where the CPU has AVX-512.
  const flags = cpuFlags();
  if (['avx512f', 'avx512bw', 'avx512vl', 'avx512dq'].every((f) => flags.includes(f))) env.ATEN_CPU_CAPABILITY = 'avx512';
  return env;
}

/** One line on PyTorch's BLAS, e.g. `OpenBLAS 0.3.21 (SkylakeX kernels, OpenMP), ATen AVX512`. */
export function describeTorchBlas(b: TorchBlas | undefined): string {
  if (!b) return 'PyTorch BLAS: not reported';
  const lib = b.config
    ? `${b.config.split(' ').slice(0, 2).join(' ')} (${b.corename} kernels${b.config.includes('USE_OPENMP') ? ', OpenMP' : ''})`
    : b.libraries.join(', ') || 'none found';
  const pins = Object.entries(b.env)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `PyTorch: ${lib}, ATen CPU capability ${b.aten_cpu_capability}; environment: ${pins || '-'}`;
}

function torchRun<T>(args: string[], threads: number, mode = 'best'): T {
  const r = spawnSync(PY, ['bench/torch_bert.py', ...args, '--threads', String(threads)], {
    encoding: 'utf8',
    env: torchEnv(threads, mode),
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`torch_bert.py ${args.join(' ')} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}

interface OursStep {
  msPerStep: number;
  cpuMsPerStep: number;
  samplesPerSec: number;
  gflops: number;
  rssMB: number;
}

export async function main(argv: string[]): Promise<void> {
  const threads = Number(arg(argv, 'threads', '2'));
  const skip = ensureTorch();
  if (skip) {
    console.log(skip);
    return;
  }
  if (argv.includes('--finetune')) return finetune(argv, threads);
  if (argv.includes('--whole')) return wholeProcess(argv, threads);
  const steps = Math.max(5, Number(arg(argv, 'steps', '5')));
  const rounds = Math.max(1, Number(arg(argv, 'rounds', '3')));
  const presets = arg(argv, 'presets', 'bert-tiny,bert-mini,bert-small').split(',');
  const batches = arg(argv, 'batches', '8,32').split(',').map(Number);
  const seq = arg(argv, 'seq', '128');
  const torchMode = arg(argv, 'torch-env', 'best');
  const load = [loadAverage()];
  const peak = inChild<{ gflops: number }>('engine', ['--peak-child', '--threads', String(threads)]);
  const rows: (string | number)[][] = [];
  let blas: TorchBlas | undefined;
  for (const preset of presets) {
    for (const batch of batches) {
      // Rounds alternate the two sides (and which goes first), so a change in the machine's speed
      // during the run lands on both: the ratio is the median of the rounds' ratios.
      const ours: OursStep[] = [];
      const torch: TorchStep[] = [];
      const runOurs = (): void => {
        const child = ['--preset', preset, '--batch', String(batch), '--threads', String(threads), '--steps', String(steps), '--seq', seq];
        ours.push(inChild<OursStep>('engine', [...child, '--engine-options', '{"mode":"grads"}']));
      };
      const runTorch = (): void => {
        torch.push(torchRun<TorchStep>(['--preset', preset, '--batch', String(batch), '--seq', seq, '--steps', String(steps)], threads, torchMode));
      };
      for (let r = 0; r < rounds; r++) {
        const order = r % 2 === 0 ? [runOurs, runTorch] : [runTorch, runOurs];
        for (const run of order) run();
      }
      blas ??= torch[0]!.blas;
      rows.push(stepRow(preset, batch, ours, torch, peak.gflops));
      console.error(`done ${preset} b${batch}: ratios ${ours.map((o, r) => (torch[r]!.ms_per_step / o.msPerStep).toFixed(2)).join(', ')}`);
    }
  }
  load.push(loadAverage());
  console.log(describeMachine());
  console.log(describeTorchBlas(blas));
  console.log(
    `sequence ${seq}, no padding, float32, ${threads} threads; ONNX Runtime MatMul peak ${peak.gflops.toFixed(1)} GFLOP/s; ms/step: median of ${steps} steps after 2 warm-up, ` +
      `then the median over ${rounds} round${rounds > 1 ? 's' : ''} (the sides alternate each round); ratio: median of the rounds' samples/s ratios; ` +
      `CPU ms: user + system time of the process per step (every thread); CPU-time ratio: the median of the rounds' ratios, steadier than wall time on a shared machine ` +
      `(with --threads 1 it is the work each side does); load average (1, 5, 15 min) ${load.join(' at the start, ')} at the end`,
  );
  console.log(
    table(
      [
        'model',
        'batch',
        'Finetune ms/step',
        'PyTorch ms/step',
        'Finetune samples/s',
        'PyTorch samples/s',
        'ratio',
        'ratio range',
        'Finetune CPU ms',
        'PyTorch CPU ms',
        'CPU-time ratio',
        'of MatMul peak',
        'Finetune RSS (MB)',
        'PyTorch RSS (MB)',
      ],
      rows,
    ),
  );
}

interface TorchStep {
  ms_per_step: number;
  cpu_ms_per_step: number;
  rss_mb: number;
  blas?: TorchBlas;
}

/** One table row from the rounds of one configuration. */
function stepRow(preset: string, batch: number, ours: OursStep[], torch: TorchStep[], peakGflops: number): (string | number)[] {
  const ratios = ours.map((o, r) => torch[r]!.ms_per_step / o.msPerStep);
  const oursMs = median(ours.map((o) => o.msPerStep));
  const torchMs = median(torch.map((t) => t.ms_per_step));
  const cpuRatio = median(ours.map((o, r) => torch[r]!.cpu_ms_per_step / o.cpuMsPerStep));
  return [
    preset,
    batch,
    oursMs.toFixed(1),
    torchMs.toFixed(1),
    ((batch * 1000) / oursMs).toFixed(1),
    ((batch * 1000) / torchMs).toFixed(1),
    `${median(ratios).toFixed(2)}x`,
    ratios.length > 1 ? `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}x` : '-',
    median(ours.map((o) => o.cpuMsPerStep)).toFixed(1),
    median(torch.map((t) => t.cpu_ms_per_step)).toFixed(1),
    `${cpuRatio.toFixed(2)}x`,
    `${((100 * median(ours.map((o) => o.gflops))) / peakGflops).toFixed(0)}%`,
    Math.max(...ours.map((o) => o.rssMB)).toFixed(0),
    Math.max(...torch.map((t) => t.rss_mb)).toFixed(0),
  ];
}

/**
 * The waimai_10k fine-tune on both sides, on the same train/eval rows (written once from
 * Finetune's stratified split), for each seed: Finetune with its defaults (random batches, dynamic
 * padding, the encoder on the real tokens only) against a PyTorch loop with the Trainer's defaults
 * (random batches, dynamic padding). Wall time includes tokenization on both sides. `--modes`
 * adds length-grouped runs (shuffled, transformers).
 */
async function finetune(argv: string[], threads: number): Promise<void> {
  const { DATA, VOCAB, BATCHING_LABEL, FINETUNE_HEADERS, finetuneInChild, meanRow, resultRow, writeSplit } = await import('./finetune.js');
  if (!existsSync(DATA) || !existsSync(VOCAB)) {
    console.log(`skipped: ${DATA} or ${VOCAB} is not here`);
    return;
  }
  const max = Number(arg(argv, 'max_train_samples', '0'));
  const lr = Number(arg(argv, 'lr', '2e-4'));
  const seeds = arg(argv, 'seeds', '42,43,44').split(',').map(Number);
  const modes = arg(argv, 'modes', 'random').split(',') as ('shuffled' | 'transformers' | 'random')[];
  const dir = mkdtempSync(join(tmpdir(), 'finetune-compare-'));
  try {
    const split = await writeSplit(dir, max || undefined);
    console.log(`data: ${split.trainRows} train / ${split.evalRows} eval rows, the same files on both sides`);
    interface TorchFinetune {
      tokenize_s: number;
      train_s: number;
      samples_per_s: number;
      eval_accuracy: number;
      eval_f1: number;
      rss_mb: number;
    }
    type Result = Omit<ReturnType<typeof finetuneInChild>, 'mode' | 'trainLoss'>;
    const runTorch = (seed: number): Result => {
      const t = torchRun<TorchFinetune>(
        [
          '--finetune',
          split.train,
          '--eval_file',
          split.eval,
          '--vocab',
          `${VOCAB}/vocab.txt`,
          '--seq',
          '128',
          '--batch',
          '64',
          '--epochs',
          '1',
          '--lr',
          String(lr),
          '--seed',
          String(seed),
        ],
        threads,
        arg(argv, 'torch-env', 'best'),
      );
      console.error(`done PyTorch seed ${seed}: ${t.train_s.toFixed(1)} s, accuracy ${t.eval_accuracy.toFixed(4)}`);
      return {
        seed,
        tokenizeSeconds: t.tokenize_s,
        trainSeconds: t.train_s,
        samplesPerSecond: t.samples_per_s,
        accuracy: t.eval_accuracy,
        f1: t.eval_f1,
        rssMB: t.rss_mb,
      };
    };
    const runOurs = (mode: (typeof modes)[number], seed: number): Result => {
      const r = finetuneInChild({ train: split.train, eval: split.eval, mode, seed, epochs: 1, lr, threads });
      console.error(`done Finetune ${mode} seed ${seed}: ${r.trainSeconds.toFixed(1)} s, accuracy ${r.accuracy.toFixed(4)}`);
      return r;
    };
    // Seed by seed, the sides alternate which goes first, so a change in the machine's speed
    // during the hour this takes lands on both.
    const torch: Result[] = [];
    const ours = new Map(modes.map((m) => [m, [] as Result[]]));
    seeds.forEach((seed, i) => {
      const runAllOurs = (): void => {
        for (const mode of modes) ours.get(mode)!.push(runOurs(mode, seed));
      };
      if (i % 2 === 0) {
        torch.push(runTorch(seed));
        runAllOurs();
      } else {
        runAllOurs();
        torch.push(runTorch(seed));
      }
    });
    const rows: (string | number)[][] = [];
    const means: Record<string, { wall: number; accuracy: number }> = {};
    const add = (label: string, rs: Result[]): void => {
      for (const r of rs) rows.push(resultRow(label, r));
      if (rs.length > 1) rows.push(meanRow(label, rs));
      means[label] = {
        wall: rs.reduce((a, r) => a + r.tokenizeSeconds + r.trainSeconds, 0) / rs.length,
        accuracy: rs.reduce((a, r) => a + r.accuracy, 0) / rs.length,
      };
    };
    for (const mode of modes) add(`Finetune, ${BATCHING_LABEL[mode]}`, ours.get(mode)!);
    const torchLabel = 'PyTorch eager, random batches (Trainer defaults)';
    add(torchLabel, torch);
    console.log(`bert-mini (random init, vocab 21128), 1 epoch, batch 64, max_seq_length 128, lr ${lr}, warmup 10%, ${threads} threads`);
    console.log(table(FINETUNE_HEADERS, rows));
    const ref = means[torchLabel]!;
    for (const [label, m] of Object.entries(means)) {
      if (label === torchLabel) continue;
      console.log(
        `${label}: wall time ${(ref.wall / m.wall).toFixed(2)}x shorter than PyTorch's; eval accuracy ${((m.accuracy - ref.accuracy) * 100).toFixed(2)} points (mean over seeds ${seeds.join(', ')})`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Spawns a command; resolves with the ms from the spawn to its FIRST_STEP_DONE line and to its exit. */
function timedProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ firstMs: number; totalMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let firstMs = NaN;
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      if (Number.isNaN(firstMs) && d.toString().includes('FIRST_STEP_DONE')) firstMs = performance.now() - t0;
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) =>
      code === 0 ? resolve({ firstMs, totalMs: performance.now() - t0 }) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${err}`)),
    );
  });
}

/**
 * Whole processes, start-up included, as a user meets them: Finetune's engine bundled the way the
 * CLI is (esbuild, no TypeScript compiled at start-up) against torch_bert.py, each making a
 * random-init model and taking `--steps` steps with no warm-up on one random batch. The sides
 * alternate each round.
 */
async function wholeProcess(argv: string[], threads: number): Promise<void> {
  const { build } = await import('esbuild');
  await build({
    entryPoints: ['bench/whole-child.ts'],
    outfile: 'dist/bench-whole.cjs',
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['onnxruntime-node'],
    logLevel: 'warning',
    // bench/util.ts comes in through randomBatch; its describeMachine (import.meta) is not called in the child
    logOverride: { 'empty-import-meta': 'silent' },
  });
  const steps = Number(arg(argv, 'steps', '20'));
  const rounds = Math.max(1, Number(arg(argv, 'rounds', '2')));
  const seq = arg(argv, 'seq', '128');
  const torchMode = arg(argv, 'torch-env', 'best');
  const load = [loadAverage()];
  const rows: (string | number)[][] = [];
  for (const preset of arg(argv, 'presets', 'bert-mini').split(',')) {
    for (const batch of arg(argv, 'batches', '32').split(',')) {
      const ours: { firstMs: number; totalMs: number }[] = [];
      const torch: { firstMs: number; totalMs: number }[] = [];
      const runOurs = async () =>
        ours.push(await timedProcess(process.execPath, ['dist/bench-whole.cjs', preset, batch, seq, String(steps), String(threads)], process.env));
      const runTorch = async () =>
        torch.push(
          await timedProcess(
            PY,
            [
              'bench/torch_bert.py',
              '--preset',
              preset,
              '--batch',
              batch,
              '--seq',
              seq,
              '--steps',
              String(steps),
              '--warmup',
              '0',
              '--mark',
              '--threads',
              String(threads),
            ],
            torchEnv(threads, torchMode),
          ),
        );
      for (let r = 0; r < rounds; r++) {
        for (const run of r % 2 === 0 ? [runOurs, runTorch] : [runTorch, runOurs]) await run();
      }
      const ratio = median(ours.map((o, r) => torch[r]!.totalMs / o.totalMs));
      const steady = (x: { firstMs: number; totalMs: number }[]) => median(x.map((t) => (t.totalMs - t.firstMs) / Math.max(1, steps - 1)));
      rows.push([
        preset,
        batch,
        steps,
        (median(ours.map((o) => o.totalMs)) / 1000).toFixed(2),
        (median(torch.map((t) => t.totalMs)) / 1000).toFixed(2),
        `${ratio.toFixed(2)}x`,
        (median(ours.map((o) => o.firstMs)) / 1000).toFixed(2),
        (median(torch.map((t) => t.firstMs)) / 1000).toFixed(2),
        steady(ours).toFixed(0),
        steady(torch).toFixed(0),
      ]);
      console.error(`done ${preset} b${batch}`);
    }
  }
  load.push(loadAverage());
  console.log(describeMachine());
  console.log(
    `whole processes (spawn to exit), sequence ${seq}, ${threads} threads, ${rounds} rounds alternating the sides, medians; first step: spawn to the end of step 1 ` +
      `(start-up, model init, graph build and session creation / imports, first run); then ms per step over the others; load average ${load.join(' -> ')}`,
  );
  console.log(
    table(
      [
        'model',
        'batch',
        'steps',
        'Finetune (s)',
        'PyTorch (s)',
        'ratio',
        'Finetune to step 1 (s)',
        'PyTorch to step 1 (s)',
        'Finetune ms/step after',
        'PyTorch ms/step after',
      ],
      rows,
    ),
  );
}
