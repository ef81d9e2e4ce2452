import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { LEDGER_ROW_SOURCES, type LedgerRowInput } from '@auditstack/audit-core';
import { ApiTokenRepository, createDataSource } from '@auditstack/audit-core/server';
import { recordTokenChange } from '@auditstack/evidence-store';
import { payloadHash } from '@auditstack/evidence';
import { bootstrapService } from '@auditstack/service-kit';
import { loadGatewayConfig } from '../../../apps/gateway/src/config/gateway.config';
import { GatewayModule } from '../../../apps/gateway/src/gateway.module';
import { createTestDatabase, type TestDatabase } from '../../support/db';
import { TcpProxy } from './tcp-proxy';

/** A gateway booted for real on its own database (and home folder), called over HTTP. */
export interface GatewayHarness {
  db: TestDatabase;
  app: NestFastifyApplication;
  url: string;
  home: string;
  /** An admin-level SQL client on the test database (postgres superuser). */
  sql: Client;
  tokens: ApiTokenRepository;
  token(name: string, entitlements: string[], workspaceId?: string | null): Promise<string>;
  call(path: string, token?: string, init?: { method?: string; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<Response>;
  /** Boots another gateway on the same database and home (e.g. with other settings). */
  boot(env?: Record<string, string>): Promise<NestFastifyApplication>;
  close(): Promise<void>;
}

export async function startGateway(env: Record<string, string> = {}, options: { db?: TestDatabase; databaseUrl?: string } = {}): Promise<GatewayHarness> {
  const db = options.db ?? (await createTestDatabase({ migrated: true }));
  const home = await mkdtemp(join(tmpdir(), 'auditstack-gw-'));
  const boot = async (extra: Record<string, string> = {}): Promise<NestFastifyApplication> =>
    bootstrapService({
      module: GatewayModule.forRoot(
        loadGatewayConfig({
          DATABASE_URL: options.databaseUrl ?? db.url,
          LOG_LEVEL: 'warn',
          GATEWAY_PORT: '0',
          AUDITSTACK_HOME: home,
          AUDIT_BACKEND: 'postgres',
          // Load shedding off: on a busy CI machine a boot or a sync fsync can lag the loop past 1 s; specs that test shedding opt in.
          SHED_EVENT_LOOP_DELAY_MS: '0',
          ...env,
          ...extra,
        }),
      ),
      name: 'gateway',
      title: 'gateway',
      description: 'test',
      port: 0,
      host: '127.0.0.1',
    });
  const app = await boot();
  const url = await app.getUrl();
  const sql = new Client({ connectionString: db.url });
  await sql.connect();
  const dataSource = await createDataSource({ url: db.url, applicationName: 'gateway-test', poolMax: 1 }).initialize();
  const tokens = new ApiTokenRepository(dataSource, recordTokenChange);
  const harness: GatewayHarness = {
    db,
    app,
    url,
    home,
    sql,
    tokens,
    boot,
    token: async (name, entitlements, workspaceId = null) => (await tokens.create({ name, entitlements, workspaceId, actor: 'test' })).token,
    call: (path, token, init = {}) =>
      fetch(`${harness.url}${path}`, {
        method: init.method ?? (init.body !== undefined || init.raw !== undefined ? 'POST' : 'GET'),
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(init.body !== undefined || init.raw !== undefined ? { 'content-type': 'application/json' } : {}),
          ...init.headers,
        },
        body: init.raw ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined),
      }),
    close: async () => {
      await harness.app.close().catch(() => undefined);
      await sql.end().catch(() => undefined);
      await dataSource.destroy().catch(() => undefined);
      if (!options.db) await db.drop();
      await rm(home, { recursive: true, force: true });
    },
  };
  return harness;
}

/**
 * A gateway on its own database whose PostgreSQL connections all go through a
 * loopback TCP proxy: `proxy.cut()` is an outage, `proxy.restore()` the
 * recovery. `close()` also stops the proxy and drops the database.
 */
