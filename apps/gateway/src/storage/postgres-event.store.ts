import { Pool, type PoolClient } from 'pg';
import { CLUSTER_AUDIT_EVENT_COLUMNS, EVENT_KINDS, LEDGER_KINDS, OBSERVABILITY_EVENT_COLUMNS, type LedgerKind } from '@auditstack/audit-core';
import { EvidenceError, LEDGER_LOCK_SQL } from '@auditstack/evidence';
import { appendLedger, type LedgerAppendInput } from '@auditstack/evidence-store';
import type { EventKind, MarkerRecord, PreparedEvent, StoreOutcome } from './storage.types';

const TABLES: Record<EventKind, string> = {
  lifecycle: 'audit.lifecycle_events',
  tool: 'audit.tool_events',
  observability: 'audit.observability_events',
  cluster: 'audit.cluster_audit_events',
};

/** The ledger kind of each event kind (the same names; kept explicit so a new event kind must choose). */
const LEDGER_KIND_OF: Record<EventKind, LedgerKind> = {
  lifecycle: LEDGER_KINDS.lifecycle,
  tool: LEDGER_KINDS.tool,
  observability: LEDGER_KINDS.observability,
  cluster: LEDGER_KINDS.cluster,
};

/** A column of a bulk insert: its name and PostgreSQL array type (`unnest($n::type[])`). */
type ColumnSpec = readonly [name: string, type: 'uuid' | 'timestamptz' | 'text' | 'integer' | 'bigint' | 'jsonb'];

const OBSERVABILITY_TYPES: Record<(typeof OBSERVABILITY_EVENT_COLUMNS)[number], ColumnSpec[1]> = {
  event_id: 'uuid',
  ts: 'timestamptz',
  observed_ts: 'timestamptz',
  source: 'text',
  engine_id: 'text',
  service_name: 'text',
  scope_name: 'text',
  severity_number: 'integer',
  severity_text: 'text',
  event_name: 'text',
  trace_id: 'text',
  span_id: 'text',
  body_sha256: 'text',
  body_size: 'integer',
  attributes: 'jsonb',
  attributes_sha256: 'text',
  attributes_size: 'integer',
  attribute_count: 'integer',
};

const CLUSTER_TYPES: Record<(typeof CLUSTER_AUDIT_EVENT_COLUMNS)[number], ColumnSpec[1]> = {
  event_id: 'uuid',
  ts: 'timestamptz',
  audit_id: 'text',
  stage: 'text',
  level: 'text',
  cluster_id: 'text',
  verb: 'text',
  username: 'text',
  user_groups: 'jsonb',
  impersonated_user: 'text',
  source_ips: 'jsonb',
  user_agent: 'text',
  api_group: 'text',
  api_version: 'text',
  resource: 'text',
  subresource: 'text',
  namespace: 'text',
  name: 'text',
  request_uri: 'text',
  response_code: 'integer',
  request_received_ts: 'timestamptz',
  request_object_sha256: 'text',
  request_object_size: 'integer',
  response_object_sha256: 'text',
  response_object_size: 'integer',
  annotations: 'jsonb',
};

/** Columns of the kinds inserted generically (the payload columns, then `ledger_seq`). */
const GENERIC_COLUMNS: Partial<Record<EventKind, readonly ColumnSpec[]>> = {
  observability: OBSERVABILITY_EVENT_COLUMNS.map((c) => [c, OBSERVABILITY_TYPES[c]] as const),
  cluster: CLUSTER_AUDIT_EVENT_COLUMNS.map((c) => [c, CLUSTER_TYPES[c]] as const),
};

/** One column's values as the `pg` array parameter of its type (timestamps as ISO text, jsonb as JSON text). */
function columnValues(rows: readonly { e: PreparedEvent }[], [name, type]: ColumnSpec): unknown[] {
  return rows.map(({ e }) => {
    if (name === 'event_id') return e.eventId;
    if (name === 'ts') return e.ts.toISOString();
    const value = e.row[name];
    if (value === undefined || value === null) return null;
    if (type === 'jsonb') return JSON.stringify(value);
    if (type === 'timestamptz') return value instanceof Date ? value.toISOString() : String(value);
    return value;
  });
}

/**
 * SQLSTATE classes that mean "this input can never be stored" (data exception,
 * integrity violation, syntax or access rule). Anything else — a socket error,
 * a timeout, class 08 connection exception, 53 insufficient resources, 57
 * operator intervention, 40 rollback — means PostgreSQL is unavailable right now.
 */
const PERMANENT_SQLSTATE = /^(22|23|2B|42|44)[0-9A-Z]{3}$/;

/** True when `error` says PostgreSQL cannot take writes right now (as opposed to a permanent data error). */
export function isUnavailableError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return !(typeof code === 'string' && PERMANENT_SQLSTATE.test(code));
}

/**
 * True when `error` is about the data, not the connection: a permanent
 * SQLSTATE, or a RangeError/TypeError raised while preparing a row (an
 * unrepresentable value). Retrying such a row elsewhere cannot help; retrying
 * it alone keeps it from failing its neighbours.
 */
