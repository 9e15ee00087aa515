/**
 * ModernBERT's sliding window against global attention as the sequence grows: time and peak RSS of
 * one attention block's forward + backward (Wqkv, rotary q/k, attention, Wo; loss = sum(out * r),
 * gradients of the weights and the input), float32, batch 1, ModernBERT-base widths (hidden 768,
 * 12 heads) and window 128. The blocked window keeps time and memory linear in the length (scores
 * [blocks, 64, 192] per head); global attention's [seq, seq] scores grow quadratically. Each
 * configuration runs in its own process, so each peak RSS is its own.
 *
 *   npm run bench -- window [--threads 2] [--steps 3] [--seqs 512,1024,2048,4096] [--global-seqs 512,1024,2048]
 */
import { gradients } from '../src/core/engine/autodiff/index.js';
import { GraphBuilder, type Value } from '../src/core/engine/graph.js';
import { serialize } from '../src/core/engine/onnx/serialize.js';
import { createSession } from '../src/core/engine/runtime.js';
import { split } from '../src/core/engine/slicing.js';
import { additiveMask } from '../src/core/model/architectures/common.js';
import { applyRope, attend, banding, localAttention, ropeTables } from '../src/core/model/architectures/modernbert-attention.js';
import { arg, inChild, medianMs, peakRssMB, table } from './util.js';

const H = 768;
const HEADS = 12;
const WINDOW = 128;

interface Result {
  kind: string;
  seq: number;
  msPerStep: number;
  rssMB: number;
}

function blockGraph(kind: 'local' | 'global'): Uint8Array {
  const g = new GraphBuilder(`window-${kind}`);
  const x = g.input('x', 'float32', [1, 'seq', H]);
  const mask = g.input('attention_mask', 'int64', [1, 'seq']);
  const wqkv = g.input('wqkv', 'float32', [3 * H, H]);
  const wo = g.input('wo', 'float32', [H, H]);
  const r = g.input('r', 'float32', [1, 'seq', H]);
  const hd = H / HEADS;
  const heads = (v: Value): Value => g.reshape(v, [1, 'seq', HEADS, hd]);
  const rope = ropeTables(g, g.range('seq'), 10000, hd, 'float32');
  const [q0, k0, v0] = split(g, g.linear(x, wqkv), -1, [H, H, H]);
  const [q, k, v] = [applyRope(g, heads(q0!), rope), applyRope(g, heads(k0!), rope), heads(v0!)].map((t) => g.transpose(t, [0, 2, 1, 3])) as [
    Value,
    Value,
    Value,
  ];
  const ctx =
    kind === 'local'
      ? localAttention(g, q, k, v, banding(g, g.sub(mask, g.scalarConst('int64', 1)), WINDOW / 2, 'float32'))
      : attend(g, q, k, v, additiveMask(g, mask, 'float32'), (p) => p);
  const out = g.linear(g.reshape(g.transpose(ctx, [0, 2, 1, 3]), [1, 'seq', H]), wo);
  const loss = g.reduceSum(g.mul(out, r), [0, 1, 2]);
  g.output(loss, 'loss');
  const grads = gradients(g, loss, [x, wqkv, wo]);
  for (const [p, d] of grads) g.output(d!, `grad.${p.name}`);
  return serialize(g);
}

async function runOne(kind: 'local' | 'global', seq: number, threads: number, steps: number): Promise<Result> {
  const s = await createSession(blockGraph(kind), { threads });
  let seed = 1;
  const rand = (n: number, scale: number) =>
    Float32Array.from({ length: n }, () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32 - 0.5) * scale);
  const feeds = {
    x: { dtype: 'float32' as const, dims: [1, seq, H], data: rand(seq * H, 2) },
    attention_mask: { dtype: 'int64' as const, dims: [1, seq], data: new BigInt64Array(seq).fill(1n) },
    wqkv: { dtype: 'float32' as const, dims: [3 * H, H], data: rand(3 * H * H, 0.1) },
    wo: { dtype: 'float32' as const, dims: [H, H], data: rand(H * H, 0.1) },
    r: { dtype: 'float32' as const, dims: [1, seq, H], data: rand(seq * H, 1) },
  };
  const ms = await medianMs(() => s.run(feeds), steps, 1);
  await s.dispose();
  return { kind, seq, msPerStep: ms, rssMB: peakRssMB() };
}

export async function main(argv: string[]): Promise<void> {
  const threads = Number(arg(argv, 'threads', '2'));
  const steps = Math.max(1, Number(arg(argv, 'steps', '3')));
  if (argv.includes('--child')) {
    console.log(JSON.stringify(await runOne(arg(argv, 'kind', 'local') as 'local' | 'global', Number(arg(argv, 'seq', '512')), threads, steps)));
    return;
  }
  const runs: [string, number][] = [
    ...arg(argv, 'seqs', '512,1024,2048,4096')
      .split(',')
      .map((s): [string, number] => ['local', Number(s)]),
    ...arg(argv, 'global-seqs', '512,1024,2048')
      .split(',')
      .filter(Boolean)
      .map((s): [string, number] => ['global', Number(s)]),
  ];
  const rows: (string | number)[][] = [];
  const first = new Map<string, Result>();
  for (const [kind, seq] of runs) {
    const r = inChild<Result>('window', ['--kind', kind, '--seq', String(seq), '--threads', String(threads), '--steps', String(steps)]);
    const base = first.get(kind) ?? r;
    first.set(kind, base);
    rows.push([kind, seq, r.msPerStep.toFixed(1), ((r.msPerStep / base.msPerStep) * (base.seq / seq)).toFixed(2), r.rssMB.toFixed(0)]);
    console.error(`done ${kind} ${seq}`);
  }
  console.log(
    `one attention block forward + backward, hidden ${H}, ${HEADS} heads, window ${WINDOW} (local), batch 1, float32, ${threads} threads; median of ${steps} runs`,
  );
  console.log(table(['attention', 'seq', 'ms fwd+bwd', 'ms per token vs the shortest', 'peak RSS (MB)'], rows));
}
