import { type CheckpointBody, checkpointHash, openCheckpoint } from './checkpoint';
import { EvidenceError, type EvidenceErrorCode } from './evidence.error';
import type { AnchorRecord } from './file-anchor-sink';
import { FingerprintSet } from './fingerprint-set.util';
import { GENESIS_CHAIN_HASH, HASH_SIZE, bytesEqual, chainHashLatin1, payloadHash, payloadHashHex } from './hash.util';
import { type LedgerEntry, type LedgerHead, entryLeafHashLatin1 } from './ledger.util';
import { CompactRange } from './merkle.util';
import { type NoteKeyring, parseNote } from './signed-note';
import type { Stamper } from './stamper';

/** Ledger kind of retention tombstones. */
export const RETENTION_KIND = 'retention';

/**
 * Payload of a retention tombstone (the ledger entry of kind `retention`):
 * the payload rows of `kind` whose leaves have `from_seq ≤ seq < to_seq` (and,
 * when `refs` is given, whose ref is listed) may have been deleted. `to_seq`
 * may not exceed the tombstone's own seq: retention cannot pre-delete rows.
 */
export interface RetentionTombstone {
  readonly kind: string;
  readonly from_seq: number;
  readonly to_seq: number;
  readonly refs?: readonly string[];
  /**
   * The retention period (days) the deletion applied. Every pruned leaf must be
   * older than this at the tombstone's time, and it may not be below the pinned
   * floor ({@link VerifyPolicy.retentionFloorDays}); absent: the floor applies.
   */
  readonly days?: number;
  /** Free-form reason, e.g. the retention policy name. */
  readonly reason?: string;
  /**
   * The rows were removed as a whole, not aged out: the range is exactly the one
   * the leaf at `to_seq` declares ({@link VerifyInput.declaredRange}, e.g. a demo
   * load's marker), so neither the floor nor the age rule applies — but only
   * when that declaration exists and no signed checkpoint ever split the range
   * from its declaration (see `checkRetention`). Otherwise a violation.
   */
  readonly declared?: true;
}

/** A range of leaves `[from_seq, to_seq]` (inclusive) that the leaf right after it declares. */
export interface DeclaredRange {
  readonly from_seq: number;
  readonly to_seq: number;
}

/** A checkpoint row as stored in `audit.checkpoints`. Every field is re-derived, none trusted. */
export interface StoredCheckpoint {
  readonly treeSize: number;
  readonly rootHash: Buffer;
  readonly checkpointHash: Buffer;
  readonly prevCheckpointHash: Buffer | null;
  readonly note: string;
  readonly timestampKind: string;
  readonly timestampToken: Buffer;
}

/** Result of looking up the current row behind a leaf. */
export type PayloadLookup = { readonly found: true; readonly payload: unknown } | { readonly found: false };

/** Verification policy. */
export interface VerifyPolicy {
  /**
   * Most leaves allowed after the last valid checkpoint. Off unless set: a burst of
   * leaves is not a fault, only leaves left uncovered for longer than the cadence are.
   */
  readonly maxUncoveredLeaves?: number;
  /**
   * The oldest uncovered leaf may have been appended at most this long ago (seconds):
   * the checkpoint cadence plus a grace. Judged on the leaf's append time
   * (`appendedAt`), never on its event time (a back-filled event is not late);
   * leaves without an append time are not judged by age. @defaultValue 120
   */
  readonly maxUncoveredSeconds?: number;
  /**
   * The newest checkpoints may lack their anchor record for this long (seconds):
   * the anchor is appended after the checkpoint commits. @defaultValue maxUncoveredSeconds
   */
  readonly anchorGraceSeconds?: number;
  /** Smallest retention period (days) a tombstone may apply: the pinned policy's floor. @defaultValue 1 */
  readonly retentionFloorDays?: number;
  /** Longest allowed gap between checkpoints, and since the last one (seconds). @defaultValue 3600 */
  readonly heartbeatSeconds?: number;
  /** Slack added to the heartbeat (seconds). @defaultValue 300 */
  readonly cadenceGraceSeconds?: number;
  /** "Now" for tail and cadence checks. @defaultValue current time */
  readonly now?: Date;
  /** Problems kept in the report (all are counted). @defaultValue 1000 */
  readonly maxProblems?: number;
}

type Source<T> = AsyncIterable<T> | Iterable<T>;

