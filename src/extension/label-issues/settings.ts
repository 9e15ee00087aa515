/**
 * What Find Label Errors trains with (no vscode: unit-tested): the sidebar's form values (the model,
 * the hyperparameters) on the file it was run on, with that file's columns: the form's when the form
 * names columns this file has (the same file, or one with the same header), else the ones the file's
 * header suggests.
 */
import type { DatasetInfo } from '../../protocol/webviews/sidebar.js';

/** Form fields that name other files: not for find-label-errors (it reads one file and writes its own folder). */
const OTHER_FILES = ['validation_file', 'test_file', 'resume_from_checkpoint'];

export function labelErrorsForm(values: Record<string, unknown> | undefined, dataset: DatasetInfo, defaultModel: string): Record<string, unknown> {
  const v: Record<string, unknown> = { ...(values ?? {}) };
  for (const k of OTHER_FILES) delete v[k];
  const text = Array.isArray(v.text_column_names) ? (v.text_column_names as unknown[]).map(String) : [];
  const label = typeof v.label_column_name === 'string' ? v.label_column_name : '';
  const known = text.length > 0 && label !== '' && [...text, label].every((c) => dataset.columns.includes(c));
  const model = String(v.model_name_or_path ?? '').trim() || defaultModel;
  return {
    ...v,
    model_name_or_path: model,
    train_file: dataset.file,
    text_column_names: known ? text : dataset.textColumn ? [dataset.textColumn, ...(dataset.pairColumn ? [dataset.pairColumn] : [])] : null,
    label_column_name: known ? label : (dataset.labelColumn ?? null),
  };
}

/** A model as a sentence names it: a Hub id or preset as it is, a folder by its name. */
export function shortModelName(model: string): string {
  return /^[\w.-]+\/[\w.-]+$/.test(model) || !/[\\/]/.test(model) ? model : (model.split(/[\\/]/).filter(Boolean).pop() ?? model);
}
