import type { Command } from 'commander';
import { Pool } from 'pg';
import { EvidenceService, evidenceOptionsFromSettings, evidenceSettingsFromEnv, type SqlPool } from '@auditstack/evidence-store';
import { openDatabaseTarget } from '../database/database-target.util';
import { jsonOption, printResult } from '../cli/cli-output.util';
import { CliError, classifyError, couldNotCheck, EXIT_CODES, usageError } from '../cli/exit-codes';
import { DemoRangeError, loadDemo, removeDemo, type DemoLoad, type DemoLoadResult, type DemoRemoveResult } from '../demo/demo.repository';
import { DEMO_PREFIX, DEMO_USER_PREFIX } from '../demo/demo-fleet.util';

interface DemoOptions {
  remove?: boolean;
  checkpoint: boolean;
  json?: boolean;
}

const range = (l: DemoLoad): { from_seq: number; to_seq: number; count: number; marker_id: string; marker_seq: number; loaded_at: string } => ({
  from_seq: l.fromSeq,
  to_seq: l.toSeq,
  count: l.count,
  marker_id: l.markerId,
  marker_seq: l.markerSeq,
  loaded_at: l.loadedAt.toISOString(),
});

/**
 * Whether `up` loads the demo fleet at first start: `AUDITSTACK_DEMO=0` never,
 * `1` always, unset only with the embedded database (a fresh `npm start`, never
 * a production `DATABASE_URL`).
 */
export function demoAtFirstStart(env: NodeJS.ProcessEnv, embedded: boolean): boolean {
  const value = env.AUDITSTACK_DEMO;
  if (value === undefined || value === '') return embedded;
  if (value === '0' || value === '1') return value === '1';
  throw usageError('AUDITSTACK_DEMO must be 0 or 1');
}

/** `up`'s first start: loads the demo fleet on `url` (no checkpoint: the services make one within a minute) and says so. */
export async function loadDemoFleet(url: string): Promise<void> {
  const pool = new Pool({ connectionString: url, max: 1, application_name: 'auditstack-up' });
  try {
    const result = await loadDemo(pool as unknown as SqlPool);
    if (result.loaded) {
      console.log(`auditstack: loaded the demo fleet (${result.load.count} rows, ids prefixed ${DEMO_PREFIX}); remove it with \`auditstack demo --remove\``);
    }
  } finally {
    await pool.end();
  }
}

/** Checkpoints the ledger (so the load or removal is published at once); a failure is a note, the data stays. */
async function checkpoint(pool: Pool, env: NodeJS.ProcessEnv): Promise<number | null> {
  try {
    const service = new EvidenceService({
      ...evidenceOptionsFromSettings(pool as unknown as SqlPool, evidenceSettingsFromEnv(env)),
      onNotice: (message) => console.error(message),
    });
    return (await service.checkpointNow()).treeSize;
  } catch (error) {
    console.error(`note: no checkpoint made now (${classifyError(error).message}); the running services make the next one`);
    return null;
  }
}

/**
 * `auditstack demo`: loads the simulated demo fleet (engines through their
 * lifecycle, agents' tool calls with errors, timeouts and denials, engine logs
 * as from OTLP and CloudEvents, Kubernetes audit events) over the last 48 hours,
 * once: a database that holds a demo already is left as it is. `--remove`
 * deletes it again, on the record (docs/demo.md). Then a checkpoint, unless
 * `--no-checkpoint`. With `--json`: `{ loaded, range, counts }` or `{ removed: [...] }`.
 */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(`load a simulated demo fleet and agent traffic (ids prefixed ${DEMO_PREFIX}, users ${DEMO_USER_PREFIX}…); --remove deletes it`)
    .option('--remove', 'delete the demo data (a ledgered, verifiable removal)')
    .option('--no-checkpoint', 'do not make a checkpoint afterwards')
    .addOption(jsonOption())
    .action(async (options: DemoOptions) => {
      const target = await openDatabaseTarget();
      const pool = new Pool({ connectionString: target.url, max: 2, application_name: 'auditstack-demo' });
      try {
        try {
          await pool.query('SELECT 1');
        } catch (error) {
          throw couldNotCheck(`the database ${target.describe} is out of reach (${classifyError(error).message})`, error);
        }
        const db = pool as unknown as SqlPool;
        if (options.remove) {
          let result: DemoRemoveResult;
          try {
            result = await removeDemo(db);
          } catch (error) {
            // A declared range that holds anything but demo rows is refused whole: the answer is no (exit 1).
            if (error instanceof DemoRangeError) throw new CliError(EXIT_CODES.checkFailed, error.message);
            throw error;
          }
          const treeSize = result.removed.length && options.checkpoint ? await checkpoint(pool, process.env) : null;
          printResult(
            options.json,
            { removed: result.removed.map((r) => ({ ...range(r.load), deleted: r.deleted, tombstone_seqs: r.tombstones })), checkpoint_tree_size: treeSize },
            () =>
              result.removed.length === 0
                ? 'no demo data to remove'
                : result.removed
                    .map(
                      (r) =>
                        `removed the demo loaded at ${r.load.loadedAt.toISOString()} (ledger seq ${r.load.fromSeq}–${r.load.toSeq}): ` +
                        `${Object.entries(r.deleted)
                          .map(([k, n]) => `${n} ${k}`)
                          .join(', ')}; tombstones at seq ${r.tombstones.join(', ')}`,
                    )
                    .join('\n'),
          );
          return;
        }
        const result: DemoLoadResult = await loadDemo(db);
        const treeSize = result.loaded && options.checkpoint ? await checkpoint(pool, process.env) : null;
        printResult(
          options.json,
          result.loaded
            ? { loaded: true, range: range(result.load), counts: result.counts, checkpoint_tree_size: treeSize }
            : { loaded: false, range: range(result.existing), counts: null, checkpoint_tree_size: null },
          () =>
            result.loaded
              ? `demo fleet loaded (ledger seq ${result.load.fromSeq}–${result.load.toSeq}): ${Object.entries(result.counts)
                  .map(([k, n]) => `${n} ${k}`)
                  .join(', ')}. Remove it with \`auditstack demo --remove\`.`
              : `demo data already loaded at ${result.existing.loadedAt.toISOString()} (ledger seq ${result.existing.fromSeq}–${result.existing.toSeq}): nothing loaded`,
        );
      } finally {
        await pool.end();
        await target.release();
      }
    });
}
