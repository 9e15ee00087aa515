/**
 * The static demo Space (`renderSpaceTemplate({ template: 'static' })`) in a real Chromium, offline:
 * a loopback server (127.0.0.1, ephemeral port) serves the rendered page at `/space/`, the
 * Transformers.js browser bundle (what jsDelivr serves for the package: `dist/transformers.min.js`)
 * and ONNX Runtime Web's WASM files at `/lib/`, and a model folder written by `exportModel` at
 * `/<org>/<name>/resolve/main/<file>` (the Hub's URL shape, what `env.remoteHost` points at).
 * Every request to anything but that server is aborted and recorded: the page must load, classify
 * a sentence and agree with Finetune's own prediction without them.
 *
 * Chromium: $CHROMIUM or /usr/bin/chromium (Debian's `chromium` package).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { exportModel } from '../../../src/core/export/index.js';
import { renderSpaceTemplate, type SpaceFile } from '../../../src/core/hub/space-template.js';
import { createModel } from '../../../src/core/model/presets.js';
import { Tokenizer } from '../../../src/core/tokenizer/index.js';
import { Predictor, type LabelScore } from '../../../src/core/predict/predictor.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const OUTPUT = join(ROOT, '.test-output', 'space');
const REPO = 'finetune-test/sentiment-tiny';
const TEXT = 'The food was wonderful and the delivery was quick.';
/** What /lib/ serves: name → file on disk. */
const LIB: Record<string, string> = {
  'transformers.min.js': join(ROOT, 'node_modules/@huggingface/transformers/dist/transformers.min.js'),
};
const ORT_DIST = join(ROOT, 'node_modules/onnxruntime-web/dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** A file under `base` (no escaping it), or undefined. */
async function fileUnder(base: string, rel: string): Promise<string | undefined> {
  const p = resolve(base, rel);
  if (p !== base && !p.startsWith(base + sep)) return undefined;
  try {
    return (await stat(p)).isFile() ? p : undefined;
  } catch {
    return undefined;
  }
}

describe('static Space: Transformers.js in Chromium on an exported model, offline', () => {
  let tmp = '';
  let modelDir = '';
  let server: http.Server;
  let origin = '';
  let browser: Browser;
  let ours: LabelScore[] = [];
  let labels: string[] = [];
  let spaceFiles = new Map<string, SpaceFile>();
  /** Paths the server answered (status + path), in order. */
  const served: string[] = [];

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'finetune-space-'));
    modelDir = join(tmp, 'model');
    const tok = await Tokenizer.fromFolder(join(ROOT, 'test/fixtures/tokenizers/bert-base-uncased'));
    const model = createModel({ preset: 'bert-tiny', vocabSize: tok.vocabSize, labels: ['negative', 'positive'], seed: 7 });
    await exportModel(modelDir, {
      config: model.config,
      weights: model.weights,
      tokenizerFiles: tok.saveFiles(),
      card: { baseModel: 'bert-tiny (random init)' },
    });

    const predictor = await Predictor.load(modelDir, { threads: 1 });
    try {
      labels = predictor.labels;
      ours = (await predictor.predict([TEXT]))[0]!;
    } finally {
      await predictor.dispose();
    }

    server = http.createServer((req, res) => {
      void (async () => {
        const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
        const send = (status: number, type: string, body: string | Buffer): void => {
          served.push(`${status} ${path}`);
          res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'access-control-allow-origin': '*' });
          res.end(body);
        };
        const sendFile = async (file: string | undefined): Promise<void> => {
          if (!file) return send(404, 'text/plain', 'not found');
          send(200, TYPES[extname(file)] ?? 'application/octet-stream', await readFile(file));
        };
        try {
          const space = /^\/space\/(.+)$/.exec(path);
          if (space) {
            const f = spaceFiles.get(space[1]!);
            return f ? send(200, TYPES[extname(f.path)] ?? 'text/plain', f.content) : send(404, 'text/plain', 'not found');
          }
          const ort = /^\/lib\/ort\/([\w.-]+\.(?:wasm|mjs))$/.exec(path);
          if (ort) return await sendFile(await fileUnder(ORT_DIST, ort[1]!));
          const lib = /^\/lib\/([\w.-]+)$/.exec(path);
          if (lib) return await sendFile(LIB[lib[1]!]);
          const prefix = `/${REPO}/resolve/main/`;
          if (path.startsWith(prefix)) return await sendFile(await fileUnder(modelDir, path.slice(prefix.length)));
          send(404, 'text/plain', 'not found');
        } catch (err) {
          send(500, 'text/plain', String(err));
        }
      })();
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const files = renderSpaceTemplate({
      template: 'static',
      modelRepoId: REPO,
      transformersJsUrl: `${origin}/lib/transformers.min.js`,
      remoteHost: `${origin}/`,
      ortWasmPaths: `${origin}/lib/ort/`,
      examples: ['I loved it.', 'Never again.'],
      // as deploySpace finds on the Hub: this model has none (the page must not ask for it)
      calibration: existsSync(join(modelDir, 'calibration.json')),
    });
    spaceFiles = new Map(files.map((f) => [f.path, f]));

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
    });
  });

  after(async () => {
    await browser?.close();
    if (server) await new Promise<void>((ok) => server.close(() => ok()));
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('loads the model from the loopback server only and classifies a sentence like Finetune does', async () => {
    const context = await browser.newContext({ viewport: { width: 900, height: 700 }, deviceScaleFactor: 1 });
    const blocked: string[] = [];
    const problems: string[] = [];
    try {
      await context.route('**', (route) => {
        const url = new URL(route.request().url());
        if (url.origin === origin) return route.continue();
        blocked.push(route.request().url());
        return route.abort('blockedbyclient');
      });
      const page = await context.newPage();
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
      });

      await page.goto(`${origin}/space/index.html`);
      await page.waitForSelector('body[data-state="ready"], body[data-state="error"]', { timeout: 45_000 });
      const status = async (): Promise<string> => (await page.locator('#status').textContent()) ?? '';
      assert.equal(
        await page.getAttribute('body', 'data-state'),
        'ready',
        `page state: ${await status()}\n${problems.join('\n')}\nblocked: ${blocked.join(', ')}`,
      );
      assert.equal(await page.locator('#classify').isDisabled(), false);
      assert.deepEqual(await page.locator('#examples button').allTextContents(), ['I loved it.', 'Never again.']);

      await page.locator('#text').fill(TEXT);
      await page.locator('#classify').click();
      await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: 15_000 });
      assert.equal(await page.getAttribute('body', 'data-state'), 'done', `page state: ${await status()}`);

      const rowLabels = await page.locator('#result .row .label').allTextContents();
      const rowScores = await page.locator('#result .row .score').allTextContents();
      mkdirSync(OUTPUT, { recursive: true });
      await page.screenshot({ path: join(OUTPUT, 'static-space.png'), fullPage: true });

      // Every label of the model's id2label, best first, each with a percentage in (0, 100].
      assert.deepEqual([...rowLabels].sort(), [...labels].sort());
      assert.equal(rowScores.length, labels.length);
      const shown = rowScores.map((s) => {
        const m = /^(\d{1,3}\.\d)%$/.exec(s);
        assert.ok(m, `score text "${s}"`);
        return Number(m[1]) / 100;
      });
      for (const s of shown) assert.ok(s > 0 && s <= 1, `score ${s} in (0, 1]`);
      assert.ok(Math.abs(shown.reduce((a, s) => a + s, 0) - 1) <= 0.0011, `scores add up to 100%: ${rowScores.join(' + ')}`);
      for (let i = 1; i < shown.length; i++) assert.ok(shown[i - 1]! >= shown[i]!, 'best first');

      // The same answer as Finetune's own inference (the page shows one decimal of a percentage: ±0.0005).
      assert.equal(rowLabels[0], ours[0]!.label, `top label: page ${rowLabels[0]}, Finetune ${ours[0]!.label} (${JSON.stringify(ours)})`);
      for (const [i, label] of rowLabels.entries()) {
        const expected = ours.find((o) => o.label === label)!.score;
        assert.ok(Math.abs(shown[i]! - expected) <= 1e-3, `${label}: page ${rowScores[i]}, Finetune ${expected}`);
      }

      // Offline: nothing but the loopback server was asked for, and the model came from it.
      assert.deepEqual(blocked, [], 'requests outside the loopback server');
      assert.deepEqual(problems, [], `served: ${served.join(', ')}`);
      for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']) {
        assert.ok(served.includes(`200 /${REPO}/resolve/main/${f}`), `${f} served (${served.join(', ')})`);
      }
      assert.ok(
        served.some((s) => /^200 \/lib\/ort\/.*\.wasm$/.test(s)),
        `ORT wasm served from /lib/ort/ (${served.join(', ')})`,
      );
    } finally {
      await context.close();
    }
  });
});
