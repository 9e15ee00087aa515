/** What Find Label Errors trains with: the sidebar's form on the chosen file, with that file's columns. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { labelErrorsForm, shortModelName } from '../../../../src/extension/label-issues/settings.js';
import type { DatasetInfo } from '../../../../src/protocol/webviews/sidebar.js';

const noisy: DatasetInfo = { file: '/ws/noisy.csv', columns: ['text', 'label'], textColumn: 'text', labelColumn: 'label' };
const pairs: DatasetInfo = {
  file: '/ws/nli.csv',
  columns: ['premise', 'hypothesis', 'gold'],
  textColumn: 'premise',
  pairColumn: 'hypothesis',
  labelColumn: 'gold',
};
const form = {
  model_name_or_path: '/ws/tiny-model',
  train_file: '/ws/reviews.csv',
  text_column_names: ['text'],
  label_column_name: 'label',
  num_train_epochs: 1,
  test_file: '/ws/test.csv',
  validation_file: '/ws/val.csv',
  resume_from_checkpoint: '/ws/out/checkpoint-4',
  output_dir: '/ws/out',
};

describe('labelErrorsForm', () => {
  const table: [string, Record<string, unknown> | undefined, DatasetInfo, Record<string, unknown>][] = [
    [
      "another file with the form's columns: the form's settings on this file, no other files",
      form,
      noisy,
      {
        model_name_or_path: '/ws/tiny-model',
        train_file: '/ws/noisy.csv',
        text_column_names: ['text'],
        label_column_name: 'label',
        num_train_epochs: 1,
        output_dir: '/ws/out',
      },
    ],
    [
      "a file without the form's columns: its own (a pair column too)",
      form,
      pairs,
      {
        model_name_or_path: '/ws/tiny-model',
        train_file: '/ws/nli.csv',
        text_column_names: ['premise', 'hypothesis'],
        label_column_name: 'gold',
        num_train_epochs: 1,
        output_dir: '/ws/out',
      },
    ],
    [
      'no form yet: the default model and the detected columns',
      undefined,
      noisy,
      { model_name_or_path: 'preset:bert-tiny', train_file: '/ws/noisy.csv', text_column_names: ['text'], label_column_name: 'label' },
    ],
    [
      'an empty model field: the default model',
      { model_name_or_path: '  ', text_column_names: null, label_column_name: null },
      { file: '/ws/x.csv', columns: ['a'] },
      { model_name_or_path: 'preset:bert-tiny', train_file: '/ws/x.csv', text_column_names: null, label_column_name: null },
    ],
  ];
  for (const [name, values, dataset, want] of table) test(name, () => assert.deepEqual(labelErrorsForm(values, dataset, 'preset:bert-tiny'), want));
});

test('shortModelName', () => {
  assert.deepEqual(['google-bert/bert-base-uncased', 'preset:bert-tiny', '/ws/tiny-model', 'C:\\models\\mine'].map(shortModelName), [
    'google-bert/bert-base-uncased',
    'preset:bert-tiny',
    'tiny-model',
    'mine',
  ]);
});
