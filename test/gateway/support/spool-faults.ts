import { execFile } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtemp, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Client } from 'pg';

const run = promisify(execFile);

/** A real tmpfs of a few hundred KiB (the test runs as root, as CI does): a disk that fills up. */
export interface Tmpfs {
  readonly dir: string;
  /** Changes its size (`mount -o remount,size=…`): "space comes back". */
  resize(kib: number): Promise<void>;
  /** Remounts it read-only or read-write (fails while a file on it is open for writing). */
  setReadOnly(readOnly: boolean): Promise<void>;
  unmount(): Promise<void>;
}

export async function mountTmpfs(kib: number): Promise<Tmpfs> {
  const dir = await mkdtemp(join(tmpdir(), 'auditstack-tmpfs-'));
  await run('mount', ['-t', 'tmpfs', '-o', `size=${kib}k,mode=0700`, 'tmpfs', dir]);
  let mounted = true;
  return {
    dir,
    resize: async (size) => {
      await run('mount', ['-o', `remount,size=${size}k`, dir]);
    },
    setReadOnly: async (readOnly) => {
      await run('mount', ['-o', `remount,${readOnly ? 'ro' : 'rw'}`, dir]);
    },
    unmount: async () => {
      if (mounted) await run('umount', [dir]);
      mounted = false;
      await rmdir(dir).catch(() => undefined);
    },
  };
}

/** What a retrying client saw. */
export interface LoadTally {
  /** event_id → kind, for every event of a request answered 200 (accepted or duplicate). */
  readonly acknowledged: Map<string, 'tool' | 'lifecycle'>;
  /** Requests answered 503 (each retried later), and how many of them carried a Retry-After header. */
  refused: number;
  refusedWithRetryAfter: number;
  /** Anything else: a status other than 200/503, a rejected event, a network error. Must stay empty. */
  readonly failures: string[];
}

export function newTally(): LoadTally {
  return { acknowledged: new Map(), refused: 0, refusedWithRetryAfter: 0, failures: [] };
}

/**
 * Posts `body` until it is answered 200, honouring `Retry-After` on 503 (at
 * most `maxWaitMs` per wait), giving up at `deadline` (a failure).
 */
export async function postWithRetries(
  url: string,
  token: string,
  path: string,
  body: Record<string, unknown>[],
  kind: 'tool' | 'lifecycle',
  tally: LoadTally,
  deadline: number,
): Promise<void> {
  for (;;) {
    if (Date.now() > deadline) {
      tally.failures.push(`gave up: ${body.length} events never acknowledged before the deadline`);
      return;
    }
    let res: Response;
    try {
      res = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    } catch (error) {
      tally.failures.push(String(error));
      return;
    }
    if (res.status === 503) {
      tally.refused++;
      const retryAfter = res.headers.get('retry-after');
      if (retryAfter !== null && /^\d+$/.test(retryAfter)) tally.refusedWithRetryAfter++;
      await res.text();
      await new Promise((r) => setTimeout(r, Math.min(Number(retryAfter ?? 1) * 1000, 1_000)));
      continue;
    }
    if (res.status !== 200) {
      tally.failures.push(`${res.status} ${await res.text()}`);
      return;
    }
    const answer = (await res.json()) as { results: { status: string; event_id: string }[] };
    for (const r of answer.results) {
      if (r.status === 'accepted' || r.status === 'duplicate') tally.acknowledged.set(r.event_id, kind);
      else tally.failures.push(`rejected ${JSON.stringify(r)}`);
    }
    return;
  }
}

/** Polls `probe` every 100 ms until it returns true, at most `ms`; returns whether it did. */
export async function waitFor(probe: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Counts, for the given ids, rows stored in PostgreSQL, and any event id stored more than once (whole tables). */
export async function storedCounts(sql: Client, ids: readonly string[]): Promise<{ stored: number; total: number; duplicates: number }> {
  const stored = await sql.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM audit.tool_events WHERE event_id = ANY($1::uuid[])) + (SELECT count(*) FROM audit.lifecycle_events WHERE event_id = ANY($1::uuid[])) AS n`,
    [ids],
  );
  const total = await sql.query<{ n: string }>(`SELECT (SELECT count(*) FROM audit.tool_events) + (SELECT count(*) FROM audit.lifecycle_events) AS n`);
  const dupes = await sql.query(
    `SELECT event_id FROM (SELECT event_id FROM audit.tool_events UNION ALL SELECT event_id FROM audit.lifecycle_events) e GROUP BY event_id HAVING count(*) > 1`,
  );
  return { stored: Number(stored.rows[0]!.n), total: Number(total.rows[0]!.n), duplicates: dupes.rowCount ?? 0 };
}

/** Runs `auditstack verify` (the command an operator runs) against a database and home; resolves with its exit code and output. */
export function runVerify(databaseUrl: string, home: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(__dirname, '../../../tools/bin/auditstack.js'), 'verify'], {
      env: { ...process.env, DATABASE_URL: databaseUrl, AUDITSTACK_HOME: home },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}
