/**
 * `--report_to tensorboard`: TensorBoard event files, written as torch's SummaryWriter writes them
 * and laid out as transformers' TensorBoardCallback lays them out.
 *
 * - Folder: `<output_dir>/runs/<Mon><DD>_<HH>-<MM>-<SS>_<hostname>` (transformers' default_logdir,
 *   local time), unless TENSORBOARD_LOGGING_DIR says otherwise.
 * - File: `events.out.tfevents.<unix seconds, 10 digits>.<hostname>.<pid>.<n>`, a TFRecord stream:
 *   each record is uint64 length, masked CRC32C of those 8 bytes, the data, masked CRC32C of the data
 *   (little-endian).
 * - Records: tensorflow.Event protobufs. The first carries file_version "brain.Event:2"; a scalar is
 *   a Summary.Value with simple_value (float32); a text is TensorBoard's text plugin tensor
 *   (`<tag>/text_summary`, one DT_STRING), as SummaryWriter.add_text writes it.
 * - Each event is written to the file at once, unbuffered (the OS has it, so a crash of this process
 *   keeps it); `flush()` fsyncs, for a power cut (e.g. at each checkpoint); `close()` flushes.
 */
import type { TrainerCallback } from './callbacks.js';
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PbWriter } from '../engine/onnx/protobuf.js';

const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as TFRecord uses it. */
export function crc32c(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) c = CRC32C_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** TFRecord's masked CRC: rotate right by 15 bits, add 0xa282ead8. */
export function maskedCrc32c(data: Uint8Array): number {
  const c = crc32c(data);
  return (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
}

/** One TFRecord: length, masked CRC of the length, data, masked CRC of the data. */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length + 4);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(data.length), true);
  dv.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  dv.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

export type SummaryValue = { tag: string; simpleValue: number } | { tag: string; text: string };

export interface TbEvent {
  /** Seconds since the epoch. */
  wallTime: number;
  step?: number;
  fileVersion?: string;
  /** SourceMetadata.writer, on the first event. */
  writer?: string;
  summary?: SummaryValue[];
}

function summaryValue(v: SummaryValue): PbWriter {
  const w = new PbWriter().string(1, v.tag);
  if ('simpleValue' in v) return w.float(2, v.simpleValue);
  const shape = new PbWriter().message(2, new PbWriter().int(1, 1));
  const tensor = new PbWriter().int(1, 7 /* DT_STRING */).message(2, shape).string(8, v.text);
  const metadata = new PbWriter().message(1, new PbWriter().string(1, 'text'));
  return w.message(8, tensor).message(9, metadata);
}

/** tensorflow.Event, fields in number order as protobuf serializes them (step 0 left out, proto3's default). */
export function encodeEvent(e: TbEvent): Uint8Array {
  const w = new PbWriter().double(1, e.wallTime);
  if (e.step) w.int(2, e.step);
  if (e.fileVersion !== undefined) w.string(3, e.fileVersion);
  if (e.summary) {
    const s = new PbWriter();
    for (const v of e.summary) s.message(1, summaryValue(v));
    w.message(5, s);
  }
  if (e.writer !== undefined) w.message(10, new PbWriter().string(1, e.writer));
  return w.finish();
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** transformers' default_logdir under output_dir: runs/<%b%d_%H-%M-%S>_<hostname>, local time; TENSORBOARD_LOGGING_DIR wins. */
export function defaultLogDir(outputDir: string, now = new Date(), host = hostname(), env: NodeJS.ProcessEnv = process.env): string {
  if (env.TENSORBOARD_LOGGING_DIR) return env.TENSORBOARD_LOGGING_DIR;
  const stamp = `${MONTHS[now.getMonth()]}${two(now.getDate())}_${two(now.getHours())}-${two(now.getMinutes())}-${two(now.getSeconds())}`;
  return join(outputDir, 'runs', `${stamp}_${host}`);
}

let fileCounter = 0;

export interface TensorBoardWriterOptions {
  /** Seconds since the epoch (default: the clock). */
  clock?: () => number;
  host?: string;
}

/** An event file in `logDir` (created), as torch's SummaryWriter(log_dir) writes it. */
export class TensorBoardWriter {
  readonly file: string;
  private fd: number | null;
  private readonly clock: () => number;

  constructor(logDir: string, opts: TensorBoardWriterOptions = {}) {
    this.clock = opts.clock ?? (() => Date.now() / 1000);
    mkdirSync(logDir, { recursive: true });
    const now = this.clock();
    const name = `events.out.tfevents.${String(Math.floor(now)).padStart(10, '0')}.${opts.host ?? hostname()}.${process.pid}.${fileCounter++}`;
    this.file = join(logDir, name);
    this.fd = openSync(this.file, 'a');
    this.write({ wallTime: now, fileVersion: 'brain.Event:2', writer: 'finetune' });
  }

  /** SummaryWriter.add_scalar: a float32 simple_value. */
  scalar(tag: string, value: number, step: number, wallTime = this.clock()): void {
    this.write({ wallTime, step, summary: [{ tag, simpleValue: value }] });
  }

  /** SummaryWriter.add_text: shows in TensorBoard's Text tab under `<tag>/text_summary`. */
  text(tag: string, text: string, step = 0, wallTime = this.clock()): void {
    this.write({ wallTime, step, summary: [{ tag: `${tag}/text_summary`, text }] });
  }

  /** Makes what was written durable on disk (fsync); each event already reached the OS when it was written. */
  flush(): void {
    if (this.fd !== null) fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd === null) return;
    this.flush();
    closeSync(this.fd);
    this.fd = null;
  }

  private write(e: TbEvent): void {
    if (this.fd === null) throw new Error(`the TensorBoard writer for ${this.file} is closed`);
    const rec = tfRecord(encodeEvent(e));
    let off = 0;
    while (off < rec.length) off += writeSync(this.fd, rec, off, rec.length - off);
  }
}

