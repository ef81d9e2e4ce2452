import { z } from 'zod';
import { envSchemas, loadConfig } from '@auditstack/audit-core/server';

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
});

export type GatewayConfig = z.infer<typeof GatewayConfigSchema>;

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): Readonly<GatewayConfig> {
  return loadConfig(GatewayConfigSchema, env);
}
