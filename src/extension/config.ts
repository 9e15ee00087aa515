/** The extension's settings (contributes.configuration in package.json), read in one place. */
import * as vscode from 'vscode';
import { PREFIX } from './command-ids.js';

export type ProviderSetting = 'auto' | 'cpu' | 'cuda' | 'webgpu';

export interface Settings {
  executionProvider: ProviderSetting;
  threads: number | null;
  cacheDir: string | null;
  hubEndpoint: string | null;
  defaultModel: string;
  outputDirectory: string;
  /** Find Label Errors: K of the K-fold cross-validation. */
  labelErrorFolds: number;
}

export const SECTION = PREFIX;

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const str = (k: string): string | null => {
    const v = c.get<string>(k);
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
  };
  const threads = c.get<number>('threads');
  return {
    executionProvider: (c.get<string>('executionProvider') as ProviderSetting) ?? 'auto',
    threads: typeof threads === 'number' && threads > 0 ? Math.floor(threads) : null,
    cacheDir: str('cacheDir'),
    hubEndpoint: str('hubEndpoint'),
    defaultModel: str('defaultModel') ?? 'google-bert/bert-base-uncased',
    outputDirectory: str('outputDirectory') ?? '.finetune/runs',
    labelErrorFolds: Math.max(2, Math.floor(c.get<number>('labelErrorFolds') ?? 5) || 5),
  };
}
