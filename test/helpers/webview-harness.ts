/**
 * Runs the webview pages in a real Chromium, as VS Code would host them.
 *
 * - builds webview/main.ts with esbuild in memory (the same options as scripts/build.mjs);
 * - serves each page over a loopback HTTP server (127.0.0.1, ephemeral port) with the host's
 *   strict CSP (`default-src 'none'`, nonce'd module script, `style-src cspSource 'unsafe-inline'`),
 *   media/finetune.css and the `--vscode-*` theme variables on <html style>;
 * - injects a fake `acquireVsCodeApi()` that records every posted message and keeps setState()
 *   across reloads (sessionStorage), and delivers host messages with `window.postMessage(msg, '*')`
 *   as VS Code does;
 * - collects CSP violations, page errors, console errors and failed requests: `assertClean()`.
 *
 * Chromium: $CHROMIUM or /usr/bin/chromium (Debian's `chromium` package).
 */
import { mkdir } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { HostMessage, PageKind, ViewMessage } from '../../src/protocol/webview.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const TEST_OUTPUT = join(ROOT, '.test-output', 'webview');

export type Theme = 'dark' | 'light' | 'high-contrast';

/** A subset of the variables VS Code sets on a webview's <html> (Dark Modern / Light Modern / Dark High Contrast). */
const DARK: Record<string, string> = {
  'font-family': '-apple-system, BlinkMacSystemFont, "Segoe WPC", "Segoe UI", "Ubuntu", "Droid Sans", sans-serif',
  'font-size': '13px',
  'font-weight': 'normal',
  'editor-font-family': '"Droid Sans Mono", "monospace", monospace',
  'editor-font-size': '13px',
  foreground: '#cccccc',
  descriptionForeground: '#9d9d9d',
  errorForeground: '#f85149',
  'editor-background': '#1f1f1f',
  'sideBar-background': '#181818',
  'sideBarSectionHeader-foreground': '#cccccc',
  'editorWarning-foreground': '#cca700',
  'textLink-foreground': '#4daafc',
  'textLink-activeForeground': '#4daafc',
  focusBorder: '#0078d4',
  'widget-border': '#313131',
  'panel-border': '#2b2b2b',
  'button-background': '#0078d4',
  'button-foreground': '#ffffff',
  'button-hoverBackground': '#026ec1',
  'button-border': '#ffffff12',
  'button-secondaryBackground': '#313131',
  'button-secondaryForeground': '#cccccc',
  'button-secondaryHoverBackground': '#3c3c3c',
  'input-background': '#313131',
  'input-foreground': '#cccccc',
  'input-border': '#3c3c3c',
  'input-placeholderForeground': '#989898',
  'dropdown-background': '#313131',
  'dropdown-foreground': '#cccccc',
  'dropdown-border': '#3c3c3c',
  'settings-dropdownBackground': '#313131',
  'settings-dropdownForeground': '#cccccc',
  'settings-dropdownBorder': '#3c3c3c',
  'settings-dropdownListBorder': '#454545',
  'settings-checkboxBackground': '#313131',
  'settings-checkboxBorder': '#3c3c3c',
  'settings-textInputBackground': '#313131',
  'settings-textInputForeground': '#cccccc',
  'settings-textInputBorder': '#3c3c3c',
  'settings-checkboxForeground': '#cccccc',
  'checkbox-background': '#313131',
  'checkbox-foreground': '#cccccc',
  'inputValidation-errorBackground': '#5a1d1d',
  'inputValidation-errorBorder': '#be1100',
  'list-highlightForeground': '#2aaaff',
  'list-focusHighlightForeground': '#2aaaff',
  'list-hoverForeground': '#ffffff',
  'editorWidget-border': '#454545',
  'widget-shadow': 'rgba(0, 0, 0, 0.36)',
  'checkbox-border': '#3c3c3c',
  'badge-background': '#616161',
  'badge-foreground': '#f8f8f8',
  'progressBar-background': '#0078d4',
  'list-hoverBackground': '#2a2d2e',
  'list-activeSelectionBackground': '#04395e',
  'list-activeSelectionForeground': '#ffffff',
  'list-inactiveSelectionBackground': '#37373d',
  'list-focusOutline': '#0078d4',
  'textCodeBlock-background': '#2b2b2b',
  'icon-foreground': '#cccccc',
  'charts-foreground': '#cccccc',
  'charts-lines': 'rgba(204, 204, 204, 0.5)',
  'charts-red': '#f14c4c',
  'charts-blue': '#3794ff',
  'charts-yellow': '#cca700',
  'charts-orange': '#d18616',
  'charts-green': '#89d185',
  'charts-purple': '#b180d7',
};

