import { Pool } from 'pg';
import type { SqlRow } from '@auditstack/collectors';
import type { EngineConfig } from '../config/engine.config';
import { readOnlyQuery } from './read-only-query.util';

/** Name of the built-in datasource (`audit.services` for the documentation-compliance check). */
export const AUDIT_DATASOURCE = 'audit';
/** Role of the built-in datasource, created by migration 1795342100000. */
export const AUDIT_READER_ROLE = 'auditstack_audit_reader';

/** Where a datasource's settings came from, for messages (never the URL: it may hold a password). */
type Origin = 'AUDIT_DATASOURCE_URL' | 'DATABASE_URL as auditstack_audit_reader' | 'AUDIT_DATASOURCES';

interface Datasource {
  readonly url: string;
  readonly origin: Origin;
  pool?: Pool;
}

/**
 * The built-in datasource's URL when AUDIT_DATASOURCE_URL is unset: the
 * engine's DATABASE_URL with its user replaced by `auditstack_audit_reader`
 * and its password by AUDIT_DATASOURCE_PASSWORD (none when unset). The
 * engine's own credentials are never reused.
 */
export function derivedAuditDatasourceUrl(databaseUrl: string, password: string | undefined): string {
  const url = new URL(databaseUrl);
  url.username = AUDIT_READER_ROLE;
  url.password = password === undefined ? '' : encodeURIComponent(password);
  return url.toString();
}

/**
 * Named datasources of SQL checks (`sql_assertion`, workbook `sql` steps):
 * the built-in `audit` one plus those of AUDIT_DATASOURCES. Each gets its
 * own small pool, opened on first use, distinct from the engine's pool (so
 * a check never shares a connection with ledger writers); every query runs
 * in the sandbox of {@link readOnlyQuery}.
 */
export class CheckDatasources {
  private readonly sources = new Map<string, Datasource>();

  constructor(
    private readonly config: Pick<
      EngineConfig,
      'DATABASE_URL' | 'AUDIT_DATASOURCE_URL' | 'AUDIT_DATASOURCE_PASSWORD' | 'AUDIT_DATASOURCES' | 'CHECK_DATASOURCE_POOL_MAX' | 'CHECK_SQL_STATEMENT_MAX_MS'
    >,
  ) {
    this.sources.set(
      AUDIT_DATASOURCE,
      config.AUDIT_DATASOURCE_URL
        ? { url: config.AUDIT_DATASOURCE_URL, origin: 'AUDIT_DATASOURCE_URL' }
        : { url: derivedAuditDatasourceUrl(config.DATABASE_URL, config.AUDIT_DATASOURCE_PASSWORD), origin: 'DATABASE_URL as auditstack_audit_reader' },
    );
    for (const [name, url] of Object.entries(config.AUDIT_DATASOURCES ?? {}))
      if (name !== AUDIT_DATASOURCE) this.sources.set(name, { url, origin: 'AUDIT_DATASOURCES' });
  }

  /** Names of the configured datasources. */
  names(): string[] {
    return [...this.sources.keys()];
  }

  /**
   * Runs `sql` on datasource `name` in the check sandbox.
   * @throws Error naming the datasource (never its URL) when it is unknown, unreachable or refused.
   */
  query(name: string, sql: string, params: readonly unknown[], signal: AbortSignal, statementMs: number): Promise<SqlRow[]> {
    const source = this.sources.get(name);
    if (!source) return Promise.reject(new Error(`unknown datasource "${name}" (configured: ${this.names().join(', ')}; add one with AUDIT_DATASOURCES)`));
    source.pool ??= this.open(name, source);
    return readOnlyQuery(source.pool, sql, params, signal, statementMs, {
      maxStatementMs: this.config.CHECK_SQL_STATEMENT_MAX_MS,
      label: `datasource "${name}" (${source.origin})`,
    });
  }

  /** Closes every pool (engine shutdown). */
  async close(): Promise<void> {
    const pools = [...this.sources.values()].flatMap((s) => (s.pool ? [s.pool] : []));
    for (const s of this.sources.values()) delete s.pool;
    await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
  }

  private open(name: string, source: Datasource): Pool {
    const pool = new Pool({
      connectionString: source.url,
      max: this.config.CHECK_DATASOURCE_POOL_MAX,
      application_name: `auditstack-check:${name}`.slice(0, 63),
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      // Session defaults: a statement that somehow runs outside the sandbox's transaction is still bounded and read-only.
      statement_timeout: this.config.CHECK_SQL_STATEMENT_MAX_MS,
      idle_in_transaction_session_timeout: this.config.CHECK_SQL_STATEMENT_MAX_MS + 1_000,
      options: '-c default_transaction_read_only=on',
    });
    // An idle connection dropped by the server must not crash the engine; the pool replaces it.
    pool.on('error', () => undefined);
    return pool;
  }
}
