/**
 * The demo Space templates, as a pure function: options in, files out. Nothing here touches the
 * network or the file system, so a test can render the static page with its module URL and model
 * host pointed at a local server and open it in a browser.
 *
 * - `gradio`: app.py runs `transformers.pipeline("text-classification", model=REPO)` behind a
 *   Textbox → Label interface; requirements.txt adds transformers + torch (the SDK brings gradio).
 * - `static`: index.html imports Transformers.js from jsDelivr and runs
 *   `pipeline('text-classification', REPO)` in the browser on the repo's `onnx/` export.
 *
 * Both read the model repo's calibration.json when it has one (core/predict/calibration.ts) and
 * apply it as Finetune's predictor does: the temperature to the scores (Gradio: on the raw logits;
 * the page: p^(1/T) renormalised, which is softmax(z / T), or sigmoid(logit(p) / T) per label), the
 * multi-label thresholds and the abstain rule to the decision shown under the scores.
 */
import { HubError } from './errors.js';
import { validateRepoId } from './paths.js';

export type SpaceTemplate = 'gradio' | 'static';

/** The colours the Hub accepts for `colorFrom` / `colorTo`. */
export const SPACE_COLORS = ['red', 'yellow', 'green', 'blue', 'indigo', 'purple', 'pink', 'gray'] as const;
export type SpaceColor = (typeof SPACE_COLORS)[number];

/** Gradio 5.x release pinned in `sdk_version`. */
export const GRADIO_VERSION = '5.49.1';
/** Transformers.js version the static page imports (the one this project builds against). */
export const TRANSFORMERS_JS_VERSION = '4.3.1';
export const TRANSFORMERS_JS_URL = `https://cdn.jsdelivr.net/npm/@huggingface/transformers@${TRANSFORMERS_JS_VERSION}`;

/** Transformers.js `dtype`: which file of `onnx/` the page loads (fp32 → model.onnx, q8 → model_quantized.onnx, ...). */
export type TransformersJsDtype = 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4' | 'bnb4' | 'q4f16';

export interface SpaceTemplateOptions {
  template: SpaceTemplate;
  /** The model repo the demo runs, `namespace/name`. */
  modelRepoId: string;
  /** Space title (default "<model name> demo"). */
  title?: string;
  /** One emoji (default 🤗). */
  emoji?: string;
  colorFrom?: SpaceColor;
  colorTo?: SpaceColor;
  /** A sentence under the title (default: what the demo does). */
  description?: string;
  /** Example inputs shown in the demo. */
  examples?: string[];
  /** Model revision (default main). */
  revision?: string;
  /** Hub base URL, for links in the page and the README (default https://huggingface.co). */
  endpoint?: string;
  /** Gradio: the `sdk_version` (default GRADIO_VERSION). */
  gradioVersion?: string;
  /** Static: the Transformers.js module URL (default jsDelivr, version TRANSFORMERS_JS_VERSION). */
  transformersJsUrl?: string;
  /** Static: Transformers.js `env.remoteHost`, where the model files are fetched (default: the library's, huggingface.co). */
  remoteHost?: string;
  /** Static: which ONNX file to load (default fp32 = onnx/model.onnx). */
  dtype?: TransformersJsDtype;
  /**
   * Static: where ONNX Runtime Web's `.wasm` / `.mjs` files are fetched, a URL prefix ending in `/`
   * (`env.backends.onnx.wasm.wasmPaths`; default: the library's, jsDelivr's onnxruntime-web dist/).
   */
  ortWasmPaths?: string;
  /**
   * Static: whether the model repo has a calibration.json. false: the page does not ask for one (a
   * missing file would be a 404 in the browser's console); undefined: the page asks and does without.
   */
  calibration?: boolean;
}

export interface SpaceFile {
  path: string;
  content: string;
}

function yamlString(value: string): string {
  // A JSON string is a valid YAML double-quoted scalar.
  return JSON.stringify(value);
}

