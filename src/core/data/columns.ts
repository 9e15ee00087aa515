/**
 * Which column holds the text, the second text of a pair and the label, when the user has not said:
 * the one rule the CLI, the dataset preview and the training form share. Names first (the
 * conventions of Hugging Face data sets, GLUE and Kaggle: `label` / `labels` / `target` /
 * `sentiment`, `sentence` / `text` / `review`, `sentence1` + `sentence2`, ...), then the values of
 * the first rows: the text is the column with the longest words-bearing cells, the label a column
 * with few distinct values. Columns that look like row ids are never chosen.
 */

export interface ColumnRoles {
  text?: string;
  pair?: string;
  label?: string;
}

/** Label column names, most likely first (compared without case). */
export const LABEL_NAMES = [
  'label',
  'labels',
  'target',
  'sentiment',
  'category',
  'class',
  'intent',
  'emotion',
  'topic',
  'gold_label',
  'polarity',
  'rating',
  'stars',
  'y',
] as const;

/** Text column names, most likely first. */
export const TEXT_NAMES = [
  'sentence',
  'text',
  'review',
  'content',
  'comment',
  'body',
  'message',
  'tweet',
  'document',
  'sms',
  'utterance',
  'description',
  'headline',
  'title',
  'question',
  'query',
  'abstract',
  'post',
] as const;

/** Sentence-pair column names: [first, second]. */
export const PAIR_NAMES: readonly (readonly [string, string])[] = [
  ['sentence1', 'sentence2'],
  ['#1 String', '#2 String'],
  ['question1', 'question2'],
  ['premise', 'hypothesis'],
  ['question', 'sentence'],
  ['text', 'text_pair'],
  ['text_a', 'text_b'],
  ['query', 'passage'],
];

/** How many first rows the value-based rules look at. */
export const DETECT_ROWS = 1000;

const ID_LIKE = /^(id|idx|index|row|row_id|unnamed: ?\d+|_id|uuid|guid)$/i;

interface Profile {
  name: string;
  filled: number;
  distinct: number;
  meanLength: number;
  /** Share of filled cells with a space or a CJK character (running text, not a code). */
  wordy: number;
  numeric: boolean;
}

function profile(name: string, values: readonly unknown[]): Profile {
  let filled = 0;
  let length = 0;
  let wordy = 0;
  let numeric = true;
  const distinct = new Set<string>();
  for (const v of values) {
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) continue;
    filled++;
    const s = typeof v === 'string' ? v.trim() : JSON.stringify(v);
    distinct.add(s);
    length += s.length;
    if (/\s|[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/.test(s)) wordy++;
    if (typeof v !== 'number' && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) numeric = false;
  }
  return {
    name,
    filled,
    distinct: distinct.size,
    meanLength: filled ? length / filled : 0,
    wordy: filled ? wordy / filled : 0,
    numeric: numeric && filled > 0,
  };
}

function byName(columns: readonly string[], names: readonly string[]): string | undefined {
  for (const n of names) {
    const hit = columns.find((c) => c.toLowerCase() === n.toLowerCase());
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** The label column by its name alone (a file to predict has one only when it is named like one). */
export function labelColumnByName(columns: readonly string[]): string | undefined {
  return byName(
    columns.filter((c) => !ID_LIKE.test(c.trim())),
    LABEL_NAMES,
  );
}

/** A label by its values: few distinct values for the rows (or numbers), short cells. */
function labelByValues(profiles: readonly Profile[], rows: number): string | undefined {
  const fit = profiles.filter((p) => p.filled > 0 && p.meanLength <= 40 && (p.numeric || p.distinct <= Math.max(2, Math.min(200, rows / 2))));
  fit.sort((a, b) => a.distinct - b.distinct || a.meanLength - b.meanLength);
  return fit[0]?.name;
}

/** A text by its values: the longest running-text cells. */
function textByValues(profiles: readonly Profile[]): string | undefined {
  const fit = profiles.filter((p) => p.filled > 0 && !p.numeric);
  fit.sort((a, b) => b.wordy - a.wordy || b.meanLength - a.meanLength);
  return fit[0]?.name;
}

/**
 * The column roles of a table from its header and (optionally) its first rows. `given` roles are
 * kept and only the others are detected. Without rows only names decide (and, with two columns, the
 * one left over).
 */
export function detectColumns(
  columns: readonly string[],
  rows: readonly (readonly unknown[])[] = [],
  given: ColumnRoles = {},
  /** Columns already spoken for (e.g. further text columns joined into the text). */
  exclude: readonly string[] = [],
): ColumnRoles {
  const candidates = columns.filter((c) => !ID_LIKE.test(c.trim()));
  const taken = new Set([...exclude, ...Object.values(given).filter((v): v is string => v !== undefined)]);
  const free = (c: string | undefined): string | undefined => (c !== undefined && !taken.has(c) ? c : undefined);
  const profiles = candidates.map((c) =>
    profile(
      c,
      rows.map((r) => r[columns.indexOf(c)]),
    ),
  );
  const roles: ColumnRoles = { ...given };
  if (roles.label === undefined) roles.label = free(byName(candidates, LABEL_NAMES));
  if (roles.label !== undefined) taken.add(roles.label);
  if (roles.text === undefined) {
    const pair = PAIR_NAMES.find(([a, b]) => free(byName(candidates, [a])) && free(byName(candidates, [b])));
    if (pair && roles.pair === undefined) {
      roles.text = byName(candidates, [pair[0]]);
      roles.pair = byName(candidates, [pair[1]]);
    } else roles.text = free(byName(candidates, TEXT_NAMES));
  }
  for (const r of [roles.text, roles.pair]) if (r !== undefined) taken.add(r);
  const rest = profiles.filter((p) => !taken.has(p.name));
  if (roles.text === undefined) {
    roles.text = rows.length ? textByValues(rest) : rest.length && roles.label !== undefined && rest.length === 1 ? rest[0]!.name : undefined;
    if (roles.text !== undefined) taken.add(roles.text);
  }
  if (roles.label === undefined) {
    const left = profiles.filter((p) => !taken.has(p.name));
    roles.label = rows.length ? labelByValues(left, rows.length) : left.length === 1 ? left[0]!.name : undefined;
  }
  return Object.fromEntries(Object.entries(roles).filter(([, v]) => v !== undefined)) as ColumnRoles;
}

/**
 * Whether a CSV/TSV's first line looks like a data row rather than a header: a column name that
 * reads like running text (long, with spaces), or one that is also one of the column's values
 * (`ham` heading a column of ham / spam). The answer is a warning naming the flag (--no_header), not
 * a decision: transformers' CSV loader also takes the first line as the header.
 */
export function headerLooksLikeData(columns: readonly string[], rows: readonly (readonly unknown[])[]): string | undefined {
  for (let c = 0; c < columns.length; c++) {
    const name = columns[c]!;
    if (name.length > 40 && /\s/.test(name)) return `the column name ${JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}...` : name)} reads like text`;
    const hits = rows.reduce<number>((n, r) => n + (typeof r[c] === 'string' && (r[c] as string).trim() === name.trim() && name.trim() !== '' ? 1 : 0), 0);
    if (rows.length >= 10 && hits >= Math.max(2, rows.length * 0.01))
      return `the column name ${JSON.stringify(name)} is also a value in ${hits} of its first ${rows.length} rows`;
  }
  return undefined;
}
