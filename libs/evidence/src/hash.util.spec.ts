import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { GENESIS_CHAIN_HASH, canonicalJson, chainHash, payloadHash, sha256, sha256Utf8 } from './hash.util';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units and uses ECMAScript number forms (RFC 8785 §3.2.2–3.2.3)', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], '\u20ac': 1e21, c: 0.000001, é: -0 })).toBe('{"a":[true,null,"x"],"b":1,"c":0.000001,"é":0,"€":1e+21}');
  });

  it('serialises dates as ISO-8601 UTC', () => {
    expect(canonicalJson({ at: new Date('2026-01-02T03:04:05.006Z') })).toBe('{"at":"2026-01-02T03:04:05.006Z"}');
  });

  it.each([
    ['undefined member', { a: undefined }],
    ['undefined element', [1, undefined]],
    ['NaN', { a: Number.NaN }],
    ['Infinity', [Infinity]],
    ['function', { f: () => 1 }],
    ['symbol', { s: Symbol('x') }],
    ['bigint', { n: 1n }],
    ['buffer', { b: Buffer.from('x') }],
    ['invalid date', { d: new Date('nope') }],
  ])('rejects %s with MALFORMED_INPUT', (_name, value) => {
    expect(() => canonicalJson(value)).toThrow(expect.objectContaining({ code: 'MALFORMED_INPUT' }));
  });

  it('rejects cycles', () => {
    const a: Record<string, unknown> = {};
    a['self'] = a;
    expect(() => canonicalJson(a)).toThrow(expect.objectContaining({ code: 'MALFORMED_INPUT' }));
  });

  it('accepts a shared (non-cyclic) sub-object twice', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });
});

describe('payloadHash / chainHash', () => {
  it('payloadHash is SHA-256 of the canonical JSON, independent of key order', () => {
    const expected = createHash('sha256').update('{"a":1,"b":"2"}').digest();
    expect(payloadHash({ b: '2', a: 1 }).equals(expected)).toBe(true);
  });

  it('chainHash is SHA-256(prev ‖ leaf) with a 32-zero-byte genesis', () => {
    const leaf = sha256(Buffer.from('x'));
    expect(GENESIS_CHAIN_HASH.equals(Buffer.alloc(32))).toBe(true);
    expect(chainHash(GENESIS_CHAIN_HASH, leaf).equals(sha256(Buffer.alloc(32), leaf))).toBe(true);
    expect(() => chainHash(Buffer.alloc(31), leaf)).toThrow(expect.objectContaining({ code: 'MALFORMED_INPUT' }));
  });
});

describe('canonicalJson fast path', () => {
  // The serialiser is hand-written for speed; the well-kept library stays the reference.
  it('is byte-identical to the canonicalize library on random JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('is byte-identical on random ledger-row-like objects with dates, unicode and null prototypes', () => {
    const row = fc.record({
      id: fc.uuid(),
      at: fc.date({ min: new Date(0), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }),
      text: fc.string({ unit: 'grapheme' }),
      raw: fc.string({ unit: 'binary' }),
      n: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
      meta: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })),
    });
    fc.assert(
      fc.property(row, fc.boolean(), (r, bare) => {
        const value = bare ? Object.assign(Object.create(null) as object, r) : r;
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 1000 },
    );
  });

  it('is byte-identical on rows sharing keys in every insertion order (shape cache) with awkward numbers and strings', () => {
    const keys = ['b', 'a', 'é', '€', 'a1', 'A', '\ud83d\ude00', ''];
    const awkward = fc.oneof(
      fc.constantFrom(1e21, -0, 0, 1e-7, 5e-324, -1.7976931348623157e308, 0.1 + 0.2, 2 ** 53, -(2 ** 31)),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.string({ unit: 'binary' }),
      fc.constantFrom('\ud800', 'a"b\\c', '\u2028\u0000\u001f', 'ß☃😀'),
      fc.constant(null),
      fc.boolean(),
    );
    const row = fc.tuple(
      fc.shuffledSubarray(keys, { minLength: 1 }),
      fc.array(awkward, { minLength: keys.length, maxLength: keys.length }),
      fc.shuffledSubarray(keys),
    );
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 8 }), (rows) => {
        for (const [order, values, nestedOrder] of rows) {
          const nested = Object.fromEntries(nestedOrder.map((k, i) => [k, values[i]]));
          const value = Object.fromEntries(order.map((k, i) => [k, i === 0 ? nested : values[i]]));
          expect(canonicalJson(value)).toBe(canonicalize(value));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects array holes and absurd nesting, naming the path', () => {
    expect(() => canonicalJson({ a: [1, , 2] })).toThrow(/\$\.a\[1\]/);
    let deep: unknown = 1;
    for (let i = 0; i < 600; i++) deep = [deep];
    expect(() => canonicalJson(deep)).toThrow(expect.objectContaining({ code: 'MALFORMED_INPUT' }));
  });
});

describe('sha256 helpers', () => {
  it('agree with createHash on random inputs, and chainHash reuses no state between calls', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.string(), (bytes, text) => {
        expect(sha256(bytes).equals(createHash('sha256').update(bytes).digest())).toBe(true);
        expect(sha256Utf8(text).equals(createHash('sha256').update(text, 'utf8').digest())).toBe(true);
      }),
    );
    const a = sha256(Buffer.from('a'));
    const b = sha256(Buffer.from('b'));
    const ab = chainHash(a, b);
    chainHash(b, a);
    expect(
      ab.equals(
        createHash('sha256')
          .update(Buffer.concat([a, b]))
          .digest(),
      ),
    ).toBe(true);
  });
});
