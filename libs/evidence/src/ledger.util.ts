import { EvidenceError } from './evidence.error';
import { GENESIS_CHAIN_HASH, HASH_SIZE, chainHash, payloadHash, sha256Utf8 } from './hash.util';
import { CompactRange } from './merkle.util';

/** Longest accepted `kind` (characters). */
export const MAX_KIND_LENGTH = 64;
/** Longest accepted `ref` (characters). */
export const MAX_REF_LENGTH = 512;

/** One row to append: what it is (`kind`, `ref`), when, and its current canonical payload. */
export interface LedgerInput {
  readonly kind: string;
  readonly ref: string;
  readonly ts: Date;
  /** The stored row as JSON; hashed as RFC 8785 canonical JSON, never stored in the ledger. */
  readonly payload: unknown;
}

/** One ledger row (`audit.ledger`). */
export interface LedgerEntry {
  /** 0-based leaf index; JS number, exact up to 2^53 − 1. */
  readonly seq: number;
  readonly kind: string;
  readonly ref: string;
  readonly ts: Date;
  readonly payloadHash: Buffer;
  readonly leafHash: Buffer;
  readonly chainHash: Buffer;
}

/** The single-row head (`audit.ledger_head`): tree size, last chain hash, compact range. */
export interface LedgerHead {
  readonly size: number;
  readonly chainHash: Buffer;
  /** Compact range of the tree (see {@link CompactRange}); one hash per set bit of `size`. */
  readonly frontier: readonly Buffer[];
}

/** Head of the empty ledger, as the migration inserts it. */
export const GENESIS_HEAD: LedgerHead = Object.freeze({ size: 0, chainHash: GENESIS_CHAIN_HASH, frontier: [] });

/** The fields of a leaf, before hashing. */
export interface LeafFields {
  readonly seq: number;
  readonly kind: string;
  readonly ref: string;
  readonly ts: Date;
  readonly payloadHash: Uint8Array;
}

function checkFields(f: LeafFields): void {
  if (!Number.isSafeInteger(f.seq) || f.seq < 0) throw new EvidenceError('MALFORMED_INPUT', `seq ${f.seq} is not a non-negative safe integer`);
  if (typeof f.kind !== 'string' || f.kind.length === 0 || f.kind.length > MAX_KIND_LENGTH) {
    throw new EvidenceError('MALFORMED_INPUT', `kind must be 1..${MAX_KIND_LENGTH} characters`, { seq: f.seq });
  }
  if (typeof f.ref !== 'string' || f.ref.length === 0 || f.ref.length > MAX_REF_LENGTH) {
    throw new EvidenceError('MALFORMED_INPUT', `ref must be 1..${MAX_REF_LENGTH} characters`, { seq: f.seq, kind: f.kind });
  }
  if (!(f.ts instanceof Date) || Number.isNaN(f.ts.getTime())) {
    throw new EvidenceError('MALFORMED_INPUT', 'ts must be a valid Date', { seq: f.seq, kind: f.kind, ref: f.ref });
  }
  if (f.payloadHash.length !== HASH_SIZE) throw new EvidenceError('MALFORMED_INPUT', 'payload hash must be 32 bytes', { seq: f.seq });
}

/**
 * Leaf data of a ledger entry: the RFC 8785 canonical JSON (UTF-8) of
 * `{ seq, kind, ref, ts, payload_hash }` — `seq` a JSON number, `ts` ISO-8601
 * UTC with milliseconds, `payload_hash` lowercase hex. This is the RFC 6962
 * leaf input, so `leafHash = SHA-256(0x00 ‖ leafData)` (ARCHITECTURE §4).
 */
export function leafData(f: LeafFields): Buffer {
  return Buffer.from(leafDataText(f), 'utf8');
}

/** JSON string literals of the few ledger kinds, escaped once (bounded: kinds are attacker-controlled in a forged row). */
const QUOTED_KINDS = new Map<string, string>();

function quotedKind(kind: string): string {
  let q = QUOTED_KINDS.get(kind);
  if (q === undefined) {
    q = JSON.stringify(kind);
    if (QUOTED_KINDS.size < 64) QUOTED_KINDS.set(kind, q);
  }
  return q;
}

/** {@link leafData} as a string (before UTF-8 encoding). */
export function leafDataText(f: LeafFields): string {
  checkFields(f);
  // Hot path: this is exactly canonicalJson({ seq, kind, ref, ts, payload_hash }) — keys in RFC 8785
  // §3.2.3 order, strings escaped as JSON.stringify does (§3.2.2.2), a safe integer printed as
  // ECMAScript does (§3.2.2.3); a unit test pins the equivalence.
  const ph = f.payloadHash;
  const hex = (Buffer.isBuffer(ph) ? ph : Buffer.from(ph.buffer, ph.byteOffset, ph.byteLength)).toString('hex');
  return `{"kind":${quotedKind(f.kind)},"payload_hash":"${hex}","ref":${JSON.stringify(f.ref)},"seq":${f.seq},"ts":"${f.ts.toISOString()}"}`;
}

/** RFC 6962 §2.1 leaf hash of a ledger entry's {@link leafData}: SHA-256(0x00 ‖ leaf data). */
export function entryLeafHash(f: LeafFields): Buffer {
  // U+0000 encodes to the single byte 0x00 in UTF-8: this hashes 0x00 ‖ leafData without a Buffer.concat.
  return sha256Utf8(`\u0000${leafDataText(f)}`);
}

/**
 * Pure append: computes payload, leaf and chain hashes for `inputs` following
 * `head`, and the new head (size, chain hash, frontier). Nothing is stored.
 * `payloadHashes`, when given, are `payloadHash(input.payload)` computed
 * earlier (they do not depend on the head).
 *
 * @throws EvidenceError `HEAD_INVALID` if the head's frontier does not fit its
 *   size; `MALFORMED_INPUT` for an invalid input.
 */
export function appendEntries(
  head: LedgerHead,
  inputs: readonly LedgerInput[],
  payloadHashes?: readonly Buffer[],
): { entries: LedgerEntry[]; head: LedgerHead } {
  if (head.chainHash.length !== HASH_SIZE) throw new EvidenceError('HEAD_INVALID', 'head chain hash must be 32 bytes');
  if (payloadHashes && payloadHashes.length !== inputs.length) throw new EvidenceError('MALFORMED_INPUT', 'one payload hash per input is required');
  const range = CompactRange.fromHashes(head.size, head.frontier);
  let prev = head.chainHash;
  const entries: LedgerEntry[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i]!;
    const seq = range.size;
    const ph = payloadHashes ? payloadHashes[i]! : payloadHash(input.payload);
    const lh = entryLeafHash({ seq, kind: input.kind, ref: input.ref, ts: input.ts, payloadHash: ph });
    const ch = chainHash(prev, lh);
    range.append(lh);
    entries.push({ seq, kind: input.kind, ref: input.ref, ts: new Date(input.ts.getTime()), payloadHash: ph, leafHash: lh, chainHash: ch });
    prev = ch;
  }
  return { entries, head: { size: range.size, chainHash: Buffer.from(prev), frontier: range.toHashes() } };
}
