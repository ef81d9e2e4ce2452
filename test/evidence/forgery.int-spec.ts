import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, rmSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Client, type Pool } from 'pg';
import { LEDGER_KINDS } from '@auditstack/audit-core';
import { EvidenceService, insertLedgeredRows, recordRetention, withTransaction, type SqlPool } from '@auditstack/evidence-store';
import { DataVersion } from '../../apps/engine/src/database/data-version.service';
import { RunWriter } from '../../apps/engine/src/runs/run-writer.repository';
import { WorkbookRepository } from '../../apps/engine/src/workbooks/workbook.repository';
import { recordConfigChanges } from '../../apps/engine/src/config-changes/config-change.repository';
import type { TestDatabase } from '../support/db';
import { testDatabaseUrl } from '../support/db';
import { TEST_PG_ADMIN_URL } from '../support/services';
import { auditstack, buildLedger, createEvidenceDatabase, lifecycleRow, poolFor, prng, tempHome, writeMixedBatch } from './evidence-fixture';

const DAY = 86_400_000;

/** `auditstack verify --json` and its codes; the figure each forgery prints. */
async function verify(
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ code: number; codes: string[]; problems: { code: string; seq?: number; checkpoint?: number; detail: string }[]; stdout: string }> {
  const run = await auditstack(['verify', '--json', ...args], env);
  let problems: { code: string; seq?: number; checkpoint?: number; detail: string }[] = [];
  try {
    problems = (JSON.parse(run.stdout) as { problems: typeof problems }).problems;
  } catch {
    throw new Error(`verify printed no JSON (exit ${run.code}): ${run.stderr.slice(0, 2000)}`);
  }
  return { code: run.code, codes: [...new Set(problems.map((p) => p.code))].sort(), problems, stdout: run.stdout };
}

const figures: string[] = [];
function figure(forgery: string, result: { code: number; codes: string[] }): void {
  figures.push(`${forgery} → verify exit ${result.code} ${result.codes.join(',') || '(no problem)'}`);
}

/** A database, a home and the CLI environment for one scenario. */
async function scenario(
  events: number,
  seed: number,
): Promise<{ db: TestDatabase; pool: Pool; home: string; env: Record<string, string>; service: EvidenceService }> {
  const db = await createEvidenceDatabase();
  const pool = poolFor(db.url, 3);
  const home = tempHome();
  const service = new EvidenceService({ db: pool as unknown as SqlPool, home });
  await buildLedger(pool as unknown as SqlPool, service, events, seed);
  return { db, pool, home, env: { DATABASE_URL: db.url, AUDITSTACK_HOME: home }, service };
}

