#!/usr/bin/env node
// Runs the test suites with Node's built-in test runner (TypeScript through tsx).
// Usage: node scripts/test.mjs [unit|integration|e2e|all] [name filter]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const suites = { unit: ['test/unit'], integration: ['test/integration'], e2e: ['test/e2e'] };
const which = process.argv[2] ?? 'all';
const filter = process.argv[3];
const dirs = which === 'all' ? [...suites.unit, ...suites.integration] : suites[which];
if (!dirs) {
  console.error(`unknown suite "${which}": use unit, integration, e2e or all`);
  process.exit(2);
}

function walk(dir) {
  let out = [];
  let entries = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (/\.test\.ts$/.test(e)) out.push(p);
  }
  return out;
}

const files = dirs
  .flatMap(walk)
  .filter((f) => !filter || f.includes(filter))
  .sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const args = ['--import', 'tsx', '--test', '--test-concurrency=1', ...files];
// ONNX Runtime's optimized graphs (src/core/engine/session-cache.ts) go to a temporary folder, not the user's cache.
const sessions = process.env.FINETUNE_SESSION_CACHE ?? join(tmpdir(), 'finetune-test-sessions');
const r = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, FINETUNE_TEST: '1', FINETUNE_SESSION_CACHE: sessions } });
process.exit(r.status ?? 1);
