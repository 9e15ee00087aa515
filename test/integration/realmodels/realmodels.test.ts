/**
 * Every real model folder of test/fixtures/realmodels (config and tokenizer files exactly as
 * published or saved by transformers 4.x / 5.x, random weights at the config's shapes, layers cut
 * to 2) goes through a user's path: train two steps, save, predict, export (onnx/). A classifier
 * keeps its head: after a negligible step it predicts the same label names as before. A model type
 * Finetune does not implement, or a folder without tokenizer files, stops with one clear line.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { MODEL_TYPES } from '../../../src/core/model/config.js';
import { REAL_MODELS, addRandomWeights, materialize, rawConfig, realModelFiles } from '../../helpers/realmodels.js';
import { jsonEvents, runCli } from '../cli/support.js';

const root = mkdtempSync(join(tmpdir(), 'finetune-realmodels-'));
after(() => rmSync(root, { recursive: true, force: true }));

const TOKENIZER_FILES = /^(tokenizer\.json|vocab\.txt|vocab\.json|spm\.model|sentencepiece\.bpe\.model|spiece\.model)$/;
const TEXTS = [
  'the food was great and the service friendly',
  'terrible delivery, cold noodles',
  '味道很好，送餐也快',
  'okay I guess',
  'would not order again!',
  '这家店的服务太差了',
];

interface Plan {
  labels: (string | number | string[])[];
  /** The labels the kept head must predict from (the model's), or the new head's. */
  expectLabels?: readonly string[];
  keepsHead: boolean;
  /** Unnamed labels trained with integer data labels: LABEL_k is saved as "k". */
  renamesUnnamed?: boolean;
}

/** Labels for two training steps that a model of this config would be fine-tuned on. */
function planFor(cfg: Record<string, unknown>): Plan {
  const archs = (cfg.architectures as string[] | undefined) ?? [];
  const id2label = cfg.id2label as Record<string, unknown> | undefined;
  const names = id2label
    ? Object.keys(id2label)
        .sort((a, b) => Number(a) - Number(b))
        .map((k) => String(id2label[k]))
    : [];
  const classifier = archs.some((a) => /ForSequenceClassification$/.test(a)) && names.length > 0;
  if (!classifier) return { labels: ['negative', 'positive'], keepsHead: false, expectLabels: ['negative', 'positive'] };
  if (cfg.problem_type === 'multi_label_classification') return { labels: [[names[0]!], [names[1]!, names[2]!]], keepsHead: true, expectLabels: names };
  if (names.length === 1) return { labels: [0.25, 0.75], keepsHead: true };
  const generic = names.every((n, i) => n === `LABEL_${i}`);
  // Unnamed labels: integer data labels k train LABEL_k; named ones: a subset of the model's names.
  if (generic) return { labels: [0, 1], keepsHead: true, expectLabels: names.map((_, i) => String(i)), renamesUnnamed: true };
  return { labels: names.slice(0, Math.min(3, names.length)), keepsHead: true, expectLabels: names };
}

function writeData(file: string, plan: Plan): string {
  const multi = Array.isArray(plan.labels[0]);
  const rows = TEXTS.map((t, i) => {
    const l = plan.labels[i % plan.labels.length]!;
    return { text: t, [multi ? 'labels' : 'label']: l };
  });
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

async function predicted(model: string): Promise<(string | number)[]> {
  const r = await runCli(['predict', '--model_name_or_path', model, '--log_format', 'json', '--max_seq_length', '32', ...TEXTS.flatMap((t) => ['--text', t])]);
  assert.equal(r.code, 0, `predict ${model}: ${r.err}`);
  return jsonEvents(r.out).map((e) => (e.label ?? e.prediction) as string | number);
}

describe('real model folders: train, save, predict, export', () => {
  for (const name of REAL_MODELS) {
    test(name, async () => {
      const dir = materialize(name, join(root, name));
      const cfg = rawConfig(dir);
      const out = join(root, `${name}-out`);
      const data = writeData(join(root, `${name}.jsonl`), planFor(cfg));
      const train = (extra: string[] = []) =>
        runCli([
          'train',
          '--model_name_or_path',
          dir,
          '--train_file',
          data,
          '--output_dir',
          out,
          '--max_steps',
          '2',
          '--per_device_train_batch_size',
          '3',
          '--max_seq_length',
          '32',
          '--learning_rate',
          '1e-12',
          '--save_strategy',
          'no',
          '--validation_split_percentage',
          '0',
          ...extra,
        ]);

      if (!MODEL_TYPES.includes(cfg.model_type as never)) {
        const r = await train();
        assert.equal(r.code, 1);
        const line = r.err.trim();
        assert.equal(line.split('\n').length, 1, 'one line');
        assert.match(line, new RegExp(`model_type "${String(cfg.model_type)}" is not supported \\(supported: ${MODEL_TYPES.join(', ')}\\)`));
        return;
      }
      if (!realModelFiles(name).some((f) => TOKENIZER_FILES.test(f))) {
        addRandomWeights(dir);
        const r = await train();
        assert.equal(r.code, 1);
        assert.equal(r.err.trim().split('\n').length, 1, 'one line');
        assert.match(
          r.err,
          /No tokenizer in .*: expected .*tokenizer\.json, or .*vocab\.json \+ .*merges\.txt .*, or .*vocab\.txt .*, or a SentencePiece model/,
        );
        return;
      }

      addRandomWeights(dir);
      const plan = planFor(cfg);
      const before = plan.keepsHead && plan.expectLabels ? await predicted(dir) : undefined;
      const r = await train();
      assert.equal(r.code, 0, r.err);
      for (const f of [
        'config.json',
        'model.safetensors',
        'tokenizer.json',
        'tokenizer_config.json',
        'README.md',
        'onnx/model.onnx',
        'onnx/model_quantized.onnx',
      ])
        assert.ok(existsSync(join(out, f)), `${f} written`);
      const saved = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
      assert.equal(saved.model_type, cfg.model_type);
      const after = await predicted(out);
      if (plan.expectLabels) for (const l of after) assert.ok(plan.expectLabels.includes(String(l)), `${String(l)} is one of the head's labels`);
      // The kept head, moved by a negligible step, still names the same labels (no ids reshuffled);
      // unnamed labels LABEL_k trained with integer data labels are saved as "k".
      if (before) assert.deepEqual(after, plan.renamesUnnamed ? before.map((l) => String(l).replace(/^LABEL_(\d+)$/, '$1')) : before);
      // The exported folder predicts as the trained one.
      const exported = join(root, `${name}-export`);
      const e = await runCli(['export', '--model_name_or_path', out, '--output_dir', exported, '--no_onnx']);
      assert.equal(e.code, 0, e.err);
      assert.deepEqual(await predicted(exported), after);
    });
  }
});
