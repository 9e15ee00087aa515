/**
 * The walkthrough's sample: the SMS Spam Collection subset shipped in the extension
 * (examples/sms-spam, CC BY 4.0), copied into the workspace so that it can be opened, previewed
 * and trained on; and the settings of a short run on it that needs no download (a random-init
 * bert-tiny with the shipped vocabulary).
 *
 * The copy follows the rule of every write into a person's folder: it never replaces a file. A
 * file of that name with the same bytes is used as it is; one with other bytes is left alone and
 * the sample gets a new name (sms-spam-1.csv, ...). The bytes are written to a temporary file and
 * linked into place, which fails rather than overwrite.
 */
import { constants } from 'node:fs';
import { copyFile, link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, parse } from 'node:path';

/** Writes `bytes` at `path`, or at `name-1.ext`, `name-2.ext`, ... when a different file is there; returns where. */
export async function writeNewFile(path: string, bytes: Uint8Array): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  const { dir, name, ext } = parse(path);
  const tmp = join(dir, `.${name}${ext}.tmp-${process.pid}-${Date.now().toString(36)}`);
  await writeFile(tmp, bytes);
  try {
    for (let i = 0; i < 1000; i++) {
      const target = i === 0 ? path : join(dir, `${name}-${i}${ext}`);
      const there = await readFile(target).catch(() => undefined);
      if (there && Buffer.compare(there, Buffer.from(bytes)) === 0) return target;
      if (there) continue;
      try {
        await link(tmp, target);
        return target;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') continue;
        // no hard links on this file system: copy, refusing to replace
        await copyFile(tmp, target, constants.COPYFILE_EXCL);
        return target;
      }
    }
    throw new Error(`${dir} holds ${name}${ext} and a thousand variants of it: remove some, or choose another folder`);
  } finally {
    await rm(tmp, { force: true });
  }
}

/** The sample's folder inside the extension. */
export function sampleSource(extensionPath: string): { train: string; tokenizer: string } {
  return { train: join(extensionPath, 'examples', 'sms-spam', 'train.csv'), tokenizer: join(extensionPath, 'examples', 'tokenizer') };
}

/** Copies the sample training file into `folder` (never replacing a file); returns its path there. */
export async function copySample(extensionPath: string, folder: string): Promise<string> {
  return writeNewFile(join(folder, 'finetune-sample', 'sms-spam.csv'), await readFile(sampleSource(extensionPath).train));
}

/**
 * A short run on the sample that needs no download: a random-init bert-tiny, one epoch (under a
 * minute on 2 cores). Spam is one message in eight: balanced class weights get the minority class
 * learnt within the epoch (F1 about 0.94 on the held-out 10%; without them the epoch ends
 * predicting "ham" for everything).
 */
export function sampleRunForm(extensionPath: string, trainFile: string): Record<string, unknown> {
  return {
    model_name_or_path: 'preset:bert-tiny',
    tokenizer_name: sampleSource(extensionPath).tokenizer,
    train_file: trainFile,
    text_column_names: ['text'],
    label_column_name: 'label',
    num_train_epochs: 1,
    per_device_train_batch_size: 32,
    max_seq_length: 64,
    learning_rate: 1e-3,
    class_weights: 'auto',
    eval_strategy: 'epoch',
    metric_for_best_model: 'f1',
  };
}
