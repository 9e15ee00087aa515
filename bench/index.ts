/**
 * Benchmarks: `npm run bench -- <name> [options]`. Each prints a table.
 *   engine     training-step speed of the engine per model size (see bench/engine.ts)
 *   finetune   a real fine-tune on ../shared/data/waimai_10k.csv, with and without length grouping
 *   profile    where a training step's time goes (ONNX Runtime's profiler, per op type)
 *   inference  batch throughput and latency of the predictor against the Transformers.js pipeline
 *   compare    Finetune against PyTorch eager (bench/torch_bert.py) at equal shapes, and on the fine-tune
 *   gpu        the GPU providers that work here (WebGPU weights on the device, CUDA) against the CPU
 *   window     ModernBERT's sliding-window attention against global attention as the sequence grows
 *   long-text  --long_text truncate / head_tail / sliding_window: accuracy, inputs per row, time per document
 *   label-noise  find-label-errors and calibration on ../shared/data/sms_spam.tsv with injected label flips
 *   estimate   the extension's estimate before Start (a few measured steps) against the real run
 *   phases     where a user's time goes in one whole `finetune train` (start-up, first step, steps, evaluation, checkpoints)
 */
const benches: Record<string, () => Promise<{ main(argv: string[]): Promise<void> }>> = {
  engine: () => import('./engine.js'),
  finetune: () => import('./finetune.js'),
  compare: () => import('./compare.js'),
  profile: () => import('./profile.js'),
  inference: () => import('./inference.js'),
  gpu: () => import('./gpu.js'),
  window: () => import('./window.js'),
  'long-text': () => import('./long-text.js'),
  'label-noise': () => import('./label-noise.js'),
  estimate: () => import('./estimate.js'),
  phases: () => import('./phases.js'),
};

const [name, ...rest] = process.argv.slice(2);
if (!name || !benches[name]) {
  console.error(`usage: npm run bench -- <${Object.keys(benches).join('|')}> [options]`);
  process.exit(2);
}
await (await benches[name]()).main(rest);