/** JSON safe to put inside a <script> element (no `</script>`, no `<!--`, no line separators). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** A Python string literal (JSON's escapes are a subset of Python's). */
function pyString(value: string): string {
  return JSON.stringify(value);
}

function checkUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new HubError('invalid-argument', `${what} "${value}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new HubError('invalid-argument', `${what} must be an http(s) URL`);
  return value;
}

interface Resolved {
  template: SpaceTemplate;
  repo: string;
  title: string;
  emoji: string;
  colorFrom: SpaceColor;
  colorTo: SpaceColor;
  description: string;
  examples: string[];
  revision: string;
  modelUrl: string;
}

function resolve(o: SpaceTemplateOptions): Resolved {
  if (o.template !== 'gradio' && o.template !== 'static') {
    throw new HubError('invalid-argument', `unknown Space template "${String(o.template)}": use gradio or static`);
  }
  const repo = validateRepoId(o.modelRepoId);
  for (const [key, c] of [
    ['colorFrom', o.colorFrom],
    ['colorTo', o.colorTo],
  ] as const) {
    if (c !== undefined && !(SPACE_COLORS as readonly string[]).includes(c)) {
      throw new HubError('invalid-argument', `${key} "${c}" is not a Space colour: use one of ${SPACE_COLORS.join(', ')}`);
    }
  }
  const name = repo.split('/').pop() ?? repo;
  const title = (o.title ?? `${name} demo`).replace(/[\r\n]+/g, ' ').trim() || `${name} demo`;
  const endpoint = checkUrl(o.endpoint ?? 'https://huggingface.co', 'endpoint').replace(/\/+$/, '');
  return {
    template: o.template,
    repo,
    title,
    emoji: (o.emoji ?? '🤗').replace(/[\r\n]+/g, '').trim() || '🤗',
    colorFrom: o.colorFrom ?? 'blue',
    colorTo: o.colorTo ?? 'indigo',
    description: o.description ?? `Text classification with ${repo}.`,
    examples: o.examples ?? [],
    revision: o.revision ?? 'main',
    modelUrl: `${endpoint}/${repo}`,
  };
}

function readme(r: Resolved, sdkLines: string[], body: string): string {
  return [
    '---',
    `title: ${yamlString(r.title)}`,
    `emoji: ${yamlString(r.emoji)}`,
    `colorFrom: ${r.colorFrom}`,
    `colorTo: ${r.colorTo}`,
    ...sdkLines,
    'pinned: false',
    'models:',
    `- ${r.repo}`,
    '---',
    '',
    `# ${r.title}`,
    '',
    body,
    '',
  ].join('\n');
}

/** app.py's calibration.json reader and its application (a Python fragment; __REVISION__ is the hf_hub_download revision argument). */
const GRADIO_CALIBRATION_PY = `def load_calibration():
    """calibration.json written by Finetune: temperature, multi-label thresholds, abstain rule (or None)."""
    try:
        with open(hf_hub_download(MODEL_ID, "calibration.json"__REVISION__), encoding="utf-8") as f:
            return json.load(f)
    except Exception:
        return None


CALIBRATION = load_calibration()


def calibrated(scores):
    """Label -> probability: the pipeline's, or softmax / sigmoid of the raw logits divided by the temperature."""
    if CALIBRATION is None:
        return {item["label"]: float(item["score"]) for item in scores}
    t = float(CALIBRATION["temperature"])
    z = {item["label"]: float(item["score"]) / t for item in scores}
    if CALIBRATION.get("problem_type") == "multi_label_classification":
        return {label: 1.0 / (1.0 + math.exp(-v)) for label, v in z.items()}
    m = max(z.values())
    e = {label: math.exp(v - m) for label, v in z.items()}
    s = sum(e.values())
    return {label: v / s for label, v in e.items()}


def decision(probs):
    """What the model answers: the top label, the labels above their thresholds, or an abstention."""
    if not probs:
        return ""
    cal = CALIBRATION or {}
    if cal.get("problem_type") == "multi_label_classification":
        on = [label for label, p in probs.items() if p > cal.get("thresholds", {}).get(label, 0.5)]
        return ", ".join(on) or "(no label above its threshold)"
    label, p = max(probs.items(), key=lambda kv: kv[1])
    abstain = cal.get("abstain")
    if abstain and p < abstain["threshold"]:
        return f"abstained: confidence {p:.3f} is below {abstain['threshold']:.3f}"
    return label`;

