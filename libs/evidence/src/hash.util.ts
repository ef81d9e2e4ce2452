import { hash } from 'node:crypto';
import { EvidenceError } from './evidence.error';

/** Length in bytes of every hash in this library (SHA-256). */
export const HASH_SIZE = 32;

/** Genesis value of the linear chain: 32 zero bytes (the `prev` of seq 0). */
export const GENESIS_CHAIN_HASH: Buffer = Buffer.alloc(HASH_SIZE);

/**
 * One-shot SHA-256 as a 32-character latin1 ("binary") string. On Node 20 the
 * string-output forms of `crypto.hash` cost about half or less of `'buffer'`
 * output or `createHash()` for the short inputs of a ledger (no ArrayBuffer
 * per call); `latin1` maps each byte to one char, so the round
 * trip is exact. The hot paths keep hashes in this form, or in hex, and never
 * allocate a Buffer for a hash they only compare.
 */
export function sha256Latin1(data: string | Uint8Array): string {
  return hash('sha256', data, 'binary');
}

/** One-shot SHA-256 to a Buffer (via {@link sha256Latin1}: cheaper than `'buffer'` output). */
function digest(data: string | Uint8Array): Buffer {
  return Buffer.from(hash('sha256', data, 'binary'), 'latin1');
}

/** SHA-256 of the concatenation of `parts`. */
export function sha256(...parts: readonly Uint8Array[]): Buffer {
  return digest(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
}

/** SHA-256 of the UTF-8 encoding of `text` (no intermediate Buffer). */
export function sha256Utf8(text: string): Buffer {
  return digest(text);
}

/** Deepest nesting accepted; deeper input (or a cycle, which never ends) is refused before the stack overflows. */
const MAX_DEPTH = 512;

/** Thrown inside {@link serialize}; each level adds its key on the way out, so the happy path builds no paths. */
class SerializeError extends Error {
  readonly path: (string | number)[] = [];
}

function malformed(message: string, path: readonly (string | number)[]): EvidenceError {
  const where = path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : `${acc}.${k}`), '$');
  return new EvidenceError('MALFORMED_INPUT', `${where} ${message}`, { path: where });
}

/**
 * Sorted, pre-quoted keys per object shape. Rows of one kind share a handful
 * of shapes, so the sort and the key escaping are done once per shape, not
 * once per row. Looked up by first key, then compared key by key (property
 * keys are interned, so this is pointer comparisons). Bounded: attacker-chosen
 * metadata keys cannot grow it.
 */
interface Shape {
  readonly own: readonly string[];
  readonly keys: readonly string[];
  readonly prefixes: readonly string[];
}
const SHAPES = new Map<string, Shape[]>();
const MAX_SHAPES = 256;
const MAX_SHAPES_PER_FIRST_KEY = 8;
const MAX_SHAPE_KEYS = 64;
let shapeCount = 0;

/** True when the enumerable keys of `value` are exactly `own`, in order (for-in walks V8's enum cache: no array is allocated). */
function hasShape(value: object, own: readonly string[]): boolean {
  let i = 0;
  // for-in also yields inherited enumerable keys; any such key fails the comparison and falls back to Object.keys.
  for (const k in value) {
    if (own[i] !== k) return false;
    i++;
  }
  return i === own.length;
}

/** The last shapes matched, most recent first: rows of a batch cycle through a few shapes. */
const RECENT: Shape[] = [];
const RECENT_SIZE = 4;

function shapeOf(value: object): Shape {
  for (let i = 0; i < RECENT.length; i++) {
    const shape = RECENT[i]!;
    if (hasShape(value, shape.own)) {
      if (i > 0) {
        RECENT.splice(i, 1);
        RECENT.unshift(shape);
      }
      return shape;
    }
  }
  const shape = lookupShape(value);
  RECENT.unshift(shape);
  if (RECENT.length > RECENT_SIZE) RECENT.pop();
  return shape;
}

function lookupShape(value: object): Shape {
  let first: string | undefined;
  for (const k in value) {
    first = k;
    break;
  }
  const bucket = first === undefined ? undefined : SHAPES.get(first);
  if (bucket) for (const shape of bucket) if (hasShape(value, shape.own)) return shape;
  const own = Object.keys(value);
  const n = own.length;
  if (first === undefined || n > MAX_SHAPE_KEYS || own[0] !== first) return sortedShape(own);
  const shape = sortedShape(own);
  if (shapeCount >= MAX_SHAPES) {
    SHAPES.clear();
    shapeCount = 0;
  }
  const list = SHAPES.get(first) ?? [];
  if (list.length < MAX_SHAPES_PER_FIRST_KEY) {
    list.push(shape);
    SHAPES.set(first, list);
    shapeCount++;
  }
  return shape;
}

function sortedShape(own: string[]): Shape {
  const keys = [...own].sort();
  return { own, keys, prefixes: keys.map((k, i) => `${i === 0 ? '' : ','}${JSON.stringify(k)}:`) };
}

