import { z } from 'zod';
import { envSchemas, loadConfig, type DeepReadonly } from '@auditstack/audit-core/server';
import { EVIDENCE_SETTINGS_SHAPE } from '@auditstack/evidence-store';

/** Every setting of the gateway, read once at boot. Documented in README.md and .env.example. */
export const GatewayConfigSchema = z.object({
  /** PostgreSQL connection string. `auditstack up` fills it with the embedded database when unset. */
  DATABASE_URL: envSchemas.url,
  GATEWAY_PORT: envSchemas.port.default(8080),
  /** Interface to bind. Containers set 0.0.0.0. */
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  /** Connections in the gateway's PostgreSQL pool. */
  DATABASE_POOL_MAX: envSchemas.positiveInt.default(10),
  // --- event storage (issue 5; see docs/operations.md) ---
  /** Where events go: `auto` (PostgreSQL, JSONL spool while it is down), `postgres`, `jsonl` or `null` (discard). */
  AUDIT_BACKEND: z.enum(['auto', 'postgres', 'jsonl', 'null']).default('auto'),
  /** Connection string of the ingest pool (the restricted `auditstack_ingest` role); unset: DATABASE_URL. */
  AUDIT_INGEST_DATABASE_URL: envSchemas.url.optional(),
  /** Folder of the JSONL backend and of the `auto` spool (mode 0700); unset: `$AUDITSTACK_HOME/spool`. */
  AUDIT_JSONL_DIR: z.string().min(1).optional(),
  // AUDITSTACK_HOME (keys, spool, reports) comes with the evidence settings below.
  /** `auto`: seconds to spool to JSONL after a PostgreSQL failure before trying PostgreSQL again. */
  AUDIT_FALLBACK_SECONDS: envSchemas.positiveInt.default(300),
  /** Latest accepted event time, as seconds past the gateway's clock (every event `ts` must lie in 1970-01-01T00:00:00Z … now + this). */
  EVENT_MAX_FUTURE_SKEW_SECONDS: envSchemas.nonNegativeInt.default(86400),
  /** Group commit: longest wait (ms) to coalesce concurrent ingest requests into one transaction. */
  INGEST_GROUP_COMMIT_MS: envSchemas.positiveInt.default(2),
  /** Group commit: most events per transaction. */
  INGEST_GROUP_COMMIT_MAX_EVENTS: envSchemas.positiveInt.default(20000),
  /** JSON file with `cost_weights` for the finops dashboard; unset: built-in defaults. */
  COST_MODEL_FILE: z.string().min(1).optional(),
  /** JSON RBAC / rollout policy: agent entitlements, workspaces, tools (trusted-proxy mode and /v1/tools/authorize). */
  RBAC_FILE: z.string().min(1).optional(),
  /** Milliseconds a token verified in PostgreSQL is reused without a lookup (a revocation takes effect after at most this long); 0 = look up every request. */
  AUTH_CACHE_MS: envSchemas.nonNegativeInt.default(5000),
  /**
   * Seconds a token verified in PostgreSQL is still accepted while PostgreSQL is unreachable, and how long
   * entries (verified and revoked tokens) live in the HMAC-protected on-disk token cache. @defaultValue 3600
   */
  AUTH_OUTAGE_TTL_SECONDS: envSchemas.positiveInt.default(3600),
  /** Honour X-Agent-Id / X-Workspace-Id from a trusted proxy (which still needs its own bearer token). */
  TRUSTED_PROXY_MODE: envSchemas.boolean.default(false),
  /** Sentinel file of the emergency stop: present at boot → every tool call is denied. Unset: `$AUDITSTACK_HOME/EMERGENCY_STOP`. */
  EMERGENCY_STOP_FILE: z.string().min(1).optional(),
  // --- ingest formats (issue 14; see docs/ingest-formats.md) ---
  /**
   * `tolerant`: unknown metadata keys of a lifecycle event are kept (stored, hashed, bounded) and flagged in the
   * response and metrics; `strict`: they are refused. Payload-like fields are refused in both. @defaultValue tolerant
   */
  EVENT_SCHEMA_MODE: z.enum(['tolerant', 'strict']).default('tolerant'),
  /** OTLP: resource (or record) attributes naming the engine of an observability record, first found wins. */
  OTLP_ENGINE_ID_ATTRIBUTES: envSchemas.list.default(['engine.id', 'engine_id']),
  /** OTLP: attribute keys kept in clear on observability rows, beyond the built-in allowlist (scalar values only, bounded). */
  OTLP_KEPT_ATTRIBUTES: envSchemas.list.default([]),
  /** Kubernetes audit webhook: the cluster name stamped on cluster audit rows (`cluster_id`); unset: null. */
  K8S_AUDIT_CLUSTER_ID: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/)
    .optional(),
  // --- HTTP protection (issue 13) ---
  /**
   * Requests per minute per API token (per client address without one) before 429 + Retry-After; 0 = off.
   * Unset: off when the gateway listens on a loopback address (embedded: `auditstack up`), else
   * {@link DEFAULT_RATE_LIMIT_PER_MINUTE}. Probes are never limited.
   */
  RATE_LIMIT_PER_MINUTE: envSchemas.nonNegativeInt.optional(),
  /** Event-loop delay (ms) above which requests are shed with 503 + Retry-After; 0 = off. Probes are never shed. */
  SHED_EVENT_LOOP_DELAY_MS: envSchemas.nonNegativeInt.default(1000),
  // --- evidence (issue 3; ARCHITECTURE §4): one shape shared with the engine and the CLI ---
  ...EVIDENCE_SETTINGS_SHAPE,
});

export type GatewayConfig = DeepReadonly<z.infer<typeof GatewayConfigSchema>>;

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

/** The per-token rate limit of a gateway that listens beyond loopback, when RATE_LIMIT_PER_MINUTE is unset. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 6000;

/** True for an address only this host can reach (the embedded, `auditstack up` deployment binds one). */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * The effective per-token rate limit: RATE_LIMIT_PER_MINUTE when set, else off
 * for an embedded gateway (loopback only: one user, often a local load test)
 * and {@link DEFAULT_RATE_LIMIT_PER_MINUTE} for one that serves a network.
 */
export function rateLimitPerMinute(config: Pick<GatewayConfig, 'RATE_LIMIT_PER_MINUTE' | 'HOST'>): number {
  return config.RATE_LIMIT_PER_MINUTE ?? (isLoopback(config.HOST) ? 0 : DEFAULT_RATE_LIMIT_PER_MINUTE);
}

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): Readonly<GatewayConfig> {
  return loadConfig(GatewayConfigSchema, env);
}
