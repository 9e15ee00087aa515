/**
 * A small, safe unpickler: it interprets the pickle opcodes PyTorch's `torch.save` emits (protocol
 * 2, plus the few protocol 0/1/4 ones that cost nothing) as pure data. It never runs code: every
 * GLOBAL / STACK_GLOBAL is handed to `hooks.findGlobal`, which returns a stand-in value or throws
 * to refuse, and REDUCE / BUILD / persistent ids go through the hooks too. Opcodes that build
 * arbitrary objects (NEWOBJ, OBJ, INST, EXT*) and out-of-band buffers are refused.
 */
import { fail } from './errors.js';

/** A Python tuple. */
export class PyTuple {
  constructor(readonly items: readonly unknown[]) {}
}

/** A Python dict (or OrderedDict); `state` holds what BUILD set on it (OrderedDict's `_metadata`). */
export class PyDict {
  readonly map = new Map<unknown, unknown>();
  state: unknown = undefined;
}

export interface UnpicklerHooks {
  /** Resolve `module.name`; throw to refuse. The result is only ever passed back to the hooks. */
  findGlobal(module: string, name: string): unknown;
  /** REDUCE: call `fn` (a findGlobal result, or whatever the stream put there) with `args`. */
  reduce(fn: unknown, args: readonly unknown[]): unknown;
  /** BINPERSID / PERSID. */
  persistentLoad(pid: unknown): unknown;
  /** BUILD on something other than a PyDict; default: refuse. */
  build?(obj: unknown, state: unknown): unknown;
}

const MARK = Symbol('mark');

/** Opcode names, for error messages about ones we refuse. */
const REFUSED: Readonly<Record<number, string>> = {
  0x81: 'NEWOBJ',
  0x92: 'NEWOBJ_EX',
  0x6f: 'OBJ',
  0x69: 'INST',
  0x82: 'EXT1',
  0x83: 'EXT2',
  0x84: 'EXT4',
  0x96: 'BYTEARRAY8',
  0x97: 'NEXT_BUFFER',
  0x98: 'READONLY_BUFFER',
};

