import { tokenLedgerView } from '@auditstack/audit-core/server';
import { type SqlExecutor, type VerifyProblem, canonicalJson } from '@auditstack/evidence';

/** Findings kept per table (all are counted in the verdict line by code). */
const MAX_PER_TABLE = 100;

/**
 * `audit.check_results` recomputed from the ledgered runs: the latest check per
 * (project, target, check_id) among `audit.runs.output.checks` (by finish time,
 * then ledger order, then position in the run — the order the run writer's
 * upsert keeps), for projects that still exist. Dry runs (trigger `dry_run`)
 * are recorded but never change `check_results`, so they are left out. Each side is compared column
 * by column; the runs themselves are re-hashed against their leaves by the
 * ledger verification in the same snapshot.
 */
const CHECK_RESULTS_SQL = `
WITH checks AS (
  SELECT r.project_id, c.value->>'target' AS target, c.value->>'check_id' AS check_id, r.action_id, r.id AS run_id,
         c.value->>'status' AS status, COALESCE(c.value->>'message', '') AS message,
         COALESCE(c.value->'rule', '{}'::jsonb) AS rule, COALESCE(c.value->'evidence', '{}'::jsonb) AS evidence,
         r.finished_at AS checked_at, r.ledger_seq, c.ord
    FROM audit.runs r
    JOIN audit.projects p ON p.id = r.project_id
    CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(r.output->'checks') = 'array' THEN r.output->'checks' ELSE '[]'::jsonb END)
         WITH ORDINALITY AS c(value, ord)
   WHERE jsonb_typeof(c.value) = 'object' AND r.trigger <> 'dry_run'
),
latest AS (
  SELECT DISTINCT ON (project_id, target, check_id) *
    FROM checks
   ORDER BY project_id, target, check_id, checked_at DESC, ledger_seq DESC NULLS LAST, ord DESC
)
SELECT COALESCE(l.project_id, cr.project_id)::text AS project_id, COALESCE(l.target, cr.target) AS target,
       COALESCE(l.check_id, cr.check_id) AS check_id, cr.run_id::text AS stored_run, l.run_id::text AS ledgered_run,
       (cr.project_id IS NULL) AS missing, (l.project_id IS NULL) AS extra
  FROM latest l
  FULL JOIN audit.check_results cr ON cr.project_id = l.project_id AND cr.target = l.target AND cr.check_id = l.check_id
 WHERE l.project_id IS NULL OR cr.project_id IS NULL
    OR (cr.action_id, cr.run_id, cr.status, cr.message, cr.rule, cr.evidence, cr.checked_at)
       IS DISTINCT FROM (l.action_id, l.run_id, l.status, l.message, l.rule, l.evidence, l.checked_at)
 ORDER BY 1, 2, 3
 LIMIT ${MAX_PER_TABLE + 1}`;

/**
 * Every `audit.workbooks` version against its ledgered `save` (config change
 * whose `after.id` is the row's id): same name, version, spec and creation time
 * (as the change recorded it: ISO-8601 in milliseconds). A row without a save,
 * and a save whose row is gone, are both findings.
 */
const WORKBOOKS_SQL = `
WITH saves AS (
  SELECT DISTINCT ON (after->>'id') after
    FROM audit.config_changes
   WHERE subject_kind = 'workbook' AND change = 'save' AND jsonb_typeof(after) = 'object'
   ORDER BY after->>'id', at DESC, ledger_seq DESC NULLS LAST
)
SELECT COALESCE(w.id::text, s.after->>'id') AS id, COALESCE(w.name, s.after->>'name') AS name,
       COALESCE(w.version::text, s.after->>'version') AS version, (s.after IS NULL) AS missing, (w.id IS NULL) AS extra
  FROM audit.workbooks w
  FULL JOIN saves s ON s.after->>'id' = w.id::text
 WHERE s.after IS NULL OR w.id IS NULL
    OR s.after->>'name' IS DISTINCT FROM w.name
    OR s.after->>'version' IS DISTINCT FROM w.version::text
    OR s.after->'spec' IS DISTINCT FROM w.spec
    OR s.after->>'created_at' IS DISTINCT FROM to_char(w.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
 ORDER BY 1
 LIMIT ${MAX_PER_TABLE + 1}`;

interface TokenRow {
  id: string;
  name: string;
  principal: string;
  entitlements: string[];
  workspace_id: string | null;
  token_hash: Buffer;
  revoked_at: Date | null;
}

