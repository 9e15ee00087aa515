/**
 * Where the Hub is and where its cache lives, read the way Python's `huggingface_hub` reads them,
 * so that a model pulled by Python tools is found here and the other way round.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { HubError } from './errors.js';

export type HubEnv = Readonly<Record<string, string | undefined>>;

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

function expandUser(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/') || path.startsWith('~\\')) return join(homedir(), path.slice(2));
  return path;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined;
}

/**
 * The hub cache folder: `HF_HUB_CACHE`, else (legacy) `HUGGINGFACE_HUB_CACHE`, else `HF_HOME/hub`,
 * else `$XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`; `~` is expanded.
 */
export function resolveHubCacheDir(env: HubEnv = process.env): string {
  const direct = nonEmpty(env['HF_HUB_CACHE']) ?? nonEmpty(env['HUGGINGFACE_HUB_CACHE']);
  if (direct) return expandUser(direct);
  const hfHome = nonEmpty(env['HF_HOME']);
  if (hfHome) return join(expandUser(hfHome), 'hub');
  const xdg = nonEmpty(env['XDG_CACHE_HOME']);
  return join(xdg ? expandUser(xdg) : join(homedir(), '.cache'), 'huggingface', 'hub');
}

/** The Hub's base URL without a trailing slash: `HF_ENDPOINT`, else https://huggingface.co. */
export function resolveEndpoint(env: HubEnv = process.env): string {
  return normalizeEndpoint(nonEmpty(env['HF_ENDPOINT']) ?? DEFAULT_ENDPOINT);
}

export function normalizeEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint.trim());
  } catch {
    throw new HubError('invalid-argument', `the Hub endpoint "${endpoint}" is not a URL (HF_ENDPOINT)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HubError('invalid-argument', `the Hub endpoint "${endpoint}" must be an http(s) URL (HF_ENDPOINT)`);
  }
  if (url.username || url.password) {
    throw new HubError('invalid-argument', 'the Hub endpoint must not carry credentials: pass the token separately');
  }
  return url.href.replace(/\/+$/, '');
}

/** True when `HF_HUB_OFFLINE` is 1 / true / yes / on (any case), as in `huggingface_hub`. */
export function isOfflineEnv(env: HubEnv = process.env): boolean {
  const value = env['HF_HUB_OFFLINE'];
  return value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase());
}
