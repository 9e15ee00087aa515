/** Shared benchmark helpers: timing statistics, tables, child-process runs for peak RSS. */
import { parseArgv } from '../src/core/contract/flags.js';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg } from 'node:os';
import { GraphBuilder } from '../src/core/engine/graph.js';
import { serialize } from '../src/core/engine/onnx/serialize.js';
import { createSession } from '../src/core/engine/runtime.js';

/** The value after `--name` on the command line, or `fallback`. */
export function arg(argv: string[], name: string, fallback: string): string {
  const value = parseArgv(argv, [{ name, type: 'string' }], { passthrough: true }).values.get(name);
  return typeof value === 'string' ? value : fallback;
}

/** Median milliseconds of `steps` calls of `step`, after `warmup` untimed ones. */
export async function medianMs(step: () => Promise<unknown>, steps: number, warmup = 2): Promise<number> {
  for (let i = 0; i < warmup; i++) await step();
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    await step();
    times.push(performance.now() - t);
  }
  return median(times);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map(String));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

/** Runs this process's bench entry in a child, so its peak RSS is its own. Returns its JSON line. */
export function inChild<T>(bench: string, args: string[]): T {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/index.ts', bench, '--child', ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`child ${args.join(' ')} failed:\n${r.stderr}`);
  const last = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(last) as T;
}

/** The CPU's flags from /proc/cpuinfo (empty where there is none). */
export function cpuFlags(): string[] {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('flags'));
    return line ? line.split(':')[1]!.trim().split(/\s+/) : [];
  } catch {
    return [];
  }
}

/**
 * The machine in one line: CPU model, cores, the vector extensions ONNX Runtime's MLAS kernels
 * choose from (it picks at run time: AVX-512F, else AVX2 + FMA; AVX-512 VNNI and AMX serve its
 * int8 kernels only), and the onnxruntime-node version.
 */
export function describeMachine(): string {
  let model: string = process.arch;
  try {
    model = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? model;
  } catch {
    // not Linux
  }
  const isa = ['avx2', 'fma', 'avx512f', 'avx512bw', 'avx512vl', 'avx512_vnni', 'avx512_bf16', 'avx512_fp16', 'amx_tile', 'amx_bf16', 'amx_int8'];
  const have = new Set(cpuFlags());
  const ort = (JSON.parse(readFileSync(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'), 'utf8')) as { version: string }).version;
  return `CPU: ${model}, ${availableParallelism()} cores; ISA: ${isa.filter((f) => have.has(f)).join(' ') || 'unknown'}; Finetune: onnxruntime-node ${ort} (CPU provider, MLAS kernels)`;
}

/** The 1-, 5- and 15-minute load averages, e.g. `2.10 1.95 1.40` (a busy machine's timings are slower). */
export function loadAverage(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
}

export function peakRssMB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * ONNX Runtime's own float32 MatMul throughput on this machine and thread count: the best
 * GFLOP/s over shapes like those of a BERT step.
 */
export async function matmulPeak(threads: number): Promise<{ gflops: number; shape: string }> {
  let best = { gflops: 0, shape: '' };
  for (const [m, k, n] of [
    [4096, 512, 2048],
    [4096, 2048, 512],
    [2048, 1024, 1024],
  ] as const) {
    const g = new GraphBuilder('matmul');
    const a = g.input('a', 'float32', [m, k]);
    const b = g.input('b', 'float32', [k, n]);
    g.output(g.matmul(a, b), 'c');
    const s = await createSession(serialize(g), { threads });
    const feeds = {
      a: { dtype: 'float32' as const, dims: [m, k], data: new Float32Array(m * k).fill(0.5) },
      b: { dtype: 'float32' as const, dims: [k, n], data: new Float32Array(k * n).fill(0.25) },
    };
    const into = { c: { dtype: 'float32' as const, dims: [m, n], data: new Float32Array(m * n) } };
    for (let i = 0; i < 2; i++) await s.run(feeds, ['c'], into);
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      await s.run(feeds, ['c'], into);
      times.push(performance.now() - t);
    }
    await s.dispose();
    const gflops = (2 * m * k * n) / (median(times) / 1000) / 1e9;
    if (gflops > best.gflops) best = { gflops, shape: `${m}x${k}x${n}` };
  }
  return best;
}
