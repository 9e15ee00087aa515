/**
 * Shared helpers of the CLI integration suite: run `main()` in this process with captured
 * stdout / stderr, spawn the CLI as a child process, generate small data sets, snapshot folders
 * byte for byte, and compare safetensors weights.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../../src/cli/main.js';
import { readSafetensors } from '../../../src/core/model/checkpoint/index.js';

/** The WordPiece vocabulary the suite trains with (30522 tokens, lower-cased). */
export const TOKENIZER = 'test/fixtures/tokenizers/bert-base-uncased';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** `finetune <argv>` in this process; stdout and stderr captured (not a terminal: JSON events by default). */
export async function runCli(argv: readonly string[]): Promise<CliResult> {
  const out = new Capture();
  const err = new Capture();
  const code = await main([...argv], { out, err });
  return { code, out: out.text, err: err.text };
}

/** The JSON lines of a run's stdout, parsed (lines that are not JSON are an error). */
export function jsonEvents(stdout: string): { type: string; [k: string]: unknown }[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as { type: string; [k: string]: unknown };
      } catch {
        throw new Error(`stdout line is not JSON: ${l}`);
      }
    });
}

/** `node --import tsx src/cli/main.ts <argv>` as a child process, from the repository root. */
export function spawnCli(argv: readonly string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...argv], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env },
  });
}

/** Runs a child CLI to the end. */
export function spawnCliToEnd(argv: readonly string[]): Promise<CliResult & { signal: NodeJS.Signals | null }> {
  const child = spawnCli(argv);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? -1, signal, out, err }));
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `finetune-cli-${prefix}-`));
}

/** A seeded PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const POS = ['great', 'wonderful', 'excellent', 'delicious', 'fantastic', 'lovely', 'perfect', 'amazing'];
const NEG = ['terrible', 'awful', 'horrible', 'bad', 'disgusting', 'boring', 'cold', 'rude'];
const SUBJ = ['the food', 'the service', 'the movie', 'this place', 'the delivery', 'our meal', 'the staff', 'the pizza'];
const FILL = ['really', 'very', 'quite', 'so', 'truly', 'rather', 'honestly', 'totally'];

/** Review-like rows labelled positive / negative by their sentiment word; lengths vary (3-14 words). */
export function reviewRows(n: number, seed: number): { text: string; label: 'positive' | 'negative' }[] {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  return Array.from({ length: n }, () => {
    const positive = r() < 0.5;
    const word = pick(positive ? POS : NEG);
    const extra = Array.from({ length: Math.floor(r() * 6) }, () => pick(FILL)).join(' ');
    const text = r() < 0.5 ? `${pick(SUBJ)} was ${extra ? `${extra} ` : ''}${word}` : `${word}, ${pick(SUBJ)} is ${pick(FILL)} ${word} ${extra}`.trim();
    return { text, label: positive ? 'positive' : 'negative' };
  });
}

/** Extra words the suite's hand-written rows use. */
const EXTRA = ['a', 'an', 'and', 'is', 'was', 'it', 'not', 'good', 'fine', 'item', 'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'noodles', 'soup', 'today'];

/**
 * A small WordPiece vocabulary (vocab.txt only) covering the words of `reviewRows`: a bert-tiny on
 * it has about 0.4M parameters instead of 4.4M with bert-base-uncased's 30522 tokens, so steps and
 * checkpoints are small. Returns the folder.
 */
export function writeSmallVocab(dir: string): string {
  const words = new Set<string>();
  for (const w of [...POS, ...NEG, ...SUBJ, ...FILL, ...EXTRA]) for (const p of w.split(' ')) words.add(p);
  const tokens = [
    '[PAD]',
    '[UNK]',
    '[CLS]',
    '[SEP]',
    '[MASK]',
    '!',
    ',',
    '.',
    "'",
    '?',
    ...'0123456789',
    ...[...words].sort(),
    ...'abcdefghijklmnopqrstuvwxyz'.split('').map((c) => `##${c}`),
  ];
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'vocab.txt'), `${tokens.join('\n')}\n`);
  return dir;
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Writes `text,label` rows as CSV; returns the path. */
export function writeCsv(path: string, rows: readonly { text: string; label: string | number }[], header = 'text,label'): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${header}\n${rows.map((r) => `${csvCell(r.text)},${csvCell(String(r.label))}`).join('\n')}\n`);
  return path;
}

/** Every file under `dir` (relative path -> sha256 of its bytes). */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

/** The largest absolute difference between the tensors of two safetensors files (Infinity when names or shapes differ). */
export async function maxWeightDiff(a: string, b: string): Promise<{ max: number; tensors: number; differing: string[] }> {
  const [A, B] = await Promise.all([readSafetensors(a), readSafetensors(b)]);
  if (A.size !== B.size) return { max: Infinity, tensors: A.size, differing: ['(tensor count)'] };
  let max = 0;
  const differing: string[] = [];
  for (const [name, t] of A) {
    const u = B.get(name);
    if (!u || t.dims.join() !== u.dims.join()) return { max: Infinity, tensors: A.size, differing: [name] };
    const x = t.data as Float32Array;
    const y = u.data as Float32Array;
    let d = 0;
    for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i]! - y[i]!));
    if (d > 0) differing.push(name);
    max = Math.max(max, d);
  }
  return { max, tensors: A.size, differing };
}

/** Whether every value of every tensor is finite. */
export async function allFinite(file: string): Promise<boolean> {
  for (const t of (await readSafetensors(file)).values()) for (const x of t.data as Float32Array) if (!Number.isFinite(x)) return false;
  return true;
}

/** A stack trace line (`    at fn (file:line:col)`). */
export const STACK_LINE = /^\s+at .+(:\d+:\d+\)?|\(native\)|<anonymous>\)?)$/m;
