import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Project, ProjectCreate, ProjectUpdate } from '@auditstack/audit-core';
import { recordConfigChanges } from '../config-changes/config-change.repository';
import { DataVersion } from '../database/data-version.service';
import { ENGINE_PG, inTransaction } from '../database/engine-pg.util';
import { mapPgWriteError } from '../database/pg-errors.util';
import { EngineError } from '../engine.errors';

const COLUMNS = 'id, name, description, created_at, updated_at';

/** Projects (`audit.projects`): a repo, product or tenant that actions belong to. */
@Injectable()
export class ProjectsService {
  constructor(
    @Inject(ENGINE_PG) private readonly pool: Pool,
    private readonly version: DataVersion,
  ) {}

  /** A page of projects by (name, id): `limit + 1` rows are read to know whether another page follows. */
  async list(limit: number, after: { name: string; id: string } | null): Promise<{ items: Project[]; next_cursor: { name: string; id: string } | null }> {
    const { rows } = await this.pool.query<Project>(
      `SELECT ${COLUMNS} FROM audit.projects WHERE ($1::text IS NULL OR (name, id) > ($1::text, $2::uuid)) ORDER BY name, id LIMIT $3`,
      [after?.name ?? null, after?.id ?? null, limit + 1],
    );
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, next_cursor: rows.length > limit && last ? { name: last.name, id: last.id } : null };
  }

  async get(id: string): Promise<Project> {
    const { rows } = await this.pool.query<Project>(`SELECT ${COLUMNS} FROM audit.projects WHERE id = $1`, [id]);
    if (!rows[0]) throw new EngineError('PROJECT_NOT_FOUND', `project ${id} not found`);
    return rows[0];
  }

  /** Creates a project and records the change (a `config` ledger leaf) in the same transaction. */
  async create(input: ProjectCreate, actor: string): Promise<Project> {
    try {
      const project = await inTransaction(this.pool, async (client) => {
        const { rows } = await client.query<Project>(`INSERT INTO audit.projects (name, description) VALUES ($1, $2) RETURNING ${COLUMNS}`, [
          input.name,
          input.description,
        ]);
        await recordConfigChanges(client, [{ actor, subjectKind: 'project', subjectId: rows[0]!.id, change: 'create', before: null, after: rows[0]! }]);
        return rows[0]!;
      });
      this.version.bump();
      return project;
    } catch (error) {
      return mapPgWriteError(error, { unique: { code: 'PROJECT_NAME_TAKEN', detail: `name: a project named "${input.name.slice(0, 200)}" already exists` } });
    }
  }

  async update(id: string, input: ProjectUpdate, actor: string): Promise<Project> {
    let project: Project | undefined;
    try {
      project = await inTransaction(this.pool, async (client) => {
        const before = (await client.query<Project>(`SELECT ${COLUMNS} FROM audit.projects WHERE id = $1 FOR UPDATE`, [id])).rows[0];
        if (!before) return undefined;
        const { rows } = await client.query<Project>(
          `UPDATE audit.projects SET name = COALESCE($2, name), description = COALESCE($3, description), updated_at = now()
           WHERE id = $1 RETURNING ${COLUMNS}`,
          [id, input.name ?? null, input.description ?? null],
        );
        await recordConfigChanges(client, [{ actor, subjectKind: 'project', subjectId: id, change: 'update', before, after: rows[0]! }]);
        return rows[0]!;
      });
    } catch (error) {
      return mapPgWriteError(error, { unique: { code: 'PROJECT_NAME_TAKEN', detail: 'name: a project with this name already exists' } });
    }
    if (!project) throw new EngineError('PROJECT_NOT_FOUND', `project ${id} not found`);
    this.version.bump();
    return project;
  }

  /**
   * Deletes the project and (by cascade) its actions; their runs stay, as
   * ledger leaves must keep their rows. Records one `delete` change for the
   * project and one per action. Returns the deleted actions' ids.
   */
  async remove(id: string, actor: string): Promise<string[]> {
    const actionIds = await inTransaction(this.pool, async (client) => {
      const project = (await client.query<Project>(`SELECT ${COLUMNS} FROM audit.projects WHERE id = $1 FOR UPDATE`, [id])).rows[0];
      if (!project) return null;
      const { rows: actions } = await client.query<Record<string, unknown> & { id: string }>(
        `SELECT id, project_id, name, action_type, schedule, config, description, status, timeout_ms, created_at, updated_at
         FROM audit.actions WHERE project_id = $1 ORDER BY name FOR UPDATE`,
        [id],
      );
      await client.query('DELETE FROM audit.projects WHERE id = $1', [id]);
      await recordConfigChanges(client, [
        { actor, subjectKind: 'project', subjectId: id, change: 'delete', before: project, after: null },
        ...actions.map((a) => ({ actor, subjectKind: 'action' as const, subjectId: a.id, change: 'delete' as const, before: a, after: null })),
      ]);
      return actions.map((a) => a.id);
    });
    if (actionIds === null) throw new EngineError('PROJECT_NOT_FOUND', `project ${id} not found`);
    this.version.bump();
    return actionIds;
  }
}