function gradioFiles(r: Resolved, o: SpaceTemplateOptions): SpaceFile[] {
  const version = o.gradioVersion ?? GRADIO_VERSION;
  if (!/^5\.\d+\.\d+$/.test(version)) throw new HubError('invalid-argument', `gradioVersion "${version}" is not a Gradio 5.x.y version`);
  const revisionArg = r.revision === 'main' ? '' : `, revision=${pyString(r.revision)}`;
  const GRADIO_CALIBRATION = GRADIO_CALIBRATION_PY.replace('__REVISION__', revisionArg);
  const app = `"""Text classification demo for ${r.repo.replace(/"/g, '')}, made with Finetune."""
import json
import math

import gradio as gr
from huggingface_hub import hf_hub_download
from transformers import pipeline

MODEL_ID = ${pyString(r.repo)}
TITLE = ${pyString(r.title)}
DESCRIPTION = ${pyString(r.description)}
EXAMPLES = [${r.examples.map(pyString).join(', ')}]

classifier = pipeline("text-classification", model=MODEL_ID${revisionArg})


${GRADIO_CALIBRATION}

def classify(text):
    text = (text or "").strip()
    if not text:
        return {}, ""
    options = {} if CALIBRATION is None else {"function_to_apply": "none"}
    scores = classifier(text, top_k=None, truncation=True, **options)
    if scores and isinstance(scores[0], list):
        scores = scores[0]
    probs = calibrated(scores)
    return probs, decision(probs)


demo = gr.Interface(
    fn=classify,
    inputs=gr.Textbox(label="Text", lines=3, placeholder="Type a sentence to classify"),
    outputs=[gr.Label(label="Prediction", num_top_classes=5), gr.Textbox(label="Decision")],
    title=TITLE,
    description=DESCRIPTION,
    examples=[[e] for e in EXAMPLES] or None,
    flagging_mode="never",
)

if __name__ == "__main__":
    demo.launch()
`;
  const body =
    `A [Gradio](https://gradio.app) demo of the text classifier [${r.repo}](${r.modelUrl}): ` +
    '`transformers.pipeline("text-classification")` behind a text box.\n\n' +
    'If the model repo is private, add a secret named `HF_TOKEN` with read access to this Space.';
  return [
    { path: 'README.md', content: readme(r, ['sdk: gradio', `sdk_version: ${version}`, 'app_file: app.py'], body) },
    { path: 'app.py', content: app },
    { path: 'requirements.txt', content: 'transformers>=4.40\ntorch\n' },
  ];
}

/** The static page's calibration.json reader and its application to the pipeline's scores (a browser-module fragment). */
const PAGE_CALIBRATION_JS = `// calibration.json (Finetune): the temperature, multi-label thresholds and abstain rule, when the repo has one.
let calibration = null;
try {
  if (CONFIG.calibrationUrl) {
    const res = await fetch(CONFIG.calibrationUrl);
    if (res.ok) calibration = await res.json();
  }
} catch (err) {
  calibration = null;
}
const multiLabel = calibration && calibration.problem_type === 'multi_label_classification';

// softmax(z / T) from softmax(z): p^(1/T) renormalised; per label sigmoid(logit(p) / T).
function calibrate(scores) {
  if (!calibration) return scores;
  const t = calibration.temperature;
  const clamp = (p) => Math.min(1 - 1e-7, Math.max(1e-7, p));
  if (multiLabel) return scores.map(({ label, score }) => ({ label, score: 1 / (1 + Math.exp(-Math.log(clamp(score) / (1 - clamp(score))) / t)) }));
  const logs = scores.map(({ score }) => Math.log(clamp(score)) / t);
  const m = Math.max(...logs);
  const e = logs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return scores.map(({ label }, i) => ({ label, score: e[i] / s })).sort((a, b) => b.score - a.score);
}

function decide(scores) {
  if (!scores.length) return '';
  if (multiLabel) {
    const on = scores.filter(({ label, score }) => score > ((calibration.thresholds || {})[label] ?? 0.5)).map(({ label }) => label);
    return on.length ? 'Labels: ' + on.join(', ') : 'No label above its threshold.';
  }
  const top = scores[0];
  const abstain = calibration && calibration.abstain;
  if (abstain && top.score < abstain.threshold) return 'Abstained: confidence ' + top.score.toFixed(3) + ' is below ' + abstain.threshold.toFixed(3) + '.';
  return 'Prediction: ' + top.label;
}`;

