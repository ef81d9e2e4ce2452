import { randomUUID } from 'node:crypto';
import { GATEWAY_MARKERS, LEDGER_KINDS, type LedgerRowInput } from '@auditstack/audit-core';
import { LEDGER_LOCK_SQL, RETENTION_KIND, type SqlExecutor } from '@auditstack/evidence';
import { insertLedgeredRows, recordRetention, rowSourceOf, type SqlPool, withTransaction } from '@auditstack/evidence-store';
import { buildDemoFleet, DEMO_PREFIX, DEMO_SEED, DEMO_USER_PREFIX, type DemoFleet } from './demo-fleet.util';

/** A demo load as its `demo_loaded` marker records it: the leaves [fromSeq, toSeq], then the marker at toSeq + 1. */
export interface DemoLoad {
  readonly markerId: string;
  readonly markerSeq: number;
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly count: number;
  readonly loadedAt: Date;
  /** Whether `auditstack demo --remove` has removed it (its `demo_removed` marker exists). */
  readonly removed: boolean;
}

/** Rows per kind of the demo, in load order. */
export type DemoCounts = Record<string, number>;

export type DemoLoadResult =
  { readonly loaded: true; readonly load: DemoLoad; readonly counts: DemoCounts } | { readonly loaded: false; readonly existing: DemoLoad };

export interface DemoRemoveResult {
  /** The loads removed now (empty when there was nothing left to remove). */
  readonly removed: readonly { readonly load: DemoLoad; readonly deleted: DemoCounts; readonly tombstones: readonly number[] }[];
}

/** Thrown when the rows of a declared demo range are not all demo rows: nothing is deleted. */
export class DemoRangeError extends Error {}

/** Load order of the demo's kinds (each a table of its own with a ledger row source). */
const DEMO_KINDS = [LEDGER_KINDS.lifecycle, LEDGER_KINDS.tool, LEDGER_KINDS.marker, LEDGER_KINDS.observability, LEDGER_KINDS.cluster] as const;

/**
 * Per kind, the SQL predicate that a row is a demo row (every id carries the
 * demo prefix). `--remove` refuses to delete a range that holds any row failing
 * it: a `demo_loaded` marker forged over real rows deletes nothing.
 */
const DEMO_ROW: Readonly<Record<string, string>> = {
  [LEDGER_KINDS.lifecycle]: `(coalesce(engine_id, product_id, metadata->>'policy_id', '') LIKE 'demo-%' AND coalesce(user_id, 'u_demo_') LIKE 'u\\_demo\\_%')`,
  [LEDGER_KINDS.tool]: `(workspace_id LIKE 'demo-%' AND agent_id LIKE 'demo-%' AND coalesce(user_id, 'u_demo_') LIKE 'u\\_demo\\_%')`,
  [LEDGER_KINDS.marker]: `(marker = '${GATEWAY_MARKERS.toolCallDenied}' AND details->>'workspace_id' LIKE 'demo-%')`,
  [LEDGER_KINDS.observability]: `(engine_id LIKE 'demo-%')`,
  [LEDGER_KINDS.cluster]: `(cluster_id LIKE 'demo-%')`,
};

const int = (v: unknown): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new TypeError(`not a safe integer: ${String(v)}`);
  return n;
};

/** Every `demo_loaded` marker, oldest first, with whether it was removed. Run under the ledger lock to act on it. */
export async function listDemoLoads(db: SqlExecutor): Promise<DemoLoad[]> {
  const { rows } = await db.query<{ id: string; ts: Date; ledger_seq: string; details: Record<string, unknown>; removed: boolean }>(
    `SELECT m.id, m.ts, m.ledger_seq, m.details,
            EXISTS (SELECT 1 FROM audit.gateway_markers r WHERE r.marker = $2 AND r.details->>'load_marker_id' = m.id::text) AS removed
       FROM audit.gateway_markers m
      WHERE m.marker = $1
      ORDER BY m.ledger_seq`,
    [GATEWAY_MARKERS.demoLoaded, GATEWAY_MARKERS.demoRemoved],
  );
  return rows.map((r) => ({
    markerId: r.id,
    markerSeq: int(r.ledger_seq),
    fromSeq: int(r.details['from_seq']),
    toSeq: int(r.details['to_seq']),
    count: int(r.details['count']),
    loadedAt: r.ts,
    removed: r.removed,
  }));
}

/** The ledger head's size: the seq the next leaf gets. */
async function nextSeq(tx: SqlExecutor): Promise<number> {
  const { rows } = await tx.query<{ size: string }>('SELECT size FROM audit.ledger_head WHERE id = 1');
  return int(rows[0]?.size ?? 0);
}

/**
 * Loads the demo fleet ({@link buildDemoFleet}) in ONE transaction holding the
 * ledger lock: every row with its leaf (`insertLedgeredRows`, as any writer),
 * so the leaves form one unbroken range [from, to], followed at once by a
 * `demo_loaded` marker (seq to + 1) declaring that range and its count. No
 * checkpoint can fall inside the range: that is what lets `--remove` delete it
 * later without the verifier crying wolf. Does nothing (and says which load
 * exists) when a demo is loaded and not removed.
 */
