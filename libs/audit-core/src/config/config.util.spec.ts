import { z } from 'zod';
import { ConfigError } from './config.error';
import { envBoolean, envList, envPort, envPositiveInt, envSchemas, envUrl, loadConfig } from './config.util';

const GatewayEnv = z.object({
  GATEWAY_PORT: envPort(8080),
  DATABASE_URL: envUrl({ protocols: ['postgres:', 'postgresql:'] }).optional(),
  REDIS_URL: envUrl({ protocols: ['redis:', 'rediss:'] }).optional(),
  AUDIT_BACKEND: z.enum(['auto', 'postgres', 'jsonl', 'null']).default('auto'),
  AUDIT_TRUSTED_PROXY: envBoolean(false),
  AUDIT_FALLBACK_MS: envPositiveInt(300_000),
  AUDIT_ADMIN_TOKEN: z.string().min(32),
  CORS_ORIGINS: envList().default([]),
  DATABASE_POOL_MAX: envSchemas.positiveInt.default(10),
});

const SECRET = 'hunter2-S3cr3t-Value-do-not-print!';

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(GatewayEnv, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('parses typed values and applies defaults', () => {
    const config = loadConfig(GatewayEnv, {
      DATABASE_URL: 'postgres://audit:pw@db.internal:5432/audit',
      REDIS_URL: 'redis://cache:6379/0',
      AUDIT_TRUSTED_PROXY: 'TRUE',
      AUDIT_ADMIN_TOKEN: 'x'.repeat(40),
      CORS_ORIGINS: ' https://a.example , ,https://b.example',
      UNRELATED: 'ignored',
    });
    expect(config).toEqual({
      GATEWAY_PORT: 8080,
      DATABASE_URL: 'postgres://audit:pw@db.internal:5432/audit',
      REDIS_URL: 'redis://cache:6379/0',
      AUDIT_BACKEND: 'auto',
      AUDIT_TRUSTED_PROXY: true,
      AUDIT_FALLBACK_MS: 300_000,
      AUDIT_ADMIN_TOKEN: 'x'.repeat(40),
      CORS_ORIGINS: ['https://a.example', 'https://b.example'],
      DATABASE_POOL_MAX: 10,
    });
  });

  it('returns a deep-frozen object', () => {
    const config = loadConfig(GatewayEnv, { AUDIT_ADMIN_TOKEN: 'x'.repeat(40), CORS_ORIGINS: 'a,b' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.CORS_ORIGINS)).toBe(true);
    expect(() => {
      (config as { GATEWAY_PORT: number }).GATEWAY_PORT = 1;
    }).toThrow(TypeError);
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig(GatewayEnv, { GATEWAY_PORT: '', AUDIT_ADMIN_TOKEN: 'x'.repeat(40) }).GATEWAY_PORT).toBe(8080);
  });

  it('names every bad key with its rule and never prints a value', () => {
    const error = configError({
      GATEWAY_PORT: '70000',
      DATABASE_URL: `mysql://root:${SECRET}@db/audit`,
      REDIS_URL: SECRET,
      AUDIT_BACKEND: SECRET,
      AUDIT_TRUSTED_PROXY: 'yes',
      AUDIT_FALLBACK_MS: '-5',
      AUDIT_ADMIN_TOKEN: 'short-but-secret',
    });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.problems.map((problem) => problem.key).sort()).toEqual([
      'AUDIT_ADMIN_TOKEN',
      'AUDIT_BACKEND',
      'AUDIT_FALLBACK_MS',
      'AUDIT_TRUSTED_PROXY',
      'DATABASE_URL',
      'GATEWAY_PORT',
      'REDIS_URL',
    ]);
    expect(error.message).toContain('GATEWAY_PORT: must be a TCP port (an integer 0–65535; 0 picks a free one)');
    expect(error.message).toContain('DATABASE_URL: must be a URL starting with postgres://, postgresql://');
    expect(error.message).toContain('REDIS_URL: must be a URL starting with redis://, rediss://');
    expect(error.message).toContain('AUDIT_BACKEND: must be one of auto, postgres, jsonl, null');
    expect(error.message).toContain("AUDIT_TRUSTED_PROXY: must be 'true', 'false', '1' or '0'");
    expect(error.message).toContain('AUDIT_FALLBACK_MS: must be a positive integer');
    expect(error.message).toContain('AUDIT_ADMIN_TOKEN: must be at least 32 characters');
    const everything = `${error.message}\n${JSON.stringify(error)}\n${error.stack ?? ''}\n${String(error.cause)}`;
    for (const value of [SECRET, 'short-but-secret', '70000', 'yes', '-5']) expect(everything).not.toContain(value);
  });

  it('reports a missing required key', () => {
    expect(configError({}).message).toMatch(/1 setting is wrong[^\n]*\n {2}- AUDIT_ADMIN_TOKEN: is required$/);
  });

  it('keeps values out of messages of a custom refinement that quotes its input', () => {
    const schema = z.object({ API_KEY: z.string().refine((value) => value.startsWith('ak_'), { message: `bad key ${SECRET}` }) });
    const error = (() => {
      try {
        loadConfig(schema, { API_KEY: SECRET });
      } catch (caught) {
        return caught as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error.message).toContain('API_KEY: is invalid');
    expect(error.message).not.toContain(SECRET);
  });
});