/** The static page's style sheet. */
const PAGE_STYLE = `  body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 42rem; margin: 2rem auto; padding: 0 1rem; color: #1f2937; }
  textarea { width: 100%; min-height: 6rem; box-sizing: border-box; padding: .5rem; font: inherit; }
  button { margin-top: .5rem; padding: .5rem 1.25rem; font: inherit; cursor: pointer; }
  #status { color: #6b7280; }
  .row { display: flex; justify-content: space-between; margin-top: .5rem; }
  .bar { height: .5rem; background: #e5e7eb; border-radius: .25rem; }
  .bar > span { display: block; height: 100%; background: #6366f1; border-radius: .25rem; }
  .examples button { margin: .25rem .25rem 0 0; padding: .25rem .75rem; }
`;

/** The static page's module after its imports and CONFIG: examples, calibration, rendering, the pipeline. */
const PAGE_APP_JS = `const input = document.getElementById('text');
const button = document.getElementById('classify');
const status = document.getElementById('status');
const result = document.getElementById('result');

for (const example of CONFIG.examples) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = example;
  b.addEventListener('click', () => { input.value = example; });
  document.getElementById('examples').append(b);
}

${PAGE_CALIBRATION_JS}
function render(scores) {
  document.getElementById('decision').textContent = decide(scores);
  result.replaceChildren();
  for (const { label, score } of scores) {
    const row = document.createElement('div');
    row.className = 'row';
    const name = document.createElement('span');
    name.className = 'label';
    name.textContent = label;
    const value = document.createElement('span');
    value.className = 'score';
    value.textContent = (score * 100).toFixed(1) + '%';
    row.append(name, value);
    const bar = document.createElement('div');
    bar.className = 'bar';
    const fill = document.createElement('span');
    fill.style.width = (score * 100).toFixed(1) + '%';
    bar.append(fill);
    result.append(row, bar);
  }
}

try {
  const classifier = await pipeline('text-classification', CONFIG.model, {
    revision: CONFIG.revision,
    dtype: CONFIG.dtype,
    progress_callback: (p) => {
      if (p.status === 'progress' && p.total) status.textContent = 'Loading ' + p.file + '… ' + Math.round(p.progress) + '%';
    },
  });
  async function classify() {
    const text = input.value.trim();
    if (!text) return;
    button.disabled = true;
    document.body.dataset.state = 'running';
    status.textContent = 'Classifying…';
    try {
      render(calibrate(await classifier(text, { top_k: null })));
      status.textContent = 'Done.';
      document.body.dataset.state = 'done';
    } catch (err) {
      status.textContent = 'Error: ' + (err && err.message ? err.message : err);
      document.body.dataset.state = 'error';
    } finally {
      button.disabled = false;
    }
  }
  button.addEventListener('click', classify);
  button.disabled = false;
  status.textContent = 'Ready.';
  document.body.dataset.state = 'ready';
} catch (err) {
  status.textContent = 'Could not load the model: ' + (err && err.message ? err.message : err);
  document.body.dataset.state = 'error';
}
`;

