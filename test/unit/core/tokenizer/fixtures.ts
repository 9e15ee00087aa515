// Paths of the real tokenizer files under test/fixtures/tokenizers (copies of the Hub's
// google-bert/bert-base-uncased and google-bert/bert-base-chinese files).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../../../fixtures/tokenizers/', import.meta.url));
export const UNCASED_DIR = `${FIXTURES}bert-base-uncased`;
export const CHINESE_DIR = `${FIXTURES}bert-base-chinese`;

export function readFixture(relative: string): string {
  return readFileSync(`${FIXTURES}${relative}`, 'utf8');
}

/** Round-trips through JSON so objects with a null prototype compare equal to parsed ones. */
export function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