/** Dark High Contrast over Dark Modern: black and white, borders in its blue and orange. */
const HIGH_CONTRAST: Record<string, string> = {
  foreground: '#ffffff',
  descriptionForeground: '#ffffff',
  disabledForeground: '#a5a5a5',
  'editor-background': '#000000',
  'sideBar-background': '#000000',
  contrastBorder: '#6fc3df',
  contrastActiveBorder: '#f38518',
  focusBorder: '#f38518',
  'widget-border': '#6fc3df',
  'input-background': '#000000',
  'input-border': '#6fc3df',
  'button-background': '#000000',
  'button-border': '#6fc3df',
  'list-inactiveSelectionBackground': '#000000',
  'charts-foreground': '#ffffff',
  'charts-blue': '#3794ff',
  'charts-orange': '#d18616',
};

export const THEMES: Record<Theme, Record<string, string>> = {
  dark: DARK,
  'high-contrast': { ...DARK, ...HIGH_CONTRAST },
  light: {
    'font-family': '-apple-system, BlinkMacSystemFont, "Segoe WPC", "Segoe UI", "Ubuntu", "Droid Sans", sans-serif',
    'font-size': '13px',
    'font-weight': 'normal',
    'editor-font-family': '"Droid Sans Mono", "monospace", monospace',
    'editor-font-size': '13px',
    foreground: '#3b3b3b',
    descriptionForeground: '#717171',
    errorForeground: '#f85149',
    'editor-background': '#ffffff',
    'sideBar-background': '#f8f8f8',
    'sideBarSectionHeader-foreground': '#3b3b3b',
    'editorWarning-foreground': '#bf8803',
    'textLink-foreground': '#005fb8',
    'textLink-activeForeground': '#005fb8',
    focusBorder: '#005fb8',
    'widget-border': '#e5e5e5',
    'panel-border': '#e5e5e5',
    'button-background': '#005fb8',
    'button-foreground': '#ffffff',
    'button-hoverBackground': '#0258a8',
    'button-secondaryBackground': '#e5e5e5',
    'button-secondaryForeground': '#3b3b3b',
    'input-background': '#ffffff',
    'input-foreground': '#3b3b3b',
    'input-border': '#cecece',
    'settings-dropdownBackground': '#ffffff',
    'settings-dropdownForeground': '#3b3b3b',
    'settings-dropdownBorder': '#cecece',
    'settings-checkboxBackground': '#f8f8f8',
    'settings-dropdownListBorder': '#cecece',
    'settings-checkboxBorder': '#cecece',
    'settings-checkboxForeground': '#3b3b3b',
    'settings-textInputBackground': '#ffffff',
    'settings-textInputForeground': '#3b3b3b',
    'settings-textInputBorder': '#cecece',
    'checkbox-background': '#f8f8f8',
    'checkbox-border': '#cecece',
    'checkbox-foreground': '#3b3b3b',
    'input-placeholderForeground': '#767676',
    'button-secondaryHoverBackground': '#cccccc',
    'button-border': '#0000001a',
    'inputValidation-errorBackground': '#f2dede',
    'inputValidation-errorBorder': '#be1100',
    'list-activeSelectionBackground': '#e8e8e8',
    'list-activeSelectionForeground': '#000000',
    'list-focusOutline': '#005fb8',
    'list-highlightForeground': '#0066bf',
    'list-focusHighlightForeground': '#0066bf',
    'list-hoverForeground': '#000000',
    'editorWidget-border': '#c8c8c8',
    'widget-shadow': 'rgba(0, 0, 0, 0.16)',
    'icon-foreground': '#3b3b3b',
    'badge-background': '#cccccc',
    'badge-foreground': '#3b3b3b',
    'progressBar-background': '#005fb8',
    'list-hoverBackground': '#f2f2f2',
    'list-inactiveSelectionBackground': '#e4e6f1',
    'textCodeBlock-background': '#f8f8f8',
    'charts-foreground': '#3b3b3b',
    'charts-lines': 'rgba(59, 59, 59, 0.5)',
    'charts-red': '#e51400',
    'charts-blue': '#1a85ff',
    'charts-yellow': '#bf8803',
    'charts-orange': '#d18616',
    'charts-green': '#388a34',
    'charts-purple': '#652d90',
  },
};

