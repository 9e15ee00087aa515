/**
 * The Unigram model of Hugging Face `tokenizers` (Rust, models/unigram/model.rs), used in place of
 * Tokenizers.js' Unigram, which differs from Rust in ways that change ids:
 *  - it gives the unknown piece the unknown score even where the text matches the piece itself;
 *  - it has no byte fallback;
 *  - it fuses unknown pieces across pre-tokens (Rust fuses within one pre-token only).
 *
 * As in Rust (`encode_optimized`, a port of SentencePiece's optimized Viterbi): every vocabulary
 * entry can match (control pieces too), a character no entry of one character covers gets an
 * unknown node scored `min score - 10`, ties keep the first (shortest) candidate, consecutive
 * unknown pieces are fused into one, and a piece that is not in the vocabulary becomes its UTF-8
 * bytes `<0xXX>` when byte_fallback is on and all those bytes are in the vocabulary, else unk.
 */

const UNK_PENALTY = 10;

export interface UnigramPiece {
  /** The piece's text (for an unknown piece: the text it covers). */
  token: string;
  id: number;
}

export class UnigramModel {
  private readonly ids = new Map<string, number>();
  private readonly scores: Float64Array;
  private readonly unkScore: number;
  /**
   * In place of Rust's trie: for each first code point, the lengths (UTF-16 units, ascending) of
   * the entries starting with it; the candidates at a position are looked up by those lengths.
   */
  private readonly lengthsByFirst = new Map<number, number[]>();
  private readonly cache = new Map<string, UnigramPiece[]>();

  constructor(
    vocab: readonly (readonly [string, number])[],
    private readonly unkId: number,
    private readonly byteFallback: boolean,
  ) {
    this.scores = new Float64Array(vocab.length);
    let min = Infinity;
    const lengths = new Map<number, Set<number>>();
    vocab.forEach(([token, score], id) => {
      this.ids.set(token, id); // a repeated token keeps its last id, as Rust's map does
      this.scores[id] = score;
      if (score < min) min = score;
      const first = token.codePointAt(0);
      if (first === undefined) return;
      let set = lengths.get(first);
      if (!set) lengths.set(first, (set = new Set()));
      set.add(token.length);
    });
    for (const [first, set] of lengths)
      this.lengthsByFirst.set(
        first,
        [...set].sort((a, b) => a - b),
      );
    this.unkScore = min - UNK_PENALTY;
  }

  tokenToId(token: string): number | undefined {
    return this.ids.get(token);
  }

  /** The pieces of one pre-token (Rust `Unigram::tokenize`). */
  tokenize(text: string): UnigramPiece[] {
    if (text.length === 0) return [];
    const cached = this.cache.get(text);
    if (cached) return cached;
    const pieces: UnigramPiece[] = [];
    for (const token of this.encode(text)) {
      const id = this.ids.get(token);
      if (id !== undefined) pieces.push({ token, id });
      else pieces.push(...this.unknown(token));
    }
    if (this.cache.size < 100_000 && text.length < 256) this.cache.set(text, pieces);
    return pieces;
  }

  private unknown(token: string): UnigramPiece[] {
    if (this.byteFallback) {
      const bytes = [...new TextEncoder().encode(token)].map((b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
      const ids = bytes.map((b) => this.ids.get(b));
      if (ids.every((id) => id !== undefined)) return bytes.map((b, i) => ({ token: b, id: ids[i] as number }));
    }
    return [{ token, id: this.unkId }];
  }

  /** Best segmentation (strings), unknown runs fused: Rust `encode_optimized`. Positions are UTF-16 indices. */
  private encode(text: string): string[] {
    const size = text.length;
    const bestScore = new Float64Array(size + 1);
    const startsAt = new Int32Array(size + 1).fill(-1);
    const bestId = new Int32Array(size + 1);
    const consider = (start: number, end: number, id: number, score: number) => {
      const candidate = score + (bestScore[start] as number);
      if (startsAt[end] === -1 || candidate > (bestScore[end] as number)) {
        bestScore[end] = candidate;
        startsAt[end] = start;
        bestId[end] = id;
      }
    };
    let start = 0;
    while (start < size) {
      const first = text.codePointAt(start) as number;
      const charLength = first > 0xffff ? 2 : 1;
      let hasSingle = false;
      // Every entry that starts here, shortest first (the order of Rust's trie search).
      for (const length of this.lengthsByFirst.get(first) ?? []) {
        if (start + length > size) break;
        const id = this.ids.get(text.slice(start, start + length));
        if (id !== undefined) {
          consider(start, start + length, id, this.scores[id] as number);
          if (length === charLength) hasSingle = true;
        }
      }
      if (!hasSingle) consider(start, start + charLength, this.unkId, this.unkScore);
      start += charLength;
    }
    return this.backtrack(text, startsAt, bestId);
  }

  private backtrack(text: string, startsAt: Int32Array, bestId: Int32Array): string[] {
    const results: string[] = [];
    let unknownRun = '';
    for (let end = text.length; end > 0;) {
      const start = startsAt[end] as number;
      const piece = text.slice(start, end);
      if (bestId[end] === this.unkId) unknownRun = piece + unknownRun;
      else {
        if (unknownRun) results.push(unknownRun);
        unknownRun = '';
        results.push(piece);
      }
      end = start;
    }
    if (unknownRun) results.push(unknownRun);
    return results.reverse();
  }
}
