/**
 * The one model picker (sidebar, predict box, classify selection, the preview's tokenizer, export):
 * recent models, this workspace's trained models, model folders in the workspace, models in the
 * Hugging Face cache, and a Hub search (text classification and fill-mask models, most downloaded
 * first; offline it says so and the cache is what is offered). Picking a Hub model that is not in
 * the cache pulls it, with a progress notification that can be cancelled.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import * as vscode from 'vscode';
import { type CachedModel, type HubModelHit, type PullResult, listCachedModels, pullModel, resolveHubCacheDir, searchModels } from '../core/hub/index.js';
import { toSignal } from './commands/table.js';
import type { Ctx } from './ctx.js';

export type ModelPurpose = 'train' | 'predict' | 'tokenizer' | 'export';

const HUB_ID = /^[\w.-]+\/[\w.-]+$/;

/** A Hub id (`org/name`), as opposed to a path or a preset. */
export function isHubId(s: string): boolean {
  return HUB_ID.test(s) && !s.startsWith('.') && !s.startsWith('preset:');
}

interface ModelItem extends vscode.QuickPickItem {
  /** What the pick returns: a folder, a Hub id or a preset; '' for Browse…. */
  value?: string;
  hub?: boolean;
  browse?: boolean;
}

const PLACEHOLDER: Record<ModelPurpose, string> = {
  train: 'Model to fine-tune: search the Hub, or pick a recent, cached or local model',
  predict: 'Model to predict with: a trained run, a Hub classifier (search), or a model folder',
  tokenizer: 'Tokenizer: the model you will train (search the Hub, or pick a cached or local model)',
  export: 'Model to export: a trained run, a checkpoint, a cached Hub model or a model folder',
};

function downloads(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n);
}

function section(label: string): ModelItem {
  return { label, kind: vscode.QuickPickItemKind.Separator };
}

/** Folders of the workspace (two levels down) holding a config.json: models made or downloaded there. */
export async function workspaceModelFolders(root: string, depth = 2): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string, level: number): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((e) => e.isFile() && e.name === 'config.json') && level > 0) out.push(dir);
    if (level >= depth) return;
    for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') await walk(join(dir, e.name), level + 1);
  }
  await walk(root, 0);
  return out.sort();
}

/** The items the picker offers before any search: recent, runs, workspace folders, the cache. */
async function localItems(ctx: Ctx, purpose: ModelPurpose, cached: CachedModel[]): Promise<ModelItem[]> {
  const root = ctx.workspaceRoot();
  const seen = new Set<string>();
  const once = (items: ModelItem[]): ModelItem[] => items.filter((i) => i.value !== undefined && !seen.has(i.value) && (seen.add(i.value), true));
  const recent = once(ctx.recentModels().map((m) => ({ label: `$(history) ${isHubId(m) ? m : basename(m)}`, description: isHubId(m) ? 'Hub' : m, value: m })));
  const runs = purpose === 'train' || purpose === 'tokenizer' ? [] : ctx.runs.list().filter((r) => r.modelDir);
  const trained = once(
    runs.map((r) => ({
      label: `$(beaker) ${r.name}`,
      description: r.bestMetric ? `${r.bestMetric.name} ${r.bestMetric.value.toFixed(3)}` : r.status,
      value: r.modelDir!,
    })),
  );
  const folders = once(
    (root ? await workspaceModelFolders(root) : []).map((d) => ({
      label: `$(folder) ${root ? relative(root, d) : d}`,
      description: 'workspace folder',
      value: d,
    })),
  );
  const inCache = once(cached.map((c) => ({ label: `$(database) ${c.repoId}`, description: 'in the Hugging Face cache', value: c.repoId, hub: true })));
  const group = (label: string, items: ModelItem[]): ModelItem[] => (items.length ? [section(label), ...items] : []);
  return [
    ...group('Recent', recent),
    ...group('Trained in this workspace', trained),
    ...group('Model folders in the workspace', folders),
    ...group('In the Hugging Face cache', inCache),
  ];
}

function hubItems(hits: HubModelHit[], cachedIds: Set<string>): ModelItem[] {
  return hits.map((h) => ({
    label: `$(cloud-download) ${h.id}`,
    description: [h.task, `${downloads(h.downloads)} downloads`, cachedIds.has(h.id) ? 'cached' : ''].filter(Boolean).join(' · '),
    value: h.id,
    hub: true,
  }));
}

/** Where Hub models go (the finetune.cacheDir setting, else HF_HUB_CACHE / HF_HOME / ~/.cache/huggingface/hub). */
export function hubCacheDir(ctx: Ctx): string {
  return ctx.settings.cacheDir ?? resolveHubCacheDir(process.env);
}