/** Everything the verifier needs; nothing is read from a database directly. */
export interface VerifyInput {
  /** Ledger rows as stored, ordered by seq (attacker-controlled). Ignored when `entryPages` is given. */
  readonly entries: Source<LedgerEntry>;
  /** The same rows in pages (e.g. keyset pages from a database): cheaper to walk than one entry at a time. */
  readonly entryPages?: AsyncIterable<readonly LedgerEntry[]>;
  /** Current canonical payload of (kind, ref). Not called for `retention` entries. Give this or `fetchPayloads`. */
  readonly fetchPayload?: (kind: string, ref: string) => Promise<PayloadLookup>;
  /**
   * Batched form of `fetchPayload` (preferred online: one query per batch, not per leaf);
   * must answer in the order asked.
   */
  readonly fetchPayloads?: (keys: readonly { readonly kind: string; readonly ref: string }[]) => Promise<readonly PayloadLookup[]>;
  /** Entries per payload batch. @defaultValue 1000 */
  readonly batchSize?: number;
  /**
   * Only leaves with `from ≤ seq < to` get their payload re-hashed (a partial
   * export); the others still count for chain, tree and checkpoints, and are
   * tallied in `counts.payloadsSkipped`. @defaultValue every leaf
   */
  readonly payloadRange?: { readonly from: number; readonly to: number };
  /** Every row currently stored in the covered tables, to find rows without a leaf. */
  readonly rows?: Source<{ readonly kind: string; readonly ref: string }>;
  /** Tombstone payloads by seq (the payloads of the `retention` entries). */
  readonly tombstones?: ReadonlyMap<number, unknown>;
  /**
   * The range of leaves a stored row declares as removable together (its own
   * leaf must follow the range at once), or null. Asked only for rows whose
   * payload re-hashes to their leaf; a `declared` tombstone needs one.
   */
  readonly declaredRange?: (kind: string, payload: unknown) => DeclaredRange | null;
  /** Checkpoint rows, any order. */
  readonly checkpoints: Source<StoredCheckpoint>;
  /** Anchor records; omit to skip anchor checks (reported in `counts.anchorsChecked = false`). */
  readonly anchors?: Source<AnchorRecord>;
  /** Stored head row, compared with the recomputed one when given. */
  readonly head?: LedgerHead;
  /** Trusted checkpoint keys. */
  readonly keyring: NoteKeyring;
  /** Expected checkpoint origin (key name). */
  readonly origin: string;
  /** Timestamp verifiers by `timestamp_kind`. */
  readonly stampers: Readonly<Record<string, Pick<Stamper, 'verify'>>>;
  readonly policy?: VerifyPolicy;
  /** Progress callback, called per phase and every 10,000 entries. */
  readonly onProgress?: (p: { phase: 'checkpoints' | 'entries' | 'rows' | 'anchors' | 'done'; done: number }) => void;
}

/** One finding, with its location. */
export interface VerifyProblem {
  readonly code: EvidenceErrorCode;
  readonly seq?: number;
  /** Tree size of the checkpoint concerned. */
  readonly checkpoint?: number;
  readonly detail: string;
}

/** Verifier report. `ok` is true only when no problem at all was found. */
export interface VerifyReport {
  readonly ok: boolean;
  readonly problems: readonly VerifyProblem[];
  readonly counts: {
    entries: number;
    payloadsChecked: number;
    /** Leaves outside `payloadRange`, whose payloads were not re-hashed. */
    payloadsSkipped: number;
    pruned: number;
    rows: number;
    checkpoints: number;
    validCheckpoints: number;
    anchors: number;
    anchorsChecked: boolean;
    /** Valid checkpoints older than the first anchored one ("before anchoring began"): informational, not a problem. */
    beforeAnchoring: number;
    /** Newest checkpoints whose anchor was not written yet, within the grace: informational. */
    anchorsPending: number;
    problems: number;
    byCode: Partial<Record<EvidenceErrorCode, number>>;
  };
}

/** A parsed tombstone and what the stream found under it. */
interface TombstoneState {
  readonly seq: number;
  readonly t: RetentionTombstone;
  /** Leaves whose rows are missing and that this tombstone excuses. */
  pruned: number;
  /** Event time of the newest such leaf, and its seq. */
  newest: Date | null;
  newestSeq: number;
}

/** An entry waiting for its payload batch, with its stored payload hash in hex (computed once, for the leaf). */
interface PendingEntry {
  readonly e: LedgerEntry;
  readonly seq: number;
  readonly payloadHex: string;
}

interface CheckedCheckpoint {
  readonly stored: StoredCheckpoint;
  readonly body: CheckpointBody;
  readonly hash: Buffer;
  readonly time: Date;
}

function parseTombstone(payload: unknown, seq: number): RetentionTombstone | null {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return null;
  const t = payload as Record<string, unknown>;
  const okInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (typeof t['kind'] !== 'string' || !okInt(t['from_seq']) || !okInt(t['to_seq'])) return null;
  if (t['from_seq'] > t['to_seq'] || t['to_seq'] > seq) return null;
  if (t['refs'] !== undefined && !(Array.isArray(t['refs']) && t['refs'].every((r) => typeof r === 'string'))) return null;
  if (t['days'] !== undefined && !(okInt(t['days']) && t['days'] > 0)) return null;
  if (t['declared'] !== undefined && t['declared'] !== true) return null;
  return payload as RetentionTombstone;
}

