import { Pool } from 'pg';
import { EvidenceService, evidenceOptionsFromSettings, evidenceSettingsFromEnv, type SqlPool, type VerifyProgress } from '@auditstack/evidence-store';
import type { VerifyProblem, VerifyReport } from '@auditstack/evidence';
import { SingleBar, Presets } from 'cli-progress';
import { openDatabaseTarget } from '../database/database-target.util';
import { classifyError, couldNotCheck } from '../cli/exit-codes';

/**
 * Runs `work` with an {@link EvidenceService} configured from the environment
 * (the same names the gateway reads: AUDITSTACK_HOME, EVIDENCE_*, CHECKPOINT_*,
 * TSA_*) on the CLI's database (DATABASE_URL or the embedded one). A
 * database that cannot be reached is a `CliError` with exit 3 naming it
 * (without its password), before any work starts.
 */
export async function withEvidenceService<T>(work: (service: EvidenceService) => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const settings = evidenceSettingsFromEnv(env);
  const target = await openDatabaseTarget(env);
  const pool = new Pool({ connectionString: target.url, max: 2, application_name: 'auditstack-cli' });
  try {
    try {
      await pool.query('SELECT 1');
    } catch (error) {
      throw couldNotCheck(`could not read the ledger: the database ${target.describe} is out of reach (${classifyError(error).message})`, error);
    }
    // The trust-root notice (first start) goes to stderr: stdout carries notes, proofs and JSON.
    return await work(
      new EvidenceService({ ...evidenceOptionsFromSettings(pool as unknown as SqlPool, settings), onNotice: (message) => console.error(message) }),
    );
  } finally {
    await pool.end();
    await target.release();
  }
}

/** A progress bar on stderr (drawn only on a terminal), fed by the verifier's progress callback. */
export function verifyProgressBar(): { onProgress: (p: VerifyProgress) => void; stop: () => void } {
  const bar = new SingleBar(
    { stream: process.stderr, format: 'verify {phase} [{bar}] {value}/{total} entries', hideCursor: true, clearOnComplete: true },
    Presets.shades_classic,
  );
  let started = false;
  return {
    onProgress: (p) => {
      if (!started) {
        bar.start(Math.max(p.total, 1), 0, { phase: p.phase });
        started = true;
      }
      if (p.phase === 'entries' || p.phase === 'done') bar.update(Math.min(p.done, Math.max(p.total, 1)), { phase: p.phase });
      else bar.update({ phase: p.phase });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

function where(p: VerifyProblem): string {
  const parts = [p.seq !== undefined ? `seq ${p.seq}` : '', p.checkpoint !== undefined ? `checkpoint ${p.checkpoint}` : ''].filter(Boolean);
  return parts.length ? ` at ${parts.join(', ')}` : '';
}

/** The one-line verdict and, when not ok, one line per problem (code, seq, detail). */
export function formatVerdict(report: VerifyReport, source: string): string {
  const c = report.counts;
  const summary = `${c.entries} entries, ${c.payloadsChecked} payloads re-hashed${c.pruned ? `, ${c.pruned} pruned by retention` : ''}${
    c.payloadsSkipped ? `, ${c.payloadsSkipped} outside the exported range` : ''
  }, ${c.validCheckpoints}/${c.checkpoints} checkpoints, ${c.anchorsChecked ? `${c.anchors} anchors` : 'anchors not checked'}${
    c.beforeAnchoring ? `, ${c.beforeAnchoring} checkpoint(s) before anchoring began` : ''
  }${c.anchorsPending ? `, ${c.anchorsPending} anchor(s) pending` : ''}`;
  if (report.ok) return `verify OK (${source}): ${summary}`;
  const codes = Object.entries(c.byCode)
    .map(([code, n]) => `${code}×${n}`)
    .join(', ');
  const lines = [`verify FAILED (${source}): ${c.problems} problem(s): ${codes} — ${summary}`];
  for (const p of report.problems) lines.push(`  ${p.code}${where(p)}: ${p.detail}`);
  if (report.problems.length < c.problems) lines.push(`  … and ${c.problems - report.problems.length} more`);
  return lines.join('\n');
}
