import type { LedgerRowInput, LedgerRowSource } from '@auditstack/audit-core';
import {
  type CheckpointRow,
  type LedgerEntry,
  type LedgerRow,
  type PayloadLookup,
  type SqlExecutor,
  type StoredCheckpoint,
  type SubtreeSource,
  checkpointFromRow,
  ledgerEntryFromRow,
} from '@auditstack/evidence';
import { rowSourceOf } from './ledger-append.util';

/** Rows per keyset page when streaming the ledger. */
export const LEDGER_PAGE_SIZE = 10_000;

const LEDGER_COLUMNS = 'seq, kind, ref, ts, payload_hash, leaf_hash, chain_hash';

/** Raw page row: the three hashes in one bytea (fewer columns to parse), ts in exact epoch microseconds. */
interface PackedLedgerRow {
  seq: string;
  kind: string;
  ref: string;
  ts_us: string | null;
  /** Append time in epoch milliseconds (text), null for leaves older than the column. */
  appended_ms: string | null;
  hashes: Buffer;
}

/**
 * The stored time, read exactly. A leaf hashes milliseconds and the column is
 * `timestamptz(3)`; a value with a sub-millisecond part (the column retyped and
 * edited) is not what was hashed, so it comes out as an invalid Date, which the
 * verifier reports at that seq instead of silently truncating it.
 */
function storedTime(us: string | null): Date {
  // Any stored value must be readable: 9999-12-31T23:59:59Z is 2.5e17 µs, beyond 2^53, so the
  // microseconds are divided exactly as a BigInt; only the milliseconds (< 2^53) become a number.
  // NULL (±infinity has no epoch value) comes out invalid, and is reported at its seq.
  if (us === null || !/^-?[0-9]{1,20}$/.test(us)) return new Date(Number.NaN);
  const n = BigInt(us);
  return n % 1000n === 0n ? new Date(Number(n / 1000n)) : new Date(Number.NaN);
}

/** The append time; NULL (a leaf older than the column) and garbage come out invalid, which the tail rule judges as old. */
function appendTime(ms: string | null): Date {
  return ms === null ? new Date(Number.NaN) : new Date(Number(ms));
}

function unpack(r: PackedLedgerRow): LedgerEntry {
  const ts = storedTime(r.ts_us);
  const seq = Number(r.seq);
  if (!Number.isSafeInteger(seq) || !Buffer.isBuffer(r.hashes)) {
    return {
      ...ledgerEntryFromRow({ seq: r.seq, kind: r.kind, ref: r.ref, ts, payload_hash: r.hashes, leaf_hash: r.hashes, chain_hash: r.hashes }),
      appendedAt: appendTime(r.appended_ms),
    };
  }
  // Lengths are checked here: a column edited to another length must not shift its neighbours.
  const { hashes } = r;
  const ok = hashes.length === 96;
  return {
    seq,
    kind: r.kind,
    ref: r.ref,
    ts,
    payloadHash: ok ? hashes.subarray(0, 32) : Buffer.alloc(0),
    leafHash: ok ? hashes.subarray(32, 64) : Buffer.alloc(0),
    chainHash: ok ? hashes.subarray(64, 96) : Buffer.alloc(0),
    appendedAt: appendTime(r.appended_ms),
  };
}

/**
 * Streams `audit.ledger` in seq order by keyset pagination (`seq > last`), one
 * page read ahead so the database works while the caller hashes. Memory stays
 * two pages whatever the size. Rows are attacker-controlled: the verifier
 * judges them; this only converts types (a hash column of the wrong length
 * comes out empty, which the verifier reports).
 */