function serializeObject(value: Record<string, unknown>, depth: number): string {
  const { keys, prefixes } = shapeOf(value);
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = value[k];
    try {
      // Strings and null inline (most values of a row); anything else through serialize().
      out += prefixes[i]! + (typeof v === 'string' ? quote(v) : v === null ? 'null' : serialize(v, depth));
    } catch (err) {
      if (err instanceof SerializeError) err.path.unshift(k);
      throw err;
    }
  }
  return `${out}}`;
}

function serializeArray(value: readonly unknown[], depth: number): string {
  let out = '[';
  for (let i = 0; i < value.length; i++) {
    try {
      // JSON.stringify and canonicalize would turn a hole into null or drop it: refuse instead.
      if (!(i in value)) throw new SerializeError('is an array hole');
      out += i === 0 ? serialize(value[i], depth) : `,${serialize(value[i], depth)}`;
    } catch (err) {
      if (err instanceof SerializeError) err.path.unshift(i);
      throw err;
    }
  }
  return `${out}]`;
}

/** Characters JSON.stringify would escape (RFC 8785 §3.2.2.2): `"`, `\\`, controls, and surrogates (lone ones are escaped). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON string literal of `s`, byte-identical to JSON.stringify; the common case (nothing to escape) skips the builtin call. */
export function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/**
 * One pass that both validates and serialises (RFC 8785): keys sorted by UTF-16
 * code units (§3.2.3, the default JS sort), strings escaped as JSON.stringify
 * does (§3.2.2.2), numbers in ECMAScript form (§3.2.2.3), `toJSON` honoured as
 * the `canonicalize` library does. Output is byte-identical to `canonicalize`
 * for every accepted value (a property test pins this). Rows are
 * attacker-influenced data: nothing lossy is accepted, and nesting (so also a
 * cycle) is bounded.
 */
function serialize(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new SerializeError('is not a finite number (RFC 8785 §3.2.2.3)');
      // ECMAScript Number::toString, as JSON.stringify and RFC 8785 §3.2.2.3 print it (-0 prints "0" both ways).
      return String(value);
    case 'object': {
      if (value === null) return 'null';
      if (depth >= MAX_DEPTH) throw new SerializeError(`is nested deeper than ${MAX_DEPTH} levels (or is a cyclic reference)`);
      if (Array.isArray(value)) return serializeArray(value, depth + 1);
      const proto: unknown = Object.getPrototypeOf(value);
      // Plain objects (the common case) need none of the checks below; an own `toJSON` is a function and is refused.
      if (proto === Object.prototype || proto === null) return serializeObject(value as Record<string, unknown>, depth + 1);
      if (value instanceof Date && Number.isNaN(value.getTime())) throw new SerializeError('is an invalid Date');
      if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) throw new SerializeError('is binary; encode it (hex/base64) before hashing');
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return serialize(toJSON.call(value), depth + 1);
      return serializeObject(value as Record<string, unknown>, depth + 1);
    }
    default:
      throw new SerializeError(`is ${typeof value}, which JSON cannot represent`);
  }
}

/**
 * RFC 8785 (JCS) canonical JSON of `value`. `Date` values serialise through
 * `toJSON` (ISO-8601 UTC).
 *
 * @throws EvidenceError `MALFORMED_INPUT` on `undefined`, functions, symbols,
 *   bigint, NaN/±Infinity, binary buffers, invalid dates, array holes, cycles
 *   or nesting deeper than 512.
 */
export function canonicalJson(value: unknown): string {
  try {
    return serialize(value, 0);
  } catch (err) {
    if (err instanceof SerializeError) throw malformed(err.message, err.path);
    throw err;
  }
}

/** SHA-256 of the RFC 8785 canonical JSON of a stored row (ARCHITECTURE §4). */
export function payloadHash(row: unknown): Buffer {
  return digest(canonicalJson(row));
}

/** {@link payloadHash} as lowercase hex: what the verifier compares, with no Buffer in between. */
export function payloadHashHex(row: unknown): string {
  return hash('sha256', canonicalJson(row), 'hex');
}

const CHAIN_SCRATCH = Buffer.alloc(2 * HASH_SIZE);

/** Linear chain link: SHA-256(prev chain hash ‖ leaf hash); genesis prev is {@link GENESIS_CHAIN_HASH}. */
export function chainHash(prev: Uint8Array, leaf: Uint8Array): Buffer {
  return Buffer.from(chainHashLatin1(prev, leaf), 'latin1');
}

/** {@link chainHash} as a latin1 string (see {@link sha256Latin1}). */
export function chainHashLatin1(prev: Uint8Array, leaf: Uint8Array): string {
  if (prev.length !== HASH_SIZE || leaf.length !== HASH_SIZE) {
    throw new EvidenceError('MALFORMED_INPUT', 'chainHash takes two 32-byte hashes');
  }
  // A reused scratch buffer: no Buffer.concat per link (hashing is synchronous, so this is safe).
  CHAIN_SCRATCH.set(prev, 0);
  CHAIN_SCRATCH.set(leaf, HASH_SIZE);
  return hash('sha256', CHAIN_SCRATCH, 'binary');
}

/** True when `a` and `b` are byte-equal (lengths included). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
