import { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config.error';

/** The environment as `process.env` presents it. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A deeply read-only view of a parsed configuration. */
export type DeepReadonly<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends Date
    ? T
    : T extends readonly (infer U)[]
      ? readonly DeepReadonly<U>[]
      : T extends object
        ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
        : T;

/**
 * Parse the environment once, at boot, into a deep-frozen typed object.
 *
 * Only the keys of `schema` are read. An empty value counts as unset, so a
 * key listed blank in `.env` falls back to its default. On failure a
 * {@link ConfigError} names every wrong key with the rule it broke; its
 * message is built from the issue paths and codes only, so no value (and no
 * zod message that might quote one) can leak into logs.
 *
 * @defaultValue env `process.env`
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: Env = process.env): DeepReadonly<z.output<S>> {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const result = schema.safeParse(picked);
  if (!result.success) throw new ConfigError(configProblems(result.error));
  return deepFreeze(result.data) as DeepReadonly<z.output<S>>;
}

/** Turn zod issues into key + rule pairs, one per key (the first rule a key broke), without any value. */
function configProblems(error: z.ZodError): ConfigProblem[] {
  const byKey = new Map<string, string>();
  for (const issue of error.issues) {
    const key = issue.path.length > 0 ? issue.path.map(String).join('.') : '(environment)';
    if (!byKey.has(key)) byKey.set(key, ruleOf(issue));
  }
  return [...byKey].map(([key, rule]) => ({ key, rule }));
}

/** The rule an issue reports, from its code and the schema's bounds — never from the input or zod's message. */
function ruleOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'undefined' ? 'must not be set' : 'is required';
    case 'too_small':
      return issue.origin === 'string' ? `must be at least ${issue.minimum} characters` : `must be >= ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'string' ? `must be at most ${issue.maximum} characters` : `must be <= ${issue.maximum}`;
    case 'invalid_format':
      return `must be a valid ${issue.format === 'regex' ? 'value of the expected form' : issue.format}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'custom': {
      // Rules of the env helpers below travel in `params.rule`, a constant of ours.
      const rule: unknown = issue.params?.['rule'];
      return typeof rule === 'string' ? rule : 'is invalid';
    }
    case 'invalid_union':
      return 'does not match any allowed form';
    default:
      return 'is invalid';
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as object)) deepFreeze(child);
  }
  return value;
}

/** A schema for one environment variable: a string in, a typed value out. */
export type EnvSchema<T> = z.ZodPipe<z.ZodString, z.ZodTransform<T, string>>;

/**
 * An env value converted by `convert` (`undefined` = invalid); a failure
 * reports `rule` through `params.rule` (a constant, never the value).
 */
function envValue<T>(rule: string, convert: (raw: string) => T | undefined): EnvSchema<T> {
  return z.string().transform((raw, ctx): T => {
    const value = convert(raw.trim());
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: rule, params: { rule } });
      return z.NEVER;
    }
    return value;
  });
}

const PORT_RULE = 'must be a TCP port (an integer 0–65535; 0 picks a free one)';

/**
 * A TCP port, 0–65535 (0: let the OS pick a free one, for tests); with `fallback`, an unset key takes it.
 *
 * @example ENGINE_PORT: envPort(8200)
 */
export function envPort(): EnvSchema<number>;
export function envPort(fallback: number): z.ZodDefault<EnvSchema<number>>;
export function envPort(fallback?: number): EnvSchema<number> | z.ZodDefault<EnvSchema<number>> {
  const schema = envValue(PORT_RULE, (raw) => {
    if (!/^[0-9]{1,5}$/.test(raw)) return undefined;
    const port = Number(raw);
    return Number.isInteger(port) && port >= 0 && port <= 65_535 ? port : undefined;
  });
  return fallback === undefined ? schema : schema.default(fallback);
}

/** URL schemes {@link envUrl} accepts unless told otherwise. */
export const DEFAULT_URL_PROTOCOLS = ['http:', 'https:', 'postgres:', 'postgresql:', 'redis:', 'rediss:'] as const;

