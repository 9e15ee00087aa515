import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { PbWriter } from '../../../../src/core/engine/onnx/protobuf.js';
import { TokenizerError } from '../../../../src/core/tokenizer/errors.js';
import { parseSentencePieceModel, PieceType } from '../../../../src/core/tokenizer/spm-model.js';
import { FIXTURES } from './fixtures.js';

const DEBERTA = `${FIXTURES}deberta-v3/spm.model`;
const XLMR = `${FIXTURES}xlmr-tiny/sentencepiece.bpe.model`;

/** A ModelProto written field by field (sentencepiece_model.proto numbers). */
function modelProto(
  pieces: [string, number, number?][],
  trainer: (w: PbWriter) => void = () => undefined,
  normalizer: (w: PbWriter) => void = () => undefined,
): Uint8Array {
  const w = new PbWriter();
  for (const [piece, score, type] of pieces) {
    const p = new PbWriter().string(1, piece).float(2, score);
    if (type !== undefined) p.int(3, type);
    w.message(1, p);
  }
  const t = new PbWriter();
  trainer(t);
  w.message(2, t);
  const n = new PbWriter();
  normalizer(n);
  w.message(3, n);
  return w.finish();
}

describe('parseSentencePieceModel', () => {
  test('the real DeBERTa-v3 model: pieces, trainer and normalizer specs', () => {
    const m = parseSentencePieceModel(readFileSync(DEBERTA), DEBERTA);
    assert.equal(m.pieces.length, 128000);
    assert.deepEqual(m.pieces.slice(0, 5), [
      { piece: '[PAD]', score: 0, type: PieceType.CONTROL },
      { piece: '[CLS]', score: 0, type: PieceType.CONTROL },
      { piece: '[SEP]', score: 0, type: PieceType.CONTROL },
      { piece: '[UNK]', score: 0, type: PieceType.UNKNOWN },
      { piece: '<0x00>', score: 0, type: PieceType.BYTE },
    ]);
    // The last piece's float32 score, read exactly (python: sp.get_score(127999)).
    assert.deepEqual(m.pieces[127999], { piece: '얻', score: -24.518644332885742, type: PieceType.NORMAL });
    assert.deepEqual(
      { ...m.trainerSpec },
      {
        modelType: 1,
        vocabSize: 128000,
        byteFallback: true,
        unkId: 3,
        bosId: 1,
        eosId: 2,
        padId: 0,
        unkPiece: '[UNK]',
        bosPiece: '[CLS]',
        eosPiece: '[SEP]',
        padPiece: '[PAD]',
      },
    );
    assert.equal(m.normalizerSpec.name, 'nmt_nfkc');
    assert.equal(m.normalizerSpec.precompiledCharsmap.length, 237539);
    assert.deepEqual([m.normalizerSpec.addDummyPrefix, m.normalizerSpec.removeExtraWhitespaces, m.normalizerSpec.escapeWhitespaces], [true, true, true]);
  });

  test("XLM-R's layout: <unk> <s> </s>, pad_id -1 (a negative varint)", () => {
    const m = parseSentencePieceModel(readFileSync(XLMR), XLMR);
    assert.deepEqual(
      m.pieces.slice(0, 3).map((p) => [p.piece, p.type]),
      [
        ['<unk>', PieceType.UNKNOWN],
        ['<s>', PieceType.CONTROL],
        ['</s>', PieceType.CONTROL],
      ],
    );
    assert.equal(m.trainerSpec.padId, -1);
    assert.equal(m.trainerSpec.byteFallback, false);
  });

  test('proto defaults for fields that are absent; unknown fields skipped', () => {
    const bytes = modelProto(
      [
        ['<unk>', 0, PieceType.UNKNOWN],
        ['\u2581a', -1.5],
      ],
      (t) =>
        t
          .string(2, 'prefix')
          .float(10, 0.9995)
          .int(11, 10n ** 12n),
      (n) => n.int(3, 0).bytes(6, new Uint8Array([1, 2])),
    );
    const m = parseSentencePieceModel(bytes, 'x.model');
    assert.deepEqual(m.pieces[1], { piece: '\u2581a', score: -1.5, type: PieceType.NORMAL });
    assert.deepEqual([m.trainerSpec.modelType, m.trainerSpec.unkId, m.trainerSpec.padId, m.trainerSpec.unkPiece], [1, 0, -1, '<unk>']);
    assert.deepEqual([m.normalizerSpec.addDummyPrefix, m.normalizerSpec.removeExtraWhitespaces, m.normalizerSpec.precompiledCharsmap.length], [false, true, 0]);
  });

  const real = readFileSync(DEBERTA);
  const bad: { name: string; bytes: Uint8Array; re: RegExp }[] = [
    { name: 'empty file', bytes: new Uint8Array(0), re: /no pieces/ },
    { name: 'cut off in the middle', bytes: real.subarray(0, 1000), re: /runs past the end|cut off/ },
    { name: 'a tokenizer.json renamed', bytes: new TextEncoder().encode('{"model": {"type": "Unigram"}}'), re: /wire type|runs past|cut off|number 0/ },
    { name: 'random bytes', bytes: Uint8Array.from({ length: 64 }, (_, i) => (i * 151 + 7) % 256), re: /./ },
    { name: 'no UNKNOWN piece at unk_id', bytes: modelProto([['a', 0]]), re: /unk_id 0 is not the id of an UNKNOWN piece/ },
    {
      name: 'an empty piece',
      bytes: modelProto([
        ['<unk>', 0, 2],
        ['', 0],
      ]),
      re: /piece 1 is empty/,
    },
    {
      name: 'an unknown piece type',
      bytes: modelProto([
        ['<unk>', 0, 2],
        ['a', 0, 9],
      ]),
      re: /unknown type 9/,
    },
    {
      name: 'a piece that is not UTF-8',
      bytes: new PbWriter().message(1, new PbWriter().bytes(1, new Uint8Array([0xff, 0xfe]))).finish(),
      re: /not valid UTF-8/,
    },
  ];
  for (const { name, bytes, re } of bad) {
    test(`malformed: ${name} -> an error naming the file`, () => {
      assert.throws(
        () => parseSentencePieceModel(bytes, '/models/x/spm.model'),
        (e: unknown) =>
          e instanceof TokenizerError &&
          e.code === 'malformed-file' &&
          e.path === '/models/x/spm.model' &&
          e.message.startsWith('/models/x/spm.model is not a valid SentencePiece model') &&
          re.test(e.message),
      );
    });
  }
});
