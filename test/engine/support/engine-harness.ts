import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Provider } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import Redis from 'ioredis';
import { ProblemSchema, type Problem } from '@auditstack/audit-core';
import { ApiTokenRepository, createDataSource } from '@auditstack/audit-core/server';
import { recordTokenChange } from '@auditstack/evidence-store';
import { bootstrapService } from '@auditstack/service-kit';
import { loadEngineConfig } from '../../../apps/engine/src/config/engine.config';
import { EngineModule } from '../../../apps/engine/src/engine.module';
import { TEST_REDIS_URL } from '../../support/services';

// Framework logs at warn and above only (the service logger reads LOG_LEVEL from the environment).
process.env.LOG_LEVEL ??= 'warn';

export interface RunningEngine {
  app: NestFastifyApplication;
  url: string;
  close(): Promise<void>;
}

/** Boots a real engine (Fastify, port 0) on `databaseUrl`; `env` adds settings (REDIS_URL for service mode). */
export async function startEngine(databaseUrl: string, env: Record<string, string> = {}, actionTypes: Provider[] = []): Promise<RunningEngine> {
  const config = loadEngineConfig({
    DATABASE_URL: databaseUrl,
    ENGINE_PORT: '0',
    LOG_LEVEL: 'warn',
    DATABASE_POOL_MAX: '4',
    AUDITSTACK_HOME: mkdtempSync(join(tmpdir(), 'auditstack-engine-')),
    ...env,
  });
  const app = await bootstrapService({
    module: EngineModule.forRoot(config, { actionTypes }),
    name: 'engine',
    title: 'engine',
    description: 'test',
    port: 0,
    host: '127.0.0.1',
  });
  const url = await app.getUrl();
  return { app, url, close: () => app.close() };
}

/** A BullMQ key prefix of its own, so test files never share queues; `cleanup` deletes its keys. */
export function uniqueQueuePrefix(): { prefix: string; cleanup(): Promise<void> } {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  return {
    prefix,
    async cleanup() {
      const redis = new Redis(TEST_REDIS_URL);
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
          cursor = next;
          if (keys.length) await redis.del(...keys);
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
  };
}

/** Creates API tokens directly in the database. */
export async function createTokens(databaseUrl: string, specs: Record<string, string[]>): Promise<Record<string, string>> {
  const dataSource = await createDataSource({ url: databaseUrl, applicationName: 'test-tokens', poolMax: 1 }).initialize();
  try {
    const repo = new ApiTokenRepository(dataSource, recordTokenChange);
    const out: Record<string, string> = {};
    for (const [name, entitlements] of Object.entries(specs)) out[name] = (await repo.create({ name, entitlements, actor: 'test' })).token;
    return out;
  } finally {
    await dataSource.destroy();
  }
}

/** A plain `pg` client on the test database. */
export async function sql(databaseUrl: string): Promise<Client> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  return client;
}

/** JSON over HTTP with a bearer token. */
export async function api<T = Record<string, unknown>>(
  base: string,
  path: string,
  token: string | undefined,
  init: { method?: string; body?: unknown } = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T, headers: res.headers };
}

/**
 * Asserts an RFC 9457 answer: `status`, content type `application/problem+json`,
 * a body that parses with {@link ProblemSchema} and carries `code`. Returns the parsed problem.
 */
export function expectProblem(res: { status: number; body: unknown; headers: Headers }, status: number, code?: string): Problem {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = ProblemSchema.parse(res.body);
  expect(problem.status).toBe(status);
  if (code !== undefined) expect(problem.code).toBe(code);
  return problem;
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
