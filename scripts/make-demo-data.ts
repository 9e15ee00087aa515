/**
 * Writes the demo data set examples/sms-spam/{train,test}.csv (columns text,label; labels ham /
 * spam) from the SMS Spam Collection (Almeida & Gómez Hidalgo, UCI Machine Learning Repository,
 * CC BY 4.0): a seeded, stratified sample of 2,000 training and 400 test messages, no message in
 * both, exact duplicates of an earlier message left out. The source file is the collection's
 * `SMSSpamCollection` (one `label<TAB>text` line per message, 5,574 lines).
 *
 *   npx tsx scripts/make-demo-data.ts [path/to/SMSSpamCollection]   (default ../shared/data/sms_spam.tsv)
 *
 * The output is committed; the tests and the demo read examples/ only.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const SOURCE = process.argv[2] ?? '../shared/data/sms_spam.tsv';
const TRAIN = 2000;
const TEST = 400;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(xs: T[], r: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

type Row = { text: string; label: string };

function read(path: string): Row[] {
  const seen = new Set<string>();
  const rows: Row[] = [];
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const label = line.slice(0, tab).trim();
    const text = line.slice(tab + 1).trim();
    if (!['ham', 'spam'].includes(label) || !text || seen.has(text)) continue;
    seen.add(text);
    rows.push({ text, label });
  }
  return rows;
}

/** Stratified: each label keeps its share in both files. */
function sample(rows: Row[], seed: number): { train: Row[]; test: Row[] } {
  const r = mulberry32(seed);
  const byLabel = new Map<string, Row[]>();
  for (const x of rows) byLabel.set(x.label, [...(byLabel.get(x.label) ?? []), x]);
  const train: Row[] = [];
  const test: Row[] = [];
  for (const group of byLabel.values()) {
    shuffle(group, r);
    const share = group.length / rows.length;
    const nTest = Math.round(TEST * share);
    const nTrain = Math.round(TRAIN * share);
    test.push(...group.slice(0, nTest));
    train.push(...group.slice(nTest, nTest + nTrain));
  }
  return { train: shuffle(train, r), test: shuffle(test, r) };
}

const csv = (rows: Row[]): string =>
  `text,label\n${rows.map((x) => `${/[",\n\r]/.test(x.text) ? `"${x.text.replace(/"/g, '""')}"` : x.text},${x.label}`).join('\n')}\n`;

const source = readFileSync(SOURCE);
const { train, test } = sample(read(SOURCE), 2026);
mkdirSync('examples/sms-spam', { recursive: true });
writeFileSync('examples/sms-spam/train.csv', csv(train));
writeFileSync('examples/sms-spam/test.csv', csv(test));
const count = (rows: Row[], l: string): number => rows.filter((x) => x.label === l).length;
console.log(
  `wrote examples/sms-spam/train.csv (${train.length} rows, ${count(train, 'spam')} spam) and test.csv (${test.length} rows, ${count(test, 'spam')} spam) ` +
    `from ${SOURCE} (sha256 ${createHash('sha256').update(source).digest('hex').slice(0, 16)}…)`,
);
