/**
 * Special tokens and token type ids on id lists, following the `post_processor` of a
 * tokenizer.json the way Hugging Face `tokenizers` applies it. Working on ids (not on the
 * library's token strings) lets truncation happen first, with the special tokens counted, as
 * `tokenizers` does.
 */
import { TokenizerError } from './errors.js';
import type { TemplatePiece } from './types.js';

/** Which HF implementation to match where the two disagree: Rust `tokenizers` (the "fast"
 * tokenizers `AutoTokenizer` returns by default) or the Python ("slow") tokenizer classes. */
export type Parity = 'fast' | 'slow';

export interface BuiltInputs {
  ids: number[];
  typeIds: number[];
}

export interface SpecialTokensPlan {
  /** The post-processor type it came from ('TemplateProcessing', 'BertProcessing', ..., 'none'). */
  readonly kind: string;
  /** How many special tokens `build` adds (HF `num_special_tokens_to_add`). */
  numAdded(pair: boolean): number;
  build(a: readonly number[], b: readonly number[] | null, addSpecialTokens: boolean, parity: Parity): BuiltInputs;
}

function fill(out: number[], value: number, count: number): void {
  for (let i = 0; i < count; i++) out.push(value);
}

function pushAll(out: number[], values: readonly number[]): void {
  for (let i = 0; i < values.length; i++) out.push(values[i] as number);
}

/** No special tokens, sequences concatenated, `firstPairType` for B. */
function plainBuild(a: readonly number[], b: readonly number[] | null, pairType: number): BuiltInputs {
  const ids = a.slice();
  const typeIds: number[] = [];
  fill(typeIds, 0, a.length);
  if (b) {
    pushAll(ids, b);
    fill(typeIds, pairType, b.length);
  }
  return { ids, typeIds };
}

type CompiledPiece = { special: readonly number[]; typeId: number } | { sequence: 'A' | 'B'; typeId: number };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function compileTemplate(pieces: unknown, specials: Record<string, unknown>, where: string, source: string): CompiledPiece[] {
  if (!Array.isArray(pieces)) {
    throw new TokenizerError('malformed-file', `${source}: post_processor.${where} must be an array of template pieces.`, {
      path: source,
    });
  }
  return pieces.map((piece: TemplatePiece | unknown): CompiledPiece => {
    if (isObject(piece) && isObject(piece.SpecialToken)) {
      const name = piece.SpecialToken.id;
      const entry = typeof name === 'string' ? specials[name] : undefined;
      if (!isObject(entry) || !Array.isArray(entry.ids) || !entry.ids.every((x) => Number.isInteger(x))) {
        throw new TokenizerError(
          'malformed-file',
          `${source}: post_processor.${where} uses special token ${String(name)}, which post_processor.special_tokens does not define with its ids.`,
          { path: source },
        );
      }
      return { special: entry.ids as number[], typeId: Number(piece.SpecialToken.type_id ?? 0) };
    }
    if (isObject(piece) && isObject(piece.Sequence) && (piece.Sequence.id === 'A' || piece.Sequence.id === 'B')) {
      return { sequence: piece.Sequence.id, typeId: Number(piece.Sequence.type_id ?? 0) };
    }
    throw new TokenizerError('malformed-file', `${source}: post_processor.${where} has a piece that is neither a SpecialToken nor a Sequence A/B.`, {
      path: source,
    });
  });
}

class TemplatePlan implements SpecialTokensPlan {
  readonly kind = 'TemplateProcessing';
  private readonly addedSingle: number;
  private readonly addedPair: number;
  constructor(
    private readonly single: CompiledPiece[],
    private readonly pair: CompiledPiece[],
  ) {
    const count = (pieces: CompiledPiece[]) => pieces.reduce((n, p) => n + ('special' in p ? p.special.length : 0), 0);
    this.addedSingle = count(single);
    this.addedPair = count(pair);
  }
  numAdded(pair: boolean): number {
    return pair ? this.addedPair : this.addedSingle;
  }
  build(a: readonly number[], b: readonly number[] | null, addSpecialTokens: boolean, parity: Parity): BuiltInputs {
    if (!addSpecialTokens && parity === 'slow') return plainBuild(a, b, 0);
    const ids: number[] = [];
    const typeIds: number[] = [];
    for (const piece of b ? this.pair : this.single) {
      if ('special' in piece) {
        if (!addSpecialTokens) continue;
        pushAll(ids, piece.special);
        fill(typeIds, piece.typeId, piece.special.length);
      } else {
        const seq = piece.sequence === 'A' ? a : (b ?? []);
        pushAll(ids, seq);
        fill(typeIds, piece.typeId, seq.length);
      }
    }
    return { ids, typeIds };
  }
}

