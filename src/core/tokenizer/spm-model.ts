/**
 * Reading a SentencePiece model file (`spm.model`, `sentencepiece.bpe.model`, `spiece.model`): the
 * serialized `sentencepiece.ModelProto` protocol buffer (sentencepiece's src/sentencepiece_model.proto).
 * A small hand-written wire-format reader takes out the fields the tokenizer.json conversion needs
 * (pieces with scores and types, the trainer and normalizer specs) and skips the rest.
 */
import { TokenizerError } from './errors.js';

/** `ModelProto.SentencePiece.Type`. */
export const PieceType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

/** `TrainerSpec.ModelType`. */
export const SpmModelType = { UNIGRAM: 1, BPE: 2, WORD: 3, CHAR: 4 } as const;

export interface SentencePiece {
  piece: string;
  /** The float32 score, as a number. */
  score: number;
  type: number;
}

export interface SpmTrainerSpec {
  modelType: number;
  vocabSize: number;
  byteFallback: boolean;
  unkId: number;
  bosId: number;
  eosId: number;
  padId: number;
  unkPiece: string;
  bosPiece: string;
  eosPiece: string;
  padPiece: string;
}

export interface SpmNormalizerSpec {
  name: string;
  /** Empty when the model has none (identity normalization). */
  precompiledCharsmap: Uint8Array;
  addDummyPrefix: boolean;
  removeExtraWhitespaces: boolean;
  escapeWhitespaces: boolean;
}

export interface SentencePieceModel {
  pieces: SentencePiece[];
  trainerSpec: SpmTrainerSpec;
  normalizerSpec: SpmNormalizerSpec;
}

/** Thrown inside the reader; `parseSentencePieceModel` words it with the file name. */
class WireError extends Error {}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

