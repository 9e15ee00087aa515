/** A model folder's weights and tokenizer together, checked against each other. */
import { join } from 'node:path';
import { Tokenizer } from '../tokenizer/index.js';
import type { ModelConfig } from './config.js';
import { ConfigError } from './hf-config.js';
import { type LoadOptions, loadPretrained } from './load.js';
import type { Model } from './presets.js';

/** The tokenizer's ids must index the embedding matrix. */
export function checkVocabulary(tokenizer: Tokenizer, config: ModelConfig, dir: string): void {
  if (tokenizer.vocabSize > config.vocab_size) {
    throw new ConfigError(
      join(dir, 'config.json'),
      `vocab_size is ${config.vocab_size} but the tokenizer (${tokenizer.source}) has ${tokenizer.vocabSize} tokens; the tokenizer files do not belong to this model. Use the tokenizer the model was trained with (drop --tokenizer_name, or point it at the model's own folder)`,
    );
  }
}

export async function loadModelAndTokenizer(dir: string, opts: LoadOptions = {}): Promise<{ model: Model; tokenizer: Tokenizer }> {
  const model = await loadPretrained(dir, opts);
  const tokenizer = await Tokenizer.fromFolder(dir);
  checkVocabulary(tokenizer, model.config, dir);
  return { model, tokenizer };
}