/** `BertProcessing`: [CLS] A [SEP] (B [SEP]); B and its [SEP] have type 1. */
class BertPlan implements SpecialTokensPlan {
  readonly kind = 'BertProcessing';
  constructor(
    private readonly cls: number,
    private readonly sep: number,
  ) {}
  numAdded(pair: boolean): number {
    return pair ? 3 : 2;
  }
  build(a: readonly number[], b: readonly number[] | null, addSpecialTokens: boolean, parity: Parity): BuiltInputs {
    // Rust gives each sequence its index as type id before processing; slow gives zeros.
    if (!addSpecialTokens) return plainBuild(a, b, parity === 'fast' ? 1 : 0);
    const ids = [this.cls];
    pushAll(ids, a);
    ids.push(this.sep);
    const typeIds: number[] = [];
    fill(typeIds, 0, a.length + 2);
    if (b) {
      pushAll(ids, b);
      ids.push(this.sep);
      fill(typeIds, 1, b.length + 1);
    }
    return { ids, typeIds };
  }
}

/** `RobertaProcessing`: <s> A </s> (</s> B </s>); every type id is 0. */
class RobertaPlan implements SpecialTokensPlan {
  readonly kind = 'RobertaProcessing';
  constructor(
    private readonly cls: number,
    private readonly sep: number,
  ) {}
  numAdded(pair: boolean): number {
    return pair ? 4 : 2;
  }
  build(a: readonly number[], b: readonly number[] | null, addSpecialTokens: boolean): BuiltInputs {
    if (!addSpecialTokens) return plainBuild(a, b, 0);
    const ids = [this.cls];
    pushAll(ids, a);
    ids.push(this.sep);
    if (b) {
      ids.push(this.sep);
      pushAll(ids, b);
      ids.push(this.sep);
    }
    const typeIds: number[] = [];
    fill(typeIds, 0, ids.length);
    return { ids, typeIds };
  }
}

/** No special tokens: no post_processor (type ids 0), or only ByteLevel (type id = sequence index). */
class PlainPlan implements SpecialTokensPlan {
  constructor(
    readonly kind: string,
    private readonly pairType: number,
  ) {}
  numAdded(): number {
    return 0;
  }
  build(a: readonly number[], b: readonly number[] | null, _add: boolean, parity: Parity): BuiltInputs {
    return plainBuild(a, b, parity === 'fast' ? this.pairType : 0);
  }
}

function idPair(value: unknown, field: string, source: string): number {
  if (Array.isArray(value) && typeof value[0] === 'string' && Number.isInteger(value[1])) return value[1] as number;
  throw new TokenizerError('malformed-file', `${source}: post_processor.${field} must be [token, id].`, { path: source });
}

/** Builds the plan for a tokenizer.json `post_processor` value. `source` names the file in errors. */
export function planFromPostProcessor(postProcessor: unknown, source: string): SpecialTokensPlan {
  if (postProcessor === null || postProcessor === undefined) return new PlainPlan('none', 0);
  if (!isObject(postProcessor)) {
    throw new TokenizerError('malformed-file', `${source}: post_processor must be an object or null.`, { path: source });
  }
  switch (postProcessor.type) {
    case 'TemplateProcessing': {
      const specials = isObject(postProcessor.special_tokens) ? postProcessor.special_tokens : {};
      return new TemplatePlan(compileTemplate(postProcessor.single, specials, 'single', source), compileTemplate(postProcessor.pair, specials, 'pair', source));
    }
    case 'BertProcessing':
      return new BertPlan(idPair(postProcessor.cls, 'cls', source), idPair(postProcessor.sep, 'sep', source));
    case 'RobertaProcessing':
      return new RobertaPlan(idPair(postProcessor.cls, 'cls', source), idPair(postProcessor.sep, 'sep', source));
    case 'ByteLevel':
      return new PlainPlan('ByteLevel', 1);
    case 'Sequence': {
      const members = Array.isArray(postProcessor.processors) ? postProcessor.processors : [];
      // ByteLevel only trims offsets; at most one other member may add special tokens.
      const adding = members.filter((m) => !(isObject(m) && m.type === 'ByteLevel'));
      if (adding.length === 0) return new PlainPlan('ByteLevel', 1);
      if (adding.length === 1) return planFromPostProcessor(adding[0], source);
      throw new TokenizerError('unsupported', `${source}: a Sequence post_processor with more than one token-adding processor is not supported.`, {
        path: source,
      });
    }
    default:
      throw new TokenizerError('unsupported', `${source}: post_processor type ${String(postProcessor.type)} is not supported.`, {
        path: source,
      });
  }
}
