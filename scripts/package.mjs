#!/usr/bin/env node
// Builds the platform-specific VSIX: `npm run package [-- --target linux-x64] [--out file.vsix] [--no-build]`.
//
// onnxruntime-node ships native binaries for every platform (~300 MB); a VSIX holds one
// platform's (`vsce package --target`). Steps: `npm run build`, copy the allowlisted files into a
// staging folder (the repo's .vscodeignore with @OS@/@ARCH@ filled in; package.json with
// `dependencies` = onnxruntime-node only; onnxruntime-node's package.json without its install-time
// dependencies, so vsce's `npm list --production` sees exactly onnxruntime-node + onnxruntime-common),
// run vsce there, then check the VSIX's file list.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TARGETS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'];
/** Provider libraries onnxruntime-node's CUDA install adds; the VSIX runs on the CPU (and WebGPU/DirectML/CoreML built in). */
const SKIP_BINARIES = /providers_(cuda|tensorrt|shared)|libcudnn|libcublas|libcudart/;

function fail(msg) {
  console.error(`package: ${msg}`);
  process.exit(1);
}

function parseArgs(argv) {
  const o = { target: `${process.platform}-${process.arch}`, out: undefined, build: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (!v) fail(`${a} needs a value`);
      return v;
    };
    if (a === '--target' || a.startsWith('--target=')) o.target = val();
    else if (a === '--out' || a.startsWith('--out=')) o.out = resolve(val());
    else if (a === '--no-build') o.build = false;
    else if (a === '--help' || a === '-h') {
      console.log(`usage: node scripts/package.mjs [--target ${TARGETS.join('|')}] [--out file.vsix] [--no-build]`);
      process.exit(0);
    } else fail(`unknown argument ${a}`);
  }
  if (!TARGETS.includes(o.target)) fail(`unsupported target "${o.target}" (supported: ${TARGETS.join(', ')})`);
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const [os, arch] = opts.target.split('-');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const out = opts.out ?? join(ROOT, `${pkg.name}-${opts.target}-${pkg.version}.vsix`);

const ortDir = join(ROOT, 'node_modules', 'onnxruntime-node');
const ortCommonDir = join(ROOT, 'node_modules', 'onnxruntime-common');
const binRel = `bin/napi-v6/${os}/${arch}`;
if (!existsSync(join(ortDir, 'package.json'))) fail('node_modules/onnxruntime-node is missing: run `npm ci` first');
if (!existsSync(join(ortDir, binRel)))
  fail(`onnxruntime-node ${readJson(join(ortDir, 'package.json')).version} ships no ${os}/${arch} binaries (node_modules/onnxruntime-node/${binRel})`);

function readJson(p) {
  return JSON.parse(readFileSync(p, 'utf8'));
}

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

// 1. build
if (opts.build) run('npm', ['run', 'build'], ROOT);
for (const f of ['dist/extension.cjs', 'dist/worker.cjs', 'dist/webview.js', 'media/finetune.css', 'LICENSE', 'README.md']) {
  if (!existsSync(join(ROOT, f))) fail(`${f} is missing${f.startsWith('dist/') ? ' (npm run build)' : ''}`);
}

