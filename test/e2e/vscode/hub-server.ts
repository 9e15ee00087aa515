/**
 * The loopback Hub the VS Code test searches and pulls from (test/helpers/fake-hub.ts), seeded
 * with model folders made by run.sh: a sentiment classifier trained on the workspace's reviews
 * (the "first look" model), a sentence-pair model (labels entailment / neutral / contradiction),
 * a fill-mask model, and a text-generation model that the model search must not offer.
 * Prints `{"url": ...}` on one line when it listens; runs until killed.
 *
 *   node --import tsx test/e2e/vscode/hub-server.ts <folder with sentiment/, nli/, mlm/>
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FakeHub } from '../../helpers/fake-hub.js';

/** What a Hub model repo holds of a saved model: the config, weights and tokenizer files (not onnx/, checkpoints, results). */
const REPO_FILES = /^(config\.json|model\.safetensors|vocab\.txt|tokenizer\.json|tokenizer_config\.json|special_tokens_map\.json|README\.md)$/;

function modelFiles(dir: string): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const name of readdirSync(dir)) if (REPO_FILES.test(name) && statSync(join(dir, name)).isFile()) out[name] = readFileSync(join(dir, name));
  return out;
}

const root = process.argv[2];
if (!root) throw new Error('usage: hub-server.ts <models folder>');
const hub = await FakeHub.start();
hub.addModel('finetune-test/tiny-sentiment', modelFiles(join(root, 'sentiment')), {
  infoOverrides: { pipeline_tag: 'text-classification', downloads: 12_000 },
});
hub.addModel('finetune-test/tiny-nli', modelFiles(join(root, 'nli')), { infoOverrides: { pipeline_tag: 'text-classification', downloads: 3_400 } });
hub.addModel('finetune-test/tiny-bert-mlm', modelFiles(join(root, 'mlm')), { infoOverrides: { pipeline_tag: 'fill-mask', downloads: 50_000 } });
hub.addModel('finetune-test/tiny-gpt', modelFiles(join(root, 'mlm')), { infoOverrides: { pipeline_tag: 'text-generation', downloads: 90_000 } });
console.log(JSON.stringify({ url: hub.url }));
const stop = (): void => void hub.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
