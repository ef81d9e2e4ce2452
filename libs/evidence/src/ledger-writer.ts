import { EvidenceError } from './evidence.error';
import { HASH_SIZE, payloadHash } from './hash.util';
import { type LedgerEntry, type LedgerHead, type LedgerInput, appendEntries } from './ledger.util';
import type { StoredCheckpoint } from './verifier';

/**
 * The only thing the writer needs from a database driver. `pg`'s `Client` and
 * `PoolClient` satisfy it structurally; the library never imports `pg`.
 */
export interface SqlExecutor {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/** Key of the transaction-scoped advisory lock that serialises ledger appends across processes (ASCII "audt"). */
export const LEDGER_LOCK_KEY = 0x6175_6474;

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
  if (!Number.isSafeInteger(seq) || Number.isNaN(ts.getTime())) throw new EvidenceError('MALFORMED_INPUT', `ledger row ${String(row.seq)} has an invalid seq or ts`);
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
 * `pg_advisory_xact_lock(LEDGER_LOCK_KEY)` and `SELECT … FOR UPDATE` on the
 * head, so appends serialise and commit or roll back with the caller's rows.
 *
 * The caller MUST have begun a transaction on `tx`; outside one the advisory
 * lock is released at once and concurrent writers could fork the chain.
 */
export class LedgerWriter {
  /**
   * Appends `inputs` in order and returns the new entries and head.
   *
   * @throws EvidenceError `HEAD_INVALID` when the head row is missing or corrupt.
   */
  async append(tx: SqlExecutor, inputs: readonly LedgerInput[]): Promise<{ entries: LedgerEntry[]; head: LedgerHead }> {
    // Both statements are sent at once (the server runs them in order: lock, then head);
    // meanwhile the payloads, which do not depend on the head, are hashed — the costly part.
    const locked = tx.query(`SELECT pg_advisory_xact_lock(${LEDGER_LOCK_KEY})`);
    const headRead = LedgerWriter.readHead(tx, true);
    // Marked handled here; a failure still surfaces at the awaits below.
    locked.catch(() => undefined);
    headRead.catch(() => undefined);
    let payloadHashes: Buffer[];
    try {
      payloadHashes = inputs.map((i) => payloadHash(i.payload));
    } catch (error) {
      await Promise.allSettled([locked, headRead]);
      throw error;
    }
    await locked;
    const head = await headRead;
    if (inputs.length === 0) return { entries: [], head };
    const result = appendEntries(head, inputs, payloadHashes);
    const e = result.entries;
    // One statement with seven array parameters: no 65,535 bind-parameter limit, whatever the batch size.
    await tx.query(
      `INSERT INTO audit.ledger (seq, kind, ref, ts, payload_hash, leaf_hash, chain_hash)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[], $5::bytea[], $6::bytea[], $7::bytea[])`,
      [
        e.map((x) => String(x.seq)),
        e.map((x) => x.kind),
        e.map((x) => x.ref),
        e.map((x) => x.ts.toISOString()),
        e.map((x) => x.payloadHash),
        e.map((x) => x.leafHash),
        e.map((x) => x.chainHash),
      ],
    );
    await tx.query(
      'UPDATE audit.ledger_head SET size = $1, chain_hash = $2, frontier = $3::bytea[], updated_at = now() WHERE id = 1',
      [String(result.head.size), result.head.chainHash, result.head.frontier],
    );
    return result;
  }

  /** Reads the head row; `forUpdate` locks it for the rest of the transaction. */
  static async readHead(db: SqlExecutor, forUpdate = false): Promise<LedgerHead> {
    const { rows } = await db.query<HeadRow>(
      `SELECT size, chain_hash, frontier FROM audit.ledger_head WHERE id = 1${forUpdate ? ' FOR UPDATE' : ''}`,
    );
    const row = rows[0];
    if (!row) throw new EvidenceError('HEAD_INVALID', 'audit.ledger_head has no row (migration not run?)');
    return headFromRow(row);
  }
}