function staticFiles(r: Resolved, o: SpaceTemplateOptions): SpaceFile[] {
  const moduleUrl = checkUrl(o.transformersJsUrl ?? TRANSFORMERS_JS_URL, 'transformersJsUrl');
  const remoteHost = o.remoteHost === undefined ? null : checkUrl(o.remoteHost, 'remoteHost');
  const ortWasmPaths = o.ortWasmPaths === undefined ? null : checkUrl(o.ortWasmPaths, 'ortWasmPaths').replace(/\/*$/, '/');
  const host = (remoteHost ?? 'https://huggingface.co').replace(/\/+$/, '');
  const calibrationUrl = o.calibration === false ? null : `${host}/${r.repo}/resolve/${encodeURIComponent(r.revision)}/calibration.json`;
  const config = { model: r.repo, revision: r.revision, dtype: o.dtype ?? 'fp32', remoteHost, ortWasmPaths, examples: r.examples, calibrationUrl };
  const first = r.examples[0] ?? '';
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(r.title)}</title>
<style>
${PAGE_STYLE}</style>
</head>
<body data-state="loading">
<main>
  <h1>${escapeHtml(r.emoji)} ${escapeHtml(r.title)}</h1>
  <p>${escapeHtml(r.description)} Model: <a href="${escapeHtml(r.modelUrl)}">${escapeHtml(r.repo)}</a>, running in your browser with Transformers.js.</p>
  <label for="text">Text</label>
  <textarea id="text" placeholder="Type a sentence to classify">${escapeHtml(first)}</textarea>
  <div class="examples" id="examples"></div>
  <button id="classify" type="button" disabled>Classify</button>
  <p id="status" role="status">Loading the model…</p>
  <p id="decision"></p>
  <div id="result" aria-live="polite"></div>
</main>
<script type="module">
import { pipeline, env } from ${scriptJson(moduleUrl)};

const CONFIG = ${scriptJson(config)};
if (CONFIG.remoteHost) {
  env.remoteHost = CONFIG.remoteHost;
  env.remotePathTemplate = '{model}/resolve/{revision}/';
}
if (CONFIG.ortWasmPaths) env.backends.onnx.wasm.wasmPaths = CONFIG.ortWasmPaths;
env.allowLocalModels = false;

${PAGE_APP_JS}</script>
</body>
</html>
`;
  const body =
    `A static demo of the text classifier [${r.repo}](${r.modelUrl}): ` +
    '[Transformers.js](https://huggingface.co/docs/transformers.js) runs its ONNX export (`onnx/`) in your browser; nothing is sent to a server.';
  return [
    { path: 'README.md', content: readme(r, ['sdk: static', 'app_file: index.html'], body) },
    { path: 'index.html', content: html },
  ];
}

/** The files of a demo Space for `options.modelRepoId`, README.md first. */
export function renderSpaceTemplate(options: SpaceTemplateOptions): SpaceFile[] {
  const r = resolve(options);
  return r.template === 'gradio' ? gradioFiles(r, options) : staticFiles(r, options);
}

/** The YAML front matter of a README as flat key → raw value pairs (list items under a key are joined with commas). */
export function readFrontMatter(readmeText: string): Record<string, string> {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(readmeText);
  const out: Record<string, string> = {};
  if (!m || m[1] === undefined) return out;
  let last: string | undefined;
  for (const line of m[1].split(/\r?\n/)) {
    const item = /^\s*-\s+(.*)$/.exec(line);
    if (item && last !== undefined) {
      out[last] = out[last] ? `${out[last]},${item[1]}` : (item[1] ?? '');
      continue;
    }
    const kv = /^([A-Za-z_][\w-]*):\s*(.*)$/.exec(line);
    if (!kv || kv[1] === undefined) continue;
    last = kv[1];
    let value = kv[2] ?? '';
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        // keep raw
      }
    }
    out[last] = value;
  }
  return out;
}
