/** Pure text helpers shared by the pages (no DOM: unit-tested in Node). */

export function percent(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)}%`;
}

/** The file name of a path (either separator). */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}

/** A model as a person reads it: Hub ids (`org/name`, `preset:x`) as they are, folders by their name. */
export function shortModel(model: string): string {
  return /^[\w.-]+\/[\w.-]+$/.test(model) || !/[\\/]/.test(model) ? model : baseName(model);
}

/** A count as the pages print it: 12,000. */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

export { clock, metricText, pyDict, pyFloat } from '../src/protocol/format.js';