/** The CSP the extension host puts on every webview (src/extension builds the same string). */
export function webviewCsp(cspSource: string, nonce: string): string {
  return `default-src 'none'; img-src ${cspSource} data:; style-src ${cspSource} 'unsafe-inline'; font-src ${cspSource}; script-src 'nonce-${nonce}';`;
}

function pageHtml(page: PageKind, origin: string, theme: Theme): string {
  const nonce = randomBytes(16).toString('base64');
  const vars = Object.entries(THEMES[theme])
    .map(([k, v]) => `--vscode-${k}: ${v.replace(/"/g, '&quot;')};`)
    .join(' ');
  const bg = page === 'sidebar' ? 'var(--vscode-sideBar-background)' : 'var(--vscode-editor-background)';
  return `<!DOCTYPE html>
<html lang="en" style="${vars} background-color: ${bg};">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${webviewCsp(origin, nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${origin}/media/finetune.css">
<title>Finetune ${page}</title>
</head>
<body class="vscode-${theme}" data-page="${page}">
<script type="module" nonce="${nonce}" src="${origin}/dist/webview.js"></script>
</body>
</html>`;
}

/** Installed before any page script: the fake VS Code API and the CSP violation log. */
const INIT_SCRIPT = `(() => {
  const posted = [];
  const csp = [];
  let acquired = false;
  Object.defineProperty(window, '__posted', { value: posted });
  Object.defineProperty(window, '__csp', { value: csp });
  document.addEventListener('securitypolicyviolation', (e) => csp.push(e.violatedDirective + ' ' + (e.blockedURI || '(inline)') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
    acquired = true;
    return Object.freeze({
      postMessage: (m) => { posted.push(JSON.parse(JSON.stringify(m))); },
      getState: () => { const s = sessionStorage.getItem('vscode-state'); return s === null ? undefined : JSON.parse(s); },
      setState: (s) => { sessionStorage.setItem('vscode-state', JSON.stringify(s)); return s; },
    });
  };
})();`;

let bundle: Promise<string> | undefined;

