/**
 * The base of every error a user can cause and fix (a bad flag, file, row, setting, model folder,
 * network answer): its message is for a person — it names what is at fault and what to do — and
 * the CLI and the extension show it as it is, without a stack trace. Any other error is a bug and is
 * reported as unexpected (the CLI: "rerun with --debug").
 */
export class UserError extends Error {
  /** The CLI's exit status for it: 2 for a usage mistake (a flag), 1 otherwise. */
  readonly exitCode: number = 1;
}

/** A command-line usage mistake (a missing argument, an unknown command). */
export class UsageError extends UserError {
  override readonly exitCode: number = 2;
  override readonly name: string = 'UsageError';
}

/** A flag or setting with a bad value (or a combination the run cannot take); `flag` names it. */
export class ArgError extends UserError {
  override readonly exitCode: number = 2;
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(message);
    this.name = 'ArgError';
  }
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** The candidate closest to `name` (case and surrounding spaces ignored first), if close enough. */
export function didYouMean(name: string, candidates: readonly string[]): string | undefined {
  const norm = (s: string): string => s.trim().toLowerCase();
  const exact = candidates.find((c) => norm(c) === norm(name));
  if (exact !== undefined) return exact;
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(norm(name), norm(c));
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(name.length / 3)));
  return bestD <= limit ? best : undefined;
}
