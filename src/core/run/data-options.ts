/**
 * The data options of a run, from its arguments: one home for the column mapping
 * (--text_column_names: one or several joined by --text_column_delimiter, or two as a sentence pair),
 * the label column, the task and the validation split, shared by `train`, `inspect`, the dataset
 * preview and `export-script`.
 */
import type { DataOptions } from '../data/index.js';
import type { RunArgs } from '../contract/args.js';

type Columns = Pick<DataOptions, 'textColumns' | 'pairColumn' | 'textColumnDelimiter' | 'labelColumn' | 'labelDelimiter' | 'hasHeader'>;

/** Which columns hold the text(s) and the label, and how the file is read. */
export function columnOptions(
  a: Pick<RunArgs, 'text_column_names' | 'text_column_delimiter' | 'label_column_name' | 'label_delimiter' | 'no_header'>,
): Columns {
  const cols = a.text_column_names;
  const delimiter = a.text_column_delimiter !== null ? { textColumnDelimiter: a.text_column_delimiter } : {};
  const text = !cols
    ? delimiter
    : cols.length === 2 && a.text_column_delimiter === null
      ? { textColumns: [cols[0]!], pairColumn: cols[1]! }
      : { textColumns: cols, ...delimiter };
  return {
    ...text,
    ...(a.label_column_name !== null ? { labelColumn: a.label_column_name } : {}),
    ...(a.label_delimiter !== null ? { labelDelimiter: a.label_delimiter } : {}),
    hasHeader: !a.no_header,
  };
}

/** The task: --do_regression true forces regression, false forbids it, else --task (auto by default). */
export function taskOptions(a: Pick<RunArgs, 'task' | 'do_regression'>): Pick<DataOptions, 'task' | 'noRegression'> {
  return { task: a.do_regression === true ? 'regression' : a.task, ...(a.do_regression === false ? { noRegression: true } : {}) };
}

/** Everything loadClassificationData needs to read a training run's data as `finetune train` does. */
export function trainDataOptions(a: RunArgs, signal?: AbortSignal): DataOptions {
  const wantsValidation = a.do_eval || a.eval_strategy !== 'no';
  return {
    ...columnOptions(a),
    ...taskOptions(a),
    trainFile: a.train_file!,
    ...(a.validation_file ? { validationFile: a.validation_file } : {}),
    ...(a.test_file ? { testFile: a.test_file } : {}),
    seed: a.seed,
    validationSplitPercentage: wantsValidation && !a.validation_file ? a.validation_split_percentage : 0,
    ...(a.max_train_samples ? { maxTrainSamples: a.max_train_samples } : {}),
    ...(a.max_eval_samples ? { maxEvalSamples: a.max_eval_samples } : {}),
    ...(a.max_predict_samples ? { maxPredictSamples: a.max_predict_samples } : {}),
    ...(signal ? { signal } : {}),
  };
}