/**
 * transformers' rewrite_logs: eval_* -> eval/*, test_* -> test/*, everything else (loss,
 * grad_norm, learning_rate, epoch, train_runtime, ...) -> train/*. A log_history entry's own
 * `step` is the x axis, not a value, and is left out.
 */
export function rewriteLogs(entry: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entry)) {
    if (k === 'step') continue;
    if (k.startsWith('eval_')) out[`eval/${k.slice(5)}`] = v;
    else if (k.startsWith('test_')) out[`test/${k.slice(5)}`] = v;
    else out[`train/${k}`] = v;
  }
  return out;
}

/**
 * TensorBoardCallback.on_log for one log entry at global step `step` (default: the entry's own
 * `step`): numbers (and booleans, which Python counts as ints) become scalars, strings texts; the
 * keys of anything else are returned (the callback drops them with a warning).
 */
export function writeLogEntry(writer: TensorBoardWriter, entry: Readonly<Record<string, unknown>>, step?: number): string[] {
  const at = step ?? (typeof entry.step === 'number' ? entry.step : 0);
  const dropped: string[] = [];
  for (const [tag, v] of Object.entries(rewriteLogs(entry))) {
    if (typeof v === 'number') writer.scalar(tag, v, at);
    else if (typeof v === 'boolean') writer.scalar(tag, v ? 1 : 0, at);
    else if (typeof v === 'string') writer.text(tag, v, at);
    else dropped.push(tag);
  }
  return dropped;
}

/** TensorBoardCallback.on_train_begin: the run's arguments (TrainingArguments.to_json_string) and the model config as texts at step 0. */
export function writeTrainBegin(writer: TensorBoardWriter, args: unknown, modelConfig?: unknown): void {
  writer.text('args', JSON.stringify(args, null, 2));
  if (modelConfig !== undefined) writer.text('model_config', JSON.stringify(modelConfig, null, 2));
}

/**
 * --report_to tensorboard: transformers' TensorBoardCallback. Event files under
 * output_dir/runs/<date>_<host>/ (or TENSORBOARD_LOGGING_DIR); the arguments and model config as
 * texts at the start, every log entry (train/*, eval/*) as scalars at its step, flushed at each
 * checkpoint and closed at the end.
 */
export function tensorBoardCallback(outputDir: string, args: unknown, modelConfig: unknown): TrainerCallback {
  let writer: TensorBoardWriter | undefined;
  const open = (): TensorBoardWriter => (writer ??= new TensorBoardWriter(defaultLogDir(outputDir)));
  return {
    onTrainBegin: () => writeTrainBegin(open(), args, modelConfig),
    onLog: (entry) => void writeLogEntry(open(), entry),
    onEvaluate: (e) => void writeLogEntry(open(), { ...e.metrics, epoch: e.epoch }, e.step),
    onSave: () => writer?.flush(),
    onTrainEnd: (state, metrics) => {
      writeLogEntry(open(), metrics, state.global_step);
      writer?.close();
    },
  };
}