describe('env helpers', () => {
  const parse = <T extends z.ZodType>(schema: T, value: string | undefined) => z.object({ V: schema }).safeParse({ V: value });

  it('envPort', () => {
    expect(parse(envPort(), '8200').data).toEqual({ V: 8200 });
    expect(parse(envPort(), '0').data).toEqual({ V: 0 });
    for (const bad of ['-1', '65536', '80.5', 'http', '']) expect(parse(envPort(), bad).success).toBe(false);
    expect(parse(envPort(), undefined).success).toBe(false);
  });

  it('envUrl accepts postgres:// and redis:// by default, refuses other schemes and junk', () => {
    for (const good of ['postgres://u:p@h:5432/db', 'postgresql://h/db', 'redis://h:6379', 'rediss://h', 'https://x.example']) {
      expect(parse(envUrl(), good).success).toBe(true);
    }
    for (const bad of ['mysql://h/db', 'not a url', 'postgres://', 'file:///etc/passwd']) expect(parse(envUrl(), bad).success).toBe(false);
  });

  it('envBoolean', () => {
    expect(['true', 'false', '1', '0', 'TRUE'].map((v) => parse(envBoolean(), v).data?.V)).toEqual([true, false, true, false, true]);
    expect(parse(envBoolean(), 'on').success).toBe(false);
    expect(parse(envBoolean(true), undefined).data).toEqual({ V: true });
  });

  it('envPositiveInt', () => {
    expect(parse(envPositiveInt(5), undefined).data).toEqual({ V: 5 });
    expect(parse(envPositiveInt(), '12').data).toEqual({ V: 12 });
    for (const bad of ['0', '-1', '1.5', '1e3', '99999999999999999999']) expect(parse(envPositiveInt(), bad).success).toBe(false);
  });

  it('envSchemas: ready-made schemas that take .default() and .optional()', () => {
    expect(parse(envSchemas.port.default(8080), undefined).data).toEqual({ V: 8080 });
    expect(parse(envSchemas.url.optional(), undefined).data).toEqual({ V: undefined });
    expect(parse(envSchemas.url, 'postgresql://h/db').data).toEqual({ V: 'postgresql://h/db' });
  });

  it('envList with allowed values', () => {
    expect(parse(envList({ allowed: ['a', 'b'] }), 'a, b').data).toEqual({ V: ['a', 'b'] });
    expect(parse(envList({ allowed: ['a', 'b'] }), 'a,c').success).toBe(false);
  });
});
