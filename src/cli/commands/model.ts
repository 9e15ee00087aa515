/** export / create-model / export-script: writing model folders and scripts. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ArgError, UsageError } from '../../core/errors.js';
import { checkReplaceable, exportModelFolder } from '../../core/export/index.js';
import { exportScript } from '../../core/run/script/script.js';
import type { ProblemType } from '../../core/model/config.js';
import { PRESETS, type PresetName, createModel } from '../../core/model/presets.js';
import { saveModel } from '../../core/model/save.js';
import { Tokenizer } from '../../core/tokenizer/index.js';
import { resolveModelFolder } from '../../core/run/run.js';
import type { Command } from './types.js';

export const exportCommand: Command = {
  name: 'export',
  summary: 'write a model (e.g. a checkpoint) as a Hugging Face folder with ONNX for Transformers.js',
  usage: 'finetune export --model_name_or_path DIR --output_dir DIR [--no_onnx]',
  flags: {
    own: [
      { name: 'model_name_or_path', type: 'string', help: 'the model folder or Hub id' },
      { name: 'output_dir', type: 'string', help: 'the folder to write (replaced whole; one holding anything but a model is refused)' },
      { name: 'no_onnx', type: 'bool', help: 'skip onnx/model.onnx and onnx/model_quantized.onnx' },
    ],
  },
  async run({ own }, io) {
    const model = own.model_name_or_path as string | undefined;
    const out = own.output_dir as string | undefined;
    if (!model || !out) throw new UsageError('export needs --model_name_or_path and --output_dir');
    const dir = await resolveModelFolder(model, { revision: 'main', cache_dir: null }, { emit: () => undefined, token: process.env.HF_TOKEN });
    const files = await exportModelFolder(dir, out, { onnx: own.no_onnx !== true, baseModel: model });
    io.out.write(`wrote ${out}: ${files.join(', ')}\n`);
    return 0;
  },
};

export const createModelCommand: Command = {
  name: 'create-model',
  summary: 'make a random-init model from a preset and a vocabulary, saved in the Hugging Face layout',
  usage: `finetune create-model --preset ${Object.keys(PRESETS).join('|')} --tokenizer_name DIR --output_dir DIR [--labels a,b,c | --num_labels N] [--seed 42]`,
  flags: {
    own: [
      { name: 'preset', type: 'string', help: `model size: ${Object.keys(PRESETS).join(', ')}` },
      { name: 'tokenizer_name', type: 'string', help: 'folder with tokenizer.json, vocab.txt, vocab.json + merges.txt or a SentencePiece model' },
      { name: 'output_dir', type: 'string', help: 'where to write it' },
      { name: 'labels', type: 'list', help: 'label names, comma-separated' },
      { name: 'num_labels', type: 'string', help: 'number of labels (default 2)' },
      { name: 'seed', type: 'string', help: 'initialisation seed (default 42)' },
      {
        name: 'problem_type',
        type: 'enum',
        choices: ['single_label_classification', 'multi_label_classification', 'regression'],
        help: 'single_label_classification | multi_label_classification | regression',
      },
    ],
  },
  async run({ own }, io) {
    if (!own.preset || !(String(own.preset) in PRESETS)) throw new ArgError('--preset', `--preset: choose one of ${Object.keys(PRESETS).join(', ')}`);
    const numLabels = own.num_labels === undefined ? undefined : Number(own.num_labels);
    if (numLabels !== undefined && !(Number.isInteger(numLabels) && numLabels >= 1))
      throw new ArgError('--num_labels', `--num_labels: expects a positive integer (got ${String(own.num_labels)})`);
    const seed = own.seed === undefined ? 42 : Number(own.seed);
    if (!Number.isInteger(seed) || seed < 0) throw new ArgError('--seed', `--seed: expects a non-negative integer (got ${String(own.seed)})`);
    const tokDir = own.tokenizer_name as string | undefined;
    const out = own.output_dir as string | undefined;
    if (!tokDir || !out) throw new UsageError('create-model needs --tokenizer_name and --output_dir');
    await checkReplaceable(out, 'create-model');
    const tok = await Tokenizer.fromFolder(tokDir);
    const labels =
      own.labels === undefined
        ? undefined
        : String(own.labels)
            .split(',')
            .map((s) => s.trim());
    const model = createModel({
      preset: own.preset as PresetName,
      vocabSize: tok.vocabSize,
      padTokenId: tok.padTokenId,
      ...(labels ? { labels } : {}),
      ...(numLabels !== undefined ? { numLabels } : {}),
      ...(own.problem_type ? { problemType: own.problem_type as ProblemType } : {}),
      seed,
    });
    await saveModel(out, { ...model, files: { ...tok.saveFiles() } });
    const params = [...model.weights.values()].reduce((a, w) => a + w.data.length, 0);
    io.out.write(
      `wrote ${out}: ${String(own.preset)}, ${(params / 1e6).toFixed(1)}M parameters, vocabulary ${tok.vocabSize}, labels ${Object.values(model.config.id2label).join(', ')}\n`,
    );
    return 0;
  },
};

export const exportScriptCommand: Command = {
  name: 'export-script',
  summary: 'write train.py + requirements.txt + accelerate config (+ the data rows) reproducing this run with transformers.Trainer',
  usage: 'finetune export-script --output_dir DIR [the train flags]',
  flags: { run: 'all' },
  async run({ args }, io) {
    if (!args.output_dir) throw new ArgError('--output_dir', 'export-script needs --output_dir (the folder for train.py)');
    const scriptDir = args.output_dir;
    const files = await exportScript(args);
    for (const [name, content] of Object.entries(files)) {
      await mkdir(dirname(join(scriptDir, name)), { recursive: true });
      await writeFile(join(scriptDir, name), content);
    }
    io.out.write(
      `wrote ${Object.keys(files)
        .map((f) => join(scriptDir, f))
        .join(', ')}\nrun: accelerate launch --config_file ${join(scriptDir, 'accelerate_config.yaml')} ${join(scriptDir, 'train.py')}\n`,
    );
    return 0;
  },
};