export function isDataError(error: unknown): boolean {
  if (error instanceof EvidenceError) return error.code === 'MALFORMED_INPUT';
  return !isUnavailableError(error) || error instanceof RangeError || error instanceof TypeError;
}

/** A short, value-free description of a data error (SQLSTATE when there is one): never echoes the input. */
export function describeDataError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof EvidenceError) return `its ledger leaf cannot be built (${error.code})`;
  return typeof code === 'string' ? `the database refused it (SQLSTATE ${code})` : `it cannot be stored (${(error as Error).name})`;
}

/**
 * The PostgreSQL side of ingest: one transaction per flush holding the ledger
 * lock, so the duplicate check, the ledger append and the row inserts are one
 * atomic, serialised step (ARCHITECTURE §4 "An event").
 */
export class PostgresEventStore {
  readonly pool: Pool;

  constructor(options: { url: string; poolMax: number; onError?: (error: Error) => void }) {
    this.pool = new Pool({
      connectionString: options.url,
      max: options.poolMax,
      application_name: 'auditstack-gateway-ingest',
      // Fail fast when PostgreSQL is unreachable: the `auto` backend then spools instead of hanging the request.
      connectionTimeoutMillis: 3_000,
      query_timeout: 15_000,
      idleTimeoutMillis: 10_000,
      keepAlive: true,
    });
    // An idle client whose server went away emits 'error' on the pool; unhandled, it would crash the process.
    this.pool.on('error', (error) => options.onError?.(error));
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /**
   * Stores `events` (and `markers`) in one transaction: under the ledger lock,
   * finds the event ids already stored (and repeats inside the batch), appends
   * ledger leaves for the new ones only, then inserts exactly those rows with
   * their `ledger_seq` (no UPDATE ever: the ingest role may not). Returns one
   * outcome per event, in order. Resolves only after COMMIT.
   */
  async store(events: readonly PreparedEvent[], markers: readonly MarkerRecord[] = []): Promise<StoreOutcome[]> {
    const client = await this.pool.connect();
    // A connection that dies between two statements emits 'error' on the client; the statement fails anyway.
    const swallow = (): void => undefined;
    client.on('error', swallow);
    let released = false;
    try {
      await client.query('BEGIN');
      try {
        const outcomes = await this.storeInTransaction(client, events, markers);
        await client.query('COMMIT');
        return outcomes;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } catch (error) {
      // A client that failed mid-transaction may hold a dead socket: destroy it rather than pool it.
      client.release(error instanceof Error ? error : true);
      released = true;
      throw error;
    } finally {
      client.off('error', swallow);
      if (!released) client.release();
    }
  }

  private async storeInTransaction(client: PoolClient, events: readonly PreparedEvent[], markers: readonly MarkerRecord[]): Promise<StoreOutcome[]> {
    // The ledger lock first: every writer of events takes it, so the duplicate check below cannot race another gateway.
    await client.query(LEDGER_LOCK_SQL);
    const existing = new Set<string>();
    for (const kind of Object.values(EVENT_KINDS)) {
      const ids = events.filter((e) => e.kind === kind).map((e) => e.eventId);
      if (ids.length === 0) continue;
      const { rows } = await client.query<{ id: string }>(`SELECT event_id::text AS id FROM ${TABLES[kind]} WHERE event_id = ANY($1::uuid[])`, [
        [...new Set(ids)],
      ]);
      for (const r of rows) existing.add(`${kind}:${r.id}`);
    }
    const outcomes: StoreOutcome[] = [];
    const fresh: PreparedEvent[] = [];
    for (const e of events) {
      const key = `${e.kind}:${e.eventId}`;
      if (existing.has(key)) outcomes.push('duplicate');
      else {
        existing.add(key);
        fresh.push(e);
        outcomes.push('accepted');
      }
    }
    let freshMarkers: MarkerRecord[] = [];
    if (markers.length > 0) {
      const { rows } = await client.query<{ id: string }>('SELECT id::text AS id FROM audit.gateway_markers WHERE id = ANY($1::uuid[])', [
        markers.map((m) => m.id),
      ]);
      const seen = new Set(rows.map((r) => r.id));
      freshMarkers = markers.filter((m) => !seen.has(m.id) && (seen.add(m.id), true));
    }
    if (fresh.length === 0 && freshMarkers.length === 0) return outcomes;

    const inputs: LedgerAppendInput[] = [
      ...fresh.map((e) => ({ kind: LEDGER_KIND_OF[e.kind], ref: e.eventId, ts: e.ts, row: e.row })),
      ...freshMarkers.map((m) => ({ kind: LEDGER_KINDS.marker, ref: m.id, ts: m.ts, row: { id: m.id, ts: m.ts, marker: m.marker, details: m.details } })),
    ];
    const { entries } = await appendLedger(client, inputs);
    const seqs = entries.map((x) => String(x.seq));

    const byKind = new Map<EventKind, { e: PreparedEvent; seq: string }[]>();
    fresh.forEach((e, i) => {
      const list = byKind.get(e.kind);
      if (list) list.push({ e, seq: seqs[i]! });
      else byKind.set(e.kind, [{ e, seq: seqs[i]! }]);
    });
    for (const [kind, rows] of byKind) {
      if (kind === EVENT_KINDS.lifecycle) await this.insertLifecycle(client, rows);
      else if (kind === EVENT_KINDS.tool) await this.insertTool(client, rows);
      else await this.insertGeneric(client, kind, rows);
    }
    if (freshMarkers.length > 0) {
      const ms = freshMarkers.map((m, i) => ({ m, seq: seqs[fresh.length + i]! }));
      await client.query(
        `INSERT INTO audit.gateway_markers (id, ts, marker, details, ledger_seq)
         SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::jsonb[], $5::bigint[])`,
        [
          ms.map((x) => x.m.id),
          ms.map((x) => x.m.ts.toISOString()),
          ms.map((x) => x.m.marker),
          ms.map((x) => JSON.stringify(x.m.details)),
          ms.map((x) => x.seq),
        ],
      );
    }
    return outcomes;
  }

  /** Bulk insert of a kind whose columns are exactly its ledger payload's fields (observability, cluster). */
  private async insertGeneric(client: PoolClient, kind: EventKind, rows: { e: PreparedEvent; seq: string }[]): Promise<void> {
    const columns = GENERIC_COLUMNS[kind];
    if (!columns) throw new TypeError(`no column list for event kind ${kind}`);
    const names = [...columns.map(([name]) => name), 'ledger_seq'];
    const casts = [...columns.map(([, type], i) => `$${i + 1}::${type}[]`), `$${columns.length + 1}::bigint[]`];
    const { rowCount } = await client.query(
      `INSERT INTO ${TABLES[kind]} (${names.join(', ')})
       SELECT * FROM unnest(${casts.join(', ')})
       ON CONFLICT (event_id, ts) DO NOTHING RETURNING event_id`,
      [...columns.map((column) => columnValues(rows, column)), rows.map(({ seq }) => seq)],
    );
    assertAllInserted(rowCount, rows.length);
  }

  private async insertLifecycle(client: PoolClient, rows: { e: PreparedEvent; seq: string }[]): Promise<void> {
    const col = (name: string): unknown[] => rows.map(({ e }) => e.row[name] ?? null);
    const { rowCount } = await client.query(
      `INSERT INTO audit.lifecycle_events (event_id, ts, action, actor, product_id, user_id, engine_id, metadata, duration_ms, ledger_seq)
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[], $9::integer[], $10::bigint[])
       ON CONFLICT (event_id, ts) DO NOTHING RETURNING event_id`,
      [
        rows.map(({ e }) => e.eventId),
        rows.map(({ e }) => e.ts.toISOString()),
        col('action'),
        col('actor'),
        col('product_id'),
        col('user_id'),
        col('engine_id'),
        rows.map(({ e }) => JSON.stringify(e.row['metadata'] ?? {})),
        col('duration_ms'),
        rows.map(({ seq }) => seq),
      ],
    );
    assertAllInserted(rowCount, rows.length);
  }

  private async insertTool(client: PoolClient, rows: { e: PreparedEvent; seq: string }[]): Promise<void> {
    const col = (name: string): unknown[] => rows.map(({ e }) => e.row[name] ?? null);
    const { rowCount } = await client.query(
      `INSERT INTO audit.tool_events (event_id, ts, req_id, workspace_id, user_id, agent_id, tool, action, status, duration_ms, in_size, out_size,
                                      input_hash, graph_run_id, graph_node, job_id, ledger_seq)
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                            $10::integer[], $11::integer[], $12::integer[], $13::text[], $14::text[], $15::text[], $16::text[], $17::bigint[])
       ON CONFLICT (event_id, ts) DO NOTHING RETURNING event_id`,
      [
        rows.map(({ e }) => e.eventId),
        rows.map(({ e }) => e.ts.toISOString()),
        col('req_id'),
        col('workspace_id'),
        col('user_id'),
        col('agent_id'),
        col('tool'),
        col('action'),
        col('status'),
        col('duration_ms'),
        col('in_size'),
        col('out_size'),
        col('input_hash'),
        col('graph_run_id'),
        col('graph_node'),
        col('job_id'),
        rows.map(({ seq }) => seq),
      ],
    );
    assertAllInserted(rowCount, rows.length);
  }
}

/**
 * Every row checked as new under the ledger lock must insert: a conflict here
 * means a writer bypassed the lock, and committing would leave a leaf without
 * its row — so the whole transaction is rolled back instead.
 */
function assertAllInserted(rowCount: number | null, expected: number): void {
  if (rowCount !== expected) {
    throw Object.assign(new Error(`ingest expected to insert ${expected} rows, inserted ${rowCount ?? 0}: a concurrent writer bypassed the ledger lock`), {
      code: '40001',
    });
  }
}