/**
 * Compares the tables users rely on but that are not ledger rows themselves
 * with what the ledger says (ARCHITECTURE §4; issue 11 item 7), inside the
 * verifier's snapshot:
 *
 * - `check_results` (what scorecards read) recomputed from the ledgered runs → `RESULT_MISMATCH`;
 * - `workbooks` versions against their ledgered saves → `CONFIG_MISMATCH`;
 * - `api_tokens` against the newest ledgered change of each token
 *   (`tokenLedgerView`, `last_used_at` ignored) → `CONFIG_MISMATCH`.
 *
 * Each check runs under a savepoint: a value that breaks a query is a finding, not an abort.
 */
export async function checkDerivedTables(tx: SqlExecutor): Promise<VerifyProblem[]> {
  const out: VerifyProblem[] = [];
  await guarded(tx, out, 'RESULT_MISMATCH', 'check_results', async () => {
    const { rows } = await tx.query<{
      project_id: string;
      target: string;
      check_id: string;
      stored_run: string | null;
      ledgered_run: string | null;
      missing: boolean;
      extra: boolean;
    }>(CHECK_RESULTS_SQL);
    rows.slice(0, MAX_PER_TABLE).forEach((r) => {
      const where = `check_results (project ${r.project_id}, target ${JSON.stringify(r.target)}, check ${JSON.stringify(r.check_id)})`;
      const detail = r.missing
        ? `${where} is missing: run ${r.ledgered_run} is its latest ledgered result`
        : r.extra
          ? `${where} (run ${r.stored_run}) matches no ledgered run`
          : `${where} differs from the latest ledgered run ${r.ledgered_run}${r.stored_run !== r.ledgered_run ? ` (row names run ${r.stored_run})` : ''}`;
      out.push({ code: 'RESULT_MISMATCH', detail });
    });
    if (rows.length > MAX_PER_TABLE)
      out.push({ code: 'RESULT_MISMATCH', detail: `more than ${MAX_PER_TABLE} check_results rows differ; the first ${MAX_PER_TABLE} are listed` });
  });
  await guarded(tx, out, 'CONFIG_MISMATCH', 'workbooks', async () => {
    const { rows } = await tx.query<{ id: string; name: string; version: string; missing: boolean; extra: boolean }>(WORKBOOKS_SQL);
    rows.slice(0, MAX_PER_TABLE).forEach((r) => {
      const where = `workbooks ${JSON.stringify(r.name)} version ${r.version} (id ${r.id})`;
      out.push({
        code: 'CONFIG_MISMATCH',
        detail: r.missing
          ? `${where} has no ledgered save`
          : r.extra
            ? `${where} was saved (ledgered) but the row is gone`
            : `${where} differs from its ledgered save`,
      });
    });
  });
  await guarded(tx, out, 'CONFIG_MISMATCH', 'api_tokens', async () => {
    const tokens = (
      await tx.query<TokenRow>('SELECT id::text AS id, name, principal, entitlements, workspace_id, token_hash, revoked_at FROM audit.api_tokens ORDER BY id')
    ).rows;
    const changes = (
      await tx.query<{ subject_id: string; after: unknown }>(
        `SELECT DISTINCT ON (subject_id) subject_id, after FROM audit.config_changes
          WHERE subject_kind = 'token' ORDER BY subject_id, at DESC, ledger_seq DESC NULLS LAST`,
      )
    ).rows;
    const ledgered = new Map(changes.map((c) => [c.subject_id.toLowerCase(), c.after]));
    let n = 0;
    const report = (detail: string): void => {
      if (n++ < MAX_PER_TABLE) out.push({ code: 'CONFIG_MISMATCH', detail });
    };
    for (const t of tokens) {
      const recorded = ledgered.get(t.id.toLowerCase());
      ledgered.delete(t.id.toLowerCase());
      const where = `api_tokens ${JSON.stringify(t.name)} (id ${t.id})`;
      if (recorded === undefined) {
        report(`${where} has no ledgered create`);
        continue;
      }
      let view: string;
      try {
        view = canonicalJson(tokenLedgerView(t));
      } catch (err) {
        report(`${where} cannot be read (${(err as Error).message})`);
        continue;
      }
      if (recorded === null || canonicalJson(recorded) !== view)
        report(`${where} differs from its newest ledgered change (name, principal, entitlements, workspace, secret hash or revocation edited)`);
    }
    for (const id of ledgered.keys()) report(`api_tokens id ${id} has ledgered changes but no row (deleted)`);
  });
  return out;
}

async function guarded(tx: SqlExecutor, out: VerifyProblem[], code: VerifyProblem['code'], table: string, work: () => Promise<void>): Promise<void> {
  await tx.query('SAVEPOINT auditstack_derived');
  try {
    await work();
    await tx.query('RELEASE SAVEPOINT auditstack_derived');
  } catch (err) {
    await tx.query('ROLLBACK TO SAVEPOINT auditstack_derived');
    out.push({ code, detail: `${table} could not be compared with the ledger: ${(err as Error).message}` });
  }
}
