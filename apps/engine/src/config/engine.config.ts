import { z } from 'zod';
import { envSchemas, loadConfig, type DeepReadonly } from '@auditstack/audit-core/server';
import { isCidr, isDnsServer } from '@auditstack/collectors';
import { EVIDENCE_SETTINGS_SHAPE } from '@auditstack/evidence-store';

const CIDR_RULE = 'must be a comma-separated list of CIDR blocks (10.0.0.0/8, fd00::/8) or addresses';
/** A list of CIDR blocks; the rule is reported without echoing the value. */
const cidrList = z.array(z.string()).refine((items) => items.every(isCidr), { message: CIDR_RULE, params: { rule: CIDR_RULE } });

const DNS_SERVERS_RULE = 'must be a comma-separated list of ip, ip:port or [ipv6]:port';

/** Every setting of the engine, read once at boot. Documented in README.md and .env.example. */
export const EngineConfigSchema = z.object({
  /** PostgreSQL connection string. `auditstack up` fills it with the embedded database when unset. */
  DATABASE_URL: envSchemas.url,
  /** Redis for BullMQ (service mode). Unset: the in-process queue (embedded mode). */
  REDIS_URL: envSchemas.url.optional(),
  ENGINE_PORT: envSchemas.port.default(8200),
  /** Interface to bind. Containers set 0.0.0.0. */
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  /** Connections in the engine's PostgreSQL pool. */
  DATABASE_POOL_MAX: envSchemas.positiveInt.default(10),
  /** Runs executed at the same time by this replica's worker. @defaultValue 4 */
  ENGINE_CONCURRENCY: envSchemas.positiveInt.default(4),
  /** Safety re-sync of the schedule with `audit.actions`, in seconds (besides boot and LISTEN/NOTIFY). @defaultValue 300 */
  ENGINE_RESYNC_SECONDS: envSchemas.positiveInt.default(300),
  /**
   * Embedded mode only: re-sync period in seconds. PGlite may not deliver
   * NOTIFY across connections, so plain SQL edits are picked up by polling. @defaultValue 2
   */
  ENGINE_EMBEDDED_RESYNC_SECONDS: envSchemas.positiveInt.default(2),
  /** BullMQ key prefix in Redis (several installations, or tests, can share one Redis). @defaultValue 'auditstack' */
  ENGINE_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/)
    .default('auditstack'),
  /** Attempts per job when writing a run fails (a crash mid-run is retried by stall detection). @defaultValue 3 */
  ENGINE_JOB_ATTEMPTS: envSchemas.positiveInt.default(3),
  /** BullMQ job lock duration in ms: a worker that dies loses its job after this long. @defaultValue 30000 */
  ENGINE_JOB_LOCK_MS: envSchemas.positiveInt.default(30_000),
  /** BullMQ stalled-job check period in ms: how often a dead worker's job is taken back. @defaultValue 30000 */
  ENGINE_STALLED_INTERVAL_MS: envSchemas.positiveInt.default(30_000),
  /**
   * Also accept 6-field schedules (with a leading seconds field) written
   * straight into SQL. The API keeps accepting only 5-field cron; this exists
   * for tests and benchmarks that need sub-minute firings. @defaultValue false
   */
  ENGINE_ALLOW_SECOND_SCHEDULES: envSchemas.boolean.default(false),
  /** How often one replica looks for scheduled firings that left no run (recorded as `missed: …` error runs), in seconds. @defaultValue 60 */
  ENGINE_MISSED_SCAN_SECONDS: envSchemas.positiveInt.default(60),
  /** A firing counts as missed once this many seconds (plus the action's timeout) have passed without a run. @defaultValue 120 */
  ENGINE_MISSED_GRACE_SECONDS: envSchemas.positiveInt.default(120),
  /** Missed firings recorded one by one per action and scan; the rest become one summarising run. @defaultValue 10 */
  ENGINE_MISSED_MAX_PER_ACTION: envSchemas.positiveInt.default(10),
  /** How far back (seconds) the first scan after boot looks for missed firings. @defaultValue 3600 */
  ENGINE_MISSED_LOOKBACK_SECONDS: envSchemas.positiveInt.default(3600),
  /**
   * How long `GET /v1/overview` reuses its cards (ms) when this replica wrote
   * nothing since; 0 disables. Concurrent requests always share one query. @defaultValue 1000
   */
  ENGINE_OVERVIEW_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  /**
   * Requests per minute per API token (per client address without one) before
   * a 429 with `Retry-After`; 0 turns the limit off. Unset: off in embedded
   * mode (no REDIS_URL, the single-user `auditstack up`), else
   * {@link DEFAULT_SERVICE_RATE_LIMIT_PER_MINUTE}. Probes are never limited.
   */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).optional(),
  /**
   * Event-loop delay (ms) above which requests are shed with 503 and
   * `Retry-After` (probes exempt); 0 turns shedding off. @defaultValue 1000
   */
  SHED_EVENT_LOOP_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  // AUDITSTACK_HOME (keys, anchors, reports) and the evidence settings (EVIDENCE_*, CHECKPOINT_*, TSA_*): the
  // gateway's and the CLI's shape, so the engine signs with the same key, anchors to the same file and stamps with the same TSA.
  ...EVIDENCE_SETTINGS_SHAPE,
  /** DNS servers (`ip` or `ip:port`, comma-separated) used by the DNS collectors; the system's when unset. */
  ENGINE_DNS_SERVERS: envSchemas.list.refine((items) => items.every(isDnsServer), { message: DNS_SERVERS_RULE, params: { rule: DNS_SERVERS_RULE } }).optional(),
  /** Longest wait (ms) for one DNS query of a check, all attempts included; a DNS check's `timeout_ms` overrides it. @defaultValue 5000 */
  ENGINE_DNS_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5000),
  /**
   * Longest time (s) the engine reuses a DNS answer across its checks, never beyond the answer's TTL
   * (RFC 2308 negative TTL for NXDOMAIN/NODATA); 0 turns the cache off. @defaultValue 600
   */
  ENGINE_DNS_CACHE_MAX_TTL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(600),
  /** The gateway's backend (same variable): `jsonl` makes the digests read the JSONL files and lets cleanup skip the replay check. @defaultValue 'auto' */
  AUDIT_BACKEND: z.enum(['auto', 'postgres', 'jsonl', 'null']).default('auto'),
  /** The gateway's JSONL folder (same variable), for `audit_cleanup`, `audit_compact` and JSONL digests. Unset: `$AUDITSTACK_HOME/spool`. */
  AUDIT_JSONL_DIR: z.string().min(1).optional(),
  /** Where the digest and drift actions write `cost/`, `privacy/`, `drift/`. Unset: `$AUDITSTACK_HOME/reports`. */
  AUDIT_REPORTS_DIR: z.string().min(1).optional(),
  /** JSON data-governance policy (file ages for cleanup, retention per event class). Unset: the built-in defaults. */
  DATA_GOVERNANCE_FILE: z.string().min(1).optional(),
  /** The gateway's cost model (same variable), for `daily_cost_digest` and `weekly_drift`. */
  COST_MODEL_FILE: z.string().min(1).optional(),
  /** The gateway's RBAC / rollout policy (same variable), for `weekly_drift`. */
  RBAC_FILE: z.string().min(1).optional(),
  /**
   * The built-in `audit` datasource of SQL checks (role `auditstack_audit_reader`, SELECT on `audit.services` only).
   * Unset: DATABASE_URL with the user replaced by `auditstack_audit_reader` and the password by AUDIT_DATASOURCE_PASSWORD.
   * Never the engine's own connection.
   */
  AUDIT_DATASOURCE_URL: envSchemas.url.optional(),
  /** Password of `auditstack_audit_reader` when AUDIT_DATASOURCE_URL is unset. */
  AUDIT_DATASOURCE_PASSWORD: z.string().min(1).optional(),
  /** More datasources for SQL checks: a JSON object `{"name": "postgres://…"}` (`datasource: name` in a check's config). */
  AUDIT_DATASOURCES: z
    .string()
    .transform((raw, ctx) => {
      const rule = 'must be a JSON object of datasource names ([a-z][a-z0-9_-]{0,62}, not "audit") to postgres:// URLs';
      try {
        const parsed = z
          .record(
            z
              .string()
              .regex(/^[a-z][a-z0-9_-]{0,62}$/)
              .refine((n) => n !== 'audit'),
            z.string().regex(/^postgres(ql)?:\/\/\S+$/),
          )
          .safeParse(JSON.parse(raw));
        if (parsed.success) return parsed.data;
      } catch {
        // reported below, without echoing the value (it holds passwords)
      }
      ctx.addIssue({ code: 'custom', message: rule, params: { rule } });
      return z.NEVER;
    })
    .optional(),
  /** Connections per datasource of SQL checks (each check holds one for its query). @defaultValue 2 */
  CHECK_DATASOURCE_POOL_MAX: envSchemas.positiveInt.default(2),
  /** Longest a SQL check's statement may run, whatever the action's timeout (ms). @defaultValue 60000 */
  CHECK_SQL_STATEMENT_MAX_MS: envSchemas.positiveInt.default(60_000),
  /**
   * Addresses http/tcp/tls/dns checks may reach (CIDR list). Unset: everything not denied.
   * An address must be allowed and not denied.
   */
  CHECK_EGRESS_ALLOW: envSchemas.list.pipe(cidrList).optional(),
  /**
   * Addresses http/tcp/tls/dns checks may never reach (CIDR list), added to the built-in denials
   * (169.254.0.0/16, fe80::/10, fd00:ec2::254/128: link-local and cloud metadata, IPv4-mapped forms included).
   */
  CHECK_EGRESS_DENY: envSchemas.list.pipe(cidrList).optional(),
});

