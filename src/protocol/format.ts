/**
 * How numbers read in logs, shared by the CLI and the dashboard (no Node, no DOM): Python's float
 * repr and dict form as the Trainer prints its log lines, tqdm's clock, Trainer.log_metrics values.
 */

/** A number as Python's repr prints a float. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.0`;
  const a = Math.abs(x);
  if (a < 1e-4 || a >= 1e16) return x.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(x);
}

/** `{'loss': 0.69, 'grad_norm': 1.2, ...}` as the Trainer prints its logs. */
export function pyDict(entries: Record<string, number>): string {
  return `{${Object.entries(entries)
    .map(([k, v]) => `'${k}': ${pyFloat(v)}`)
    .join(', ')}}`;
}

/** Seconds as `mm:ss` or `h:mm:ss` (tqdm's clock). */
export function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '??:??';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${String(m).padStart(2, '0')}:${ss}`;
}

/** As Trainer.log_metrics: integers as they are, other numbers to 4 decimals. */
export function metricText(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 1e4) / 1e4);
}
