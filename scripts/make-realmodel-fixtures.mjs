#!/usr/bin/env node
// Copies ../shared/realmodels (config and tokenizer files of real Hub models, no weights) into
// test/fixtures/realmodels: every file byte for byte, gzipped and stored once by its sha256
// (several models share a vocabulary), with manifest.json naming each model's files.
// The tests rebuild each folder from there (test/helpers/realmodels.ts) and check the hashes.
// Usage: node scripts/make-realmodel-fixtures.mjs [source=../shared/realmodels]
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const src = process.argv[2] ?? '../shared/realmodels';
const out = 'test/fixtures/realmodels';
rmSync(join(out, 'blobs'), { recursive: true, force: true });
mkdirSync(join(out, 'blobs'), { recursive: true });
const manifest = {};
for (const name of readdirSync(src).sort()) {
  const dir = join(src, name);
  if (!statSync(dir).isDirectory()) continue;
  manifest[name] = {};
  for (const file of readdirSync(dir).sort()) {
    const bytes = readFileSync(join(dir, file));
    const sha = createHash('sha256').update(bytes).digest('hex');
    manifest[name][file] = sha;
    writeFileSync(join(out, 'blobs', `${sha}.gz`), gzipSync(bytes, { level: 9 }));
  }
}
writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`${Object.keys(manifest).length} models, ${readdirSync(join(out, 'blobs')).length} files`);
