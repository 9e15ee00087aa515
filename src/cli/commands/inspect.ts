/** inspect: dataset statistics, with token lengths when a tokenizer is given. */
import { type DatasetStats, type LongTextStats, datasetStats, encodeDataset, loadClassificationData } from '../../core/data/index.js';
import { ArgError } from '../../core/errors.js';
import { Tokenizer } from '../../core/tokenizer/index.js';
import { ARG_SPECS } from '../../core/contract/args.js';
import { columnOptions, taskOptions } from '../../core/run/data-options.js';
import { resolveModelFolder } from '../../core/run/run.js';
import { pyFloat } from '../format.js';
import type { Out } from '../io.js';
import type { Command } from './types.js';

function writeSplit(io: Out, s: NonNullable<DatasetStats[keyof DatasetStats]>): void {
  io.out.write(
    `\n[${s.split}] ${s.file}: ${s.rows} rows (${s.droppedTotal} dropped: ${s.dropped.emptyText} empty text, ${s.dropped.emptyLabel} empty label; ${s.duplicates} duplicates${s.overlapWithTrain !== undefined ? `; ${s.overlapWithTrain} also in train` : ''})\n`,
  );
  if (s.labelCounts)
    for (const [l, c] of Object.entries(s.labelCounts) as [string, number][])
      io.out.write(`  ${l.padEnd(20)} ${String(c).padStart(7)}  ${((100 * c) / s.rows).toFixed(1)}%\n`);
  if (s.target)
    io.out.write(`  target: min ${pyFloat(s.target.min)} max ${pyFloat(s.target.max)} mean ${pyFloat(s.target.mean)} std ${pyFloat(s.target.std)}\n`);
  if (s.tokens)
    io.out.write(
      `  tokens: p50 ${s.tokens.p50}, p90 ${s.tokens.p90}, p95 ${s.tokens.p95}, p99 ${s.tokens.p99}, max ${s.tokens.max}; ${s.tokens.truncatedRows} rows (${(100 * s.tokens.truncatedShare).toFixed(1)}%) truncated at ${s.tokens.maxLength}\n`,
    );
  if (s.longText && s.longText.rowsOverLength > 0) io.out.write(`${longTextLine(s.longText)}\n`);
}

/** What each --long_text mode makes of the rows longer than max_seq_length. */
export function longTextLine(l: LongTextStats): string {
  const pct = (x: number): string => `${(100 * x).toFixed(0)}%`;
  const sw = l.modes.sliding_window;
  return (
    `  long rows: truncate reads ${pct(l.modes.truncate.keptTokenShareOfLongRows)} of their tokens, head_tail ${pct(l.modes.head_tail.keptTokenShareOfLongRows)}, ` +
    `sliding_window all of them in ${sw.inputs} model inputs for ${l.modes.truncate.inputs} rows (${sw.inputsPerRow.toFixed(2)} per row, at most ${sw.maxInputsPerRow}; doc_stride ${l.docStride})`
  );
}

export const inspect: Command = {
  name: 'inspect',
  summary: 'dataset statistics: rows, dropped rows, labels, token lengths, truncation and what each --long_text mode keeps',
  usage: 'finetune inspect --train_file FILE [--validation_file FILE] [--tokenizer_name DIR | --model_name_or_path DIR] [--max_seq_length 128]',
  flags: { run: ARG_SPECS.filter((s) => s.group === 'data' || s.group === 'model').map((s) => s.name) },
  async run({ args }, io, g) {
    if (!args.train_file) throw new ArgError('--train_file', 'inspect needs --train_file');
    const data = await loadClassificationData({
      ...columnOptions(args),
      ...taskOptions(args),
      trainFile: args.train_file,
      ...(args.validation_file ? { validationFile: args.validation_file } : {}),
      ...(args.test_file ? { testFile: args.test_file } : {}),
    });
    const tokDir = args.tokenizer_name ?? args.model_name_or_path;
    const tokenizer = tokDir ? await Tokenizer.fromFolder(await resolveModelFolder(tokDir, args, { emit: () => undefined })) : undefined;
    const longText = { mode: args.long_text ?? 'truncate', ...(args.doc_stride !== null ? { docStride: args.doc_stride } : {}) } as const;
    const encoded = tokenizer ? await encodeDataset(data, tokenizer, { maxSeqLength: args.max_seq_length, longText }) : undefined;
    const stats = datasetStats(data, encoded);
    if (g.json) {
      io.out.write(`${JSON.stringify({ problemType: data.problemType, labels: data.labels, columns: data.columns, stats, warnings: data.warnings })}\n`);
      return 0;
    }
    const cols = data.columns;
    io.out.write(`task: ${data.problemType}; text: ${cols.text.join(' + ')}${cols.pair ? ` / pair: ${cols.pair}` : ''}; label: ${cols.label}\n`);
    for (const s of Object.values(stats)) if (s) writeSplit(io, s);
    for (const w of data.warnings) io.err.write(`warning: ${w}\n`);
    return 0;
  },
};
