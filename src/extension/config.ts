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
  /** Integrated Gradients steps of an explanation (the predict box's Explain, Classify Selection's top words): `--ig_steps`. */
  igSteps: number;
}

/** `--ig_steps`' default and bounds (the run table's). */
export const IG_STEPS = { default: 32, min: 1, max: 4096 } as const;

export const SECTION = PREFIX;

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const str = (k: string): string | null => {
    const v = c.get<string>(k);
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
  };
  const threads = c.get<number>('threads');
  const steps = c.get<number>('igSteps');
  return {
    executionProvider: (c.get<string>('executionProvider') as ProviderSetting) ?? 'auto',
    threads: typeof threads === 'number' && threads > 0 ? Math.floor(threads) : null,
    cacheDir: str('cacheDir'),
    hubEndpoint: str('hubEndpoint'),
    defaultModel: str('defaultModel') ?? 'google-bert/bert-base-uncased',
    outputDirectory: str('outputDirectory') ?? '.finetune/runs',
    labelErrorFolds: Math.max(2, Math.floor(c.get<number>('labelErrorFolds') ?? 5) || 5),
    igSteps: typeof steps === 'number' && Number.isFinite(steps) ? Math.min(IG_STEPS.max, Math.max(IG_STEPS.min, Math.round(steps))) : IG_STEPS.default,
  };
}
