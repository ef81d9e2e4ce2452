import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { CronExpressionParser } from 'cron-parser';
import { ENGINE_ROUTES, QUEUES } from '@auditstack/audit-core';
import { ApiError, ClientError, createClient } from '@auditstack/client';
import { createDataSource } from '@auditstack/audit-core/server';
import { openDatabaseTarget } from '../database/database-target.util';
import { JSON_OPTION_HELP, jsonOption, printResult, writeJson } from '../cli/cli-output.util';
import { couldNotCheck, EXIT_CODES, usageError } from '../cli/exit-codes';
import { positiveNumber } from '../cli/option-parsers.util';

interface ActionRow {
  id: string;
  project: string;
  name: string;
  action_type: string;
  schedule: string;
  status: string;
  timeout_ms: number;
  last_status: string | null;
  last_started_at: Date | null;
}

type Query = (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

async function withDatabase<T>(work: (query: Query) => Promise<T>): Promise<T> {
  const target = await openDatabaseTarget();
  const dataSource = createDataSource({ url: target.url, applicationName: 'auditstack-jobs', poolMax: 1 });
  try {
    await dataSource.initialize();
    return await work((text, params) => dataSource.query(text, params));
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await target.release();
  }
}

/** The next firing of a stored schedule (5-field, or 6-field with seconds), or a reason it has none. */
function nextFiring(schedule: string): string {
  try {
    return CronExpressionParser.parse(schedule.trim().split(/\s+/).join(' '), { tz: 'UTC' }).next().toISOString() ?? '-';
  } catch (error) {
    return `invalid: ${(error as Error).message.slice(0, 60)}`;
  }
}

const ACTIONS_SQL = `SELECT a.id, p.name AS project, a.name, a.action_type, a.schedule, a.status, a.timeout_ms,
    r.status AS last_status, r.started_at AS last_started_at
  FROM audit.actions a JOIN audit.projects p ON p.id = a.project_id
  LEFT JOIN LATERAL (SELECT status, started_at FROM audit.runs WHERE action_id = a.id ORDER BY started_at DESC LIMIT 1) r ON true`;

/**
 * Queues a run-now job. Service mode (REDIS_URL): straight onto the engine's
 * BullMQ queue, with the job data and id the engine's API uses
 * (`{ actionId, runId, requestedAt }`, `manual-<runId>`). Embedded mode: the
 * engine's `runAction` route through the SDK, with the token in AUDITSTACK_TOKEN.
 */
async function enqueueRun(action: ActionRow): Promise<string> {
  const runId = randomUUID();
  const requestedAt = new Date().toISOString();
  if (process.env.REDIS_URL) {
    const connection = new IORedis(process.env.REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUES.checks, { connection, prefix: process.env.ENGINE_QUEUE_PREFIX || 'auditstack' });
    try {
      await queue.add(
        action.action_type,
        { actionId: action.id, runId, requestedAt },
        { jobId: `manual-${runId}`, attempts: 3, removeOnComplete: { age: 3600 } },
      );
    } finally {
      await queue.close();
      connection.disconnect();
    }
    return runId;
  }
  const token = process.env.AUDITSTACK_TOKEN;
  if (!token) throw usageError('embedded mode: set AUDITSTACK_TOKEN to a token with actions.write (the run is queued through the engine API)');
  const base = process.env.ENGINE_URL ?? `http://127.0.0.1:${process.env.ENGINE_PORT || 8200}`;
  try {
    const engine = createClient({ baseUrl: base, token, headers: { 'user-agent': 'auditstack-cli' } });
    // The API chooses the run id.
    return (await engine.call(ENGINE_ROUTES.runAction, { params: { id: action.id } })).run_id;
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
      throw usageError(`the engine at ${base} refused AUDITSTACK_TOKEN (${error.status} ${error.problem.code}): it needs actions.write`);
    }
    if (error instanceof ClientError && error.code === 'INVALID_REQUEST') throw usageError(`ENGINE_URL ${base}: ${error.message}`);
    if (error instanceof ClientError) throw couldNotCheck(`the engine at ${base} could not queue the run: ${error.message}`, error);
    throw error;
  }
}