export async function* streamLedgerPages(
  db: SqlExecutor,
  range: { from?: number; to?: number } = {},
  pageSize = LEDGER_PAGE_SIZE,
): AsyncGenerator<LedgerEntry[]> {
  const to = range.to !== undefined ? String(range.to) : null;
  const fetchPage = (after: string | null): Promise<{ rows: PackedLedgerRow[] }> => {
    const params: unknown[] = [pageSize];
    const cond: string[] = [];
    if (after !== null) {
      params.push(after);
      cond.push(`seq > $${params.length}`);
    }
    if (to !== null) {
      params.push(to);
      cond.push(`seq < $${params.length}`);
    }
    return db.query<PackedLedgerRow>(
      `SELECT seq, kind, ref,
              CASE WHEN isfinite(ts) THEN (extract(epoch FROM ts) * 1000000)::numeric(30, 0)::text END AS ts_us,
              CASE WHEN isfinite(appended_at) THEN floor(extract(epoch FROM appended_at) * 1000)::numeric(30, 0)::text END AS appended_ms,
              CASE WHEN length(payload_hash) = 32 AND length(leaf_hash) = 32 AND length(chain_hash) = 32
                   THEN payload_hash || leaf_hash || chain_hash ELSE ''::bytea END AS hashes
       FROM audit.ledger ${cond.length ? `WHERE ${cond.join(' AND ')}` : ''} ORDER BY seq LIMIT $1`,
      params,
    );
  };
  let next: Promise<{ rows: PackedLedgerRow[] }> | null = fetchPage(range.from !== undefined ? String(range.from - 1) : null);
  while (next) {
    const rows: PackedLedgerRow[] = (await next).rows;
    next = rows.length < pageSize ? null : fetchPage(rows[rows.length - 1]!.seq);
    // Swallow a read-ahead failure here; it is rethrown when awaited above.
    next?.catch(() => undefined);
    yield rows.map(unpack);
  }
}

/** {@link streamLedgerPages}, one entry at a time. */
export async function* streamLedger(db: SqlExecutor, range: { from?: number; to?: number } = {}, pageSize = LEDGER_PAGE_SIZE): AsyncGenerator<LedgerEntry> {
  for await (const page of streamLedgerPages(db, range, pageSize)) yield* page;
}

/** Streams the stored leaf hashes from seq 0 (for proofs), by keyset pages. */
export async function* streamLeafHashes(db: SqlExecutor, to: number, pageSize = 50_000): AsyncGenerator<Buffer> {
  let from = 0;
  while (from < to) {
    const { rows } = await db.query<{ leaf_hash: Buffer }>('SELECT leaf_hash FROM audit.ledger WHERE seq >= $1 AND seq < $2 ORDER BY seq', [
      String(from),
      String(Math.min(to, from + pageSize)),
    ]);
    for (const r of rows) yield r.leaf_hash;
    if (rows.length === 0) return;
    from += rows.length;
  }
}

/**
 * Proof-side reads ({@link SubtreeSource}): cached subtree hashes from
 * `audit.ledger_subtrees` and leaf hashes of a few short ranges, one query
 * each — never the ledger from leaf 0. With `cache: false` only leaves are
 * read (the fallback when the cache disagrees with the signed root).
 */
export function ledgerSubtreeSource(db: SqlExecutor, options: { cache?: boolean } = {}): SubtreeSource {
  return {
    async subtrees(keys) {
      const out = new Map<string, Buffer>();
      if (options.cache === false || keys.length === 0) return out;
      const { rows } = await db.query<{ level: number; idx: string; hash: Buffer }>(
        `SELECT s.level, s.idx, s.hash FROM audit.ledger_subtrees s
         JOIN unnest($1::int2[], $2::int8[]) AS k(level, idx) ON s.level = k.level AND s.idx = k.idx`,
        [keys.map((k) => k.level), keys.map((k) => String(k.index))],
      );
      for (const r of rows) out.set(`${r.level}:${r.idx}`, r.hash);
      return out;
    },
    async leafHashes(ranges) {
      if (ranges.length === 0) return [];
      const { rows } = await db.query<{ r: number; leaf_hash: Buffer }>(
        `SELECT k.r::int4 AS r, l.leaf_hash FROM unnest($1::int8[], $2::int8[]) WITH ORDINALITY AS k(lo, hi, r)
         JOIN audit.ledger l ON l.seq >= k.lo AND l.seq < k.hi ORDER BY k.r, l.seq`,
        [ranges.map((x) => String(x.lo)), ranges.map((x) => String(x.hi))],
      );
      const out: Buffer[][] = ranges.map(() => []);
      for (const row of rows) out[row.r - 1]!.push(row.leaf_hash);
      return out;
    },
  };
}

/** One ledger entry by seq, or null. */
export async function readLedgerEntry(db: SqlExecutor, seq: number): Promise<LedgerEntry | null> {
  const { rows } = await db.query<LedgerRow>(`SELECT ${LEDGER_COLUMNS} FROM audit.ledger WHERE seq = $1`, [String(seq)]);
  return rows[0] ? ledgerEntryFromRow(rows[0]) : null;
}

/** Stored checkpoint row with its database id and metadata. */
export interface CheckpointRecord extends StoredCheckpoint {
  readonly id: number;
  readonly keyId: string;
  readonly createdAt: Date;
}