// 2. staging folder
const stage = mkdtempSync(join(tmpdir(), 'finetune-vsix-'));
try {
  const copy = (rel, filter) => cpSync(join(ROOT, rel), join(stage, rel), { recursive: true, ...(filter ? { filter } : {}) });
  for (const f of ['README.md', 'LICENSE']) copy(f);
  mkdirSync(join(stage, 'dist'));
  for (const f of readdirSync(join(ROOT, 'dist'))) if (/\.cjs$|^webview\.js$/.test(f)) copy(`dist/${f}`);
  copy('media');
  // the walkthrough's sample (CC BY 4.0, with its README) and the vocabulary of its preset model
  copy('examples/sms-spam');
  copy('examples/tokenizer');

  const ignore = readFileSync(join(ROOT, '.vscodeignore'), 'utf8');
  if (!ignore.includes('@OS@/@ARCH@')) fail('.vscodeignore lost its @OS@/@ARCH@ line for the native binaries');
  writeFileSync(join(stage, '.vscodeignore'), ignore.replaceAll('@OS@', os).replaceAll('@ARCH@', arch));

  const manifest = { ...pkg, dependencies: { 'onnxruntime-node': pkg.dependencies['onnxruntime-node'] } };
  delete manifest.devDependencies;
  delete manifest.scripts; // no vscode:prepublish: the build ran above
  writeFileSync(join(stage, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');

  // onnxruntime-node: its JS, this target's binaries, and a package.json without the install script's dependencies
  const ortStage = join(stage, 'node_modules', 'onnxruntime-node');
  cpSync(join(ortDir, 'dist'), join(ortStage, 'dist'), { recursive: true });
  cpSync(join(ortDir, binRel), join(ortStage, binRel), { recursive: true, filter: (src) => !SKIP_BINARIES.test(src) });
  const ortPkg = readJson(join(ortDir, 'package.json'));
  const common = ortPkg.dependencies?.['onnxruntime-common'];
  ortPkg.dependencies = common ? { 'onnxruntime-common': common } : {};
  delete ortPkg.scripts;
  delete ortPkg.devDependencies;
  writeFileSync(join(ortStage, 'package.json'), JSON.stringify(ortPkg, null, 2) + '\n');
  cpSync(join(ortCommonDir, 'package.json'), join(stage, 'node_modules', 'onnxruntime-common', 'package.json'));
  cpSync(join(ortCommonDir, 'dist', 'cjs'), join(stage, 'node_modules', 'onnxruntime-common', 'dist', 'cjs'), {
    recursive: true,
    filter: (src) => !/\.(map|d\.ts)$/.test(src),
  });

  // 3. vsce
  const vsce = join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  if (!existsSync(vsce)) fail('@vscode/vsce is not installed (npm ci)');
  mkdirSync(dirname(out), { recursive: true });
  rmSync(out, { force: true });
  run(process.execPath, [vsce, 'package', '--target', opts.target, '--out', out, '--no-yarn'], stage);
} finally {
  rmSync(stage, { recursive: true, force: true });
}

// 4. check the VSIX's contents
const names = [];
unzipSync(readFileSync(out), {
  filter: (f) => {
    names.push(f.name);
    return false;
  },
});
const files = names.filter((n) => n.startsWith('extension/')).map((n) => n.slice('extension/'.length));
const required = [
  'package.json',
  'LICENSE.txt',
  'readme.md',
  'dist/extension.cjs',
  'dist/worker.cjs',
  'dist/webview.js',
  'media/finetune.css',
  'media/finetune.svg',
  'examples/sms-spam/train.csv',
  'examples/sms-spam/README.md',
  'examples/tokenizer/vocab.txt',
  'node_modules/onnxruntime-node/package.json',
  'node_modules/onnxruntime-node/dist/index.js',
  `node_modules/onnxruntime-node/${binRel}/onnxruntime_binding.node`,
  'node_modules/onnxruntime-common/package.json',
  'node_modules/onnxruntime-common/dist/cjs/index.js',
];
const missing = required.filter((f) => !files.includes(f));
const bins = new Set(files.filter((f) => f.startsWith('node_modules/onnxruntime-node/bin/')).map((f) => f.split('/').slice(3, 6).join('/')));
const stray = files.filter(
  (f) =>
    /^(src|test|webview|scripts|bench|out|scratch)\//.test(f) ||
    (/^examples\//.test(f) && !/^examples\/(sms-spam|tokenizer)\//.test(f)) ||
    /\.(ts|map)$/.test(f) ||
    (f.startsWith('node_modules/') && !/^node_modules\/onnxruntime-(node|common)\//.test(f)),
);
const problems = [
  ...missing.map((f) => `missing ${f}`),
  ...(bins.size !== 1 || !bins.has(`napi-v6/${os}/${arch}`) ? [`expected only napi-v6/${os}/${arch} binaries, found: ${[...bins].join(', ') || 'none'}`] : []),
  ...stray.slice(0, 20).map((f) => `unexpected ${f}`),
];
if (problems.length) fail(`${out} is not right:\n  ${problems.join('\n  ')}`);

const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;
console.log(`\n${out}`);
console.log(`  ${opts.target}, ${mb(statSync(out).size)}, ${files.length} files (${[...bins][0]} binaries; no src/, test/, maps)`);
