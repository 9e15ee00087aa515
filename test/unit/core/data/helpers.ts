// Shared helpers of the core/data tests: committed fixtures, throw-away files in a temp folder,
// and an assertion on DataError's code, file, row, column and message.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError, type DataErrorCode } from '../../../../src/core/data/index.js';

export const DATA_FIXTURES = fileURLToPath(new URL('../../../fixtures/data/', import.meta.url));
export const TOKENIZERS = fileURLToPath(new URL('../../../fixtures/tokenizers/', import.meta.url));

export function fixture(name: string): string {
  return join(DATA_FIXTURES, name);
}

/** A temp folder for files a test writes; `cleanup()` removes it. */
export class TempFiles {
  readonly dir = mkdtempSync(join(tmpdir(), 'finetune-data-'));

  write(name: string, content: string | Uint8Array): string {
    const p = join(this.dir, name);
    writeFileSync(p, content);
    return p;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface ExpectedError {
  code: DataErrorCode;
  file: string;
  row?: number;
  column?: string;
  /** Substrings the message must contain. */
  includes?: readonly (string | RegExp)[];
}

export async function expectDataError(run: () => Promise<unknown>, want: ExpectedError): Promise<DataError> {
  let caught: unknown;
  try {
    await run();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof DataError, `expected a DataError, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`);
  const e = caught;
  assert.equal(e.code, want.code, `code (message: ${e.message})`);
  assert.equal(e.file, want.file);
  assert.ok(e.message.includes(want.file), `message names the file: ${e.message}`);
  if (want.row !== undefined) assert.equal(e.row, want.row, `row (message: ${e.message})`);
  if (want.column !== undefined) assert.equal(e.column, want.column, `column (message: ${e.message})`);
  for (const s of want.includes ?? []) {
    if (typeof s === 'string') assert.ok(e.message.includes(s), `message should include ${JSON.stringify(s)}: ${e.message}`);
    else assert.match(e.message, s);
  }
  return e;
}
