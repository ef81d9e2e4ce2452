import { z } from 'zod';
import { envSchemas, loadConfig } from '@auditstack/audit-core/server';

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
});

export type EngineConfig = z.infer<typeof EngineConfigSchema>;

export const ENGINE_CONFIG = Symbol('ENGINE_CONFIG');

export function loadEngineConfig(env: NodeJS.ProcessEnv = process.env): Readonly<EngineConfig> {
  return loadConfig(EngineConfigSchema, env);
}
