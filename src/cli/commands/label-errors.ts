/** find-label-errors: K-fold cross-validation + confident learning (core/run/label-errors.ts), events on the terminal or as JSON. */
import { UsageError } from '../../core/errors.js';
import { findLabelErrors } from '../../core/run/label-errors.js';
import { RANK_BY, type RankBy } from '../../core/train/label-issues.js';
import { cancelOnSigint, reporter } from '../io.js';
import type { Command } from './types.js';

export const findLabelErrorsCommand: Command = {
  name: 'find-label-errors',
  summary: 'rank the rows of a labelled file by how likely their label is wrong (K-fold cross-validation + confident learning): label_issues.csv',
  usage:
    'finetune find-label-errors --model_name_or_path ORG/NAME|DIR|preset:bert-tiny --train_file FILE --output_dir DIR [--folds 5] [--rank_by self_confidence|normalized_margin] [the train flags]',
  flags: {
    run: 'all',
    own: [
      { name: 'folds', type: 'int', min: 2, help: 'K: the file is split into K folds; K trainings, each predicting the fold it did not see (default 5)' },
      {
        name: 'rank_by',
        type: 'enum',
        choices: RANK_BY,
        help: 'label_quality: self_confidence (default; the probability of the given label) or normalized_margin ((p(given) - max other p + 1) / 2)',
      },
    ],
  },
  async run(p, io, g) {
    if (p.positionals.length) throw new UsageError(`unexpected argument "${p.positionals[0]}"`);
    const emit = reporter(io, g.json);
    const sig = cancelOnSigint(io, 'stopping at the next step; nothing is written');
    try {
      const r = await findLabelErrors(
        p.args,
        { folds: (p.own.folds as number | undefined) ?? 5, rankBy: (p.own.rank_by as RankBy | undefined) ?? 'self_confidence' },
        { emit, signal: sig.signal, env: process.env, token: process.env.HF_TOKEN },
      );
      emit({
        type: 'done',
        outputDir: p.args.output_dir ?? '.',
        modelDir: null,
        results: r.cancelled ? {} : { rows: r.rows, label_issues: r.issues, cv_accuracy: r.cvAccuracy },
        bestCheckpoint: null,
        stoppedEarly: false,
        cancelled: r.cancelled,
      });
      return r.cancelled ? 130 : 0;
    } finally {
      sig.dispose();
    }
  },
};
