/**
 * The WebGPU training path: weights and Adam moments stay on the device between steps and the
 * result agrees with the CPU path. Runs on any WebGPU adapter (on a machine without a GPU, Mesa's
 * lavapipe driver gives a real Vulkan adapter on the CPU); skipped, saying why, where there is none.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createModel } from '../../../src/core/model/presets.js';
import { type Batch, TrainingEngine } from '../../../src/core/step/engine.js';
import { syntheticBatch } from '../../helpers/batches.js';
import { readSafetensors } from '../../../src/core/model/checkpoint/index.js';
import { jsonEvents, reviewRows, runCli, tempDir, writeCsv, writeSmallVocab } from '../cli/support.js';
import { webgpuUnavailable } from '../../helpers/webgpu.js';
import { updateDistance } from '../../helpers/weights.js';

const VOCAB = 150;
const skip = await webgpuUnavailable();

function engines(dropout: number) {
  const make = (executionProvider: 'cpu' | 'webgpu') => {
    const model = createModel({ preset: 'bert-tiny', vocabSize: VOCAB, numLabels: 3, seed: 7 });
    model.config.hidden_dropout_prob = dropout;
    model.config.attention_probs_dropout_prob = dropout;
    return new TrainingEngine({
      config: model.config,
      weights: model.weights,
      threads: 2,
      executionProvider,
      adam: { weightDecay: 0.01, maxGradNorm: 1 },
      dropoutSeed: 11,
    });
  };
  return { cpu: make('cpu'), gpu: make('webgpu') };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Parameters whose gradient is exactly zero: Adam amplifies float noise there (see engine tests). */
const noiseOnly = (n: string): boolean => n.endsWith('attention.self.key.bias');

describe('WebGPU training', { skip }, () => {
  test('weights and moments stay on the device; after 6 steps they agree with the CPU path', async () => {
    const { cpu, gpu } = engines(0.1);
    assert.equal(gpu.mode, 'device');
    const batches: Batch[] = [1, 2, 3].map((seed) => syntheticBatch({ batch: 5, seq: 12, vocab: VOCAB, numLabels: 3, seed, ragged: true }));
    const lr = 1e-3;
    for (let step = 0; step < 6; step++) {
      const b = batches[step % 3]!;
      const g = await gpu.trainStep([b], lr);
      const c = await cpu.trainStep([b], lr);
      assert.ok(Math.abs(g.loss - c.loss) <= 1e-5, `step ${step}: loss ${g.loss} on WebGPU, ${c.loss} on the CPU`);
      assert.ok(Math.abs(g.gradNorm - c.gradNorm) <= 1e-4 * c.gradNorm, `step ${step}: grad norm ${g.gradNorm} vs ${c.gradNorm}`);
    }
    // Every weight and both moments stayed on the device; the host copies are behind until sync().
    assert.equal(gpu.deviceResident, gpu.trainable.length * 3);
    assert.throws(() => gpu.weights, /call sync\(\) first/);
    // Evaluation reads the weights on the device.
    const ev = [await gpu.evaluate(batches[0]!), await cpu.evaluate(batches[0]!)];
    assert.ok(Math.abs(ev[0]!.loss - ev[1]!.loss) <= 1e-5, `eval loss ${ev[0]!.loss} vs ${ev[1]!.loss}`);
    assert.ok(maxAbsDiff(ev[0]!.logits.data as Float32Array, ev[1]!.logits.data as Float32Array) <= 1e-4);

    await gpu.sync();
    const [gw, cw] = [gpu.weights, cpu.weights];
    let compared = 0;
    for (const [n, t] of cw) {
      if (noiseOnly(n)) continue;
      const d = maxAbsDiff(gw.get(n)!.data as Float32Array, t.data as Float32Array);
      // 6 Adam steps of at most lr each: agreement to 5% of one step.
      assert.ok(d <= 0.05 * lr, `${n} differs by ${d}`);
      compared++;
    }
    assert.equal(compared, cw.size - 2);
    const [gs, cs] = [gpu.optimizer.state, cpu.optimizer.state];
    assert.equal(gs.step, 6);
    for (const [n, m] of cs.m) {
      if (noiseOnly(n)) continue;
      const scale = Math.max(1e-12, ...Array.from(m, Math.abs));
      assert.ok(maxAbsDiff(gs.m.get(n)!, m) <= 1e-3 * scale, `first moment of ${n}`);
    }
    await gpu.dispose();
    await cpu.dispose();
  });

  test('gradient accumulation on WebGPU falls back to host copies and still matches the CPU', async () => {
    const { cpu, gpu } = engines(0);
    const a = syntheticBatch({ batch: 4, seq: 10, vocab: VOCAB, numLabels: 3, seed: 4 });
    const b = syntheticBatch({ batch: 4, seq: 10, vocab: VOCAB, numLabels: 3, seed: 5 });
    await gpu.trainStep([a], 1e-3); // one device step, then two micro-batches
    await cpu.trainStep([a], 1e-3);
    const g = await gpu.trainStep([a, b], 1e-3);
    const c = await cpu.trainStep([a, b], 1e-3);
    assert.ok(Math.abs(g.loss - c.loss) <= 1e-5);
    const [gw, cw] = [gpu.weights, cpu.weights]; // no sync needed: the host copies are current
    for (const [n, t] of cw) if (!noiseOnly(n)) assert.ok(maxAbsDiff(gw.get(n)!.data as Float32Array, t.data as Float32Array) <= 1e-4, n);
    await gpu.dispose();
    await cpu.dispose();
  });
});

