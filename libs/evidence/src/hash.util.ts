import { hash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { EvidenceError } from './evidence.error';

/** Length in bytes of every hash in this library (SHA-256). */
export const HASH_SIZE = 32;

/** Genesis value of the linear chain: 32 zero bytes (the `prev` of seq 0). */
export const GENESIS_CHAIN_HASH: Buffer = Buffer.alloc(HASH_SIZE);

/** SHA-256 of the concatenation of `parts`. */
export function sha256(...parts: readonly Uint8Array[]): Buffer {
  // One-shot hashing is markedly faster than createHash() for the short inputs of a ledger.
  return hash('sha256', parts.length === 1 ? parts[0]! : Buffer.concat(parts), 'buffer');
}

/**
 * Rejects values RFC 8785 cannot represent faithfully. `JSON.stringify` (and so
 * the `canonicalize` library) silently drops `undefined`, functions and symbols
 * in objects and turns them into `null` in arrays; a hash over such a lossy
 * form would let two different rows share one payload hash, so they are
 * refused here instead. Rows are attacker-influenced data: no recursion limit
 * is assumed from the caller, cycles are detected.
 */
function assertJsonValue(value: unknown, path: string, seen: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) {
        throw new EvidenceError('MALFORMED_INPUT', `${path} is not a finite number (RFC 8785 §3.2.2.3)`, { path });
      }
      return;
    case 'object': {
      if (value === null) return;
      if (seen.has(value)) throw new EvidenceError('MALFORMED_INPUT', `${path} is a cyclic reference`, { path });
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw new EvidenceError('MALFORMED_INPUT', `${path} is an invalid Date`, { path });
        return;
      }
      if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) {
        throw new EvidenceError('MALFORMED_INPUT', `${path} is binary; encode it (hex/base64) before hashing`, { path });
      }
      seen.add(value);
      if (Array.isArray(value)) {
        value.forEach((v, i) => assertJsonValue(v, `${path}[${i}]`, seen));
      } else {
        for (const [k, v] of Object.entries(value)) assertJsonValue(v, `${path}.${k}`, seen);
      }
      seen.delete(value);
      return;
    }
    default:
      throw new EvidenceError('MALFORMED_INPUT', `${path} is ${typeof value}, which JSON cannot represent`, { path });
  }
}

/**
 * RFC 8785 (JCS) canonical JSON of `value`. `Date` values serialise through
 * `toJSON` (ISO-8601 UTC).
 *
 * @throws EvidenceError `MALFORMED_INPUT` on `undefined`, functions, symbols,
 *   bigint, NaN/±Infinity, binary buffers, invalid dates or cycles.
 */
export function canonicalJson(value: unknown): string {
  assertJsonValue(value, '$', new Set());
  const out = canonicalize(value);
  if (out === undefined) throw new EvidenceError('MALFORMED_INPUT', 'value has no JSON representation');
  return out;
}

/** SHA-256 of the RFC 8785 canonical JSON of a stored row (ARCHITECTURE §4). */
export function payloadHash(row: unknown): Buffer {
  return hash('sha256', canonicalJson(row), 'buffer');
}

/** Linear chain link: SHA-256(prev chain hash ‖ leaf hash); genesis prev is {@link GENESIS_CHAIN_HASH}. */
export function chainHash(prev: Uint8Array, leaf: Uint8Array): Buffer {
  if (prev.length !== HASH_SIZE || leaf.length !== HASH_SIZE) {
    throw new EvidenceError('MALFORMED_INPUT', 'chainHash takes two 32-byte hashes');
  }
  return sha256(prev, leaf);
}

/** True when `a` and `b` are byte-equal (lengths included). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