/**
 * An absolute URL with a host whose scheme is one of `protocols` (default:
 * http(s), postgres(ql), redis(s)). The value stays a string; it may carry a
 * password, so never log it. Use `.optional()` / `.default(url)` as needed.
 *
 * @example DATABASE_URL: envUrl({ protocols: ['postgres:', 'postgresql:'] }).optional()
 */
export function envUrl(options: { protocols?: readonly string[] } = {}): EnvSchema<string> {
  const protocols = options.protocols ?? DEFAULT_URL_PROTOCOLS;
  const names = protocols.map((protocol) => `${protocol}//`).join(', ');
  return envValue(`must be a URL starting with ${names}`, (raw) => {
    try {
      const url = new URL(raw);
      return protocols.includes(url.protocol) && url.host !== '' ? raw : undefined;
    } catch {
      return undefined;
    }
  });
}

const BOOLEAN_RULE = "must be 'true', 'false', '1' or '0'";

/**
 * A boolean: `true` / `false` / `1` / `0` (case-insensitive); with
 * `fallback`, an unset key takes it.
 *
 * @example AUDIT_TRUSTED_PROXY: envBoolean(false)
 */
export function envBoolean(): EnvSchema<boolean>;
export function envBoolean(fallback: boolean): z.ZodDefault<EnvSchema<boolean>>;
export function envBoolean(fallback?: boolean): EnvSchema<boolean> | z.ZodDefault<EnvSchema<boolean>> {
  const schema = envValue(BOOLEAN_RULE, (raw) => {
    const lower = raw.toLowerCase();
    if (lower === 'true' || lower === '1') return true;
    if (lower === 'false' || lower === '0') return false;
    return undefined;
  });
  return fallback === undefined ? schema : schema.default(fallback);
}

/**
 * A positive safe integer (a count, a size, milliseconds); with `fallback`,
 * an unset key takes it.
 *
 * @example AUDIT_FALLBACK_MS: envPositiveInt(300_000)
 */
export function envPositiveInt(): EnvSchema<number>;
export function envPositiveInt(fallback: number): z.ZodDefault<EnvSchema<number>>;
export function envPositiveInt(fallback?: number): EnvSchema<number> | z.ZodDefault<EnvSchema<number>> {
  const schema = envValue('must be a positive integer', (raw) => {
    if (!/^[0-9]+$/.test(raw)) return undefined;
    const value = Number(raw);
    return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  });
  return fallback === undefined ? schema : schema.default(fallback);
}

/**
 * A non-negative safe integer (0 typically switches a feature off); with
 * `fallback`, an unset key takes it.
 *
 * @example AUTH_CACHE_MS: envNonNegativeInt(5000)
 */
export function envNonNegativeInt(): EnvSchema<number>;
export function envNonNegativeInt(fallback: number): z.ZodDefault<EnvSchema<number>>;
export function envNonNegativeInt(fallback?: number): EnvSchema<number> | z.ZodDefault<EnvSchema<number>> {
  const schema = envValue('must be 0 or a positive integer', (raw) => {
    if (!/^[0-9]+$/.test(raw)) return undefined;
    const value = Number(raw);
    return Number.isSafeInteger(value) ? value : undefined;
  });
  return fallback === undefined ? schema : schema.default(fallback);
}

/**
 * A comma-separated list: items trimmed, empty items dropped. With `allowed`,
 * every item must be one of them. Use `.default([])` for an optional list.
 *
 * @example CORS_ORIGINS: envList().default([])
 */
export function envList(options: { allowed?: readonly string[] } = {}): EnvSchema<string[]> {
  const allowed = options.allowed;
  return envValue(allowed ? `must be a comma-separated list of ${allowed.join(', ')}` : 'must be a comma-separated list', (raw) => {
    const items = raw
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
    return allowed && items.some((item) => !allowed.includes(item)) ? undefined : items;
  });
}

/**
 * The env helpers as ready-made schemas, for `z.object({ PORT: envSchemas.port.default(8080) })`.
 * `url` accepts http(s), postgres(ql) and redis(s) URLs.
 */
export const envSchemas = {
  port: envPort(),
  url: envUrl(),
  boolean: envBoolean(),
  positiveInt: envPositiveInt(),
  nonNegativeInt: envNonNegativeInt(),
  list: envList(),
} as const;