/** A protocol-buffers wire-format reader over one message's bytes. */
class PbReader {
  private pos = 0;
  private readonly view: DataView;
  private static readonly utf8 = new TextDecoder('utf-8', { fatal: true });

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** A varint as two's-complement 64 bits; returns the low 32 bits as a signed number (int32/enum/bool). */
  varint(): number {
    let lo = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new WireError('a number is cut off at the end of the data');
      const b = this.buf[this.pos++] as number;
      if (shift < 32) lo |= (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) === 0) return lo | 0;
    }
    throw new WireError('a number is longer than 10 bytes');
  }

  /** Field number and wire type of the next field. */
  tag(): { field: number; wire: number } {
    const t = this.varint() >>> 0;
    const field = t >>> 3;
    if (field === 0) throw new WireError('a field has number 0');
    return { field, wire: t & 7 };
  }

  bytes(): Uint8Array {
    const n = this.varint();
    if (n < 0 || this.pos + n > this.buf.length) throw new WireError(`a field of ${n >>> 0} bytes runs past the end of the data`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(): string {
    try {
      return PbReader.utf8.decode(this.bytes());
    } catch (e) {
      if (e instanceof WireError) throw e;
      throw new WireError('a text field is not valid UTF-8');
    }
  }

  float(): number {
    if (this.pos + 4 > this.buf.length) throw new WireError('a float is cut off at the end of the data');
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** Skips a field of the given wire type (groups, long deprecated, are not accepted). */
  skip(wire: number): void {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_LEN) this.bytes();
    else if (wire === WIRE_FIXED32 || wire === WIRE_FIXED64) {
      const n = wire === WIRE_FIXED32 ? 4 : 8;
      if (this.pos + n > this.buf.length) throw new WireError('a fixed-size field is cut off at the end of the data');
      this.pos += n;
    } else throw new WireError(`unknown wire type ${wire}`);
  }
}

/** Reads each field of a message: `on` returns false for fields it does not read (they are skipped). */
function readFields(buf: Uint8Array, on: (r: PbReader, field: number, wire: number) => boolean): void {
  const r = new PbReader(buf);
  while (!r.done) {
    const { field, wire } = r.tag();
    if (!on(r, field, wire)) r.skip(wire);
  }
}

function expectWire(actual: number, expected: number, what: string): void {
  if (actual !== expected) throw new WireError(`${what} has wire type ${actual}, expected ${expected}`);
}

function readInt(r: PbReader, wire: number, what: string): number {
  expectWire(wire, WIRE_VARINT, what);
  return r.varint();
}

function readString(r: PbReader, wire: number, what: string): string {
  expectWire(wire, WIRE_LEN, what);
  return r.string();
}

function readPiece(buf: Uint8Array): SentencePiece {
  const p: SentencePiece = { piece: '', score: 0, type: PieceType.NORMAL };
  readFields(buf, (r, field, wire) => {
    if (field === 1) p.piece = readString(r, wire, 'SentencePiece.piece');
    else if (field === 2) {
      expectWire(wire, WIRE_FIXED32, 'SentencePiece.score');
      p.score = r.float();
    } else if (field === 3) p.type = readInt(r, wire, 'SentencePiece.type');
    else return false;
    return true;
  });
  return p;
}

/** TrainerSpec field numbers of the fields read, with their proto defaults. */
const TRAINER_INTS = { 3: 'modelType', 4: 'vocabSize', 40: 'unkId', 41: 'bosId', 42: 'eosId', 43: 'padId' } as const;
const TRAINER_STRINGS = { 45: 'unkPiece', 46: 'bosPiece', 47: 'eosPiece', 48: 'padPiece' } as const;

function readTrainerSpec(buf: Uint8Array | undefined): SpmTrainerSpec {
  const spec: SpmTrainerSpec = {
    modelType: SpmModelType.UNIGRAM,
    vocabSize: 8000,
    byteFallback: false,
    unkId: 0,
    bosId: 1,
    eosId: 2,
    padId: -1,
    unkPiece: '<unk>',
    bosPiece: '<s>',
    eosPiece: '</s>',
    padPiece: '<pad>',
  };
  if (!buf) return spec;
  readFields(buf, (r, field, wire) => {
    const intKey = TRAINER_INTS[field as keyof typeof TRAINER_INTS];
    const stringKey = TRAINER_STRINGS[field as keyof typeof TRAINER_STRINGS];
    if (intKey) spec[intKey] = readInt(r, wire, `TrainerSpec field ${field}`);
    else if (stringKey) spec[stringKey] = readString(r, wire, `TrainerSpec field ${field}`);
    else if (field === 35) spec.byteFallback = readInt(r, wire, 'TrainerSpec.byte_fallback') !== 0;
    else return false;
    return true;
  });
  return spec;
}

function readNormalizerSpec(buf: Uint8Array | undefined): SpmNormalizerSpec {
  const spec: SpmNormalizerSpec = {
    name: '',
    precompiledCharsmap: new Uint8Array(0),
    addDummyPrefix: true,
    removeExtraWhitespaces: true,
    escapeWhitespaces: true,
  };
  if (!buf) return spec;
  const flags = { 3: 'addDummyPrefix', 4: 'removeExtraWhitespaces', 5: 'escapeWhitespaces' } as const;
  readFields(buf, (r, field, wire) => {
    const flag = flags[field as keyof typeof flags];
    if (field === 1) spec.name = readString(r, wire, 'NormalizerSpec.name');
    else if (field === 2) {
      expectWire(wire, WIRE_LEN, 'NormalizerSpec.precompiled_charsmap');
      spec.precompiledCharsmap = r.bytes().slice();
    } else if (flag) spec[flag] = readInt(r, wire, `NormalizerSpec field ${field}`) !== 0;
    else return false;
    return true;
  });
  return spec;
}

/** Checks what sentencepiece itself checks when it loads a model. */
function validate(model: SentencePieceModel): void {
  const { pieces, trainerSpec } = model;
  if (pieces.length === 0) throw new WireError('it has no pieces');
  pieces.forEach((p, i) => {
    if (p.piece === '') throw new WireError(`piece ${i} is empty`);
    if (!(p.type >= PieceType.NORMAL && p.type <= PieceType.BYTE)) throw new WireError(`piece ${i} has an unknown type ${p.type}`);
    if (!Number.isFinite(p.score)) throw new WireError(`piece ${i} has a score that is not a finite number`);
  });
  const unk = pieces[trainerSpec.unkId];
  if (!unk || unk.type !== PieceType.UNKNOWN) {
    throw new WireError(`its unk_id ${trainerSpec.unkId} is not the id of an UNKNOWN piece`);
  }
}

/**
 * Parses the bytes of a SentencePiece `.model` file. `source` names the file in errors: a file
 * that is not a SentencePiece model (cut off, another format, no pieces, no unknown piece) is a
 * `TokenizerError('malformed-file')` saying so.
 */
export function parseSentencePieceModel(bytes: Uint8Array, source: string): SentencePieceModel {
  try {
    const pieces: SentencePiece[] = [];
    let trainer: Uint8Array | undefined;
    let normalizer: Uint8Array | undefined;
    readFields(bytes, (r, field, wire) => {
      if (field < 1 || field > 5) return false;
      expectWire(wire, WIRE_LEN, `ModelProto field ${field}`);
      if (field === 1) pieces.push(readPiece(r.bytes()));
      else if (field === 2) trainer = r.bytes();
      else if (field === 3) normalizer = r.bytes();
      else r.bytes(); // self_test_data, denormalizer_spec
      return true;
    });
    const model = { pieces, trainerSpec: readTrainerSpec(trainer), normalizerSpec: readNormalizerSpec(normalizer) };
    validate(model);
    return model;
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
    throw new TokenizerError(
      'malformed-file',
      `${source} is not a valid SentencePiece model (${e.message}). Download the tokenizer files again, or use the model's tokenizer.json.`,
      { path: source, cause: e },
    );
  }
}