/** dist/webview.js, built in memory once per test process. */
export function webviewBundle(): Promise<string> {
  bundle ??= build({
    entryPoints: [join(ROOT, 'webview/main.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  }).then((r) => r.outputFiles[0]!.text);
  return bundle;
}

export interface OpenOptions {
  theme?: Theme;
  viewport?: { width: number; height: number };
}

interface Win {
  __posted: ViewMessage[];
  __csp: string[];
  __finetune?: { charts: Record<string, ChartLike | undefined> };
  postMessage(m: unknown, target: string): void;
}

interface ChartLike {
  data: { labels?: unknown[]; datasets: { label?: string; data: unknown[]; borderDash?: number[] }[] };
  getDatasetMeta(i: number): { data: unknown[] };
}

export interface ChartSnapshot {
  labels: unknown[];
  datasets: { label: string; data: unknown[]; dashed: boolean; drawn: number }[];
}

export class WebviewHarness {
  private constructor(
    private readonly server: http.Server,
    readonly origin: string,
    private readonly browser: Browser,
  ) {}

  static async start(): Promise<WebviewHarness> {
    const js = await webviewBundle();
    const server = http.createServer((req, res) => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const send = (status: number, type: string, body: string | Buffer): void => {
          res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
          res.end(body);
        };
        const m = /^\/page\/(sidebar|dashboard|dataset|predict|compare)\.html$/.exec(url.pathname);
        if (m) return send(200, 'text/html; charset=utf-8', pageHtml(m[1] as PageKind, origin, (url.searchParams.get('theme') as Theme | null) ?? 'dark'));
        if (url.pathname === '/dist/webview.js') return send(200, 'text/javascript; charset=utf-8', js);
        if (url.pathname === '/favicon.ico') return send(204, 'image/x-icon', '');
        const media = /^\/media\/([\w.-]+\.(css|svg))$/.exec(url.pathname);
        if (media) {
          try {
            return send(200, media[2] === 'css' ? 'text/css; charset=utf-8' : 'image/svg+xml', await readFile(join(ROOT, 'media', media[1]!)));
          } catch {
            return send(404, 'text/plain', 'not found');
          }
        }
        send(404, 'text/plain', 'not found');
      })();
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const browser = await chromium.launch({
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
    return new WebviewHarness(server, origin, browser);
  }

  /** Opens a page and waits for its `ready`. */
  /** Opens a page, runs `fn`, asserts the page stayed clean (no CSP violation, no error), closes it. */
  async withPage(page: PageKind, opts: OpenOptions, fn: (p: WebviewPage) => Promise<void>): Promise<void> {
    const p = await this.open(page, opts);
    try {
      await fn(p);
      await p.assertClean();
    } finally {
      await p.close();
    }
  }

  async open(page: PageKind, opts: OpenOptions = {}): Promise<WebviewPage> {
    const context = await this.browser.newContext({ viewport: opts.viewport ?? { width: 1100, height: 900 }, deviceScaleFactor: 1 });
    await context.addInitScript(INIT_SCRIPT);
    const p = await context.newPage();
    const wp = new WebviewPage(context, p, page);
    await p.goto(`${this.origin}/page/${page}.html?theme=${opts.theme ?? 'dark'}`);
    const ready = await wp.next('ready');
    if (ready.page !== page) throw new Error(`ready from ${ready.page}, expected ${page}`);
    return wp;
  }

  async close(): Promise<void> {
    await this.browser.close();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }
}

export class WebviewPage {
  /** Problems seen: CSP violations, uncaught errors, console errors, failed requests. */
  readonly problems: string[] = [];
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly context: BrowserContext,
    readonly page: Page,
    readonly kind: PageKind,
  ) {
    page.on('pageerror', (e) => this.problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') this.problems.push(`console.error: ${m.text()}`);
    });
    page.on('requestfailed', (r) => this.problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('response', (r) => {
      if (r.status() >= 400) this.problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
  }

  /** Every message the page has posted, in order. */
  posted(): Promise<ViewMessage[]> {
    return this.page.evaluate(() => (globalThis as unknown as Win).__posted);
  }

  /** The next message of `type` not returned before (waits for it). */
  async next<T extends ViewMessage['type']>(type: T, timeout = 15_000): Promise<Extract<ViewMessage, { type: T }>> {
    const n = this.seen.get(type) ?? 0;
    await this.page.waitForFunction(([t, count]) => (globalThis as unknown as Win).__posted.filter((m) => m.type === t).length > count, [type, n] as const, {
      timeout,
    });
    const all = await this.posted();
    this.seen.set(type, n + 1);
    return all.filter((m) => m.type === type)[n] as Extract<ViewMessage, { type: T }>;
  }

  /** How many messages of `type` the page has posted. */
  async count(type: ViewMessage['type']): Promise<number> {
    return (await this.posted()).filter((m) => m.type === type).length;
  }

  /** Delivers a host message as VS Code does (`window.postMessage`). */
  async send(msg: HostMessage): Promise<void> {
    await this.page.evaluate((m) => (globalThis as unknown as Win).postMessage(m, '*'), msg as unknown as Record<string, unknown>);
  }

  async respond(req: { requestId: number }, result?: unknown): Promise<void> {
    await this.send({ type: 'response', requestId: req.requestId, ok: true, result });
  }

  async fail(req: { requestId: number }, error: string): Promise<void> {
    await this.send({ type: 'response', requestId: req.requestId, ok: false, error });
  }

  /** A chart's labels, datasets (label, data, dashed) and how many points chart.js has drawn. */
  async chart(name: string): Promise<ChartSnapshot> {
    return this.page.evaluate((n) => {
      const c = (globalThis as unknown as Win).__finetune?.charts[n];
      if (!c) throw new Error(`no chart ${n}`);
      return {
        labels: [...(c.data.labels ?? [])],
        datasets: c.data.datasets.map((d, i) => ({
          label: d.label ?? '',
          data: [...d.data],
          dashed: Array.isArray(d.borderDash) && d.borderDash.length > 0,
          drawn: c.getDatasetMeta(i).data.length,
        })),
      };
    }, name);
  }

  /** Waits until chart.js has drawn `points` elements for the dataset `label` (the update ran). */
  async waitForDrawn(chart: string, label: string, points: number): Promise<void> {
    await this.page.waitForFunction(
      ([n, l, p]) => {
        const c = (globalThis as unknown as Win).__finetune?.charts[n];
        const i = c ? c.data.datasets.findIndex((d) => d.label === l) : -1;
        return !!c && i >= 0 && c.getDatasetMeta(i).data.length === p;
      },
      [chart, label, points] as const,
      { timeout: 15_000 },
    );
  }

  /** A property of the first element matching `selector` (`value`, `checked` of the vscode-elements controls). */
  async prop<T = unknown>(selector: string, name: string): Promise<T> {
    return this.page
      .locator(selector)
      .first()
      .evaluate((el, n) => (el as unknown as Record<string, unknown>)[n], name) as Promise<T>;
  }

  /** Waits until the property equals `expected` (components update asynchronously). */
  async waitForProp(selector: string, name: string, expected: string | number | boolean): Promise<void> {
    try {
      await this.page.locator(selector).first().waitFor({ state: 'attached', timeout: 15_000 });
      await this.page.waitForFunction(
        ([s, n, e]) => {
          const doc = (globalThis as unknown as { document: { querySelector(s: string): Record<string, unknown> | null } }).document;
          return doc.querySelector(s)?.[n] === e;
        },
        [selector, name, expected] as const,
        { timeout: 15_000 },
      );
    } catch (err) {
      throw new Error(
        `${selector}.${name}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(await this.prop(selector, name).catch(() => undefined))} (${(err as Error).message.split('\n')[0]})`,
      );
    }
  }

  /** The option values of a vscode-single-select. */
  async options(selector: string): Promise<string[]> {
    return this.page.locator(`${selector} > vscode-option`).evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
  }

  /** Picks an option of a vscode-single-select the way a person does: open the list, click the option. */
  async choose(selector: string, optionLabel: string): Promise<void> {
    await this.page.locator(selector).click();
    await this.page.locator(selector).getByRole('option', { name: optionLabel, exact: true }).click();
  }

  /** The text of every element matching `selector`. */
  texts(selector: string): Promise<string[]> {
    return this.page.locator(selector).allTextContents();
  }

  async screenshot(name: string): Promise<string> {
    await mkdir(TEST_OUTPUT, { recursive: true });
    const path = join(TEST_OUTPUT, `${name}.png`);
    await this.page.screenshot({ path, fullPage: true });
    return path;
  }

  /** Throws when the page hit a CSP violation, an uncaught error, a console error or a failed request. */
  async assertClean(): Promise<void> {
    const csp = await this.page.evaluate(() => (globalThis as unknown as Win).__csp);
    const all = [...csp.map((c) => `CSP violation: ${c}`), ...this.problems];
    if (all.length) throw new Error(`${this.kind} page problems:\n${all.join('\n')}`);
  }

  async reload(): Promise<void> {
    this.seen.clear();
    await this.page.reload();
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
