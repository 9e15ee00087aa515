/**
 * Where a training step's time goes: runs a few steps with ONNX Runtime's profiler on and prints
 * the time per op type (and the slowest nodes), plus the JS AdamW time.
 *
 *   npm run bench -- profile [--preset bert-small] [--batch 32] [--seq 128] [--threads 2] [--steps 3] [--op Mul]
 *
 * `--op` lists the slowest nodes of that op type only, with their output shapes.
 */
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModel, type PresetName } from '../src/core/model/presets.js';
import { TrainingEngine } from '../src/core/step/engine.js';
import { randomBatch } from './engine.js';
import { arg, table } from './util.js';

interface ProfileEntry {
  cat: string;
  name: string;
  dur: number;
  args?: { op_name?: string; output_type_shape?: Record<string, number[]>[] };
}

export async function main(argv: string[]): Promise<void> {
  const preset = arg(argv, 'preset', 'bert-small') as PresetName;
  const batch = Number(arg(argv, 'batch', '32'));
  const seq = Number(arg(argv, 'seq', '128'));
  const threads = Number(arg(argv, 'threads', '2'));
  const steps = Number(arg(argv, 'steps', '3'));
  const onlyOp = arg(argv, 'op', '');
  const model = createModel({ preset, vocabSize: 30522, numLabels: 2, seed: 1 });
  const engine = new TrainingEngine({
    config: model.config,
    weights: model.weights,
    threads,
    adam: { weightDecay: 0.01 },
    profilePrefix: join(tmpdir(), 'finetune-profile'),
  });
  const data = randomBatch(batch, seq, 30522);
  let runMs = 0;
  let adamMs = 0;
  for (let i = 0; i < steps + 1; i++) {
    const t0 = performance.now();
    await engine.accumulate(data, 1, true);
    const t1 = performance.now();
    engine.applyGradients(2e-5);
    const t2 = performance.now();
    if (i > 0) {
      runMs += t1 - t0;
      adamMs += t2 - t1;
    }
  }
  const file = await engine.endProfiling();
  await engine.dispose();
  if (!file) throw new Error('no profile written');
  const entries = JSON.parse(readFileSync(file, 'utf8')) as ProfileEntry[];
  rmSync(file, { force: true });
  const byOp = new Map<string, { us: number; count: number }>();
  const byNode = new Map<string, number>();
  const shapeOf = new Map<string, string>();
  let total = 0;
  for (const e of entries) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    const op = e.args?.op_name ?? '?';
    const cur = byOp.get(op) ?? { us: 0, count: 0 };
    cur.us += e.dur;
    cur.count++;
    byOp.set(op, cur);
    if (onlyOp && op !== onlyOp) continue;
    byNode.set(e.name, (byNode.get(e.name) ?? 0) + e.dur);
    const out = e.args?.output_type_shape?.[0];
    if (out) shapeOf.set(e.name, `${op} [${(Object.values(out)[0] ?? []).join(', ')}]`);
    total += e.dur;
  }
  const runs = steps + 1;
  console.log(
    `${preset}, batch ${batch}, seq ${seq}, ${threads} threads: session.run ${(runMs / steps).toFixed(1)} ms/step, JS AdamW ${(adamMs / steps).toFixed(1)} ms/step; kernels ${(total / 1000 / runs).toFixed(1)} ms/run`,
  );
  const ops = [...byOp.entries()].sort((a, b) => b[1].us - a[1].us);
  console.log(
    table(
      ['op', 'ms/run', 'share', 'calls/run'],
      ops
        .slice(0, Number(arg(argv, 'top', '20')))
        .map(([op, v]) => [op, (v.us / 1000 / runs).toFixed(1), `${((100 * v.us) / total).toFixed(1)}%`, Math.round(v.count / runs)]),
    ),
  );
  const nodes = [...byNode.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(arg(argv, 'nodes', onlyOp ? '40' : '12')));
  console.log(
    table(
      [onlyOp ? `slowest ${onlyOp} nodes` : 'slowest nodes', 'ms/run', 'op, output shape'],
      nodes.map(([n, us]) => [n.replace(/_kernel_time$/, ''), (us / 1000 / runs).toFixed(1), shapeOf.get(n) ?? '-']),
    ),
  );
}
