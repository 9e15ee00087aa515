import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CheckpointError } from '../../../../../src/core/model/checkpoint/errors.js';
import { PyDict, PyTuple, type UnpicklerHooks, unpickle } from '../../../../../src/core/model/checkpoint/pickle.js';

const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));

/** Hooks that refuse every global, call nothing, and resolve no persistent id. */
const refuseAll: UnpicklerHooks = {
  findGlobal(module, name) {
    throw new CheckpointError('f', `refused ${module}.${name}`);
  },
  reduce() {
    throw new Error('unreachable');
  },
  persistentLoad() {
    throw new Error('unreachable');
  },
};

/** Plain Python values for comparison: dict -> object, tuple -> {tuple: [...]}. */
function plain(v: unknown): unknown {
  if (v instanceof PyDict) return Object.fromEntries([...v.map].map(([k, x]) => [String(k), plain(x)]));
  if (v instanceof PyTuple) return { tuple: v.items.map(plain) };
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Set) return { set: [...v].map(plain) };
  return v;
}

test('protocol 2 data, as CPython writes it', () => {
  // pickle.dumps({'a': [1, 2.5, None, True, False, 'xé', (1,2), (), (1,), (1,2,3), 2**70, -5, 300, 70000, -(2**40)], 'b': {}}, protocol=2)
  const bytes = hex(
    '80027d71002858010000006171015d7102284b014740040000000000004e8889580300000078c3a971034b014b02867104294b018571054b014b024b038771068a090000000000000000404afbffffff4d2c014a701101008a060000000000ff6558010000006271077d7108752e',
  );
  assert.deepEqual(plain(unpickle(bytes, refuseAll, 'f')), {
    a: [1, 2.5, null, true, false, 'xé', { tuple: [1, 2] }, { tuple: [] }, { tuple: [1] }, { tuple: [1, 2, 3] }, 2n ** 70n, -5, 300, 70000, -(2 ** 40)],
    b: {},
  });
});

test('protocol 4 data: FRAME, MEMOIZE, bytes, sets, LONG1 past 2**64', () => {
  // pickle.dumps({'bytes': b'yz', 'big': 2**100, 'set': {1}, 'fs': frozenset([2]), 'l': [1]*3}, protocol=4)
  const bytes = hex(
    '8004954b000000000000007d94288c056279746573944302797a948c03626967948a0d000000000000000000000000108c03736574948f94284b01908c02667394284b0291948c016c945d94284b014b014b0165752e',
  );
  assert.deepEqual(plain(unpickle(bytes, refuseAll, 'f')), {
    bytes: Uint8Array.from([0x79, 0x7a]),
    big: 2n ** 100n,
    set: { set: [1] },
    fs: { set: [2] },
    l: [1, 1, 1],
  });
});

test('GLOBAL goes through findGlobal; REDUCE and BUILD through the hooks', () => {
  // pickle.dumps(collections.OrderedDict([('k', 1)]), protocol=2)
  const bytes = hex('800263636f6c6c656374696f6e730a4f726465726564446963740a71002952710158010000006b71024b01732e');
  const seen: string[] = [];
  const hooks: UnpicklerHooks = {
    findGlobal: (m, n) => (seen.push(`${m}.${n}`), 'OD'),
    reduce: (fn, args) => {
      assert.equal(fn, 'OD');
      assert.deepEqual(args, []);
      return new PyDict();
    },
    persistentLoad: () => null,
  };
  assert.deepEqual(plain(unpickle(bytes, hooks, 'f')), { k: 1 });
  assert.deepEqual(seen, ['collections.OrderedDict']);
});

test('a refused global stops unpickling before anything is called', () => {
  // cos\nsystem\n ... REDUCE
  const bytes = hex('8002636f730a73797374656d0a71005803000000656368717101857102527103' + '2e');
  assert.throws(() => unpickle(bytes, refuseAll, 'f'), /refused os\.system/);
});

test('malformed pickles are errors naming the file, member and byte', () => {
  const cases: [string, string, RegExp][] = [
    ['truncated string', '80025805000000616263', /f: data\.pkl at byte 2: unexpected end of pickle data/],
    ['no STOP', '80024b01', /unexpected end of pickle data/],
    ['stack underflow', '800252', /stack underflow/],
    ['unknown opcode', '8002ff', /unknown pickle opcode 0xff/],
    ['missing memo', '80026805', /memo entry 5 is missing/],
    ['STOP on two values', '80024b014b022e', /STOP with a malformed stack/],
    ['INST refused', '800269', /INST is not supported/],
    ['REDUCE without tuple', '80024b014b0252', /REDUCE arguments are not a tuple/],
  ];
  for (const [name, h, re] of cases) {
    assert.throws(
      () => unpickle(hex(h), refuseAll, 'f', 'data.pkl'),
      (e: unknown) => e instanceof CheckpointError && e.file === 'f' && re.test(e.message),
      name,
    );
  }
});
