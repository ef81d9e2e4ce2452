import type { Pool, PoolClient } from 'pg';
import type { WorkbookSpec } from '@auditstack/audit-core';

/** An `audit.workbooks` row: one saved version of a workbook. */
export interface WorkbookRow {
  id: string;
  name: string;
  version: number;
  spec: Record<string, unknown>;
  created_at: Date;
}

/** One line of the workbook list. */
export interface WorkbookSummary {
  name: string;
  latest_version: number;
  versions: number;
  description: string;
  steps: number;
  updated_at: Date;
}

type Db = Pick<Pool, 'query'> | Pick<PoolClient, 'query'>;

const COLUMNS = 'id, name, version, spec, created_at';

/** Queries of `audit.workbooks` (plain SQL, CONVENTIONS "Data"). Every save is a new row; rows are never updated. */
export const WorkbookRepository = {
  /** The given version, or the latest when `version` is omitted; null when there is none. */
  async find(db: Db, name: string, version?: number): Promise<WorkbookRow | null> {
    const { rows } =
      version === undefined
        ? await db.query<WorkbookRow>(`SELECT ${COLUMNS} FROM audit.workbooks WHERE name = $1 ORDER BY version DESC LIMIT 1`, [name])
        : await db.query<WorkbookRow>(`SELECT ${COLUMNS} FROM audit.workbooks WHERE name = $1 AND version = $2`, [name, version]);
    return rows[0] ?? null;
  },

  /** Every version of a workbook, newest first, without their specs. */
  async versions(db: Db, name: string): Promise<Array<Omit<WorkbookRow, 'spec'>>> {
    const { rows } = await db.query<Omit<WorkbookRow, 'spec'>>(
      `SELECT id, name, version, created_at FROM audit.workbooks WHERE name = $1 ORDER BY version DESC`,
      [name],
    );
    return rows;
  },

  /** One line per workbook name, with its latest version: at most `limit` names after `afterName`, by name. */
  async list(db: Db, limit: number, afterName: string | null): Promise<WorkbookSummary[]> {
    const { rows } = await db.query<WorkbookSummary>(
      `SELECT DISTINCT ON (name) name, version AS latest_version, count(*) OVER (PARTITION BY name)::int AS versions,
              COALESCE(spec->>'description', '') AS description, COALESCE(jsonb_array_length(spec->'steps'), 0) AS steps,
              created_at AS updated_at
       FROM audit.workbooks WHERE ($1::text IS NULL OR name > $1) ORDER BY name, version DESC LIMIT $2`,
      [afterName, limit],
    );
    return rows;
  },

  /** Inserts `spec` as version `version` (the caller holds the per-name lock). */
  async insert(client: PoolClient, spec: WorkbookSpec & { version: number }): Promise<WorkbookRow> {
    const { rows } = await client.query<WorkbookRow>(`INSERT INTO audit.workbooks (name, version, spec) VALUES ($1, $2, $3::jsonb) RETURNING ${COLUMNS}`, [
      spec.name,
      spec.version,
      JSON.stringify(spec),
    ]);
    return rows[0]!;
  },
};
