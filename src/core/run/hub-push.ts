/**
 * `--push_to_hub` with the Trainer's `hub_strategy`: what a run uploads, and when. The model (config,
 * weights, tokenizer files, model card, onnx/, results) goes to the repo root; checkpoint folders,
 * with their optimizer state, only with `checkpoint` (the last one, as `last-checkpoint/`, to resume
 * elsewhere) or `all_checkpoints`. The token is never written to a file.
 */
import { basename, resolve } from 'node:path';
import { HubError, type PushResult, pushFolder } from '../hub/index.js';
import type { RunArgs } from '../contract/args.js';

export type HubStrategy = RunArgs['hub_strategy'];

/** Files a checkpoint folder holds that make up the model itself (pushed to the root at every save). */
const MODEL_FILE =
  /^(config\.json|model\.safetensors|tokenizer\.json|tokenizer_config\.json|special_tokens_map\.json|vocab\.(txt|json)|merges\.txt|added_tokens\.json|[^/]+\.model|training_args\.json)$/;

/** Whether the end-of-training push leaves `path` (relative to output_dir) out, as the Trainer's ignore patterns `_*`, `checkpoint-*`. */
export function ignoredAtEnd(path: string, strategy: HubStrategy): boolean {
  const top = path.split('/')[0]!;
  if (top.startsWith('_') || top.startsWith('.')) return true;
  if (/^checkpoint-\d+$/.test(top)) return strategy !== 'all_checkpoints';
  return false;
}

export interface HubPushContext {
  args: RunArgs;
  /** --hub_token, else the environment's HF_TOKEN (or the extension's stored token). */
  token: string | undefined;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  log: (message: string) => void;
}

/** The repo a run pushes to: --hub_model_id, else the output folder's name (under the token's owner). */
export function hubRepoId(args: RunArgs): string {
  return args.hub_model_id ?? basename(resolve(args.output_dir ?? '.'));
}

function requireToken(c: HubPushContext): string {
  if (!c.token) {
    throw new HubError(
      'unauthorized',
      '--push_to_hub needs a token with write access: give --hub_token or set HF_TOKEN (https://huggingface.co/settings/tokens)',
    );
  }
  return c.token;
}

function options(c: HubPushContext, commitMessage: string) {
  return {
    token: requireToken(c),
    commitMessage,
    ...(c.args.hub_private_repo ? { private: true } : {}),
    ...(c.signal ? { signal: c.signal } : {}),
    ...(c.env ? { env: c.env } : {}),
  };
}

/** every_save / checkpoint / all_checkpoints: push after a checkpoint is written. */
export async function pushCheckpoint(c: HubPushContext, dir: string, step: number, epochEnd: boolean): Promise<void> {
  const { args } = c;
  if (!args.push_to_hub || args.hub_strategy === 'end') return;
  const repo = hubRepoId(args);
  const message = args.save_strategy === 'epoch' && epochEnd ? `Training in progress, epoch ${Math.round(step)}` : `Training in progress, step ${step}`;
  await pushFolder(dir, repo, { ...options(c, message), ignore: (p) => !MODEL_FILE.test(p) });
  if (args.hub_strategy === 'checkpoint') await pushFolder(dir, repo, { ...options(c, `${message} (last-checkpoint)`), pathInRepo: 'last-checkpoint' });
  if (args.hub_strategy === 'all_checkpoints') await pushFolder(dir, repo, { ...options(c, `${message} (${basename(dir)})`), pathInRepo: basename(dir) });
  c.log(`pushed step ${step} to ${repo} (--hub_strategy ${args.hub_strategy})`);
}

/** The end-of-training push of the output folder. A failure says where the saved model is, to push it later. */
export async function pushRun(c: HubPushContext, outputDir: string): Promise<PushResult> {
  const repo = hubRepoId(c.args);
  try {
    const r = await pushFolder(outputDir, repo, { ...options(c, 'End of training'), ignore: (p) => ignoredAtEnd(p, c.args.hub_strategy) });
    c.log(`pushed ${r.files.length} files to ${r.url}`);
    return r;
  } catch (e) {
    if (e instanceof HubError) {
      throw new HubError(e.kind, `${e.message}. The trained model is saved in ${outputDir}: push it later with \`finetune push ${outputDir} ${repo}\``, {
        cause: e,
      });
    }
    throw e;
  }
}
