/**
 * `check_id`s the engine itself produces (besides each collector's rule
 * table): persisted in `audit.runs.output.checks` and `audit.check_results`,
 * the key of a scorecard's history. Never rename one without a migration.
 */
export const ENGINE_CHECK_IDS = {
  /** A workbook that could not start (missing or invalid spec). */
  workbook: 'workbook',
  /** `audit_cleanup`: the JSONL hash chain of a file to delete verifies. */
  auditCleanupChain: 'audit_cleanup.chain',
  /** `audit_cleanup`: a file to delete was replayed into PostgreSQL. */
  auditCleanupReplay: 'audit_cleanup.replay',
  /** The seeded documentation-compliance check over `audit.services`. */
  infraDocs: 'infra_docs_check',
  /** Default check id of a `sql_assertion`. */
  sqlAssertion: 'sql.assertion',
} as const;

/** One of {@link ENGINE_CHECK_IDS}. */
export type EngineCheckId = (typeof ENGINE_CHECK_IDS)[keyof typeof ENGINE_CHECK_IDS];
