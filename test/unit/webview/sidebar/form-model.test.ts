/** The sidebar form's state: values shown and sent, column roles, checks, what survives a reload. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DatasetInfo, FormField, SidebarState } from '../../../../src/protocol/webview.js';
import { argValue, chooseColumns, fieldGroups, FormModel, initialValue } from '../../../../webview/sidebar/form-model.js';
import { formFields, runSummary } from '../../../helpers/webview-fixtures.js';

const field = (type: FormField['type'], value: unknown): FormField => ({ name: 'learning_rate', type, label: 'x', help: '', advanced: false, value });
const DATA: DatasetInfo = {
  file: '/d/mnli.jsonl',
  columns: ['premise', 'hypothesis', 'label'],
  textColumn: 'premise',
  pairColumn: 'hypothesis',
  labelColumn: 'label',
};
const state = (over: Partial<SidebarState> = {}): SidebarState => ({ fields: formFields(), recentModels: ['hfl/rbt3', 'org/b'], runs: [], ...over });

describe('field values', () => {
  const shown: [FormField, unknown][] = [
    [field('bool', true), true],
    [field('bool', 'true'), true],
    [field('bool', null), false],
    [field('float', null), ''],
    [field('list', ['a', 'b']), 'a,b'],
    [field('float', 5e-5), '0.00005'],
  ];
  for (const [f, want] of shown) test(`${f.type} ${JSON.stringify(f.value)} is shown as ${JSON.stringify(want)}`, () => assert.equal(initialValue(f), want));

  const sent: [FormField['type'], string | boolean, unknown][] = [
    ['float', '2e-5', 2e-5],
    ['int', ' 64 ', 64],
    ['int', 'many', 'many'],
    ['float', '', null],
    ['bool', '', false],
    ['bool', 'true', true],
    ['bool', false, false],
    ['list', ' a, ,b ', ['a', 'b']],
    ['enum', 'epoch', 'epoch'],
    ['string', ' f1 ', 'f1'],
  ];
  for (const [type, raw, want] of sent)
    test(`${type} ${JSON.stringify(raw)} is sent as ${JSON.stringify(want)}`, () => assert.deepEqual(argValue(field(type, 1), raw), want));
});

describe('column roles', () => {
  test("the host's suggestions, else the first and last columns", () => {
    assert.deepEqual(chooseColumns(DATA), { text: 'premise', pair: 'hypothesis', label: 'label' });
    assert.deepEqual(chooseColumns({ file: '/x.csv', columns: ['a', 'b', 'c'], textColumn: 'gone' }), { text: 'a', pair: '', label: 'c' });
    assert.deepEqual(chooseColumns(undefined), { text: '', pair: '', label: '' });
  });

  test('kept choices stay where the file still has them', () => {
    assert.deepEqual(chooseColumns(DATA, { text: 'hypothesis', pair: '', label: 'premise' }), { text: 'hypothesis', pair: '', label: 'premise' });
    assert.deepEqual(chooseColumns(DATA, { text: 'old', pair: 'older', label: 'label' }), { text: 'premise', pair: 'hypothesis', label: 'label' });
  });
});

test("fields by section: model, data, common, advanced; the form's own flags in none", () => {
  const g = fieldGroups(formFields());
  assert.deepEqual(
    g.data.map((f) => f.name),
    ['test_file', 'task'],
  );
  assert.deepEqual(
    g.model.map((f) => f.name),
    ['tokenizer_name'],
  );
  assert.ok(g.common.some((f) => f.name === 'learning_rate'));
  assert.ok(g.advanced.some((f) => f.name === 'adam_beta1'));
  const all = [...g.model, ...g.data, ...g.common, ...g.advanced].map((f) => f.name);
  for (const own of ['model_name_or_path', 'train_file', 'text_column_names', 'label_column_name', 'output_dir']) assert.ok(!all.includes(own as never), own);
  assert.equal(all.length, formFields().length - 5);
});

describe('FormModel', () => {
  test('loads the host state: the most recent model, no data file; asks for what is missing', () => {
    const m = new FormModel();
    m.load(state(), {});
    assert.equal(m.model, 'hfl/rbt3');
    assert.equal(m.outputDir, '');
    assert.equal(m.problem(), 'Choose a data file.');
    m.model = ' ';
    assert.match(m.problem(), /^Choose a pretrained model/);
  });

  test('sends every flag, with the model, data file, columns and output folder', () => {
    const m = new FormModel();
    m.load(state({ dataset: DATA }), {});
    m.values.set('learning_rate', '2e-5');
    m.outputDir = ' out/x ';
    assert.equal(m.problem(), '');
    const a = m.args();
    assert.equal(a.model_name_or_path, 'hfl/rbt3');
    assert.equal(a.train_file, '/d/mnli.jsonl');
    assert.deepEqual(a.text_column_names, ['premise', 'hypothesis']);
    assert.equal(a.label_column_name, 'label');
    assert.equal(a.output_dir, 'out/x');
    assert.equal(a.learning_rate, 2e-5);
    for (const f of formFields()) assert.ok(f.name in a, f.name);
  });

  test('doc_stride and chunk_aggregation only with long_text sliding_window: otherwise inactive and sent empty', () => {
    const m = new FormModel();
    m.load(state({ dataset: DATA }), {});
    assert.deepEqual([...m.inactive()].sort(), ['chunk_aggregation', 'doc_stride']);
    m.values.set('doc_stride', '16');
    m.values.set('chunk_aggregation', 'max');
    assert.deepEqual([m.args().doc_stride, m.args().chunk_aggregation], [null, null]);
    m.values.set('long_text', 'sliding_window');
    assert.deepEqual([...m.inactive()], []);
    const a = m.args();
    assert.deepEqual([a.long_text, a.doc_stride, a.chunk_aggregation], ['sliding_window', 16, 'max']);
    m.values.set('long_text', 'head_tail');
    assert.deepEqual([m.args().long_text, m.args().doc_stride], ['head_tail', null]);
  });

  test('a flag with a default cannot be emptied', () => {
    const m = new FormModel();
    m.load(state({ dataset: DATA }), {});
    m.values.set('learning_rate', ' ');
    m.values.set('num_train_epochs', '');
    assert.equal(m.problem(), 'num train epochs, learning rate: needs a value.');
  });

  test('unsent edits survive a reload; column choices only for the same file', () => {
    const m = new FormModel();
    m.load(state({ dataset: DATA }), {});
    m.values.set('learning_rate', '3e-5');
    m.model = 'org/b';
    m.columns.text = 'hypothesis';
    m.columns.pair = '';
    const ui = m.uiState();
    assert.deepEqual(ui, {
      values: { learning_rate: '3e-5' },
      model: 'org/b',
      outputDir: '',
      datasetFile: '/d/mnli.jsonl',
      textColumn: 'hypothesis',
      pairColumn: '',
      labelColumn: 'label',
    });
    const again = new FormModel();
    again.load(state({ dataset: DATA }), ui);
    assert.equal(again.value(formFields().find((f) => f.name === 'learning_rate')!), '3e-5');
    assert.equal(again.model, 'org/b');
    assert.deepEqual(again.columns, { text: 'hypothesis', pair: '', label: 'label' });
    const other = new FormModel();
    other.load(state({ dataset: { ...DATA, file: '/d/other.jsonl' } }), ui);
    assert.deepEqual(other.columns, { text: 'premise', pair: 'hypothesis', label: 'label' });
  });

  test('a data file set before the first load is kept; a new one resets the roles', () => {
    const m = new FormModel();
    m.dataset = DATA;
    m.load(state(), {});
    assert.equal(m.dataset?.file, '/d/mnli.jsonl');
    m.columns.label = 'premise';
    m.setDataset({ file: '/d/b.csv', columns: ['t', 'y'] });
    assert.deepEqual(m.columns, { text: 't', pair: '', label: 'y' });
  });

  test('Cancel applies while the active run runs', () => {
    const m = new FormModel();
    m.setRuns([runSummary(), runSummary({ runId: 'run-b', status: 'done' })], 'run-a');
    assert.equal(m.running, true);
    m.setRuns([runSummary({ status: 'cancelled' })], 'run-a');
    assert.equal(m.running, false);
    m.setRuns([runSummary()], undefined);
    assert.equal(m.running, false);
  });
});