async function* iterate<T>(src: Source<T>): AsyncIterable<T> {
  yield* src;
}

/** Counts of a verification that has looked at nothing yet (`anchorsChecked`: whether anchors were given). */
export function emptyVerifyCounts(anchorsChecked: boolean): VerifyReport['counts'] {
  return {
    entries: 0,
    payloadsChecked: 0,
    payloadsSkipped: 0,
    pruned: 0,
    rows: 0,
    checkpoints: 0,
    validCheckpoints: 0,
    anchors: 0,
    anchorsChecked,
    beforeAnchoring: 0,
    anchorsPending: 0,
    problems: 0,
    byCode: {},
  };
}

/**
 * Re-verifies the whole evidence trail from raw data (ARCHITECTURE §4):
 * recomputes every payload, leaf, chain and Merkle hash (never trusting a
 * stored hash), checks checkpoint signatures, timestamps, the checkpoint chain,
 * roots at each checkpoint size, anchors, tail coverage and heartbeat cadence,
 * and returns every problem with its location. Fail-closed: any problem, or
 * any unexpected exception, makes `ok` false. Legitimate retention (leaves
 * whose rows a valid tombstone covers) is not a problem.
 *
 * Streams `entries` and `rows`: memory is O(checkpoints + tombstones) plus
 * 16 bytes per distinct (kind, ref) when `rows` is given.
 */
export async function verifyEvidence(input: VerifyInput): Promise<VerifyReport> {
  const maxUncoveredSeconds = input.policy?.maxUncoveredSeconds ?? 120;
  const policy = {
    maxUncoveredLeaves: input.policy?.maxUncoveredLeaves ?? Number.POSITIVE_INFINITY,
    maxUncoveredSeconds,
    anchorGraceSeconds: input.policy?.anchorGraceSeconds ?? maxUncoveredSeconds,
    retentionFloorDays: input.policy?.retentionFloorDays ?? 1,
    heartbeatSeconds: input.policy?.heartbeatSeconds ?? 3600,
    cadenceGraceSeconds: input.policy?.cadenceGraceSeconds ?? 300,
    now: input.policy?.now ?? new Date(),
    maxProblems: input.policy?.maxProblems ?? 1000,
  };
  const problems: VerifyProblem[] = [];
  const counts = emptyVerifyCounts(input.anchors !== undefined);
  const report = (p: VerifyProblem): void => {
    counts.problems++;
    counts.byCode[p.code] = (counts.byCode[p.code] ?? 0) + 1;
    if (problems.length < policy.maxProblems) problems.push(p);
  };
  const progress = input.onProgress ?? ((): void => undefined);

  try {
    const checkpoints = await checkCheckpoints(input, report, counts);
    progress({ phase: 'checkpoints', done: counts.checkpoints });
    await checkEntries(input, checkpoints, policy, report, counts, progress);
    if (input.anchors) await checkAnchors(input.anchors, checkpoints.valid, policy, report, counts);
    progress({ phase: 'anchors', done: counts.anchors });
    checkCadence(checkpoints.valid, policy, report);
  } catch (err) {
    // Fail closed: an exception is a finding, never a pass.
    const code = err instanceof EvidenceError ? err.code : 'MALFORMED_INPUT';
    report({ code, ...(err instanceof EvidenceError ? err.location : {}), detail: `verification aborted: ${(err as Error).message}` });
  }
  progress({ phase: 'done', done: counts.entries });
  return { ok: counts.problems === 0, problems, counts };
}

type Report = (p: VerifyProblem) => void;

