/**
 * A small DeBERTa-v3-style tokenizer folder for tests, laid out as transformers' DebertaV2Converter
 * writes a converted spm.model (Unigram model, Strip + collapse-spaces normalizer, Metaspace "▁"
 * pre-tokenizer, [CLS] $A [SEP] / [CLS] $A [SEP] $B [SEP] template, [PAD] 0 [CLS] 1 [SEP] 2 [UNK] 3
 * as microsoft/deberta-v3-*), its pieces made from the words of the given texts plus single
 * characters. No SentencePiece file is needed (real ones are converted by the tokenizer module).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SPECIAL = ['[PAD]', '[CLS]', '[SEP]', '[UNK]'];

export function writeDebertaTokenizer(dir: string, texts: readonly string[]): string {
  const words = new Set<string>();
  const chars = new Set<string>();
  for (const t of texts) {
    for (const w of t.split(/\s+/).filter(Boolean)) {
      for (const part of w.split(/([!?.,])/).filter(Boolean)) words.add(`▁${part}`);
      for (const ch of w) chars.add(ch);
    }
  }
  // Scores as log-probabilities: whole words well above the characters they are made of.
  const pieces: [string, number][] = [
    ...SPECIAL.map((s): [string, number] => [s, 0]),
    ['▁', -3],
    ...[...words].sort().map((w): [string, number] => [w, -5 - w.length / 10]),
    ...[...chars].sort().map((c): [string, number] => [c, -12]),
  ];
  const mask = pieces.length;
  const added = [...SPECIAL, '[MASK]'].map((content, i) => ({
    id: i < 4 ? i : mask,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Strip', strip_left: true, strip_right: true },
        { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' },
      ],
    },
    pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [1], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [2], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    model: { type: 'Unigram', unk_id: 3, vocab: [...pieces, ['[MASK]', 0]], byte_fallback: false },
  };
  const config = {
    tokenizer_class: 'DebertaV2Tokenizer',
    do_lower_case: false,
    split_by_punct: false,
    bos_token: '[CLS]',
    eos_token: '[SEP]',
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
    model_max_length: 512,
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(config, null, 2));
  return dir;
}
