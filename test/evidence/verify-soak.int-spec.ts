import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { LEDGER_KINDS } from '@auditstack/audit-core';
import { insertLedgeredRows, withTransaction, type SqlPool } from '@auditstack/evidence-store';
import type { TestDatabase } from '../support/db';
import { auditstack, type CliRun, createEvidenceDatabase, poolFor, prng, tempHome, toolRow } from './evidence-fixture';

const ROOT = join(__dirname, '..', '..');

/**
 * Soak length in seconds. CI runs 120 s (the issue asks 2 minutes); the 10-minute release check is
 * `AUDITSTACK_SOAK_SECONDS=600 npx jest --selectProjects integration --runInBand --testPathPatterns test/evidence/verify-soak`
 * (docs/operations.md, "Verify soak").
 */
const SOAK_SECONDS = Number(process.env['AUDITSTACK_SOAK_SECONDS'] ?? 120);
const BURST = 10_000;
const VERIFY_EVERY_MS = 10_000;
/** The gateway's cadence and the verifier's grace in this soak (the verifier reads the same settings). */
const CADENCE = { CHECKPOINT_EVERY_SECONDS: '5', CHECKPOINT_EVERY_LEAVES: '1000', EVIDENCE_VERIFY_GRACE_SECONDS: '30' };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** The gateway as a process of its own (so it can be killed with SIGKILL), ready once /ping answers. */
async function startGateway(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; log: () => string }> {
  const port = await freePort();
  let log = '';
  const child = spawn(process.execPath, ['-r', join(ROOT, 'tools/bin/register.js'), join(ROOT, 'apps/gateway/src/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env, GATEWAY_PORT: String(port), HOST: '127.0.0.1', AUDIT_BACKEND: 'postgres', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}: ${log.slice(-2000)}`);
    try {
      if ((await fetch(`${url}/ping`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`gateway did not answer /ping within 90 s: ${log.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { child, url, log: () => log };
}

function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** A burst of tool events: a third back-filled (dated two to three hours ago), the rest now. */
function burst(n: number, round: number): Record<string, unknown>[] {
  const now = Date.now();
  return Array.from({ length: n }, (_, i) => ({
    ts: new Date(i % 3 === 0 ? now - 2 * 3_600_000 - ((i * 7919) % 3_600_000) : now - (i % 1000)).toISOString(),
    req_id: `soak-${round}-${i}-${randomUUID()}`,
    workspace_id: `ws-${i % 5}`,
    user_id: `u-${i % 97}`,
    agent_id: `agent-${i % 13}`,
    tool: i % 2 ? 'github' : 'search',
    action: 'call',
    status: i % 17 ? 'ok' : 'error',
    duration_ms: i % 2000,
    in_size: i % 4096,
    out_size: (i * 13) % 65536,
  }));
}

/**
 * Issue 12 "zero false alarms": bursty ingest through the real gateway
 * (bursts of 10,000, a third of each back-filled hours into the past, an
 * anchor file enabled midway by a restart with EVIDENCE_ANCHOR_FILE) with
 * `auditstack verify` every 10 s: every verification must pass. Then the
 * writer is killed with SIGKILL right after a burst: `verify` stays quiet
 * within the cadence plus grace and reports UNCOVERED_TAIL once it has passed.
 */
describe('verify soak', () => {
  let db: TestDatabase;
  let gateway: Awaited<ReturnType<typeof startGateway>> | undefined;

  beforeAll(async () => {
    db = await createEvidenceDatabase();
  });

  afterAll(async () => {
    if (gateway) await stop(gateway.child, 'SIGKILL');
    await db?.drop();
  });

  it(
    `${SOAK_SECONDS} s of bursts with verify every 10 s: 0 false alarms; a SIGKILLed writer yields UNCOVERED_TAIL after the grace`,
    async () => {
      const home = tempHome();
      const base = { DATABASE_URL: db.url, AUDITSTACK_HOME: home, ...CADENCE };
      const created = await auditstack(['tokens', 'create', '--name', 'soak-writer', '--entitlements', 'events.write'], base);
      expect(created.code).toBe(0);
      const token = created.stdout.trim().split('\n').pop()!;
      let env: Record<string, string> = { ...base };
      gateway = await startGateway(env);

      const deadline = Date.now() + SOAK_SECONDS * 1000;
      const switchAt = Date.now() + (SOAK_SECONDS * 1000) / 2;
      const failures: string[] = [];
      let verifications = 0;
      let accepted = 0;
      let round = 0;
      let anchorSwitched = false;

      // Verifier loop: one `auditstack verify` every 10 s (the next starts when the previous is done, at the earliest 10 s after it started).
      let ingestDone = false;
      const verifier = (async () => {
        while (!ingestDone) {
          const started = Date.now();
          const run = await auditstack(['verify'], env);
          verifications++;
          if (run.code !== 0) failures.push(`verify #${verifications} exit ${run.code}: ${run.stdout.slice(0, 3000)}${run.stderr.slice(0, 1000)}`);
          const wait = started + VERIFY_EVERY_MS - Date.now();
          if (wait > 0 && !ingestDone) await new Promise((r) => setTimeout(r, wait));
        }
      })();

      try {
        while (Date.now() < deadline) {
          if (!anchorSwitched && Date.now() >= switchAt) {
            // Anchoring moves to a new file midway (a supported migration): verifier first, then an orderly gateway restart.
            anchorSwitched = true;
            env = { ...env, EVIDENCE_ANCHOR_FILE: join(home, 'worm', 'anchors.jsonl') };
            await stop(gateway.child, 'SIGTERM');
            gateway = await startGateway(env);
          }
          const res = await fetch(`${gateway.url}/v1/tool-events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify(burst(BURST, round++)),
          });
          expect(res.status).toBe(200);
          const body = (await res.json()) as { accepted?: number; results?: unknown[] };
          accepted += typeof body.accepted === 'number' ? body.accepted : BURST;
          // Bursty: a pause of 0–4 s between bursts.
          await new Promise((r) => setTimeout(r, (round * 1337) % 4000));
        }
      } finally {
        ingestDone = true;
        await verifier;
      }
      console.log(
        `verify-soak: ${verifications} verifications, ${failures.length} false alarms (${round} bursts of ${BURST}, ${accepted} events accepted, ${SOAK_SECONDS} s, anchor file moved midway)`,
      );
      expect(failures).toEqual([]);
      expect(verifications).toBeGreaterThanOrEqual(Math.floor(SOAK_SECONDS / 20));
      expect(existsSync(join(home, 'worm', 'anchors.jsonl'))).toBe(true);

      // Crash: one more burst, then SIGKILL before the gateway can checkpoint it (it polls every 5 s).
      const last = await fetch(`${gateway.url}/v1/tool-events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(burst(BURST, round++)),
      });
      expect(last.status).toBe(200);
      await stop(gateway.child, 'SIGKILL');
      const killedAt = Date.now();
      gateway = undefined;
      // Rarely the gateway's 5 s tick lands between the answer and the kill and covers the burst: then the
      // uncovered leaves come from a second writer that dies the same way (rows and leaves, no checkpoint).
      const pool = poolFor(db.url, 1);
      try {
        const { rows } = await pool.query<{ covered: boolean }>(
          'SELECT (SELECT size FROM audit.ledger_head) <= COALESCE((SELECT max(tree_size) FROM audit.checkpoints), 0) AS covered',
        );
        if (rows[0]!.covered) {
          const rand = prng(round);
          await withTransaction(pool as unknown as SqlPool, (tx) =>
            insertLedgeredRows(
              tx,
              LEDGER_KINDS.tool,
              Array.from({ length: 10 }, () => toolRow(rand, new Date())),
            ),
          );
        }
      } finally {
        await pool.end();
      }
      // A short grace for this phase: cadence 5 s + grace 5 s = 10 s.
      const crashEnv = { ...env, EVIDENCE_VERIFY_GRACE_SECONDS: '5' };
      const soon = await auditstack(['verify'], crashEnv);
      if (Date.now() - killedAt < 8_000) expect(soon.code).toBe(0);
      let tail: CliRun | null = null;
      const until = Date.now() + 60_000;
      while (Date.now() < until) {
        const run = await auditstack(['verify'], crashEnv);
        if (run.stdout.includes('UNCOVERED_TAIL')) {
          tail = run;
          break;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
      expect(tail).not.toBeNull();
      expect(tail!.code).toBe(1);
      expect(Date.now() - killedAt).toBeGreaterThanOrEqual(10_000);
      console.log(`verify-soak: writer SIGKILLed → UNCOVERED_TAIL after ${Math.round((Date.now() - killedAt) / 1000)} s (cadence 5 s + grace 5 s)`);
    },
    (SOAK_SECONDS + 300) * 1000,
  );
});
