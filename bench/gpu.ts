/**
 * GPU training-step benchmark: each GPU provider that works on this machine (WebGPU with weights
 * and Adam moments kept on the device; CUDA, whose onnxruntime-node binding copies inputs and
 * outputs every run) against the CPU path, at sequence 128, in float32 and in fp16 mixed precision:
 * ms per step (median after 2 warm-up steps), samples/s, and how far the weights are from the
 * float32 CPU path's after the same steps (largest difference, and the distance relative to how
 * far training moved them). Says plainly when there is no GPU.
 *
 *   npm run bench -- gpu [--presets bert-tiny,bert-mini] [--batch 32] [--steps 5] [--threads 2] [--torch]
 *
 * `--torch` adds PyTorch rows at the same shapes (bench/torch_bert.py): on the CPU (as `bench
 * compare` runs it), and on CUDA in float32 and fp16 (autocast + GradScaler) where the installed
 * torch has CUDA (Debian's python3-torch is CPU-only: the table says so).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { providerUnavailable } from '../src/core/engine/device.js';
import type { ExecutionProvider } from '../src/core/engine/runtime.js';
import { createModel, type PresetName } from '../src/core/model/presets.js';
import { type StepMode, TrainingEngine } from '../src/core/step/engine.js';
import { randomBatch } from './engine.js';
import { torchEnv } from './compare.js';
import { arg, medianMs, table } from './util.js';

const PY = process.env.FINETUNE_PYTHON ?? '/usr/bin/python3';

/** Why PyTorch cannot run on CUDA here, or undefined when it can (with the GPU's name). */
function torchCuda(): { why?: string; name?: string } {
  const r = spawnSync(PY, ['-c', 'import torch; print(torch.__version__); print(torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) return { why: `${PY} has no torch` };
  const [version, name] = r.stdout.trim().split('\n');
  if (!name) return { why: `torch ${version} here has no CUDA (Debian's python3-torch is built without it)` };
  return { name };
}

/** One PyTorch row: ms per step at the engine's shapes (bench/torch_bert.py). */
function torchStep(preset: string, batch: number, steps: number, threads: number, device: 'cpu' | 'cuda', amp: boolean): number | string {
  const args = [
    'bench/torch_bert.py',
    '--preset',
    preset,
    '--batch',
    String(batch),
    '--seq',
    '128',
    '--steps',
    String(steps),
    '--threads',
    String(threads),
    '--device',
    device,
  ];
  const r = spawnSync(PY, amp ? [...args, '--amp'] : args, { encoding: 'utf8', env: torchEnv(threads, 'best'), maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) return `failed: ${r.stderr.trim().split('\n').pop()}`;
  return (JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms_per_step: number }).ms_per_step;
}

async function run(preset: PresetName, provider: ExecutionProvider, mode: StepMode, batch: number, steps: number, threads: number, fp16 = false) {
  const vocab = 30522;
  const model = createModel({ preset, vocabSize: vocab, numLabels: 2, seed: 1 });
  const initial = new Map([...model.weights].map(([n, t]) => [n, (t.data as Float32Array).slice()]));
  const engine = new TrainingEngine({
    config: model.config,
    weights: model.weights,
    threads,
    executionProvider: provider,
    mode,
    adam: { weightDecay: 0.01 },
    ...(fp16 ? { mixedPrecision: 'fp16' as const } : {}),
  });
  const data = randomBatch(batch, 128, vocab);
  const ms = await medianMs(() => engine.trainStep([data], 1e-4), steps);
  await engine.sync();
  const weights = new Map([...engine.weights].map(([n, t]) => [n, (t.data as Float32Array).slice()]));
  const skipped = engine.optimizer.state.step < steps + 2;
  await engine.dispose();
  return { ms, weights, initial, skipped };
}

export async function main(argv: string[]): Promise<void> {
  const presets = arg(argv, 'presets', 'bert-tiny,bert-mini').split(',') as PresetName[];
  const batch = Number(arg(argv, 'batch', '32'));
  const steps = Math.max(5, Number(arg(argv, 'steps', '5')));
  const threads = Number(arg(argv, 'threads', '2'));
  const withTorch = argv.includes('--torch');
  const cuda = withTorch ? torchCuda() : {};
  const gpus: { provider: ExecutionProvider; mode: StepMode }[] = [];
  for (const [provider, mode] of [
    ['webgpu', 'device'],
    ['cuda', 'grads'],
  ] as const) {
    const why = await providerUnavailable(provider);
    if (why) console.log(`${provider}: not measured: ${why}`);
    else gpus.push({ provider, mode });
  }
  if (gpus.length === 0) {
    console.log(
      `No GPU provider works on this machine${withTorch ? ': the CPU path and PyTorch only' : ': nothing to measure'}. (WebGPU needs a GPU driver with Vulkan/Metal/D3D12; CUDA needs onnxruntime-node installed with --onnxruntime-node-install=cuda12 and an NVIDIA driver.)`,
    );
    if (!withTorch) return;
  }
  if (!existsSync('/dev/nvidia0') && !existsSync('/dev/dri') && process.platform === 'linux') {
    console.log(
      'note: this machine has no GPU device node, so the WebGPU adapter is a software one (Mesa lavapipe, on the CPU): the timings below are not GPU timings; the agreement column is the point.',
    );
  }
  const rows: (string | number)[][] = [];
  for (const preset of presets) {
    const cpu = await run(preset, 'cpu', 'grads', batch, steps, threads);
    rows.push([preset, batch, 'cpu', 'fp32', 'grads', cpu.ms.toFixed(1), ((batch * 1000) / cpu.ms).toFixed(1), '1.00x', '-', '-']);
    for (const { provider, mode } of gpus) {
      for (const fp16 of [false, true]) {
        const r = await run(preset, provider, mode, batch, steps, threads, fp16);
        let worst = 0;
        let apart = 0;
        let moved = 0;
        for (const [n, w] of r.weights) {
          if (n.endsWith('attention.self.key.bias')) continue; // zero gradient: Adam amplifies float noise
          const [c, w0] = [cpu.weights.get(n)!, cpu.initial.get(n)!];
          for (let i = 0; i < w.length; i++) {
            worst = Math.max(worst, Math.abs(w[i]! - c[i]!));
            apart += (w[i]! - c[i]!) ** 2;
            moved += (c[i]! - w0[i]!) ** 2;
          }
        }
        const precision = fp16 ? `fp16${r.skipped ? ' (steps skipped)' : ''}` : 'fp32';
        rows.push([
          preset,
          batch,
          provider,
          precision,
          mode,
          r.ms.toFixed(1),
          ((batch * 1000) / r.ms).toFixed(1),
          `${(cpu.ms / r.ms).toFixed(2)}x`,
          worst.toExponential(1),
          `${(Math.sqrt(apart / moved) * 100).toPrecision(2)}%`,
        ]);
      }
    }
    if (withTorch) rows.push(...torchRows(preset, batch, steps, threads, cpu.ms, cuda));
    console.error(`done ${preset}`);
  }
  if (withTorch && cuda.why) console.log(`PyTorch on CUDA: not measured: ${cuda.why}`);
  console.log(`sequence 128, ${steps + 2} identical steps (lr 1e-4), median of the last ${steps}; CPU: ${threads} threads, float32`);
  console.log(
    table(
      [
        'model',
        'batch',
        'provider',
        'precision',
        'step',
        'ms/step',
        'samples/s',
        'vs CPU',
        `max |w - w_cpu| after ${steps + 2} steps`,
        '||w - w_cpu|| / ||update||',
      ],
      rows,
    ),
  );
}

/** PyTorch on the CPU, and on CUDA in float32 and fp16 where it can. */
function torchRows(preset: string, batch: number, steps: number, threads: number, cpuMs: number, cuda: { why?: string; name?: string }): (string | number)[][] {
  const runs: ['cpu' | 'cuda', boolean][] = [
    ['cpu', false],
    ...(cuda.why
      ? []
      : ([
          ['cuda', false],
          ['cuda', true],
        ] as ['cuda', boolean][])),
  ];
  return runs.map(([device, amp]) => {
    const ms = torchStep(preset, batch, steps, threads, device, amp);
    const label = device === 'cuda' ? `PyTorch cuda (${cuda.name})` : `PyTorch cpu (${threads} threads)`;
    if (typeof ms === 'string') return [preset, batch, label, amp ? 'fp16' : 'fp32', 'eager', ms, '-', '-', '-', '-'];
    return [preset, batch, label, amp ? 'fp16' : 'fp32', 'eager', ms.toFixed(1), ((batch * 1000) / ms).toFixed(1), `${(cpuMs / ms).toFixed(2)}x`, '-', '-'];
  });
}
