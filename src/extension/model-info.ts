/**
 * What the predict box needs to know about a model before it runs it (no vscode: unit-tested):
 * whether it takes sentence pairs, from the run's training_args.json (two text columns and no
 * delimiter: the second is the pair, as run_classification.py reads them) or, for a model from
 * elsewhere, from its label names (entailment / contradiction, paraphrase, duplicate...).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const PAIR_LABELS = /^(entailment|not_entailment|contradiction|neutral|paraphrase|not_paraphrase|equivalent|not_equivalent|duplicate|not_duplicate)$/i;

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** True when the model in `dir` (a run's model, a checkpoint inside a run folder, a Hub snapshot) classifies sentence pairs. */
export async function takesPairs(dir: string): Promise<boolean> {
  for (const d of [dir, dirname(dir)]) {
    const args = await readJson(join(d, 'training_args.json'));
    if (!args) continue;
    const cols = args.text_column_names;
    return Array.isArray(cols) && cols.length === 2 && (args.text_column_delimiter === null || args.text_column_delimiter === undefined);
  }
  const config = await readJson(join(dir, 'config.json'));
  const labels = Object.values((config?.id2label as Record<string, unknown> | undefined) ?? {}).map(String);
  return labels.length > 0 && labels.some((l) => PAIR_LABELS.test(l));
}