export async function loadDemo(pool: SqlPool, opts: { now?: Date; seed?: number } = {}): Promise<DemoLoadResult> {
  return withTransaction(pool, async (tx) => {
    await tx.query(LEDGER_LOCK_SQL);
    const existing = (await listDemoLoads(tx)).find((l) => !l.removed);
    if (existing) return { loaded: false, existing };

    const now = opts.now ?? new Date();
    const seed = opts.seed ?? DEMO_SEED;
    const fleet: DemoFleet = buildDemoFleet({ now, seed });
    const fromSeq = await nextSeq(tx);
    const counts: DemoCounts = {};
    let toSeq = fromSeq - 1;
    for (const kind of DEMO_KINDS) {
      const rows = fleet[kind];
      if (rows.length === 0 || !rowSourceOf(kind)) continue;
      const entries = await insertLedgeredRows(tx, kind, rows);
      if (entries[0]!.seq !== toSeq + 1) throw new Error(`demo leaves are not contiguous: ${kind} began at seq ${entries[0]!.seq}, expected ${toSeq + 1}`);
      toSeq = entries[entries.length - 1]!.seq;
      counts[kind] = rows.length;
    }
    const count = toSeq - fromSeq + 1;
    const marker: LedgerRowInput = {
      id: randomUUID(),
      ts: new Date(Math.floor(now.getTime() / 1000) * 1000),
      marker: GATEWAY_MARKERS.demoLoaded,
      details: { from_seq: fromSeq, to_seq: toSeq, count, counts, seed, id_prefix: DEMO_PREFIX, user_prefix: DEMO_USER_PREFIX },
    };
    const [entry] = await insertLedgeredRows(tx, LEDGER_KINDS.marker, [marker]);
    if (entry!.seq !== toSeq + 1) throw new Error(`the demo_loaded marker got seq ${entry!.seq}, expected ${toSeq + 1}`);
    return {
      loaded: true,
      counts,
      load: { markerId: String(marker.id), markerSeq: entry!.seq, fromSeq, toSeq, count, loadedAt: marker.ts as Date, removed: false },
    };
  });
}

/**
 * Removes every demo load not yet removed, in one transaction holding the
 * ledger lock: checks that the range's leaves are what its marker says (count,
 * the marker right after) and that every row still stored in it is a demo row
 * (otherwise {@link DemoRangeError}, nothing deleted); deletes exactly the rows
 * whose leaf lies in [from, to]; appends one `declared` tombstone per kind
 * (`retention:<kind>:<from>-<to + 1>:declared`, which the verifier accepts only
 * against that marker) and a `demo_removed` marker. Idempotent: a removed load
 * is skipped.
 */
export async function removeDemo(pool: SqlPool): Promise<DemoRemoveResult> {
  return withTransaction(pool, async (tx) => {
    await tx.query(LEDGER_LOCK_SQL);
    const removed: { load: DemoLoad; deleted: DemoCounts; tombstones: number[] }[] = [];
    for (const load of (await listDemoLoads(tx)).filter((l) => !l.removed)) {
      if (load.markerSeq !== load.toSeq + 1 || load.count !== load.toSeq - load.fromSeq + 1) {
        throw new DemoRangeError(`the demo_loaded marker ${load.markerId} (seq ${load.markerSeq}) does not declare the range right before it; nothing removed`);
      }
      const { rows: kinds } = await tx.query<{ kind: string; n: string }>(
        'SELECT kind, count(*) AS n FROM audit.ledger WHERE seq BETWEEN $1 AND $2 GROUP BY kind ORDER BY kind',
        [load.fromSeq, load.toSeq],
      );
      const deleted: DemoCounts = {};
      for (const { kind } of kinds) {
        const source = rowSourceOf(kind);
        const isDemo = DEMO_ROW[kind];
        if (!source || !isDemo || kind === RETENTION_KIND) {
          throw new DemoRangeError(`the declared demo range [${load.fromSeq}, ${load.toSeq}] holds ${kind} leaves, which a demo never writes; nothing removed`);
        }
        const { rows: foreign } = await tx.query<{ n: string }>(
          `SELECT count(*) AS n FROM ${source.table} WHERE ledger_seq BETWEEN $1 AND $2 AND NOT ${isDemo}`,
          [load.fromSeq, load.toSeq],
        );
        if (int(foreign[0]!.n) > 0) {
          throw new DemoRangeError(
            `the declared demo range [${load.fromSeq}, ${load.toSeq}] holds ${foreign[0]!.n} ${kind} row(s) without the demo prefix; nothing removed`,
          );
        }
      }
      const tombstones: number[] = [];
      for (const { kind } of kinds) {
        const source = rowSourceOf(kind)!;
        const { rows: gone } = await tx.query<{ n: string }>(
          `WITH gone AS (DELETE FROM ${source.table} WHERE ledger_seq BETWEEN $1 AND $2 RETURNING 1) SELECT count(*) AS n FROM gone`,
          [load.fromSeq, load.toSeq],
        );
        deleted[kind] = int(gone[0]!.n);
        tombstones.push((await recordRetention(tx, { kind, fromSeq: load.fromSeq, toSeq: load.toSeq + 1, declared: true })).seq);
      }
      await insertLedgeredRows(tx, LEDGER_KINDS.marker, [
        {
          id: randomUUID(),
          ts: new Date(Math.floor(Date.now() / 1000) * 1000),
          marker: GATEWAY_MARKERS.demoRemoved,
          details: { load_marker_id: load.markerId, from_seq: load.fromSeq, to_seq: load.toSeq, deleted, tombstone_seqs: tombstones },
        },
      ]);
      removed.push({ load, deleted, tombstones });
    }
    return { removed };
  });
}
