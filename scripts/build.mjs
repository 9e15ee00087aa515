#!/usr/bin/env node
// Bundles with esbuild: Node entry points (CLI, worker, extension) as CommonJS with `vscode` and
// `onnxruntime-node` external (native binaries), and the webview as an ES module for the browser.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const node = [
  { in: 'src/cli/main.ts', out: 'dist/cli.cjs' },
  { in: 'src/worker/main.ts', out: 'dist/worker.cjs' },
  { in: 'src/extension/extension.ts', out: 'dist/extension.cjs' },
].filter((e) => existsSync(e.in));

const watch = process.argv.includes('--watch');
const common = { bundle: true, sourcemap: true, logLevel: 'info', minify: !watch && process.env.NODE_ENV === 'production' };

for (const e of node) {
  await build({
    ...common,
    entryPoints: [e.in],
    outfile: e.out,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'onnxruntime-node'],
  });
}
if (existsSync('webview/main.ts')) {
  await build({
    ...common,
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
  });
}
if (node.length === 0) console.log('build: no entry points yet');