export type EngineConfig = DeepReadonly<z.infer<typeof EngineConfigSchema>>;

/** Default of `RATE_LIMIT_PER_MINUTE` in service mode (REDIS_URL set): generous for automation, a brake on a runaway client. */
export const DEFAULT_SERVICE_RATE_LIMIT_PER_MINUTE = 1200;

/**
 * The per-token rate limit in force: `RATE_LIMIT_PER_MINUTE` when set, else
 * off (0) in embedded mode — the engine runs embedded when REDIS_URL is unset
 * (in-process queue, `auditstack up`) — and
 * {@link DEFAULT_SERVICE_RATE_LIMIT_PER_MINUTE} in service mode.
 */
export function rateLimitPerMinuteOf(config: Pick<EngineConfig, 'RATE_LIMIT_PER_MINUTE' | 'REDIS_URL'>): number {
  return config.RATE_LIMIT_PER_MINUTE ?? (config.REDIS_URL ? DEFAULT_SERVICE_RATE_LIMIT_PER_MINUTE : 0);
}

export const ENGINE_CONFIG = Symbol('ENGINE_CONFIG');

export function loadEngineConfig(env: NodeJS.ProcessEnv = process.env): Readonly<EngineConfig> {
  return loadConfig(EngineConfigSchema, env);
}