/** Phase 1: each checkpoint's timestamp, signature, stored columns and chain link. */
async function checkCheckpoints(
  input: VerifyInput,
  report: Report,
  counts: VerifyReport['counts'],
): Promise<{ valid: CheckedCheckpoint[]; all: Map<string, StoredCheckpoint> }> {
  const stored: StoredCheckpoint[] = [];
  for await (const c of iterate(input.checkpoints)) stored.push(c);
  counts.checkpoints = stored.length;
  stored.sort((a, b) => a.treeSize - b.treeSize);
  const valid: CheckedCheckpoint[] = [];
  const all = new Map<string, StoredCheckpoint>();
  for (const cp of stored) {
    const where = { checkpoint: cp.treeSize };
    const fail = (err: unknown): void => {
      report({ code: err instanceof EvidenceError ? err.code : 'MALFORMED_INPUT', ...where, detail: (err as Error).message });
    };
    let hash: Buffer;
    try {
      // Parse strictly (untrusted) to learn what was timestamped.
      hash = checkpointHash(parseNote(cp.note).text);
    } catch (err) {
      fail(err);
      continue;
    }
    let time: Date | undefined;
    try {
      const stamper = input.stampers[cp.timestampKind];
      if (!stamper) throw new EvidenceError('TIMESTAMP_INVALID', `no verifier for timestamp kind ${JSON.stringify(cp.timestampKind)}`);
      ({ time } = await stamper.verify(hash, cp.timestampToken));
    } catch (err) {
      fail(err);
    }
    let opened: ReturnType<typeof openCheckpoint>;
    try {
      // The signature is checked even when the timestamp failed, so both findings are reported.
      opened = openCheckpoint(cp.note, input.keyring, input.origin, time);
    } catch (err) {
      fail(err);
      continue;
    }
    if (!time) continue;
    all.set(opened.hash.toString('hex'), cp);
    const b = opened.body;
    if (b.size !== cp.treeSize || !bytesEqual(b.rootHash, cp.rootHash)) {
      report({ code: 'ROOT_MISMATCH', ...where, detail: 'stored tree_size/root_hash differ from the signed checkpoint' });
    }
    const storedPrev = cp.prevCheckpointHash;
    if (
      !bytesEqual(opened.hash, cp.checkpointHash) ||
      (storedPrev === null) !== (b.prevCheckpointHash === null) ||
      (storedPrev && b.prevCheckpointHash && !bytesEqual(storedPrev, b.prevCheckpointHash))
    ) {
      report({ code: 'CHECKPOINT_CHAIN_BROKEN', ...where, detail: 'stored checkpoint_hash/prev_checkpoint_hash differ from the signed checkpoint' });
    }
    const prev = valid[valid.length - 1];
    const expectedPrev = prev ? prev.hash : null;
    const linkOk = expectedPrev === null ? b.prevCheckpointHash === null : b.prevCheckpointHash !== null && bytesEqual(b.prevCheckpointHash, expectedPrev);
    if (!linkOk) {
      report({
        code: 'CHECKPOINT_CHAIN_BROKEN',
        ...where,
        detail: prev ? `does not link to the checkpoint at size ${prev.body.size}` : 'first checkpoint must not name a predecessor',
      });
    }
    if (prev && prev.body.size === b.size && !bytesEqual(prev.body.rootHash, b.rootHash)) {
      report({ code: 'INCONSISTENT_CHECKPOINTS', ...where, detail: 'two signed checkpoints of the same size with different roots' });
    }
    if (prev && time < prev.time) {
      report({ code: 'TIMESTAMP_INVALID', ...where, detail: `timestamp ${time.toISOString()} precedes the previous checkpoint's` });
    }
    valid.push({ stored: cp, body: b, hash: opened.hash, time });
  }
  counts.validCheckpoints = valid.length;
  return { valid, all };
}