/** `auditstack jobs run --json`: the run and its outcome. */
export interface JobRunResult {
  run_id: string;
  action: { id: string; project: string; name: string; type: string };
  status: string;
  message: string;
  duration_ms: number | null;
}

/**
 * `auditstack jobs list|run`. `jobs run` exits 0 when the run passes, 1 when
 * it does not, 2 when the action names nothing, 3 when no run appeared in time
 * or the engine is out of reach.
 */
export function registerJobsCommand(program: Command): void {
  const jobs = program.command('jobs').description('the scheduled audit actions: list them, run one now');

  jobs
    .command('list')
    .description('every action with its schedule, next firing (UTC) and last run')
    .addOption(jsonOption(`${JSON_OPTION_HELP}; an array of actions`))
    .action(async (options: { json?: boolean }) => {
      const rows = (await withDatabase((query) => query(`${ACTIONS_SQL} ORDER BY p.name, a.name`))) as unknown as ActionRow[];
      const table = rows.map((r) => ({
        project: r.project,
        name: r.name,
        type: r.action_type,
        schedule: r.schedule,
        status: r.status,
        next: r.status === 'active' ? nextFiring(r.schedule) : '-',
        'last run': r.last_started_at ? `${r.last_status} ${new Date(r.last_started_at).toISOString()}` : '-',
        id: r.id,
      }));
      if (options.json) writeJson(table);
      else console.table(table);
    });

  jobs
    .command('run')
    .description('run an action now (trigger manual) and wait for its run; exit 0 when it passes')
    .argument('<action>', 'action id, or name (with --project when names repeat)')
    .option('--project <name>', 'project of the action')
    .option('--wait <seconds>', 'how long to wait for the run (default: the action timeout + 30 s)', positiveNumber)
    .addOption(jsonOption())
    .action(async (ref: string, options: { project?: string; wait?: number; json?: boolean }) => {
      await withDatabase(async (query) => {
        const isId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref);
        const matches = (await query(`${ACTIONS_SQL} WHERE ${isId ? 'a.id = $1' : 'a.name = $1'} AND ($2::text IS NULL OR p.name = $2)`, [
          ref,
          options.project ?? null,
        ])) as unknown as ActionRow[];
        if (matches.length !== 1) {
          throw usageError(matches.length === 0 ? `no action "${ref}"` : `${matches.length} actions are named "${ref}": pass --project or the id`);
        }
        const action = matches[0]!;
        const runId = await enqueueRun(action);
        console.error(`queued run ${runId} of ${action.project}/${action.name} (${action.action_type})`);
        const waitMs = options.wait !== undefined ? options.wait * 1000 : action.timeout_ms + 30_000;
        const deadline = Date.now() + waitMs;
        while (Date.now() < deadline) {
          const [run] = await query('SELECT status, message, duration_ms FROM audit.runs WHERE id = $1', [runId]);
          if (run) {
            const result: JobRunResult = {
              run_id: runId,
              action: { id: action.id, project: action.project, name: action.name, type: action.action_type },
              status: String(run.status),
              message: String(run.message),
              duration_ms: run.duration_ms === null ? null : Number(run.duration_ms),
            };
            printResult(options.json, result, () => `${result.status}: ${result.message} (${String(run.duration_ms)} ms)`);
            process.exitCode = run.status === 'pass' ? EXIT_CODES.ok : EXIT_CODES.checkFailed;
            return;
          }
          // Polling the runs table: the engine writes the row when the run ends, and there is no event to await across processes.
          await new Promise((r) => setTimeout(r, 250));
        }
        throw couldNotCheck(`no run ${runId} after ${Math.round(waitMs / 1000)} s: is an engine running on this database and queue?`);
      });
    });
}
