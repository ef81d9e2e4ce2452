import { EvidenceError } from './evidence.error';
import { GENESIS_CHAIN_HASH, HASH_SIZE, chainHashLatin1, payloadHash, quote, sha256Latin1 } from './hash.util';
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
  /**
   * When the row was appended (`audit.ledger.appended_at`, the database clock), not hashed:
   * `ts` is the event's own time, which a client may back-date. Only the uncovered-tail
   * rule reads it. Absent in bundles written before it existed.
   */
  readonly appendedAt?: Date;
}

/** The single-row head (`audit.ledger_head`): tree size, last chain hash, compact range. */
export interface LedgerHead {
  readonly size: number;
  readonly chainHash: Buffer;
  /** Compact range of the tree (see {@link CompactRange}); one hash per set bit of `size`. */
  readonly frontier: readonly Buffer[];
}

/**
 * Smallest perfect subtree (2^8 = 256 leaves) whose hash the writer hands back
 * for the store to cache: proofs then read O(log n) cached hashes and fewer
 * than 2 × 256 leaf hashes instead of every leaf (see `hashLeafRangesFrom`).
 */
export const SUBTREE_CACHE_MIN_LEVEL = 8;

/** MTH of leaves [index·2^level, (index+1)·2^level): a node of every tree that contains them. */
export interface SubtreeHash {
  readonly level: number;
  readonly index: number;
  readonly hash: Buffer;
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
    throw new EvidenceError('MALFORMED_INPUT', 'ts must be a valid Date at millisecond precision (the precision a leaf hashes)', {
      seq: f.seq,
      kind: f.kind,
      ref: f.ref,
    });
  }
  if (f.payloadHash.length !== HASH_SIZE) throw new EvidenceError('MALFORMED_INPUT', 'payload hash must be 32 bytes', { seq: f.seq });
}

/**
 * Checks what {@link appendEntries} will check of an input that will get
 * `seq`, so a writer can refuse a whole batch before it sends any row.
 *
 * @throws EvidenceError `MALFORMED_INPUT`
 */
export function checkInput(input: LedgerInput, seq: number): void {
  checkFields({ seq, kind: input.kind, ref: input.ref, ts: input.ts, payloadHash: CHECK_PLACEHOLDER });
}

const CHECK_PLACEHOLDER = new Uint8Array(HASH_SIZE);

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

const DAY_MS = 86_400_000;
/** 0000-01-01T00:00:00.000Z and 10000-01-01T00:00:00.000Z: the years `toISOString` prints with four digits. */
const ISO_MIN_MS = -62_167_219_200_000;
const ISO_MAX_MS = 253_402_300_800_000;
const PAD2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
let isoDay = Number.NaN;
let isoDayPrefix = '';

/**
 * `new Date(ms).toISOString()` without the builtin's cost (it dominated leaf data): the
 * `YYYY-MM-DDT` prefix is cached per day (ledger entries arrive in time order) and the
 * time of day is printed from tables. Years outside 0000–9999 take the builtin.
 */
function isoString(ts: Date): string {
  const ms = ts.getTime();
  if (!(ms >= ISO_MIN_MS && ms < ISO_MAX_MS)) return ts.toISOString();
  const day = Math.floor(ms / DAY_MS);
  if (day !== isoDay) {
    isoDayPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    isoDay = day;
  }
  let t = ms - day * DAY_MS;
  const milli = t % 1000;
  t = (t - milli) / 1000;
  const sec = t % 60;
  t = (t - sec) / 60;
  const min = t % 60;
  return `${isoDayPrefix}${PAD2[(t - min) / 60]!}:${PAD2[min]!}:${PAD2[sec]!}.${PAD3[milli]!}Z`;
}

/** Lowercase hex of a 32-byte hash given as any Uint8Array. */
function hexOf(h: Uint8Array): string {
  return (Buffer.isBuffer(h) ? h : Buffer.from(h.buffer, h.byteOffset, h.byteLength)).toString('hex');
}

