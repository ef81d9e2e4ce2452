import { EvidenceError } from './evidence.error';
import { HASH_SIZE, payloadHash } from './hash.util';
import { type LedgerEntry, type LedgerHead, type LedgerInput, type SubtreeHash, appendEntries, checkInput } from './ledger.util';
import type { StoredCheckpoint } from './verifier';

/**
 * The only thing the writer needs from a database driver. `pg`'s `Client` and
 * `PoolClient` satisfy it structurally; the library never imports `pg`.
 */
export interface SqlExecutor {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/**
 * The ledger lock: the head row `FOR UPDATE`, held until the transaction ends. It
 * serialises appends across processes like an advisory lock would, but unlike
 * one it can be taken only by a role that may update `audit.ledger_head` in a
 * read-write transaction: a SQL check (a read-only reader role, issue 11) can
 * take any advisory lock it likes and still hold up no ledger writer. Every
 * writer of the ledger, and everyone who must exclude them (retention, the
 * checkpoint writer, the gateway's duplicate check), takes this first.
 */
export const LEDGER_LOCK_SQL = 'SELECT 1 FROM audit.ledger_head WHERE id = 1 FOR UPDATE';

/** The ledger lock and the head in one statement (re-entrant when the caller already holds the lock). */
const LOCK_AND_READ_HEAD = `SELECT size, chain_hash, frontier FROM audit.ledger_head WHERE id = 1 FOR UPDATE`;

/** Bytes per row of the packed hash parameter: payload ‖ leaf ‖ chain. */
const PACKED = 3 * HASH_SIZE;

/** Rows per INSERT statement within a batch (see {@link LedgerWriter.append}). */
const APPEND_CHUNK_ROWS = 256;

/**
 * The ledger rows of one chunk: seq from the first seq and the row's ordinality, ts from
 * epoch milliseconds (the hashed value: `ms * interval '1 ms'` is exact in float8 until
 * 2255, and the `timestamptz(3)` column rounds the few microseconds of error later dates
 * could get back to the same millisecond), the three hashes sliced from one packed bytea.
 * Arrays and one bytea instead of bind parameters per row: no 65,535-parameter limit,
 * little to escape.
 */
const ROWS_SQL = `INSERT INTO audit.ledger (seq, kind, ref, ts, payload_hash, leaf_hash, chain_hash)
    SELECT $1::int8 + r.i, r.kind, r.ref, timestamptz 'epoch' + r.ms * interval '1 millisecond',
           substring($5::bytea FROM r.i * ${PACKED} + 1 FOR ${HASH_SIZE}),
           substring($5::bytea FROM r.i * ${PACKED} + ${HASH_SIZE + 1} FOR ${HASH_SIZE}),
           substring($5::bytea FROM r.i * ${PACKED} + ${2 * HASH_SIZE + 1} FOR ${HASH_SIZE})
    FROM (SELECT u.kind, u.ref, u.ms, (u.n - 1)::int4 AS i
          FROM unnest($2::text[], $3::text[], $4::int8[]) WITH ORDINALITY AS u(kind, ref, ms, n)) AS r`;

/** The last chunk's rows, the batch's completed subtrees (proof cache) and the new head, in one statement. */
const APPEND_SQL = `WITH rows AS (
    ${ROWS_SQL}
  ), subtrees AS (
    INSERT INTO audit.ledger_subtrees (level, idx, hash)
    SELECT * FROM unnest($6::int2[], $7::int8[], $8::bytea[])
  )
  UPDATE audit.ledger_head SET size = $9, chain_hash = $10, frontier = $11::bytea[], updated_at = now() WHERE id = 1`;

function rowParams(first: number, e: readonly LedgerEntry[]): unknown[] {
  const n = e.length;
  const kinds = new Array<string>(n);
  const refs = new Array<string>(n);
  const ms = new Array<number>(n);
  const packed = Buffer.allocUnsafe(n * PACKED);
  for (let i = 0; i < n; i++) {
    const x = e[i]!;
    kinds[i] = x.kind;
    refs[i] = x.ref;
    ms[i] = x.ts.getTime();
    packed.set(x.payloadHash, i * PACKED);
    packed.set(x.leafHash, i * PACKED + HASH_SIZE);
    packed.set(x.chainHash, i * PACKED + 2 * HASH_SIZE);
  }
  return [String(first), kinds, refs, ms, packed];
}

function headParams(head: LedgerHead, t: readonly SubtreeHash[]): unknown[] {
  return [t.map((s) => s.level), t.map((s) => String(s.index)), t.map((s) => s.hash), String(head.size), head.chainHash, head.frontier];
}

interface HeadRow {
  size: string | number;
  chain_hash: Buffer;
  frontier: Buffer[] | string;
}

/** Parses a `bytea[]` that a driver returned unparsed (text form `{"\\x00..", ...}`). */
function parseByteaArray(text: string): Buffer[] {
  const inner = text.trim();
  if (inner === '{}') return [];
  if (!inner.startsWith('{') || !inner.endsWith('}')) throw new EvidenceError('HEAD_INVALID', 'frontier is not a bytea[] literal');
  return inner
    .slice(1, -1)
    .split(',')
    .map((item) => {
      const m = /^"?\\{1,2}x([0-9a-fA-F]*)"?$/.exec(item.trim());
      if (!m) throw new EvidenceError('HEAD_INVALID', 'frontier element is not hex bytea');
      return Buffer.from(m[1]!, 'hex');
    });
}

/** Converts the stored head row, which a superuser could have edited, into a checked {@link LedgerHead}. */
export function headFromRow(row: HeadRow): LedgerHead {
  const size = typeof row.size === 'number' ? row.size : Number(row.size);
  if (!Number.isSafeInteger(size) || size < 0) throw new EvidenceError('HEAD_INVALID', `head size ${String(row.size)} is invalid`);
  if (!Buffer.isBuffer(row.chain_hash) || row.chain_hash.length !== HASH_SIZE) {
    throw new EvidenceError('HEAD_INVALID', 'head chain_hash must be 32 bytes');
  }
  const frontier = typeof row.frontier === 'string' ? parseByteaArray(row.frontier) : row.frontier;
  if (!Array.isArray(frontier) || !frontier.every((h) => Buffer.isBuffer(h))) throw new EvidenceError('HEAD_INVALID', 'head frontier must be bytea[]');
  return { size, chainHash: row.chain_hash, frontier };
}

/** Raw `audit.ledger` row as `pg` returns it (bigint as string). */
export interface LedgerRow {
  seq: string | number;
  kind: string;
  ref: string;
  ts: Date | string;
  payload_hash: Buffer;
  leaf_hash: Buffer;
  chain_hash: Buffer;
}

/**
 * Maps a stored ledger row to a {@link LedgerEntry} for the verifier. Values
 * are converted, not judged: hash lengths and seq order are the verifier's job.
 *
 * @throws EvidenceError `MALFORMED_INPUT` when a column has the wrong type.
 */
export function ledgerEntryFromRow(row: LedgerRow): LedgerEntry {
  const seq = typeof row.seq === 'number' ? row.seq : Number(row.seq);
  const ts = row.ts instanceof Date ? row.ts : new Date(row.ts);
  if (!Number.isSafeInteger(seq) || Number.isNaN(ts.getTime()))
    throw new EvidenceError('MALFORMED_INPUT', `ledger row ${String(row.seq)} has an invalid seq or ts`);
  for (const col of [row.payload_hash, row.leaf_hash, row.chain_hash]) {
    if (!Buffer.isBuffer(col)) throw new EvidenceError('MALFORMED_INPUT', `ledger row ${seq} has a non-bytea hash column`, { seq });
  }
  return { seq, kind: row.kind, ref: row.ref, ts, payloadHash: row.payload_hash, leafHash: row.leaf_hash, chainHash: row.chain_hash };
}

/** Raw `audit.checkpoints` row as `pg` returns it. */
export interface CheckpointRow {
  tree_size: string | number;
  root_hash: Buffer;
  checkpoint_hash: Buffer;
  prev_checkpoint_hash: Buffer | null;
  note: string;
  timestamp_kind: string;
  timestamp_token: Buffer;
}

/** Maps a stored checkpoint row to the verifier's {@link StoredCheckpoint}. */
export function checkpointFromRow(row: CheckpointRow): StoredCheckpoint {
  const treeSize = typeof row.tree_size === 'number' ? row.tree_size : Number(row.tree_size);
  if (!Number.isSafeInteger(treeSize)) throw new EvidenceError('MALFORMED_INPUT', `checkpoint tree_size ${String(row.tree_size)} is invalid`);
  return {
    treeSize,
    rootHash: row.root_hash,
    checkpointHash: row.checkpoint_hash,
    prevCheckpointHash: row.prev_checkpoint_hash,
    note: row.note,
    timestampKind: row.timestamp_kind,
    timestampToken: row.timestamp_token,
  };
}

/**
 * Appends batches of rows to `audit.ledger` inside the caller's transaction
 * (ARCHITECTURE §4). Several processes share one ordered log: each append takes
 * the ledger lock ({@link LEDGER_LOCK_SQL}: `SELECT … FOR UPDATE` on the head),
 * so appends serialise and commit or roll back with the caller's rows.
 * Per batch: one statement for lock + head read, then the rows in chunks of
 * 256, the last chunk together with the subtree cache (`audit.ledger_subtrees`,
 * perfect subtrees of ≥ 256 leaves) and the head update.
 *
 * The caller MUST have begun a transaction on `tx`; outside one the row
 * lock is released at once and concurrent writers could fork the chain.
 */
export class LedgerWriter {
  /**
   * Appends `inputs` in order and returns the new entries and head.
   *
   * @throws EvidenceError `HEAD_INVALID` when the head row is missing or corrupt.
   */
  async append(tx: SqlExecutor, inputs: readonly LedgerInput[]): Promise<{ entries: LedgerEntry[]; head: LedgerHead }> {
    // Round trip 1: the lock and the head in one statement, sent at once; meanwhile the payloads,
    // which do not depend on the head, are hashed — the costly part.
    const headRead = tx.query<HeadRow>(LOCK_AND_READ_HEAD);
    // Marked handled here; a failure still surfaces at the await below.
    headRead.catch(() => undefined);
    let payloadHashes: Buffer[];
    try {
      payloadHashes = inputs.map((i) => payloadHash(i.payload));
    } catch (error) {
      await headRead.catch(() => undefined);
      throw error;
    }
    const row = (await headRead).rows[0];
    if (!row) throw new EvidenceError('HEAD_INVALID', 'audit.ledger_head has no row (migration not run?)');
    const start = headFromRow(row);
    if (inputs.length === 0) return { entries: [], head: start };
    // Every input is hashed and checked before the first row is sent: a bad input fails the
    // append before anything reaches the table, so a caller that catches it cannot commit half a batch.
    inputs.forEach((i, n) => checkInput(i, start.size + n));
    // Rows go out in chunks, one statement in flight at a time: the server inserts chunk k while
    // the leaf, chain and Merkle hashes of chunk k + 1 are computed. The last statement also
    // writes the subtree cache and the head.
    const entries: LedgerEntry[] = [];
    const subtrees: SubtreeHash[] = [];
    let head = start;
    let inFlight: Promise<unknown> | null = null;
    try {
      for (let lo = 0; lo < inputs.length; lo += APPEND_CHUNK_ROWS) {
        const hi = Math.min(inputs.length, lo + APPEND_CHUNK_ROWS);
        const chunk = appendEntries(head, inputs.slice(lo, hi), payloadHashes.slice(lo, hi));
        for (const e of chunk.entries) entries.push(e);
        for (const t of chunk.subtrees) subtrees.push(t);
        const params = rowParams(head.size, chunk.entries);
        if (inFlight) await inFlight;
        inFlight = hi === inputs.length ? tx.query(APPEND_SQL, [...params, ...headParams(chunk.head, subtrees)]) : tx.query(ROWS_SQL, params);
        head = chunk.head;
      }
      await inFlight;
    } catch (error) {
      // A statement still running when the hashing failed must settle before the caller rolls back.
      await inFlight?.catch(() => undefined);
      throw error;
    }
    return { entries, head };
  }

  /** Reads the head row; `forUpdate` locks it for the rest of the transaction. */
  static async readHead(db: SqlExecutor, forUpdate = false): Promise<LedgerHead> {
    const { rows } = await db.query<HeadRow>(`SELECT size, chain_hash, frontier FROM audit.ledger_head WHERE id = 1${forUpdate ? ' FOR UPDATE' : ''}`);
    const row = rows[0];
    if (!row) throw new EvidenceError('HEAD_INVALID', 'audit.ledger_head has no row (migration not run?)');
    return headFromRow(row);
  }
}