/** Phase 2: stream entries; recompute payload, leaf, chain, tree; compare roots at checkpoint sizes. */
async function checkEntries(
  input: VerifyInput,
  checkpoints: { valid: CheckedCheckpoint[] },
  policy: Required<VerifyPolicy>,
  report: Report,
  counts: VerifyReport['counts'],
  progress: NonNullable<VerifyInput['onProgress']>,
): Promise<void> {
  const cps = checkpoints.valid;
  const rootMatches = new Array<boolean>(cps.length).fill(false);
  const lastValidSize = cps.length ? cps[cps.length - 1]!.body.size : 0;
  // Tombstones are supplied up front because a retention entry follows the leaves it covers.
  // Each is re-checked against its own ledger entry when the stream reaches it.
  const tombstones: TombstoneState[] = [];
  const seenTombstones = new Map<number, Date>();
  for (const [tseq, payload] of input.tombstones ?? []) {
    const t = parseTombstone(payload, tseq);
    if (t) tombstones.push({ seq: tseq, t, pruned: 0, newest: null, newestSeq: -1 });
    else report({ code: 'MALFORMED_INPUT', seq: tseq, detail: 'tombstone payload is not { kind, from_seq, to_seq ≤ seq, refs? }' });
  }
  const declarations = new Map<number, DeclaredRange>();
  // The row at a declared tombstone's to_seq is always re-hashed (even outside `payloadRange`), like tombstones.
  const declaring = new Set(tombstones.filter(({ t }) => t.declared).map(({ t }) => t.to_seq));
  const leafRefs = input.rows ? new FingerprintSet() : null;
  const range = CompactRange.empty();
  let prevChain: Buffer = GENESIS_CHAIN_HASH;
  let nextCp = 0;
  // Widened explicitly: it is assigned inside the `visit` closure, which control-flow analysis does not follow.
  let oldestUncoveredAppend = null as Date | null;

  const compareRoots = (): void => {
    while (nextCp < cps.length && cps[nextCp]!.body.size === range.size) {
      const cp = cps[nextCp]!;
      if (bytesEqual(cp.body.rootHash, range.root())) rootMatches[nextCp] = true;
      else report({ code: 'ROOT_MISMATCH', checkpoint: cp.body.size, detail: 'signed root differs from the root recomputed from the ledger' });
      nextCp++;
    }
  };
  compareRoots();

  if (!input.fetchPayload && !input.fetchPayloads) throw new EvidenceError('MALFORMED_INPUT', 'fetchPayload or fetchPayloads is required');
  const batchSize = Math.max(1, input.batchSize ?? 1000);
  const payloadRange = input.payloadRange;
  let pending: PendingEntry[] = [];
  const flush = async (): Promise<void> => {
    const batch = pending;
    pending = [];
    await checkPayloads(input, batch, tombstones, seenTombstones, report, counts, declarations);
  };

  let expectedSeq = 0;
  /** Checks one entry (synchronously); true when the payload batch is full and must be flushed. */
  const visit = (e: LedgerEntry): boolean => {
    const position = range.size;
    counts.entries++;
    let seq = expectedSeq;
    if (e.seq !== expectedSeq) {
      report({ code: 'SEQUENCE_GAP', seq: expectedSeq, detail: `expected seq ${expectedSeq}, found ${e.seq}` });
      // Resynchronise on the stored seq so a single gap is reported once.
      if (Number.isSafeInteger(e.seq) && e.seq >= 0) seq = e.seq;
    }
    expectedSeq = seq + 1;
    // Hashes are compared as latin1/hex strings: no Buffer is allocated for a hash that matches.
    // SHA-256 calls per entry: leaf, chain link, ~1 Merkle node (amortised), and the payload in checkRow.
    const payloadHex = e.payloadHash.toString('hex');
    let leafText: string | null = null;
    try {
      if (e.payloadHash.length !== HASH_SIZE || e.leafHash.length !== HASH_SIZE || e.chainHash.length !== HASH_SIZE) {
        throw new EvidenceError('MALFORMED_INPUT', 'hash columns must be 32 bytes');
      }
      leafText = entryLeafHashLatin1({ seq, kind: e.kind, ref: e.ref, ts: e.ts, payloadHash: e.payloadHash }, payloadHex);
    } catch (err) {
      report({ code: 'MALFORMED_INPUT', seq, detail: (err as Error).message });
    }
    let leaf: Buffer;
    if (leafText !== null && e.leafHash.toString('latin1') === leafText) leaf = e.leafHash;
    else {
      leaf = leafText === null ? Buffer.alloc(HASH_SIZE) : Buffer.from(leafText, 'latin1');
      if (!bytesEqual(leaf, e.leafHash)) report({ code: 'LEAF_MISMATCH', seq, detail: 'stored leaf_hash differs from the recomputed leaf' });
    }
    const expectedChain = chainHashLatin1(prevChain, leaf);
    const chainOk = e.chainHash.length === HASH_SIZE && e.chainHash.toString('latin1') === expectedChain;
    if (!chainOk) {
      report({ code: 'CHAIN_BROKEN', seq, detail: 'chain_hash differs from SHA-256(previous chain hash ‖ leaf)' });
    }
    // Resynchronise on the stored value so one edit yields one finding, not one per later row.
    prevChain = e.chainHash.length === HASH_SIZE ? e.chainHash : Buffer.from(expectedChain, 'latin1');
    range.append(leaf);
    if (position === lastValidSize) oldestUncoveredAppend = e.appendedAt ?? null;
    leafRefs?.addKey(e.kind, e.ref);

    compareRoots();
    if (counts.entries % 10_000 === 0) progress({ phase: 'entries', done: counts.entries });
    // Tombstones are always re-hashed: a forged one could otherwise excuse missing rows inside the range.
    if (!payloadRange || (seq >= payloadRange.from && seq < payloadRange.to) || e.kind === RETENTION_KIND || declaring.has(seq)) {
      pending.push({ e, seq, payloadHex });
      return pending.length >= batchSize;
    }
    counts.payloadsSkipped++;
    return false;
  };
  // Arrays and pages are walked synchronously: an `await` per entry would cost more than its hashes.
  if (input.entryPages) {
    for await (const page of input.entryPages) for (const e of page) if (visit(e)) await flush();
  } else if (Array.isArray(input.entries)) {
    for (const e of input.entries as readonly LedgerEntry[]) if (visit(e)) await flush();
  } else {
    for await (const e of input.entries) if (visit(e)) await flush();
  }
  await flush();
  progress({ phase: 'entries', done: counts.entries });
  for (const tseq of input.tombstones?.keys() ?? []) {
    if (!seenTombstones.has(tseq)) report({ code: 'MALFORMED_INPUT', seq: tseq, detail: 'tombstone supplied for a seq that is not a retention entry' });
  }

  const size = range.size;
  for (; nextCp < cps.length; nextCp++) {
    report({
      code: 'SEQUENCE_GAP',
      checkpoint: cps[nextCp]!.body.size,
      detail: `checkpoint covers ${cps[nextCp]!.body.size} leaves but the ledger has ${size}`,
    });
  }
  // A later checkpoint that matches the data and an earlier one that does not cannot both come from one append-only log.
  const lastMatch = rootMatches.lastIndexOf(true);
  rootMatches.forEach((m, i) => {
    if (!m && i < lastMatch && cps[i]!.body.size <= size) {
      report({
        code: 'INCONSISTENT_CHECKPOINTS',
        checkpoint: cps[i]!.body.size,
        detail: `inconsistent with the checkpoint at size ${cps[lastMatch]!.body.size}`,
      });
    }
  });

  if (input.head) {
    if (input.head.size !== size) report({ code: 'SEQUENCE_GAP', seq: size, detail: `ledger_head.size is ${input.head.size}, ledger has ${size}` });
    else if (!bytesEqual(input.head.chainHash, prevChain))
      report({ code: 'CHAIN_BROKEN', seq: size - 1, detail: 'ledger_head.chain_hash differs from the last entry' });
    else {
      let headRoot: Buffer | null = null;
      try {
        headRoot = CompactRange.fromHashes(input.head.size, input.head.frontier).root();
      } catch {
        headRoot = null;
      }
      if (!headRoot || !bytesEqual(headRoot, range.root()))
        report({ code: 'ROOT_MISMATCH', seq: size, detail: 'ledger_head.frontier does not give the recomputed root' });
    }
  }

  const uncovered = size - lastValidSize;
  const appended = oldestUncoveredAppend;
  if (uncovered > policy.maxUncoveredLeaves) {
    report({ code: 'UNCOVERED_TAIL', seq: lastValidSize, detail: `${uncovered} leaves after the last checkpoint (max ${policy.maxUncoveredLeaves})` });
  } else if (uncovered > 0 && appended) {
    // The append time is the database's clock, not the (client-supplied) event time; an invalid
    // one is judged as old, so an edited column cannot hide a stalled cadence.
    const age = Number.isNaN(appended.getTime()) ? Number.POSITIVE_INFINITY : policy.now.getTime() - appended.getTime();
    if (age > policy.maxUncoveredSeconds * 1000) {
      const when = Number.isNaN(appended.getTime()) ? 'at an unreadable time' : `at ${appended.toISOString()}`;
      report({
        code: 'UNCOVERED_TAIL',
        seq: lastValidSize,
        detail: `${uncovered} leaves, the first appended ${when}, not covered by a checkpoint within ${policy.maxUncoveredSeconds}s`,
      });
    }
  }
  checkRetention(tombstones, seenTombstones, cps, policy, report, declarations);

  if (input.rows && leafRefs) {
    const visitRow = (r: { readonly kind: string; readonly ref: string }): void => {
      counts.rows++;
      if (!leafRefs.hasKey(r.kind, r.ref)) report({ code: 'ROW_WITHOUT_LEAF', detail: `row ${r.kind}/${r.ref} has no ledger leaf` });
      if (counts.rows % 10_000 === 0) progress({ phase: 'rows', done: counts.rows });
    };
    if (Array.isArray(input.rows)) for (const r of input.rows as readonly { kind: string; ref: string }[]) visitRow(r);
    else for await (const r of input.rows) visitRow(r);
    progress({ phase: 'rows', done: counts.rows });
  }
}

