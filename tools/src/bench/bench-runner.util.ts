import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { ApiTokenRepository, createDataSource } from '@auditstack/audit-core/server';
import { recordTokenChange } from '@auditstack/evidence-store';
import { MIGRATIONS } from '@auditstack/migrations';
import { applyMigrations } from '../database/migration-runner.util';

/** Options every benchmark receives. */
export interface BenchOptions {
  /** Scale factor from `--scale` (1 = the default sizes). */
  readonly scale: number;
  /** Stored runs to seed, from `--runs` (benches with a runs data set; unset = their default × scale). */
  readonly runs?: number;
}

/** One benchmark: prints its figures (each with a ratio against a baseline measured in the same run). */
export type BenchRunner = (options: BenchOptions) => Promise<void>;

/** A migrated database of its own for one benchmark run, with an admin token; `drop()` removes it. */
export interface ScratchDatabase {
  readonly name: string;
  readonly url: string;
  /** A bearer token with every entitlement (`admin`). */
  readonly token: string;
  drop(): Promise<void>;
}

/**
 * Creates, migrates and hands out a scratch database on the server of
 * `adminUrl` (a server-level URL, e.g. `postgres://postgres@127.0.0.1:5432/postgres`):
 * benchmarks never write into a real ledger.
 */
export async function createScratchDatabase(adminUrl: string): Promise<ScratchDatabase> {
  const name = `auditstack_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const target = new URL(adminUrl);
  target.pathname = `/${name}`;
  const url = target.toString();
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  const drop = async (): Promise<void> => {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  };
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
    const dataSource = createDataSource({ url, applicationName: 'auditstack-bench', migrations: [...MIGRATIONS], poolMax: 2 });
    await dataSource.initialize();
    try {
      await applyMigrations(dataSource);
      const token = (await new ApiTokenRepository(dataSource, recordTokenChange).create({ name: 'bench', entitlements: ['admin'], actor: 'bench' })).token;
      return { name, url, token, drop };
    } finally {
      await dataSource.destroy();
    }
  } catch (error) {
    await drop();
    throw error;
  }
}