describe('fp16 mixed precision on WebGPU', { skip }, () => {
  const make = (executionProvider: 'cpu' | 'webgpu', fp16: boolean, initScale?: number) => {
    const model = createModel({ preset: 'bert-tiny', vocabSize: VOCAB, numLabels: 3, seed: 7 });
    const initial = new Map([...model.weights].map(([n, t]) => [n, Float32Array.from(t.data as Float32Array)]));
    const engine = new TrainingEngine({
      config: model.config,
      weights: model.weights,
      threads: 2,
      executionProvider,
      adam: { weightDecay: 0.01, maxGradNorm: 1 },
      dropoutSeed: 11,
      ...(fp16 ? { mixedPrecision: 'fp16' as const, gradScaler: initScale ? { initScale } : {} } : {}),
    });
    return { engine, initial };
  };

  test('float16 on the device tracks the float32 CPU run; weights stay on the device', async () => {
    const gpu = make('webgpu', true);
    const cpu = make('cpu', false);
    assert.equal(gpu.engine.mode, 'device');
    const batches: Batch[] = [1, 2, 3].map((seed) => syntheticBatch({ batch: 5, seq: 12, vocab: VOCAB, numLabels: 3, seed, ragged: true }));
    for (let step = 0; step < 6; step++) {
      const [g, c] = [await gpu.engine.trainStep([batches[step % 3]!], 1e-3), await cpu.engine.trainStep([batches[step % 3]!], 1e-3)];
      assert.equal(g.skipped, false);
      assert.ok(Math.abs(g.loss - c.loss) <= 2e-3 * c.loss, `step ${step}: loss ${g.loss} in fp16 on WebGPU, ${c.loss} in fp32 on the CPU`);
      assert.ok(Math.abs(g.gradNorm - c.gradNorm) <= 1e-2 * c.gradNorm, `step ${step}: grad norm ${g.gradNorm} vs ${c.gradNorm}`);
    }
    assert.throws(() => gpu.engine.weights, /call sync\(\) first/);
    await gpu.engine.sync();
    const ratio = updateDistance(gpu.engine.weights, cpu.engine.weights, cpu.initial);
    assert.ok(ratio <= 0.1 && ratio > 0, `fp16 weights are ${ratio} of the update away from fp32's`);
    await gpu.engine.dispose();
    await cpu.engine.dispose();
  });

  test('an overflow on the device skips the step: weights unchanged after sync, the scale halves', async () => {
    const { engine, initial } = make('webgpu', true, 2 ** 40);
    const r = await engine.trainStep([syntheticBatch({ batch: 4, seq: 10, vocab: VOCAB, numLabels: 3, seed: 9 })], 1e-3);
    assert.equal(r.skipped, true);
    assert.equal(engine.optimizer.state.step, 0);
    assert.equal(engine.scaler!.scale, 2 ** 39);
    await engine.sync();
    for (const [n, t] of engine.weights) assert.deepEqual(t.data, initial.get(n), `${n} changed on a skipped step`);
    await engine.dispose();
  });
});