function toInt(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/**
 * Unpickle `bytes`. `file` and `member` name the source in errors ("<file>: <member> at byte N: ...").
 */
export function unpickle(bytes: Uint8Array, hooks: UnpicklerHooks, file: string, member = 'pickle'): unknown {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder('utf-8');
  const latin1 = new TextDecoder('latin1');
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let pos = 0;
  let opAt = 0;

  const err = (what: string) => fail(file, `${member} at byte ${opAt}: ${what}`);
  const need = (n: number) => {
    if (n < 0 || pos + n > bytes.length) throw err('unexpected end of pickle data (file truncated or corrupt)');
  };
  const u8 = () => {
    need(1);
    return bytes[pos++] as number;
  };
  const u16 = () => {
    need(2);
    const v = dv.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = () => {
    need(4);
    const v = dv.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const i32 = () => {
    need(4);
    const v = dv.getInt32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = () => {
    need(8);
    const v = dv.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(bytes.length)) throw err('length beyond the end of the pickle data');
    return Number(v);
  };
  const take = (n: number) => {
    need(n);
    const b = bytes.subarray(pos, pos + n);
    pos += n;
    return b;
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw err('unterminated text argument');
    const s = latin1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = () => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= (marks[marks.length - 1] as number))) {
      throw err('stack underflow');
    }
    const v = stack.pop();
    if (v === MARK) throw err('unexpected MARK');
    return v;
  };
  const top = () => {
    if (stack.length === 0) throw err('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = () => {
    const m = marks.pop();
    if (m === undefined) throw err('no MARK on the stack');
    return stack.splice(m);
  };
  const signedLE = (b: Uint8Array): number | bigint => {
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i] as number);
    if (b.length > 0 && ((b[b.length - 1] as number) & 0x80) !== 0) v -= 1n << BigInt(8 * b.length);
    return toInt(v);
  };
  const setItems = (target: unknown, items: unknown[]) => {
    if (!(target instanceof PyDict)) throw err('SETITEM(S) on something that is not a dict');
    if (items.length % 2 !== 0) throw err('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) target.map.set(items[i], items[i + 1]);
  };
  const append = (target: unknown, items: unknown[]) => {
    if (!Array.isArray(target)) throw err('APPEND(S) on something that is not a list');
    target.push(...items);
  };
  const global = (module: string, name: string) => {
    if (module.includes('\n') || name.includes('\n')) throw err('malformed GLOBAL');
    return hooks.findGlobal(module, name);
  };

  for (;;) {
    opAt = pos;
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) throw err('unsupported pickle protocol');
        break;
      case 0x95: // FRAME
        u64();
        break;
      case 0x2e: {
        // STOP
        if (stack.length !== 1 || marks.length !== 0) throw err('STOP with a malformed stack');
        return stack[0];
      }
      case 0x28: // MARK
        marks.push(stack.length);
        stack.push(MARK);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict());
        break;
      case 0x64: {
        // DICT
        const items = popMark().slice(1);
        const d = new PyDict();
        setItems(d, items);
        stack.push(d);
        break;
      }
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popMark().slice(1));
        break;
      case 0x74: // TUPLE
        stack.push(new PyTuple(popMark().slice(1)));
        break;
      case 0x85: // TUPLE1
        stack.push(new PyTuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        const a = pop();
        stack.push(new PyTuple([a, b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push(new PyTuple([a, b, c]));
        break;
      }
      case 0x8f: // EMPTY_SET
        stack.push(new Set<unknown>());
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark().slice(1);
        const s = top();
        if (!(s instanceof Set)) throw err('ADDITEMS on something that is not a set');
        for (const i of items) s.add(i);
        break;
      }
      case 0x91: // FROZENSET
        stack.push(new Set(popMark().slice(1)));
        break;
      case 0x58: // BINUNICODE
        stack.push(utf8.decode(take(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8.decode(take(u8())));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(utf8.decode(take(u64())));
        break;
      case 0x54: {
        // BINSTRING
        const n = i32();
        if (n < 0) throw err('negative BINSTRING length');
        stack.push(latin1.decode(take(n)));
        break;
      }
      case 0x55: // SHORT_BINSTRING
        stack.push(latin1.decode(take(u8())));
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x8e: // BINBYTES8
        stack.push(take(u64()).slice());
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(signedLE(take(u8())));
        break;
      case 0x8b: {
        // LONG4
        const n = i32();
        if (n < 0) throw err('negative LONG4 length');
        stack.push(signedLE(take(n)));
        break;
      }
      case 0x49: {
        // INT (text)
        const s = line();
        if (s === '00') stack.push(false);
        else if (s === '01') stack.push(true);
        else if (/^[+-]?\d+$/.test(s)) stack.push(toInt(BigInt(s)));
        else throw err(`bad INT argument "${s}"`);
        break;
      }
      case 0x4c: {
        // LONG (text)
        const s = line().replace(/L$/, '');
        if (!/^[+-]?\d+$/.test(s)) throw err(`bad LONG argument "${s}"`);
        stack.push(toInt(BigInt(s)));
        break;
      }
      case 0x46: {
        // FLOAT (text)
        const v = Number(line());
        stack.push(v);
        break;
      }
      case 0x47: {
        // BINFLOAT (big-endian)
        need(8);
        stack.push(dv.getFloat64(pos, false));
        pos += 8;
        break;
      }
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x30: // POP
        if (top() === MARK) popMark();
        else pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: {
        // DUP
        const v = top();
        if (v === MARK) throw err('DUP of a MARK');
        stack.push(v);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x70: {
        // PUT (text)
        const i = Number(line());
        if (!Number.isSafeInteger(i)) throw err('bad PUT index');
        memo.set(i, top());
        break;
      }
      case 0x68: // BINGET
      case 0x6a: // LONG_BINGET
      case 0x67: {
        // GET (text)
        const i = op === 0x68 ? u8() : op === 0x6a ? u32() : Number(line());
        if (!memo.has(i)) throw err(`memo entry ${i} is missing`);
        stack.push(memo.get(i));
        break;
      }
      case 0x63: {
        // GLOBAL
        const module = line();
        const name = line();
        stack.push(global(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw err('STACK_GLOBAL needs two strings');
        stack.push(global(module, name));
        break;
      }
      case 0x51: // BINPERSID
        stack.push(hooks.persistentLoad(pop()));
        break;
      case 0x50: // PERSID
        stack.push(hooks.persistentLoad(line()));
        break;
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        if (!(args instanceof PyTuple)) throw err('REDUCE arguments are not a tuple');
        stack.push(hooks.reduce(fn, args.items));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const obj = pop();
        if (obj instanceof PyDict) {
          obj.state = state;
          stack.push(obj);
        } else if (hooks.build) {
          stack.push(hooks.build(obj, state));
        } else {
          throw err('BUILD on an object this unpickler does not build');
        }
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark().slice(1);
        setItems(top(), items);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        append(top(), [v]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark().slice(1);
        append(top(), items);
        break;
      }
      default: {
        const name = REFUSED[op];
        throw err(name ? `opcode ${name} is not supported (it builds arbitrary objects)` : `unknown pickle opcode 0x${op.toString(16).padStart(2, '0')}`);
      }
    }
  }
}
