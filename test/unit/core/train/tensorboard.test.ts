import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { TensorBoardWriter, crc32c, defaultLogDir, maskedCrc32c, rewriteLogs, writeLogEntry, writeTrainBegin } from '../../../../src/core/train/tensorboard.js';

import { crcBitwise, mask, readEvent, readRecords } from '../../../helpers/tfevents.js';

const f32 = (x: number): number => Math.fround(x);

// ---------------------------------------------------------------------------------------------

const root = mkdtempSync(join(tmpdir(), 'finetune-tb-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => join(root, `run${dirs++}`, 'runs', 'x');
const onlyFile = (dir: string): string => {
  const files = readdirSync(dir);
  assert.equal(files.length, 1);
  return join(dir, files[0]!);
};

describe('CRC32C', () => {
  // RFC 3720 (iSCSI) appendix B.4 test vectors, and the usual check value.
  const ascending = Uint8Array.from({ length: 32 }, (_, i) => i);
  const readPdu = Uint8Array.from([
    0x01, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x14, 0, 0, 0, 0, 0, 0x04, 0, 0, 0, 0, 0x14, 0, 0, 0, 0x18, 0x28, 0, 0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0,
    0, 0, 0, 0,
  ]);
  const vectors: [string, Uint8Array, number][] = [
    ['32 bytes of zeros', new Uint8Array(32), 0x8a9136aa],
    ['32 bytes of 0xff', new Uint8Array(32).fill(0xff), 0x62a8ab43],
    ['32 incrementing bytes', ascending, 0x46dd794e],
    ['32 decrementing bytes', ascending.slice().reverse(), 0x113fdb5c],
    ['an iSCSI read command PDU', readPdu, 0xd9963a56],
    ['"123456789"', new TextEncoder().encode('123456789'), 0xe3069283],
  ];
  for (const [name, data, want] of vectors) {
    test(name, () => {
      assert.equal(crc32c(data), want);
      assert.equal(crcBitwise(data), want, 'the test reader agrees');
    });
  }
  test('masked as TFRecord masks it', () => assert.equal(maskedCrc32c(new Uint8Array(32)), mask(0x8a9136aa)));
});

describe("TensorBoardWriter against torch's SummaryWriter (fixture)", () => {
  // test/fixtures/tensorboard: an event file written by torch.utils.tensorboard.SummaryWriter and the calls that made it.
  const FIX = join(import.meta.dirname, '../../../fixtures/tensorboard');
  const calls = JSON.parse(readFileSync(join(FIX, 'calls.json'), 'utf8')).calls as {
    kind: 'scalar' | 'text';
    tag: string;
    value?: number | 'inf';
    text?: string;
    step: number | null;
    wall_time: number;
  }[];
  const torchRecords = readRecords(readFileSync(join(FIX, 'summary_writer.tfevents')));

  test("the independent reader reads torch's file", () => {
    assert.equal(torchRecords.length, calls.length + 1);
    const first = readEvent(torchRecords[0]!);
    assert.equal(first.fileVersion, 'brain.Event:2');
    const loss = readEvent(torchRecords[2]!);
    assert.deepEqual(loss, { wallTime: calls[1]!.wall_time, step: 10, tag: 'train/loss', value: f32(0.6931) });
    const note = readEvent(torchRecords[9]!);
    assert.equal(note.text, 'h\u00e9llo \u2713 \u4e2d\u6587');
    assert.equal(note.plugin, 'text');
  });

  test('the same calls give the same records, byte for byte (the first names its own writer)', () => {
    const dir = freshDir();
    const w = new TensorBoardWriter(dir, { clock: () => readEvent(torchRecords[0]!).wallTime, host: 'testhost' });
    for (const c of calls) {
      if (c.kind === 'text') w.text(c.tag, c.text!, c.step ?? 0, c.wall_time);
      else w.scalar(c.tag, c.value === 'inf' ? Infinity : c.value!, c.step!, c.wall_time);
    }
    w.close();
    const ours = readRecords(readFileSync(onlyFile(dir)));
    assert.equal(ours.length, torchRecords.length);
    ours.slice(1).forEach((r, i) => assert.deepEqual(Buffer.from(r), Buffer.from(torchRecords[i + 1]!), `record ${i + 1} (${calls[i]!.tag})`));
    const first = readEvent(ours[0]!);
    assert.deepEqual(first, { wallTime: readEvent(torchRecords[0]!).wallTime, step: 0, fileVersion: 'brain.Event:2', writer: 'finetune' });
  });
});

describe('TensorBoardWriter', () => {
  test('file name and first event: events.out.tfevents.<10-digit seconds>.<host>.<pid>.<n>, file_version first', () => {
    const dir = freshDir();
    const w = new TensorBoardWriter(dir, { clock: () => 123456789.75, host: 'box' });
    assert.match(basename(w.file), new RegExp(`^events\\.out\\.tfevents\\.0123456789\\.box\\.${process.pid}\\.\\d+$`));
    w.close();
    const [first] = readRecords(readFileSync(w.file)).map(readEvent);
    assert.deepEqual(first, { wallTime: 123456789.75, step: 0, fileVersion: 'brain.Event:2', writer: 'finetune' });
  });

  test('a Trainer log entry and an evaluation become train/* and eval/* scalars at the global step', () => {
    const dir = freshDir();
    let t = 1000;
    const w = new TensorBoardWriter(dir, { clock: () => (t += 1) });
    writeTrainBegin(w, { learning_rate: 2e-5, lr_scheduler_type: 'cosine' }, { model_type: 'bert' });
    writeLogEntry(w, { loss: 0.6931, grad_norm: 2.5, learning_rate: 1.9e-5, epoch: 0.25, step: 50 });
    const dropped = writeLogEntry(w, { eval_loss: 0.41, eval_accuracy: 0.875, eval_f1: 0.8, eval_runtime: 1.5, epoch: 1, step: 200, note: { x: 1 } });
    writeLogEntry(w, { train_runtime: 12.5, train_loss: 0.5, total_flos: 3e12, done: true }, 400);
    w.close();
    assert.deepEqual(dropped, ['train/note']);
    const events = readRecords(readFileSync(w.file)).map(readEvent).slice(1);
    assert.deepEqual(
      events.map((e) => [e.tag, e.step, e.value ?? e.text]),
      [
        ['args/text_summary', 0, JSON.stringify({ learning_rate: 2e-5, lr_scheduler_type: 'cosine' }, null, 2)],
        ['model_config/text_summary', 0, JSON.stringify({ model_type: 'bert' }, null, 2)],
        ['train/loss', 50, f32(0.6931)],
        ['train/grad_norm', 50, 2.5],
        ['train/learning_rate', 50, f32(1.9e-5)],
        ['train/epoch', 50, 0.25],
        ['eval/loss', 200, f32(0.41)],
        ['eval/accuracy', 200, 0.875],
        ['eval/f1', 200, f32(0.8)],
        ['eval/runtime', 200, 1.5],
        ['train/epoch', 200, 1],
        ['train/train_runtime', 400, 12.5],
        ['train/train_loss', 400, 0.5],
        ['train/total_flos', 400, f32(3e12)],
        ['train/done', 400, 1],
      ],
    );
    assert.ok(events.every((e, i) => i === 0 || e.wallTime > events[i - 1]!.wallTime));
  });

  test('each event is in the file as soon as it is written (a crash keeps it); a closed writer refuses more', () => {
    const dir = freshDir();
    const w = new TensorBoardWriter(dir);
    w.scalar('train/loss', 1.5, 1);
    w.scalar('train/loss', 1.25, 2);
    const seen = readRecords(readFileSync(w.file)).map(readEvent);
    assert.deepEqual(
      seen.slice(1).map((e) => [e.step, e.value]),
      [
        [1, 1.5],
        [2, 1.25],
      ],
    );
    w.close();
    w.close();
    assert.throws(() => w.scalar('train/loss', 1, 3), /is closed/);
  });

  test('two writers in one process get two files', () => {
    const dir = freshDir();
    const a = new TensorBoardWriter(dir, { clock: () => 5 });
    const b = new TensorBoardWriter(dir, { clock: () => 5 });
    assert.notEqual(a.file, b.file);
    a.close();
    b.close();
    assert.equal(readdirSync(dir).length, 2);
  });
});

describe('log folder and tags (transformers TensorBoardCallback)', () => {
  test('default_logdir: <output_dir>/runs/<%b%d_%H-%M-%S>_<hostname>, local time', () => {
    assert.equal(defaultLogDir('/out', new Date(2026, 0, 5, 14, 3, 22), 'box', {}), join('/out', 'runs', 'Jan05_14-03-22_box'));
    assert.equal(defaultLogDir('/out', new Date(2026, 11, 31, 9, 0, 7), 'h', {}), join('/out', 'runs', 'Dec31_09-00-07_h'));
    assert.equal(defaultLogDir('/out', new Date(), 'box', { TENSORBOARD_LOGGING_DIR: '/tb/here' }), '/tb/here');
  });
  test('rewrite_logs', () => {
    assert.deepEqual(rewriteLogs({ loss: 1, eval_loss: 2, test_accuracy: 3, epoch: 1, step: 9, eval_samples_per_second: 4 }), {
      'train/loss': 1,
      'eval/loss': 2,
      'test/accuracy': 3,
      'train/epoch': 1,
      'eval/samples_per_second': 4,
    });
  });
});
