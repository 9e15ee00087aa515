/**
 * One whole training process for `npm run bench -- compare --whole`, bundled like the CLI (no
 * TypeScript compiled at start-up): a random-init model of a preset, the training engine, `steps`
 * steps on one random batch (no padding). Prints FIRST_STEP_DONE when the first step is done (the
 * parent stamps it) and a JSON line at the end.
 *
 *   node dist/bench-whole.cjs <preset> <batch> <seq> <steps> <threads>
 */
import { createModel, type PresetName } from '../src/core/model/presets.js';
import { TrainingEngine } from '../src/core/step/engine.js';
import { randomBatch } from './engine.js';

async function run(): Promise<void> {
  const [preset, batch, seq, steps, threads] = process.argv.slice(2) as [PresetName, string, string, string, string];
  const model = createModel({ preset, vocabSize: 30522, numLabels: 2, seed: 1 });
  const engine = new TrainingEngine({ config: model.config, weights: model.weights, threads: Number(threads), adam: { weightDecay: 0.01 } });
  const data = randomBatch(Number(batch), Number(seq), 30522);
  for (let i = 0; i < Number(steps); i++) {
    await engine.trainStep([data], 2e-5);
    if (i === 0) process.stdout.write('FIRST_STEP_DONE\n');
  }
  await engine.dispose();
  console.log(JSON.stringify({ rssMB: process.resourceUsage().maxRSS / 1024 }));
}

void run();