/** Leaf data text of checked fields, with the payload hash already in hex. */
function leafText(f: LeafFields, payloadHex: string): string {
  // Hot path: this is exactly canonicalJson({ seq, kind, ref, ts, payload_hash }) — keys in RFC 8785
  // §3.2.3 order, strings escaped as JSON.stringify does (§3.2.2.2), a safe integer printed as
  // ECMAScript does (§3.2.2.3); a unit test pins the equivalence.
  return `{"kind":${quotedKind(f.kind)},"payload_hash":"${payloadHex}","ref":${quote(f.ref)},"seq":${f.seq},"ts":"${isoString(f.ts)}"}`;
}

/** {@link leafData} as a string (before UTF-8 encoding). */
export function leafDataText(f: LeafFields): string {
  checkFields(f);
  return leafText(f, hexOf(f.payloadHash));
}

/** RFC 6962 §2.1 leaf hash of a ledger entry's {@link leafData}: SHA-256(0x00 ‖ leaf data). */
export function entryLeafHash(f: LeafFields): Buffer {
  return Buffer.from(entryLeafHashLatin1(f, hexOf(f.payloadHash)), 'latin1');
}

/**
 * {@link entryLeafHash} as a latin1 string (see `sha256Latin1`), given the
 * payload hash's hex, which the verifier and the writer already hold.
 */
export function entryLeafHashLatin1(f: LeafFields, payloadHex: string): string {
  checkFields(f);
  // U+0000 encodes to the single byte 0x00 in UTF-8: this hashes 0x00 ‖ leafData without a Buffer.concat.
  return sha256Latin1(`\u0000${leafText(f, payloadHex)}`);
}

/**
 * Pure append: computes payload, leaf and chain hashes for `inputs` following
 * `head`, and the new head (size, chain hash, frontier). Nothing is stored.
 * `payloadHashes`, when given, are `payloadHash(input.payload)` computed
 * earlier (they do not depend on the head). `subtrees` are the perfect
 * subtrees of level ≥ {@link SUBTREE_CACHE_MIN_LEVEL} the batch completed.
 *
 * @throws EvidenceError `HEAD_INVALID` if the head's frontier does not fit its
 *   size; `MALFORMED_INPUT` for an invalid input.
 */
export function appendEntries(
  head: LedgerHead,
  inputs: readonly LedgerInput[],
  payloadHashes?: readonly Buffer[],
): { entries: LedgerEntry[]; head: LedgerHead; subtrees: SubtreeHash[] } {
  if (head.chainHash.length !== HASH_SIZE) throw new EvidenceError('HEAD_INVALID', 'head chain hash must be 32 bytes');
  if (payloadHashes && payloadHashes.length !== inputs.length) throw new EvidenceError('MALFORMED_INPUT', 'one payload hash per input is required');
  const range = CompactRange.fromHashes(head.size, head.frontier);
  let prev = head.chainHash;
  const entries: LedgerEntry[] = [];
  const subtrees: SubtreeHash[] = [];
  const onSubtree = (level: number, index: number, hash: Buffer): void => {
    if (level >= SUBTREE_CACHE_MIN_LEVEL) subtrees.push({ level, index, hash });
  };
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i]!;
    const seq = range.size;
    // Four SHA-256 per entry: payload, leaf, chain link, and on average one Merkle node in the frontier.
    const ph = payloadHashes ? payloadHashes[i]! : payloadHash(input.payload);
    const lh = Buffer.from(entryLeafHashLatin1({ seq, kind: input.kind, ref: input.ref, ts: input.ts, payloadHash: ph }, hexOf(ph)), 'latin1');
    const ch = Buffer.from(chainHashLatin1(prev, lh), 'latin1');
    range.append(lh, onSubtree);
    entries.push({ seq, kind: input.kind, ref: input.ref, ts: new Date(input.ts.getTime()), payloadHash: ph, leafHash: lh, chainHash: ch });
    prev = ch;
  }
  return { entries, head: { size: range.size, chainHash: Buffer.from(prev), frontier: range.toHashes() }, subtrees };
}