/** Pulls a Hub model into the cache with a cancellable progress notification; undefined when cancelled or failed (shown). */
export async function pullWithProgress(ctx: Ctx, repo: string): Promise<PullResult | undefined> {
  const token = await ctx.hubToken();
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Finetune: pulling ${repo} from the Hugging Face Hub`, cancellable: true },
      async (progress, ct) => {
        let last = 0;
        return pullModel(repo, {
          ...(token ? { token } : {}),
          cacheDir: hubCacheDir(ctx),
          ...(ctx.settings.hubEndpoint ? { endpoint: ctx.settings.hubEndpoint } : {}),
          signal: toSignal(ct),
          onProgress: (e) => {
            if (e.type !== 'total-progress' || e.total <= 0) return;
            const pct = (100 * e.loaded) / e.total;
            progress.report({ increment: pct - last, message: `${(e.loaded / 1e6).toFixed(1)} / ${(e.total / 1e6).toFixed(1)} MB` });
            last = pct;
          },
        });
      },
    );
  } catch (e) {
    if ((e as { kind?: string }).kind !== 'aborted') void vscode.window.showErrorMessage(`Finetune: ${(e as Error).message}`);
    return undefined;
  }
}

/** Searches the Hub as the person types (debounced), keeping the local items on top. */
function liveSearch(ctx: Ctx, qp: vscode.QuickPick<ModelItem>, base: ModelItem[], cachedIds: Set<string>): vscode.Disposable {
  let timer: NodeJS.Timeout | undefined;
  let latest = 0;
  const typed = (v: string): ModelItem[] =>
    v.trim() && !base.some((i) => i.value === v.trim())
      ? [
          {
            label: `$(arrow-right) Use "${v.trim()}"`,
            description: isHubId(v.trim()) ? 'Hub id' : 'folder or preset',
            value: v.trim(),
            hub: isHubId(v.trim()),
            alwaysShow: true,
          },
        ]
      : [];
  const run = async (query: string): Promise<void> => {
    const id = ++latest;
    qp.busy = true;
    let found: ModelItem[];
    try {
      const token = await ctx.hubToken();
      const hits = await searchModels(query, {
        ...(ctx.settings.hubEndpoint ? { endpoint: ctx.settings.hubEndpoint } : {}),
        ...(token ? { token } : {}),
        limit: 20,
      });
      found = hits.length
        ? [section(`Hugging Face Hub: ${query.trim() ? `"${query.trim()}"` : 'most downloaded'}`), ...hubItems(hits, cachedIds)]
        : [section(`Hub: no classifier matches "${query.trim()}"`)];
    } catch (e) {
      found = [section(`Hub search unavailable (${(e as { kind?: string }).kind === 'offline' ? 'offline mode' : 'offline?'}): cached and local models only`)];
      ctx.log(`model search: ${(e as Error).message}`);
    }
    if (id !== latest) return;
    // new items must not move the highlight from the item the person is on
    const active = qp.activeItems[0]?.value;
    qp.items = [...typed(qp.value), ...base, ...found.map((i) => ({ ...i, alwaysShow: true }))];
    const keep = qp.items.find((i) => i.value !== undefined && i.value === active);
    if (keep) qp.activeItems = [keep];
    qp.busy = false;
  };
  const sub = qp.onDidChangeValue((v) => {
    qp.items = [...typed(v), ...base, ...qp.items.filter((i) => i.hub && !base.includes(i))];
    clearTimeout(timer);
    timer = setTimeout(() => void run(v), 300);
  });
  void run('');
  return { dispose: () => (clearTimeout(timer), sub.dispose()) };
}

/** Shows the picker; resolves with the chosen item (or undefined when dismissed). */
async function showPicker(ctx: Ctx, purpose: ModelPurpose, title: string): Promise<ModelItem | undefined> {
  const cached = await listCachedModels(hubCacheDir(ctx));
  const base: ModelItem[] = [
    ...(await localItems(ctx, purpose, cached)),
    section('Other'),
    { label: '$(folder-opened) Browse for a model folder…', value: '', browse: true, alwaysShow: true },
  ];
  const qp = vscode.window.createQuickPick<ModelItem>();
  qp.title = title;
  qp.placeholder = PLACEHOLDER[purpose];
  qp.matchOnDescription = true;
  qp.items = base;
  const search = liveSearch(ctx, qp, base, new Set(cached.map((c) => c.repoId)));
  try {
    return await new Promise<ModelItem | undefined>((resolve) => {
      qp.onDidAccept(() => resolve(qp.selectedItems[0]));
      qp.onDidHide(() => resolve(undefined));
      qp.show();
    });
  } finally {
    search.dispose();
    qp.dispose();
  }
}

/**
 * The model picker: a folder, a Hub id (pulled into the cache first when it is not there), or a
 * preset; undefined when dismissed or the pull failed. The choice becomes the first recent model.
 */
export async function pickModel(ctx: Ctx, purpose: ModelPurpose, title = 'Finetune: Choose a Model'): Promise<string | undefined> {
  const item = await showPicker(ctx, purpose, title);
  if (!item || item.value === undefined) return undefined;
  let value = item.value;
  if (item.browse) {
    const dir = await ctx.pickFolder('model');
    if (!dir) return undefined;
    value = dir;
  } else if (item.hub || isHubId(value)) {
    const cached = await listCachedModels(hubCacheDir(ctx));
    if (!cached.some((c) => c.repoId === value) && !(await pullWithProgress(ctx, value))) return undefined;
  } else if (!value.startsWith('preset:') && !(await stat(ctx.resolvePath(value)).catch(() => undefined))?.isDirectory()) {
    void vscode.window.showErrorMessage(`Finetune: ${value} is not a folder, a Hub id (org/name) or a preset.`);
    return undefined;
  }
  await ctx.rememberModel(value);
  return value;
}