/** Re-hashes the current rows behind a batch of leaves; missing rows must be covered by a tombstone. */
async function checkPayloads(
  input: VerifyInput,
  batch: readonly PendingEntry[],
  tombstones: readonly TombstoneState[],
  seenTombstones: Map<number, Date>,
  report: Report,
  counts: VerifyReport['counts'],
  declarations: Map<number, DeclaredRange>,
): Promise<void> {
  const rows = batch.filter(({ e }) => e.kind !== RETENTION_KIND);
  let lookups: readonly PayloadLookup[];
  try {
    const keys = rows.map(({ e }) => ({ kind: e.kind, ref: e.ref }));
    if (input.fetchPayloads) lookups = keys.length ? await input.fetchPayloads(keys) : [];
    else {
      const out: PayloadLookup[] = [];
      for (const k of keys) out.push(await input.fetchPayload!(k.kind, k.ref));
      lookups = out;
    }
    if (lookups.length !== keys.length) throw new EvidenceError('MALFORMED_INPUT', `payload lookup answered ${lookups.length} of ${keys.length} keys`);
  } catch (err) {
    report({
      code: err instanceof EvidenceError ? err.code : 'MALFORMED_INPUT',
      seq: batch[0]?.seq,
      detail: `payload lookup failed: ${(err as Error).message}`,
    });
    return;
  }
  let i = 0;
  for (const { e, seq, payloadHex } of batch) {
    try {
      if (e.kind === RETENTION_KIND) checkTombstoneEntry(input, e, seq, seenTombstones, report, counts);
      else {
        const got = lookups[i++]!;
        checkRow(e, seq, payloadHex, got, tombstones, report, counts);
        // Only a row that re-hashes to its leaf may declare anything (the hash is what checkpoints sign).
        if (got.found && input.declaredRange) {
          const declared = input.declaredRange(e.kind, got.payload);
          if (declared && payloadHashHex(got.payload) === payloadHex) declarations.set(seq, declared);
        }
      }
    } catch (err) {
      report({ code: err instanceof EvidenceError ? err.code : 'MALFORMED_INPUT', seq, detail: `payload check failed: ${(err as Error).message}` });
    }
  }
}