export async function startGatewayBehindProxy(env: Record<string, string>): Promise<GatewayHarness & { proxy: TcpProxy }> {
  const db = await createTestDatabase({ migrated: true });
  const target = new URL(db.url);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  const proxied = new URL(db.url);
  proxied.port = String(await proxy.start());
  const gw = await startGateway(env, { db, databaseUrl: proxied.toString() });
  const close = gw.close;
  return Object.assign(gw, {
    proxy,
    close: async () => {
      await close();
      await proxy.cut();
      await db.drop();
    },
  });
}

/** The ledger kinds the gateway writes: the four event domains and its markers. */
const EVENT_LEAF_KINDS = ['lifecycle', 'tool', 'observability', 'cluster', 'marker'] as const;

/**
 * Checks the evidence of every stored event and marker: each row has a
 * ledger leaf (`ledger_seq`) of its kind and ref whose `payload_hash`
 * re-computes from the row as stored, and the ledger is gapless (0..n-1).
 * Returns the number of rows checked.
 */
export async function assertLedgerCovers(sql: Client): Promise<number> {
  const ledger = await sql.query<{ seq: string; kind: string; ref: string; payload_hash: Buffer }>(
    'SELECT seq, kind, ref, payload_hash FROM audit.ledger ORDER BY seq',
  );
  ledger.rows.forEach((r, i) => {
    if (Number(r.seq) !== i) throw new Error(`ledger gap: position ${i} holds seq ${r.seq}`);
  });
  const head = await sql.query<{ size: string }>('SELECT size FROM audit.ledger_head');
  if (Number(head.rows[0]!.size) !== ledger.rows.length) throw new Error(`ledger_head size ${head.rows[0]!.size} ≠ ${ledger.rows.length} leaves`);
  const bySeq = new Map(ledger.rows.map((r) => [Number(r.seq), r]));
  let checked = 0;
  for (const kind of EVENT_LEAF_KINDS) {
    const source = LEDGER_ROW_SOURCES[kind]!;
    const cols = [...source.columns, 'ledger_seq'].map((c) => `"${c}"`).join(', ');
    const { rows } = await sql.query<LedgerRowInput>(`SELECT ${cols} FROM ${source.table}`);
    for (const row of rows) {
      const leaf = bySeq.get(Number(row['ledger_seq']));
      const ref = String(row[source.key]);
      if (!leaf || leaf.kind !== kind || leaf.ref !== ref) throw new Error(`${kind} ${ref}: no matching ledger leaf (ledger_seq ${String(row['ledger_seq'])})`);
      if (!payloadHash(source.payload(row)).equals(leaf.payload_hash)) throw new Error(`${kind} ${ref}: payload hash does not re-compute`);
      checked++;
    }
  }
  const eventLeaves = ledger.rows.filter((r) => (EVENT_LEAF_KINDS as readonly string[]).includes(r.kind)).length;
  if (eventLeaves !== checked) throw new Error(`${eventLeaves} event/marker leaves but ${checked} rows: a leaf without its row`);
  return checked;
}

/** A valid lifecycle event (override any field). */
export function lifecycleEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ts: '2026-11-20T10:00:00Z',
    action: 'start',
    actor: 'system',
    engine_id: 'eng-1',
    product_id: 'prod-a',
    user_id: 'u-1',
    metadata: { reason: 'request', boot_ms: 1200 },
    duration_ms: 1200,
    ...overrides,
  };
}

/** A valid tool event (override any field). */
export function toolEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ts: '2026-11-20T10:00:00Z',
    req_id: 'req-1',
    workspace_id: 'ws-1',
    user_id: 'u-1',
    agent_id: 'agent-a',
    tool: 'github',
    action: 'search',
    status: 'ok',
    duration_ms: 250,
    in_size: 1024,
    out_size: 4096,
    input_hash: 'a'.repeat(64),
    ...overrides,
  };
}