describe('finetune train --execution_provider webgpu', { skip }, () => {
  test('trains, checkpoints and saves a model that agrees with the CPU run', async () => {
    const root = tempDir('finetune-webgpu-');
    const tok = writeSmallVocab(join(root, 'tok'));
    const train = writeCsv(join(root, 'train.csv'), reviewRows(64, 1));
    const val = writeCsv(join(root, 'val.csv'), reviewRows(16, 2));
    const run = async (provider: string) => {
      const out = join(root, provider);
      // 64 rows / batch 16 = 4 steps an epoch, 2 epochs, a checkpoint each epoch.
      const r = await runCli([
        'train',
        '--model_name_or_path',
        'preset:bert-tiny',
        '--tokenizer_name',
        tok,
        '--train_file',
        train,
        '--validation_file',
        val,
        '--do_eval',
        '--output_dir',
        out,
        '--num_train_epochs',
        '2',
        '--per_device_train_batch_size',
        '16',
        '--learning_rate',
        '1e-3',
        '--max_seq_length',
        '24',
        '--eval_strategy',
        'epoch',
        '--save_strategy',
        'epoch',
        '--threads',
        '2',
        '--execution_provider',
        provider,
        '--log_format',
        'json',
        '--export_onnx',
        'false',
      ]);
      assert.equal(r.code, 0, r.err);
      const events = jsonEvents(r.out);
      assert.equal(events.filter((e) => e.type === 'checkpoint').length, 2);
      assert.ok(!events.some((e) => e.type === 'warning' && /not available|failed to start/.test(String(e.message))), `${provider} fell back to the CPU`);
      return { out, events };
    };
    const gpu = await run('webgpu');
    const cpu = await run('cpu');
    const losses = (events: { type: string; [k: string]: unknown }[]) => events.filter((e) => e.type === 'progress').map((e) => e.loss as number);
    const [gl, cl] = [losses(gpu.events), losses(cpu.events)];
    assert.equal(gl.length, 8);
    gl.forEach((l, i) => assert.ok(Math.abs(l - cl[i]!) <= 1e-4, `step ${i + 1}: loss ${l} on WebGPU, ${cl[i]} on the CPU`));
    for (const file of ['model.safetensors', 'checkpoint-4/model.safetensors']) {
      const [a, b] = await Promise.all([readSafetensors(join(gpu.out, file)), readSafetensors(join(cpu.out, file))]);
      assert.equal(a.size, b.size);
      for (const [n, t] of b) {
        if (noiseOnly(n)) continue;
        const d = maxAbsDiff(a.get(n)!.data as Float32Array, t.data as Float32Array);
        assert.ok(d <= 1e-4, `${file}: ${n} differs by ${d}`);
      }
    }
  });
});

describe('finetune train --fp16 --execution_provider webgpu', { skip }, () => {
  test('checkpoints carry the loss scaler; a resumed run ends where the uninterrupted one does', async (t) => {
    const root = tempDir('finetune-webgpu-fp16-');
    const tok = writeSmallVocab(join(root, 'tok'));
    const train = writeCsv(join(root, 'train.csv'), reviewRows(48, 3));
    const flags = (out: string) => [
      'train',
      '--model_name_or_path',
      'preset:bert-tiny',
      '--tokenizer_name',
      tok,
      '--train_file',
      train,
      '--output_dir',
      out,
      '--num_train_epochs',
      '2',
      '--per_device_train_batch_size',
      '16',
      '--learning_rate',
      '1e-3',
      '--max_seq_length',
      '24',
      '--save_strategy',
      'epoch',
      '--threads',
      '2',
      '--execution_provider',
      'webgpu',
      '--fp16',
      '--log_format',
      'json',
      '--export_onnx',
      'false',
      '--logging_steps',
      '1',
    ];
    const full = join(root, 'full');
    const r = await runCli(flags(full));
    assert.equal(r.code, 0, r.err);
    const events = jsonEvents(r.out);
    assert.ok(!events.some((e) => e.type === 'warning'), `warnings: ${JSON.stringify(events.filter((e) => e.type === 'warning'))}`);
    assert.equal(events.filter((e) => e.type === 'progress').length, 6);
    const scaler = JSON.parse(readFileSync(join(full, 'checkpoint-3', 'scaler.json'), 'utf8'));
    assert.deepEqual(scaler, { scale: 65536, growth_factor: 2, backoff_factor: 0.5, growth_interval: 2000, _growth_tracker: 3 });
    assert.equal(JSON.parse(readFileSync(join(full, 'checkpoint-3', 'scheduler.json'), 'utf8')).last_epoch, 3);

    const resumed = join(root, 'resumed');
    cpSync(join(full, 'checkpoint-3'), join(resumed, 'checkpoint-3'), { recursive: true });
    const r2 = await runCli([...flags(resumed), '--resume_from_checkpoint', join(resumed, 'checkpoint-3')]);
    assert.equal(r2.code, 0, r2.err);
    const [a, b, mid] = await Promise.all([
      readSafetensors(join(full, 'model.safetensors')),
      readSafetensors(join(resumed, 'model.safetensors')),
      readSafetensors(join(full, 'checkpoint-3', 'model.safetensors')),
    ]);
    // WebGPU sums in no fixed order (atomics), and Adam turns the float noise of the attention key
    // bias's exactly-zero gradient into steps of ~lr: leave it out, and compare the distance
    // between the two runs with how far the last 3 steps moved the weights (a resume that lost the
    // schedule, the moments or the scale would be off by a large part of it).
    for (const [n, t] of a) assert.equal(t.dtype, 'float32', `${n}: the saved model keeps float32 master weights`);
    const ratio = updateDistance(b, a, mid, (n) => !noiseOnly(n));
    t.diagnostic(`resumed vs uninterrupted: ${ratio} of the last 3 steps' update`);
    assert.ok(ratio <= 1e-3, `the resumed run is ${ratio} of the last 3 steps' update away from the uninterrupted one`);
    assert.equal(JSON.parse(readFileSync(join(resumed, 'checkpoint-6', 'scaler.json'), 'utf8'))._growth_tracker, 6);
  });
});