type FullCheckpointRow = CheckpointRow & { id: string | number; key_id: string; created_at: Date | string };

const CHECKPOINT_COLUMNS = 'id, tree_size, root_hash, checkpoint_hash, prev_checkpoint_hash, note, key_id, timestamp_kind, timestamp_token, created_at';

function checkpointRecord(row: FullCheckpointRow): CheckpointRecord {
  return { ...checkpointFromRow(row), id: Number(row.id), keyId: row.key_id, createdAt: new Date(row.created_at) };
}

/** Checkpoints matching an optional SQL condition, in the given order. */
export async function readCheckpoints(db: SqlExecutor, where = '', params: unknown[] = [], order = 'id', limit?: number): Promise<CheckpointRecord[]> {
  const { rows } = await db.query<FullCheckpointRow>(
    `SELECT ${CHECKPOINT_COLUMNS} FROM audit.checkpoints ${where} ORDER BY ${order}${limit ? ` LIMIT ${Math.floor(limit)}` : ''}`,
    params,
  );
  return rows.map(checkpointRecord);
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * Looks up the current rows behind leaves, one query per kind and batch
 * (`key = ANY($1)`), and rebuilds each payload with the kind's row source.
 * Refs are attacker-controlled (a forged ledger row): a ref that cannot be a
 * key is simply not found. Two rows under one ref are never a match.
 */
export async function fetchRowPayloads(db: SqlExecutor, keys: readonly { readonly kind: string; readonly ref: string }[]): Promise<PayloadLookup[]> {
  const out: PayloadLookup[] = keys.map(() => ({ found: false }));
  const byKind = new Map<string, number[]>();
  keys.forEach((k, i) => {
    const list = byKind.get(k.kind);
    if (list) list.push(i);
    else byKind.set(k.kind, [i]);
  });
  for (const [kind, indexes] of byKind) {
    const source = rowSourceOf(kind);
    if (!source) continue;
    const refs = [...new Set(indexes.map((i) => keys[i]!.ref).filter((r) => UUID.test(r)))];
    if (refs.length === 0) continue;
    const found = await selectRows(db, source, refs);
    for (const i of indexes) {
      const hit = found.get(keys[i]!.ref.toLowerCase());
      if (hit) out[i] = { found: true, payload: hit.length === 1 ? hit[0] : { duplicate_rows: hit } };
    }
  }
  return out;
}

async function selectRows(db: SqlExecutor, source: LedgerRowSource, refs: string[]): Promise<Map<string, unknown[]>> {
  const cols = source.columns.map((c) => `"${c}"`).join(', ');
  const { rows } = await db.query<LedgerRowInput>(`SELECT ${cols} FROM ${source.table} WHERE "${source.key}" = ANY($1::uuid[])`, [refs]);
  const map = new Map<string, unknown[]>();
  for (const row of rows) {
    const ref = String(row[source.key]).toLowerCase();
    let payload: unknown;
    try {
      payload = source.payload(row);
    } catch (err) {
      // A row that cannot even be rebuilt (e.g. a timestamp edited to garbage) must not match.
      payload = { unreadable_row: (err as Error).message };
    }
    const list = map.get(ref);
    if (list) list.push(payload);
    else map.set(ref, [payload]);
  }
  return map;
}

/** Streams the (kind, ref) of every row stored in the covered tables, by keyset pages. */
export async function* streamRowKeys(db: SqlExecutor, kinds: readonly string[], pageSize = 20_000): AsyncGenerator<{ kind: string; ref: string }> {
  for (const kind of kinds) {
    const source = rowSourceOf(kind);
    if (!source) continue;
    const key = `"${source.key}"`;
    const time = `"${source.timeColumn}"`;
    // The time goes back as text: a JS Date would truncate microseconds and repeat rows.
    let last: { ref: string; t: string } | null = null;
    for (;;) {
      const { rows }: { rows: { ref: string; t: string }[] } = await db.query<{ ref: string; t: string }>(
        `SELECT ${key}::text AS ref, ${time}::text AS t FROM ${source.table} ${last ? `WHERE (${key}, ${time}) > ($2::uuid, $3::timestamptz)` : ''} ORDER BY ${key}, ${time} LIMIT $1`,
        last ? [pageSize, last.ref, last.t] : [pageSize],
      );
      for (const r of rows) yield { kind, ref: r.ref };
      if (rows.length < pageSize) break;
      last = rows[rows.length - 1]!;
    }
  }
}
