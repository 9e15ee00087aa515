/** The manifest and the command table agree; the contributions the issue names are there. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ARG_SPECS } from '../../../src/core/contract/args.js';
import { COMMAND_IDS, COMMAND_TITLES, formatScore, predictionText, selectionItems } from '../../../src/extension/command-ids.js';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  main: string;
  extensionKind: string[];
  contributes: {
    commands: { command: string; title: string; category: string }[];
    views: Record<string, { id: string; type: string; name: string }[]>;
    viewsContainers: { activitybar: { id: string; icon: string }[] };
    menus: Record<string, { command: string; when?: string }[]>;
    configuration: { properties: Record<string, { default: unknown; minimum?: number; maximum?: number }> };
    walkthroughs: { id: string; title: string; steps: { id: string; description: string; media: { markdown?: string }; completionEvents: string[] }[] }[];
  };
};

describe('manifest', () => {
  test('every command in the table is contributed with its title under the Finetune category, and nothing else', () => {
    const contributed = pkg.contributes.commands.map((c) => `${c.category}: ${c.title} = ${c.command}`).sort();
    const table = Object.entries(COMMAND_IDS)
      .map(([name, id]) => `Finetune: ${COMMAND_TITLES[name as keyof typeof COMMAND_TITLES]} = ${id}`)
      .sort();
    assert.deepEqual(contributed, table);
  });

  test('the palette titles the issue names', () => {
    const titles = pkg.contributes.commands.map((c) => c.title);
    for (const t of [
      'New Training Run',
      'Preview Dataset',
      'Open Training Dashboard',
      'Open Predict Box',
      'Classify Selection',
      'Cancel Training',
      'Pull Model from Hub',
      'Push Model to Hub',
      'Deploy Demo Space',
      'Set Hugging Face Token',
      'Export Model',
    ]) {
      assert.ok(titles.includes(t), t);
    }
  });

  test('sidebar view, context menus, settings, workspace extension kind', () => {
    assert.deepEqual(
      pkg.contributes.viewsContainers.activitybar.map((c) => c.id),
      ['finetune'],
    );
    assert.deepEqual(pkg.contributes.views.finetune, [
      { type: 'webview', id: 'finetune.training', name: 'Training' },
      { id: 'finetune.labelIssues', name: 'Label Issues' },
    ]);
    assert.deepEqual(pkg.contributes.menus['editor/context'], [{ command: 'finetune.classifySelection', when: 'editorHasSelection', group: 'finetune@1' }]);
    const explorer = pkg.contributes.menus['explorer/context']!;
    assert.deepEqual(
      explorer.map((m) => m.command),
      ['finetune.previewDataset', 'finetune.trainOnFile', 'finetune.findLabelErrors'],
    );
    const re = /=~ \/(.*)\/$/.exec(explorer[0]!.when!)![1]!;
    for (const ext of ['.csv', '.tsv', '.json', '.jsonl']) assert.match(ext, new RegExp(re));
    assert.doesNotMatch('.txt', new RegExp(re));
    assert.deepEqual(Object.keys(pkg.contributes.configuration.properties).sort(), [
      'finetune.cacheDir',
      'finetune.defaultModel',
      'finetune.executionProvider',
      'finetune.hubEndpoint',
      'finetune.igSteps',
      'finetune.labelErrorFolds',
      'finetune.outputDirectory',
      'finetune.threads',
    ]);
    // the explanation steps setting has --ig_steps' default and bounds
    const ig = ARG_SPECS.find((s) => s.name === 'ig_steps')!;
    const setting = pkg.contributes.configuration.properties['finetune.igSteps']!;
    assert.deepEqual([setting.default, setting.minimum, setting.maximum], [ig.default, ig.min, ig.max]);
    assert.deepEqual(pkg.extensionKind, ['workspace']);
    for (const m of [...explorer, ...pkg.contributes.menus['editor/title']!]) assert.match(m.when!, /resourceExtname =~/, m.command);
    assert.equal(pkg.main, './dist/extension.cjs');
  });
});

test('the walkthrough: open the sample, preview it, a short run, the predict box; each step a command of ours with its page', () => {
  const [w] = pkg.contributes.walkthroughs;
  assert.equal(w?.title, 'Fine-tune your first classifier');
  const ids = Object.values(COMMAND_IDS) as string[];
  assert.deepEqual(
    w!.steps.map((s) => /\(command:([\w.]+)\)/.exec(s.description)?.[1]),
    ['finetune.openSampleData', 'finetune.previewDataset', 'finetune.trainSample', 'finetune.openPredictBox'],
  );
  for (const s of w!.steps) {
    assert.ok(ids.includes(s.completionEvents[0]!.replace('onCommand:', '')), s.id);
    assert.ok(existsSync(s.media.markdown!), s.media.markdown);
  }
});

test('the Label Issues view: its title actions, the quick fixes inline and in the context menu (only on open rows), hidden from the palette', () => {
  const menus = pkg.contributes.menus;
  assert.deepEqual(
    menus['view/title']!.map((m) => m.command),
    ['finetune.findLabelErrors', 'finetune.showReviewedIssues', 'finetune.hideReviewedIssues'],
  );
  const items = menus['view/item/context']!;
  for (const id of ['finetune.relabelIssue', 'finetune.markIssueReviewed']) {
    const entries = items.filter((m) => m.command === id) as { command: string; when: string; group: string }[];
    assert.deepEqual(
      entries.map((m) => m.group.split('@')[0]),
      ['inline', '1_fix'],
      id,
    );
    for (const m of entries) assert.equal(m.when, 'view == finetune.labelIssues && viewItem == labelIssue.open');
    assert.deepEqual(
      menus.commandPalette!.find((m) => m.command === id),
      { command: id, when: 'false' },
    );
  }
  const commands = pkg.contributes.commands as { command: string; icon?: string }[];
  for (const id of [
    'finetune.findLabelErrors',
    'finetune.relabelIssue',
    'finetune.markIssueReviewed',
    'finetune.showReviewedIssues',
    'finetune.hideReviewedIssues',
  ])
    assert.match(commands.find((c) => c.command === id)?.icon ?? '', /^\$\([\w-]+\)$/, id);
  const welcome = (pkg.contributes as unknown as { viewsWelcome: { view: string; contents: string }[] }).viewsWelcome;
  assert.match(welcome.find((w) => w.view === 'finetune.labelIssues')!.contents, /\(command:finetune\.findLabelErrors\)/);
});

describe('classify selection helpers', () => {
  const table: { text: string; start: number; expect: { line: number; text: string }[] }[] = [
    { text: '  great food  ', start: 4, expect: [{ line: 4, text: 'great food' }] },
    { text: '   ', start: 0, expect: [] },
    {
      text: 'a\n\n  b \r\nc',
      start: 10,
      expect: [
        { line: 10, text: 'a' },
        { line: 12, text: 'b' },
        { line: 13, text: 'c' },
      ],
    },
  ];
  for (const row of table) test(JSON.stringify(row.text), () => assert.deepEqual(selectionItems(row.text, row.start), row.expect));
  test('scores read as percentages', () => assert.equal(formatScore('positive', 0.95123), 'positive 95.1%'));
  test('a prediction reads as its top label, or as abstained below the threshold', () => {
    const scores = [
      { label: 'ham', score: 0.62 },
      { label: 'spam', score: 0.38 },
    ];
    assert.equal(predictionText({ scores }), 'ham 62.0%');
    assert.equal(predictionText({ scores, abstained: { threshold: 0.8712 } }), 'abstained — below the 87.1% confidence threshold');
  });
});
