import { z } from 'zod';

/** Base URL of an HTTP(S) service: no query or fragment; a trailing slash is dropped. */
const serviceUrl = z
  .string()
  .trim()
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        return (url.protocol === 'http:' || url.protocol === 'https:') && url.search === '' && url.hash === '';
      } catch {
        return false;
      }
    },
    { message: 'must be an http(s) URL without query or fragment' },
  )
  .transform((value) => value.replace(/\/+$/, ''));

/**
 * Environment the dashboard reads. Every key is optional; defaults match the
 * ports of ARCHITECTURE §7.
 */
export const dashboardEnvSchema = z.object({
  /** @defaultValue `http://127.0.0.1:8200` */
  ENGINE_URL: serviceUrl.default('http://127.0.0.1:8200'),
  /** @defaultValue `http://127.0.0.1:8080` */
  GATEWAY_URL: serviceUrl.default('http://127.0.0.1:8080'),
  /** How long one `/ping` may take before the service counts as unreachable. @defaultValue `1500` */
  HEALTH_TIMEOUT_MS: z.coerce.number().int().min(50).max(30_000).default(1500),
});

export type DashboardEnv = Readonly<z.infer<typeof dashboardEnvSchema>>;

/** Raised when the environment is invalid; the message names every bad key and never a value. */
export class DashboardEnvError extends Error {
  constructor(
    readonly keys: readonly string[],
    message: string,
  ) {
    super(message);
    this.name = 'DashboardEnvError';
  }
}

/**
 * Parses the dashboard's environment into a frozen typed object.
 * Empty strings count as unset, so `ENGINE_URL=` falls back to the default.
 */
export function parseDashboardEnv(env: Readonly<Record<string, string | undefined>>): DashboardEnv {
  const input: Record<string, string> = {};
  for (const key of Object.keys(dashboardEnvSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') input[key] = value;
  }
  const result = dashboardEnvSchema.safeParse(input);
  if (!result.success) {
    // Values may be secrets one day (a URL with credentials): print keys and rules only.
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    const keys = [...new Set(result.error.issues.map((issue) => issue.path.join('.')))];
    throw new DashboardEnvError(keys, `Invalid dashboard environment: ${problems.join('; ')}`);
  }
  return Object.freeze(result.data);
}