function checkTombstoneEntry(
  input: VerifyInput,
  e: LedgerEntry,
  seq: number,
  seenTombstones: Map<number, Date>,
  report: Report,
  counts: VerifyReport['counts'],
): void {
  const payload = input.tombstones?.get(seq);
  if (payload === undefined) {
    report({ code: 'LEAF_WITHOUT_ROW', seq, detail: 'retention entry without its tombstone payload' });
    return;
  }
  seenTombstones.set(seq, e.ts);
  counts.payloadsChecked++;
  if (!bytesEqual(payloadHash(payload), e.payloadHash)) {
    report({ code: 'PAYLOAD_MISMATCH', seq, detail: 'tombstone payload does not hash to the stored payload_hash' });
  }
}

function checkRow(
  e: LedgerEntry,
  seq: number,
  payloadHex: string,
  got: PayloadLookup,
  tombstones: readonly TombstoneState[],
  report: Report,
  counts: VerifyReport['counts'],
): void {
  if (got.found) {
    counts.payloadsChecked++;
    if (payloadHashHex(got.payload) !== payloadHex) {
      report({ code: 'PAYLOAD_MISMATCH', seq, detail: `row ${e.kind}/${e.ref} re-hashed differs from payload_hash` });
    }
    return;
  }
  const covering = tombstones.find(({ t }) => t.kind === e.kind && seq >= t.from_seq && seq < t.to_seq && (!t.refs || t.refs.includes(e.ref)));
  if (covering) {
    counts.pruned++;
    // Judged once the tombstone's own time is known (it follows the leaves it covers): see checkRetention.
    covering.pruned++;
    const ts = Number.isNaN(e.ts.getTime()) ? new Date(8.64e15) : e.ts;
    if (!covering.newest || ts > covering.newest) {
      covering.newest = ts;
      covering.newestSeq = seq;
    }
  } else report({ code: 'LEAF_WITHOUT_ROW', seq, detail: `row ${e.kind}/${e.ref} is missing and no retention tombstone covers it` });
}

/**
 * Phase 3: every anchor agrees with the database, and every valid checkpoint
 * from the first anchored one on is anchored. Checkpoints older than the first
 * anchored one were made before anchoring began (or before the anchor file was
 * moved and started afresh): counted, not a problem. The newest checkpoints may
 * still be waiting for their anchor (appended after commit) within the grace.
 * An anchor file that was deleted or cut short is caught by the trust state
 * (`ANCHOR_TRUNCATED`, checked by the store), not here.
 */
async function checkAnchors(
  anchors: Source<AnchorRecord>,
  valid: readonly CheckedCheckpoint[],
  policy: Required<VerifyPolicy>,
  report: Report,
  counts: VerifyReport['counts'],
): Promise<void> {
  const stored = new Map<string, CheckedCheckpoint>();
  for (const cp of valid) stored.set(cp.hash.toString('hex'), cp);
  const seen = new Set<string>();
  try {
    for await (const a of iterate(anchors)) {
      counts.anchors++;
      const cp = stored.get(a.checkpointHash);
      if (!cp) {
        report({ code: 'ANCHOR_INCONSISTENT', checkpoint: a.treeSize, detail: 'anchored checkpoint is not in the database (dropped or rewritten?)' });
        continue;
      }
      seen.add(a.checkpointHash);
      const s = cp.stored;
      if (a.treeSize !== s.treeSize || a.rootHash !== s.rootHash.toString('hex') || a.note !== s.note) {
        report({ code: 'ANCHOR_INCONSISTENT', checkpoint: s.treeSize, detail: 'anchor record differs from the stored checkpoint' });
      }
    }
  } catch (err) {
    report({ code: 'ANCHOR_INCONSISTENT', detail: (err as Error).message });
  }
  const first = valid.findIndex((cp) => seen.has(cp.hash.toString('hex')));
  const last = valid.reduce((at, cp, i) => (seen.has(cp.hash.toString('hex')) ? i : at), -1);
  valid.forEach((cp, i) => {
    if (seen.has(cp.hash.toString('hex'))) return;
    if (first === -1 || i < first) {
      counts.beforeAnchoring++;
      return;
    }
    if (i > last && policy.now.getTime() - cp.time.getTime() <= policy.anchorGraceSeconds * 1000) {
      counts.anchorsPending++;
      return;
    }
    report({ code: 'ANCHOR_MISSING', checkpoint: cp.body.size, detail: 'checkpoint made after anchoring began has no anchor record' });
  });
}