/** Runs `sql` as a superuser with the ledger's append-only triggers off (what an attacker with the database does). */
async function asSuperuser(pool: Pool, sql: string[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('ALTER TABLE audit.ledger DISABLE TRIGGER USER');
    for (const q of sql) await client.query(q);
    await client.query('ALTER TABLE audit.ledger ENABLE TRIGGER USER');
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/**
 * The forgery list of issue 11 (item 4 and 5 of "what broke", items 5–7 of
 * "what to build"), each done as an attacker would against a real database and
 * files, each judged by `auditstack verify` as a user runs it: exit 1 with the
 * named code and its location. Prints one line per forgery.
 */
describe('evidence forgeries fail `auditstack verify` with their code', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
    console.log(`evidence forgeries:\n  ${figures.join('\n  ')}`);
  });

  it('full ledger rewrite under a new key after deleting the key and anchor files → UNKNOWN_KEY (and ANCHOR_TRUNCATED); without the trust file → TRUST_ROOT_MISSING', async () => {
    const s = await scenario(600, 21);
    cleanup.push(async () => {
      await s.pool.end();
      await s.db.drop();
    });
    expect((await verify(s.env)).code).toBe(0);
    const trust = join(s.home, 'keys', 'trusted-keys.txt');
    const outOfBand = join(tempHome(), 'trusted-keys.copy.txt');
    copyFileSync(trust, outOfBand);

    // The attacker holds the database and the key host: deletes key and anchors, empties the ledger.
    unlinkSync(s.service.keyFile);
    unlinkSync(s.service.anchorFile);
    await asSuperuser(s.pool, [
      'TRUNCATE audit.ledger, audit.ledger_subtrees, audit.checkpoints, audit.lifecycle_events, audit.tool_events, audit.runs',
      `UPDATE audit.ledger_head SET size = 0, chain_hash = decode(repeat('00', 32), 'hex'), frontier = '{}'`,
    ]);
    // The services refuse to sign with the fresh key they would create: it is not the pinned one.
    const refused = await auditstack(['checkpoint'], s.env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/KEY_NOT_TRUSTED/);
    figures.push(`key deleted, service asked to sign → refused (exit ${refused.code}, KEY_NOT_TRUSTED)`);

    // So the attacker signs with their own tooling and their own trust file, anchoring to the configured path.
    const attackerDir = tempHome();
    const forger = new EvidenceService({
      db: s.pool as unknown as SqlPool,
      home: s.home,
      trustFile: join(attackerDir, 'trust.txt'),
      trustStateFile: join(attackerDir, 'state.json'),
    });
    await buildLedger(s.pool as unknown as SqlPool, forger, 600, 99);
    const rewritten = await verify(s.env);
    figure('full rewrite under a new key, key + anchor files deleted', rewritten);
    expect(rewritten.code).toBe(1);
    expect(rewritten.codes).toContain('UNKNOWN_KEY');
    expect(rewritten.codes).toContain('ANCHOR_TRUNCATED');
    expect(rewritten.problems.find((p) => p.code === 'UNKNOWN_KEY')).toHaveProperty('checkpoint');

    // Also replacing the trust file and deleting the trust state defeats every local check:
    // only the copy kept out of band catches it (docs/operations.md says so).
    copyFileSync(join(attackerDir, 'trust.txt'), trust);
    rmSync(join(s.home, 'keys', 'trust-state.json'));
    const outside = await verify(s.env, ['--trust', outOfBand]);
    figure('the same, trust file replaced too, verify --trust <out-of-band copy>', outside);
    expect(outside.code).toBe(1);
    expect(outside.codes).toContain('UNKNOWN_KEY');

    unlinkSync(trust);
    const missing = await verify(s.env);
    figure('trust file deleted', missing);
    expect(missing.code).toBe(1);
    expect(missing.codes).toEqual(['TRUST_ROOT_MISSING']);
  });

  it('rollback of the database plus an anchor file cut to match → ANCHOR_TRUNCATED and INCONSISTENT_CHECKPOINTS', async () => {
    const s = await scenario(600, 22);
    const snapName = `${s.db.name}_snap`;
    cleanup.push(async () => {
      await s.pool.end().catch(() => undefined);
      await s.db.drop();
      const admin = new Client({ connectionString: TEST_PG_ADMIN_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${snapName}" WITH (FORCE)`);
      await admin.end();
    });
    // The state the attacker will roll back to: a copy of the database and the anchor file's length.
    const anchorBytes = statSync(s.service.anchorFile).size;
    await s.pool.end();
    const admin = new Client({ connectionString: TEST_PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${snapName}" TEMPLATE "${s.db.name}"`);
    await admin.end();
    // Life goes on: more events, more checkpoints, anchored, seen by the trust state.
    const pool = poolFor(s.db.url, 3);
    s.pool = pool;
    await buildLedger(pool as unknown as SqlPool, new EvidenceService({ db: pool as unknown as SqlPool, home: s.home }), 600, 23);
    expect((await verify(s.env)).code).toBe(0);

    // Roll back: the old database, and the anchor file cut to the lines it had then.
    truncateSync(s.service.anchorFile, anchorBytes);
    const rolledBack = await verify({ ...s.env, DATABASE_URL: testDatabaseUrl(snapName) });
    figure('rollback + anchor file truncated to match', rolledBack);
    expect(rolledBack.code).toBe(1);
    expect(rolledBack.codes).toEqual(['ANCHOR_TRUNCATED', 'INCONSISTENT_CHECKPOINTS']);
    expect(rolledBack.problems.find((p) => p.code === 'INCONSISTENT_CHECKPOINTS')?.checkpoint).toBeGreaterThan(600);

    // Deleting the anchor file altogether is no better.
    unlinkSync(s.service.anchorFile);
    const deleted = await verify({ ...s.env, DATABASE_URL: testDatabaseUrl(snapName) });
    expect(deleted.codes).toContain('ANCHOR_TRUNCATED');
  });

  it('100 fresh rows deleted + a forged retention tombstone → RETENTION_VIOLATION at the tombstone; a legitimate retention → exit 0', async () => {
    const s = await scenario(400, 24);
    cleanup.push(async () => {
      await s.pool.end();
      await s.db.drop();
    });
    const sqlPool = s.pool as unknown as SqlPool;
    // Legitimate: events dated 40 days ago, deleted by a 30-day retention with its tombstone.
    await writeMixedBatch(sqlPool, prng(5), 300, Date.now() - 40 * DAY);
    await withTransaction(sqlPool, async (tx) => {
      const { rows } = await tx.query<{ lo: string; hi: string }>(
        `SELECT min(ledger_seq) AS lo, max(ledger_seq) + 1 AS hi FROM audit.lifecycle_events WHERE ts < now() - interval '35 days'`,
      );
      await tx.query(`DELETE FROM audit.lifecycle_events WHERE ledger_seq >= $1 AND ledger_seq < $2`, [rows[0]!.lo, rows[0]!.hi]);
      await recordRetention(tx, { kind: LEDGER_KINDS.lifecycle, fromSeq: Number(rows[0]!.lo), toSeq: Number(rows[0]!.hi), days: 30 });
    });
    expect((await auditstack(['checkpoint'], s.env)).code).toBe(0);
    const legit = await verify(s.env);
    figure('legitimate 30-day retention of 40-day-old rows', legit);
    expect(legit.code).toBe(0);

    // Forged: 100 fresh lifecycle rows deleted by a superuser, and a tombstone appended as the writer would.
    const rand = prng(6);
    await withTransaction(sqlPool, (tx) =>
      insertLedgeredRows(
        tx,
        LEDGER_KINDS.lifecycle,
        Array.from({ length: 100 }, () => lifecycleRow(rand, new Date())),
      ),
    );
    expect((await auditstack(['checkpoint'], s.env)).code).toBe(0);
    let tombstoneSeq = -1;
    await withTransaction(sqlPool, async (tx) => {
      const { rows } = await tx.query<{ lo: string; hi: string }>(
        `DELETE FROM audit.lifecycle_events WHERE event_id IN (SELECT event_id FROM audit.lifecycle_events ORDER BY ledger_seq DESC LIMIT 100)
         RETURNING ledger_seq AS lo, ledger_seq AS hi`,
      );
      expect(rows).toHaveLength(100);
      const seqs = rows.map((r) => Number(r.lo));
      tombstoneSeq = (await recordRetention(tx, { kind: LEDGER_KINDS.lifecycle, fromSeq: Math.min(...seqs), toSeq: Math.max(...seqs) + 1, days: 30 })).seq;
    });
    // The running services cover it with their next checkpoint: the tombstone's time is then signed.
    expect((await auditstack(['checkpoint'], s.env)).code).toBe(0);
    const forged = await verify(s.env);
    figure('100 fresh rows deleted + forged retention tombstone', forged);
    expect(forged.code).toBe(1);
    expect(forged.codes).toEqual(['RETENTION_VIOLATION']);
    expect(forged.problems[0]).toMatchObject({ code: 'RETENTION_VIOLATION', seq: tombstoneSeq });
  });

  it('SQL edits of check_results, workbooks and api_tokens → RESULT_MISMATCH / CONFIG_MISMATCH naming the row', async () => {
    const s = await scenario(200, 25);
    cleanup.push(async () => {
      await s.pool.end();
      await s.db.drop();
    });
    const project = (await s.pool.query<{ id: string }>(`INSERT INTO audit.projects (name) VALUES ('forgery') RETURNING id`)).rows[0]!.id;
    const now = new Date();
    const rule = { id: 'tls.expiry', description: 'certificate valid for 14 days' };
    const checks = [
      { check_id: 'tls.expiry', target: 'example.test:443', status: 'fail' as const, message: 'expires in 3 days', rule, evidence: { days: 3 } },
      { check_id: 'tls.chain', target: 'example.test:443', status: 'pass' as const, message: 'chain ok', rule, evidence: {} },
    ];
    // A run stored by the engine's own writer: its leaf, its row and the check_results upsert in one transaction.
    await new RunWriter(s.pool, new DataVersion()).write({
      id: randomUUID(),
      scheduledAt: now,
      jobId: 'forgery-job',
      actionId: randomUUID(),
      projectId: project,
      actionType: 'tls_cert',
      trigger: 'schedule',
      status: 'fail',
      message: '1/2 checks pass',
      output: { checks },
      checks,
      startedAt: now,
      finishedAt: new Date(now.getTime() + 50),
      durationMs: 50,
    });
    // A later dry run of the same checks: recorded and ledgered, but it never changes check_results.
    const dry = new Date(now.getTime() + 1000);
    await new RunWriter(s.pool, new DataVersion()).write({
      id: randomUUID(),
      scheduledAt: dry,
      jobId: 'forgery-dry-run',
      actionId: randomUUID(),
      projectId: project,
      actionType: 'tls_cert',
      trigger: 'dry_run',
      status: 'pass',
      message: '2/2 checks pass',
      output: { checks: checks.map((c) => ({ ...c, status: 'pass' })) },
      checks: checks.map((c) => ({ ...c, status: 'pass' as const })),
      startedAt: dry,
      finishedAt: new Date(dry.getTime() + 50),
      durationMs: 50,
    });
    // A workbook saved as the engine's API saves it: the version row and its ledgered config change.
    const client = await s.pool.connect();
    try {
      await client.query('BEGIN');
      const saved = await WorkbookRepository.insert(client, { name: 'forgery-book', version: 1, description: 'probe', steps: [] } as never);
      await recordConfigChanges(client, [{ actor: 'test', subjectKind: 'workbook', subjectId: 'forgery-book', change: 'save', before: null, after: saved }]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    // A token created as an operator creates it (ledgered by the repository).
    const token = await auditstack(['tokens', 'create', '--name', 'forgery-reader', '--entitlements', 'evidence.read'], s.env);
    expect(token.code).toBe(0);
    expect((await auditstack(['checkpoint'], s.env)).code).toBe(0);
    expect(await verify(s.env)).toMatchObject({ code: 0, codes: [] });

    const edits: [string, string, string, string, RegExp][] = [
      [
        'check_results status edited to pass',
        `UPDATE audit.check_results SET status = 'pass', message = 'ok' WHERE check_id = 'tls.expiry'`,
        `UPDATE audit.check_results SET status = 'fail', message = 'expires in 3 days' WHERE check_id = 'tls.expiry'`,
        'RESULT_MISMATCH',
        /check_results \(project [0-9a-f-]+, target "example\.test:443", check "tls\.expiry"\)/,
      ],
      [
        'workbook spec edited',
        `UPDATE audit.workbooks SET spec = jsonb_set(spec, '{description}', '"edited"') WHERE name = 'forgery-book'`,
        `UPDATE audit.workbooks SET spec = jsonb_set(spec, '{description}', '"probe"') WHERE name = 'forgery-book'`,
        'CONFIG_MISMATCH',
        /workbooks "forgery-book" version 1/,
      ],
      [
        'api_tokens entitlements escalated',
        `UPDATE audit.api_tokens SET entitlements = array_append(entitlements, 'admin') WHERE name = 'forgery-reader'`,
        `UPDATE audit.api_tokens SET entitlements = array_remove(entitlements, 'admin') WHERE name = 'forgery-reader'`,
        'CONFIG_MISMATCH',
        /api_tokens "forgery-reader"/,
      ],
      [
        'api_tokens row inserted by SQL',
        `INSERT INTO audit.api_tokens (name, token_hash, principal, entitlements) VALUES ('planted', '\\x00', 'planted', '{admin}')`,
        `DELETE FROM audit.api_tokens WHERE name = 'planted'`,
        'CONFIG_MISMATCH',
        /api_tokens "planted" .* has no ledgered create/,
      ],
    ];
    for (const [what, edit, revert, code, where] of edits) {
      await s.pool.query(edit);
      const result = await verify(s.env);
      figure(what, result);
      expect(result.code).toBe(1);
      expect(result.codes).toEqual([code]);
      expect(result.problems[0]!.detail).toMatch(where);
      await s.pool.query(revert);
    }
    expect((await verify(s.env)).code).toBe(0);
  });

  it('a key rotation on the record: ledgered marker covered by an old-key checkpoint, then the new key signs and verifies', async () => {
    const s = await scenario(100, 27);
    cleanup.push(async () => {
      await s.pool.end();
      await s.db.drop();
    });
    const oldCopy = join(tempHome(), 'trusted-keys.before-rotation.txt');
    copyFileSync(join(s.home, 'keys', 'trusted-keys.txt'), oldCopy);
    const rotated = await auditstack(['checkpoint', '--rotate-key', 'yearly rotation'], s.env);
    expect(rotated.code).toBe(0);
    expect(rotated.stderr).toMatch(/key rotated: .* → .* \(marker at seq \d+, covered by checkpoint \d+ signed with the old key\)/);
    const marker = (await s.pool.query<{ ledger_seq: string }>(`SELECT ledger_seq FROM audit.gateway_markers WHERE marker = 'evidence_key_rotation'`)).rows;
    expect(marker).toHaveLength(1);
    await writeMixedBatch(s.pool as unknown as SqlPool, prng(8), 50, Date.now());
    expect((await auditstack(['checkpoint'], s.env)).code).toBe(0);
    expect(await verify(s.env)).toMatchObject({ code: 0, codes: [] });
    // The copy kept from before the rotation knows only the old key: exactly the checkpoints after the rotation are unknown.
    const stale = await verify(s.env, ['--trust', oldCopy]);
    figure('(no forgery) key rotated on the record; verify --trust <copy from before the rotation>', stale);
    expect(stale.codes).toContain('UNKNOWN_KEY');
    const markerSeq = Number(marker[0]!.ledger_seq);
    const unknown = stale.problems.filter((x) => x.code === 'UNKNOWN_KEY');
    for (const p of unknown) expect(p.checkpoint).toBeGreaterThanOrEqual(markerSeq + 1);
    // Every checkpoint from the marker on but one (the old key's, covering the marker) is signed with the new key.
    const after = Number((await s.pool.query<{ n: string }>('SELECT count(*) AS n FROM audit.checkpoints WHERE tree_size > $1', [markerSeq])).rows[0]!.n);
    expect(unknown).toHaveLength(after - 1);
  });

  it('an accepted event dated 9999-12-31T23:59:59Z (epoch microseconds beyond 2^53) verifies, today and after more checkpoints', async () => {
    const s = await scenario(100, 26);
    cleanup.push(async () => {
      await s.pool.end();
      await s.db.drop();
    });
    const rand = prng(7);
    await withTransaction(s.pool as unknown as SqlPool, (tx) =>
      insertLedgeredRows(tx, LEDGER_KINDS.lifecycle, [
        lifecycleRow(rand, new Date('9999-12-31T23:59:59Z')),
        lifecycleRow(rand, new Date('1970-01-01T00:00:00Z')),
      ]),
    );
    expect((await auditstack(['checkpoint'], s.env)).code).toBe(0);
    await writeMixedBatch(s.pool as unknown as SqlPool, rand, 50, Date.now());
    expect((await auditstack(['checkpoint'], s.env)).code).toBe(0);
    const result = await verify(s.env);
    figure('(no forgery) events dated 9999-12-31T23:59:59Z and 1970-01-01', result);
    expect(result.problems).toEqual([]);
    expect(result.code).toBe(0);
    expect(existsSync(join(s.home, 'keys', 'trust-state.json'))).toBe(true);
    expect(readFileSync(join(s.home, 'keys', 'trusted-keys.txt'), 'utf8')).toMatch(/^policy retention_floor_days=30$/m);
  });
});
