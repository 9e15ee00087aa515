/**
 * The real Hugging Face model folders of test/fixtures/realmodels (configs and tokenizer files as
 * published, no weights): rebuilt byte for byte into a temporary folder, with random weights at the
 * config's shapes (layers cut) saved under the keys the config's own architecture uses.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { architecture } from '../../src/core/model/architectures/index.js';
import { serializeSafetensors } from '../../src/core/model/checkpoint/index.js';
import { parseHfConfig } from '../../src/core/model/hf-config.js';
import { initWeights } from '../../src/core/model/init.js';

const ROOT = 'test/fixtures/realmodels';
const manifest = JSON.parse(readFileSync(join(ROOT, 'manifest.json'), 'utf8')) as Record<string, Record<string, string>>;

export const REAL_MODELS: readonly string[] = Object.keys(manifest);

export function realModelFiles(name: string): string[] {
  return Object.keys(manifest[name] ?? {});
}

/** Writes the model's published files into `dir` (each checked against its sha256). */
export function materialize(name: string, dir: string): string {
  const files = manifest[name];
  if (!files) throw new Error(`no real model ${name}`);
  mkdirSync(dir, { recursive: true });
  for (const [file, sha] of Object.entries(files)) {
    const bytes = gunzipSync(readFileSync(join(ROOT, 'blobs', `${sha}.gz`)));
    const got = createHash('sha256').update(bytes).digest('hex');
    if (got !== sha) throw new Error(`${name}/${file}: sha256 ${got}, expected ${sha}`);
    writeFileSync(join(dir, file), bytes);
  }
  return dir;
}

/** The raw config.json of a materialized folder. */
export function rawConfig(dir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
}

/**
 * Cuts config.json to `layers` encoder layers and writes random weights at its shapes
 * (model.safetensors), keyed as the config's architecture saves them: a *ForSequenceClassification
 * with its head, a *ForMaskedLM / *ForPreTraining without it, a base model (BertModel) without the
 * body prefix too.
 */
export function addRandomWeights(dir: string, layers = 2, seed = 1): void {
  const raw = rawConfig(dir);
  const key = raw.model_type === 'distilbert' ? 'n_layers' : 'num_hidden_layers';
  const cut = { ...raw, [key]: Math.min(layers, Number(raw[key] ?? layers)) };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(cut, null, 2));
  const config = parseHfConfig(cut, join(dir, 'config.json'));
  const arch = architecture(config);
  const archName = String((raw.architectures as string[] | undefined)?.[0] ?? '');
  const classifier = /ForSequenceClassification$/.test(archName);
  const base = archName !== '' && !/For[A-Z]/.test(archName);
  const tensors: Record<string, ReturnType<typeof initWeights> extends Map<string, infer T> ? T : never> = {};
  for (const [name, t] of initWeights(config, seed)) {
    if (!classifier && arch.headPrefixes.some((p) => name.startsWith(p))) continue;
    tensors[base && name.startsWith(`${arch.prefix}.`) ? name.slice(arch.prefix.length + 1) : name] = t;
  }
  writeFileSync(join(dir, 'model.safetensors'), serializeSafetensors(tensors, { format: 'pt' }));
}