/**
 * Retention tombstones cannot lie: every leaf a tombstone prunes must be older
 * than the tombstone's retention period at the tombstone's time, and that
 * period may not be below the pinned floor. The tombstone's time is its own
 * (writer-supplied) `ts`, but never later than the signed time of the first
 * checkpoint that covers it (or now): a forged tombstone cannot post-date
 * itself past a signature.
 */
function checkRetention(
  tombstones: readonly TombstoneState[],
  seen: ReadonlyMap<number, Date>,
  cps: readonly CheckedCheckpoint[],
  policy: Required<VerifyPolicy>,
  report: Report,
  declarations: ReadonlyMap<number, DeclaredRange>,
): void {
  const day = 86_400_000;
  for (const ts of tombstones) {
    const own = seen.get(ts.seq);
    if (!own) continue;
    if (ts.t.declared) {
      // One that excuses no missing row (e.g. a partial export outside its range) has nothing to answer for.
      if (!ts.newest) continue;
      // A whole declared range (e.g. the demo fleet) removed at once: exactly the range the leaf at to_seq
      // declares, and published together with it — a signed checkpoint whose size falls inside
      // (from_seq, to_seq] would prove the declaration was appended after rows already published.
      const { from_seq: from, to_seq: to } = ts.t;
      const declared = declarations.get(to);
      const split = cps.find((cp) => cp.body.size > from && cp.body.size <= to);
      const why = !declared
        ? `no row at seq ${to} declares a removable range`
        : declared.from_seq !== from || declared.to_seq !== to - 1
          ? `the row at seq ${to} declares [${declared.from_seq}, ${declared.to_seq}], not [${from}, ${to - 1}]`
          : split
            ? `the signed checkpoint of size ${split.body.size} covers part of the range without its declaration: it was declared after publication`
            : null;
      if (why) report({ code: 'RETENTION_VIOLATION', seq: ts.seq, detail: `declared tombstone over ${ts.t.kind} leaves [${from}, ${to}): ${why}` });
      continue;
    }
    const days = ts.t.days ?? policy.retentionFloorDays;
    if (days < policy.retentionFloorDays) {
      report({
        code: 'RETENTION_VIOLATION',
        seq: ts.seq,
        detail: `tombstone applies a retention of ${days} days, below the pinned floor of ${policy.retentionFloorDays}`,
      });
    }
    if (!ts.newest) continue;
    const cover = cps.find((cp) => cp.body.size > ts.seq);
    let at = Number.isNaN(own.getTime()) ? policy.now.getTime() : own.getTime();
    at = Math.min(at, cover ? cover.time.getTime() : policy.now.getTime());
    const cutoff = at - Math.max(days, policy.retentionFloorDays) * day;
    if (ts.newest.getTime() > cutoff) {
      report({
        code: 'RETENTION_VIOLATION',
        seq: ts.seq,
        detail: `tombstone over ${ts.t.kind} leaves [${ts.t.from_seq}, ${ts.t.to_seq}) hides rows newer than its retention of ${Math.max(days, policy.retentionFloorDays)} days: leaf ${ts.newestSeq} is dated ${ts.newest.getTime() >= 8.64e15 ? 'unreadably' : ts.newest.toISOString()}, the cutoff was ${new Date(cutoff).toISOString()}`,
      });
    }
  }
}

/** Phase 4: no gap between checkpoints (by their verified timestamps), nor since the last one, exceeds the heartbeat. */
function checkCadence(valid: CheckedCheckpoint[], policy: Required<VerifyPolicy>, report: Report): void {
  const limit = (policy.heartbeatSeconds + policy.cadenceGraceSeconds) * 1000;
  for (let i = 1; i < valid.length; i++) {
    const gap = valid[i]!.time.getTime() - valid[i - 1]!.time.getTime();
    if (gap > limit) {
      report({
        code: 'CADENCE_VIOLATION',
        checkpoint: valid[i]!.body.size,
        detail: `${Math.round(gap / 1000)}s since the previous checkpoint (heartbeat ${policy.heartbeatSeconds}s)`,
      });
    }
  }
  const last = valid[valid.length - 1];
  if (last && policy.now.getTime() - last.time.getTime() > limit) {
    report({
      code: 'CADENCE_VIOLATION',
      checkpoint: last.body.size,
      detail: `no checkpoint since ${last.time.toISOString()} (heartbeat ${policy.heartbeatSeconds}s)`,
    });
  }
}
