/**
 * The one webview bundle (dist/webview.js). The host's HTML says which page to mount in
 * `<body data-page="sidebar|dashboard|dataset|predict">`; each page sends `ready` and renders
 * on `bootstrap`.
 */
import './elements.js';
import type { PageKind } from '../src/protocol/webview.js';
import { mountCompare } from './compare/compare.js';
import { mountDashboard } from './dashboard/dashboard.js';
import { mountDataset } from './dataset/dataset.js';
import { h } from './dom.js';
import { mountPredict } from './predict/predict.js';
import { mountSidebar } from './sidebar/sidebar.js';

const MOUNT: Record<PageKind, (root: HTMLElement) => void> = {
  sidebar: (root) => mountSidebar(root),
  dashboard: (root) => mountDashboard(root),
  dataset: (root) => mountDataset(root),
  predict: (root) => mountPredict(root),
  compare: (root) => mountCompare(root),
};

function main(): void {
  const page = document.body.dataset.page;
  let root = document.getElementById('app');
  if (!root) {
    root = h('main', { id: 'app' });
    document.body.append(root);
  }
  const mount = page && Object.hasOwn(MOUNT, page) ? MOUNT[page as PageKind] : undefined;
  if (!mount) {
    root.replaceChildren(h('p', { class: 'error' }, `Unknown page "${page ?? ''}".`));
    return;
  }
  root.className = `page page-${page}`;
  mount(root);
}

main();
