/**
 * The model card (README.md) written with a fine-tuned model: Hub front matter, what it was
 * trained from and on, the hyperparameters, the metrics, and how to use it from Python
 * `transformers` and from Transformers.js.
 */
import { metricInfo, metricKeys } from '../contract/metrics.js';
import { type ModelConfig, resolveProblemType } from '../model/config.js';
import type { Calibration } from '../predict/calibration.js';

export interface ModelCardInfo {
  /** The Hub repo id the card will live at, if pushed (used in the usage snippets). */
  repoId?: string;
  baseModel?: string;
  dataset?: string;
  /** Hyperparameters as TrainingArguments names them. */
  hyperparameters?: Record<string, string | number | boolean | null>;
  /** Final evaluation metrics (eval_* keys). */
  metrics?: Record<string, number>;
  /** Training results per evaluation, for the table (epoch, step, loss, metrics). */
  history?: Record<string, number>[];
  language?: string[];
  license?: string;
  /** calibration.json, when one was fitted. */
  calibration?: Calibration;
}

const f4 = (x: number): string => x.toFixed(4);

/** The card's calibration section: the temperature, ECE and NLL before and after, thresholds, the abstain rule. */
function calibrationSection(c: Calibration): string[] {
  const lines = [
    '## Calibration',
    '',
    `The confidence scores are calibrated by temperature scaling: the logits are divided by T = ${f4(c.temperature)} before the ${c.problem_type === 'multi_label_classification' ? 'sigmoid' : 'softmax'}, ` +
      `fitted on the ${c.fit.rows} validation rows (\`calibration.json\`; the logits in the weights are unchanged, so apply T yourself outside Finetune and its demo Spaces).`,
    '',
    `| on the validation set | ECE (${c.fit.bins} bins) | NLL |`,
    '|---|---|---|',
    `| before | ${f4(c.fit.ece_before)} | ${f4(c.fit.nll_before)} |`,
    `| after | ${f4(c.fit.ece_after)} | ${f4(c.fit.nll_after)} |`,
    '',
  ];
  if (c.thresholds) {
    lines.push('Decision thresholds per label (tuned for F1 on the validation set; used instead of 0.5):', '');
    lines.push(...Object.entries(c.thresholds).map(([l, t]) => `- \`${l}\`: ${f4(t)}`), '');
  }
  if (c.abstain) {
    const a = c.abstain;
    lines.push(
      `Below a confidence of ${f4(a.threshold)} the model abstains: on the validation set that reached precision ${f4(a.precision)} ` +
        `(target ${a.target_precision}) answering ${(a.coverage * 100).toFixed(1)}% of the rows.`,
      '',
    );
  }
  return lines;
}

const yamlString = (s: string): string => (/^[\w./-]+$/.test(s) ? s : JSON.stringify(s));

export function modelCard(config: ModelConfig, info: ModelCardInfo): string {
  const id = info.repoId ?? 'path/to/this/model';
  const labels = Object.values(config.id2label);
  const front: string[] = ['---', 'library_name: transformers', 'pipeline_tag: text-classification'];
  if (info.license) front.push(`license: ${yamlString(info.license)}`);
  if (info.baseModel) front.push(`base_model: ${yamlString(info.baseModel)}`);
  if (info.language?.length) front.push('language:', ...info.language.map((l) => `- ${yamlString(l)}`));
  front.push('tags:', '- text-classification', '- finetune', `- ${config.model_type}`);
  const metricNames = [
    ...new Set(metricKeys(Object.keys(info.metrics ?? {}).filter((k) => k.startsWith('eval_') && k !== 'eval_loss')).map((k) => metricInfo(k)!.cardTag)),
  ];
  if (metricNames.length) front.push('metrics:', ...metricNames.map((m) => `- ${m}`));
  front.push('---', '');

  const lines: string[] = [...front];
  lines.push(`# ${id.split('/').pop()}`, '');
  lines.push(
    `This model is a fine-tuned ${info.baseModel ? `version of \`${info.baseModel}\`` : `${config.model_type} model`} for text classification` +
      `${info.dataset ? ` on \`${info.dataset}\`` : ''}, trained with Finetune (TypeScript on ONNX Runtime).`,
    '',
  );
  lines.push(`Labels (${config.num_labels}): ${labels.map((l) => `\`${l}\``).join(', ')}. Problem type: \`${resolveProblemType(config)}\`.`, '');
  if (info.metrics && Object.keys(info.metrics).length) {
    lines.push('## Evaluation results', '', '| metric | value |', '|---|---|');
    for (const [k, v] of Object.entries(info.metrics)) lines.push(`| ${k} | ${Number.isInteger(v) ? v : v.toFixed(4)} |`);
    lines.push('');
  }
  if (info.history?.length) {
    const cols = [...new Set(info.history.flatMap((r) => Object.keys(r)))];
    lines.push('## Training results', '', `| ${cols.join(' | ')} |`, `|${cols.map(() => '---').join('|')}|`);
    for (const r of info.history)
      lines.push(`| ${cols.map((c) => (r[c] === undefined ? '' : Number.isInteger(r[c]) ? String(r[c]) : r[c]!.toFixed(4))).join(' | ')} |`);
    lines.push('');
  }
  if (info.calibration) lines.push(...calibrationSection(info.calibration));
  if (info.hyperparameters && Object.keys(info.hyperparameters).length) {
    lines.push('## Training hyperparameters', '');
    for (const [k, v] of Object.entries(info.hyperparameters)) lines.push(`- ${k}: ${v === null ? 'None' : String(v)}`);
    lines.push('');
  }
  lines.push(
    '## Usage',
    '',
    'Python (`transformers`):',
    '',
    '```python',
    'from transformers import pipeline',
    '',
    `classifier = pipeline("text-classification", model="${id}")`,
    'print(classifier("I love this!"))',
    '```',
    '',
    'JavaScript ([Transformers.js](https://huggingface.co/docs/transformers.js), runs the ONNX export in `onnx/`):',
    '',
    '```js',
    "import { pipeline } from '@huggingface/transformers';",
    '',
    `const classifier = await pipeline('text-classification', '${id}');`,
    "console.log(await classifier('I love this!'));",
    '```',
    '',
  );
  return lines.join('\n');
}
