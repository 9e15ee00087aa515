/** pull / push / deploy-space: the Hugging Face Hub. */
import { UsageError } from '../../core/errors.js';
import { deploySpace, pullModel, pushFolder } from '../../core/hub/index.js';
import { ignoredAtEnd } from '../../core/run/hub-push.js';
import { cancelOnSigint, hubToken } from '../io.js';
import type { Command } from './types.js';

export const pull: Command = {
  name: 'pull',
  summary: 'download a model from the Hugging Face Hub into the cache (HF_HOME / HF_HUB_CACHE)',
  usage: 'finetune pull ORG/NAME [--revision main] [--cache_dir DIR]',
  flags: {
    own: [
      { name: 'revision', type: 'string', aliases: ['model_revision'], help: 'branch, tag or commit' },
      { name: 'cache_dir', type: 'string', help: 'Hub cache folder' },
    ],
  },
  async run({ own, positionals }, io, g) {
    if (positionals.length !== 1) throw new UsageError('pull needs one repo id, e.g. finetune pull google-bert/bert-base-uncased');
    const sig = cancelOnSigint(io);
    try {
      const r = await pullModel(positionals[0]!, {
        ...(own.revision ? { revision: own.revision as string } : {}),
        ...(own.cache_dir ? { cacheDir: own.cache_dir as string } : {}),
        ...(process.env.HF_TOKEN ? { token: process.env.HF_TOKEN } : {}),
        signal: sig.signal,
        onProgress: (e) => {
          if (g.json) io.out.write(`${JSON.stringify(e)}\n`);
          else if (e.type === 'file-done') io.err.write(`${e.cached ? 'cached' : 'downloaded'} ${e.file}\n`);
          else if (e.type === 'log') io.err.write(`${e.message}\n`);
        },
      });
      io.out.write(g.json ? `${JSON.stringify({ type: 'done', ...r })}\n` : `${r.folder}\n`);
      return 0;
    } finally {
      sig.dispose();
    }
  },
};

export const push: Command = {
  name: 'push',
  summary: "upload a saved model folder to the Hub (token: HF_TOKEN); a run's checkpoint-N folders stay local unless asked for",
  usage: 'finetune push DIR ORG/NAME [--private] [--commit_message "..."] [--include_checkpoints]',
  flags: {
    own: [
      { name: 'private', type: 'bool', help: 'create the repo private' },
      { name: 'commit_message', type: 'string', help: 'commit message' },
      { name: 'include_checkpoints', type: 'bool', help: 'also upload checkpoint-N/ folders (optimizer state: large)' },
    ],
  },
  async run({ own, positionals }, io, g) {
    if (positionals.length !== 2) throw new UsageError('push needs a folder and a repo id: finetune push out/model my-name/my-model');
    const strategy = own.include_checkpoints === true ? 'all_checkpoints' : 'end';
    const r = await pushFolder(positionals[0]!, positionals[1]!, {
      token: hubToken(),
      private: own.private === true,
      ...(own.commit_message ? { commitMessage: own.commit_message as string } : {}),
      ignore: (p) => ignoredAtEnd(p, strategy),
      onProgress: (e) => {
        if (g.json) io.out.write(`${JSON.stringify(e)}\n`);
        else if (e.type === 'file-done') io.err.write(`uploaded ${e.file}\n`);
      },
    });
    io.out.write(g.json ? `${JSON.stringify({ type: 'done', ...r })}\n` : `${r.url}\n`);
    return 0;
  },
};

export const deploySpaceCommand: Command = {
  name: 'deploy-space',
  summary: 'create a demo Space for a pushed model (Gradio app or static Transformers.js page)',
  usage: 'finetune deploy-space ORG/MODEL [--template gradio|static] [--space_id ORG/NAME] [--private]',
  flags: {
    own: [
      { name: 'template', type: 'enum', choices: ['gradio', 'static'], help: 'gradio (default) or static' },
      { name: 'space_id', type: 'string', help: 'the Space repo (default ORG/MODEL-demo)' },
      { name: 'private', type: 'bool', help: 'create it private' },
      { name: 'title', type: 'string', help: 'Space title' },
    ],
  },
  async run({ own, positionals }, io, g) {
    if (positionals.length !== 1) throw new UsageError('deploy-space needs the model repo id');
    const r = await deploySpace(positionals[0]!, {
      template: (own.template as 'gradio' | 'static' | undefined) ?? 'gradio',
      ...(own.space_id ? { spaceId: own.space_id as string } : {}),
      ...(own.title ? { title: own.title as string } : {}),
      private: own.private === true,
      token: hubToken(),
    });
    io.out.write(g.json ? `${JSON.stringify({ type: 'done', url: r.url, files: r.files })}\n` : `${r.url}\n`);
    return 0;
  },
};
