import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Project, ProjectCreate, ProjectUpdate } from '@auditstack/audit-core';
import { DataVersion } from '../database/data-version.service';
import { ENGINE_PG } from '../database/engine-pg.util';
import { mapPgWriteError } from '../database/pg-errors.util';

const COLUMNS = 'id, name, description, created_at, updated_at';

/** Projects (`audit.projects`): a repo, product or tenant that actions belong to. */
@Injectable()
export class ProjectsService {
  constructor(
    @Inject(ENGINE_PG) private readonly pool: Pool,
    private readonly version: DataVersion,
  ) {}

  async list(): Promise<Project[]> {
    return (await this.pool.query<Project>(`SELECT ${COLUMNS} FROM audit.projects ORDER BY name`)).rows;
  }

  async get(id: string): Promise<Project> {
    const { rows } = await this.pool.query<Project>(`SELECT ${COLUMNS} FROM audit.projects WHERE id = $1`, [id]);
    if (!rows[0]) throw new NotFoundException(`project ${id} not found`);
    return rows[0];
  }

  async create(input: ProjectCreate): Promise<Project> {
    try {
      const { rows } = await this.pool.query<Project>(
        `INSERT INTO audit.projects (name, description) VALUES ($1, $2) RETURNING ${COLUMNS}`,
        [input.name, input.description],
      );
      this.version.bump();
      return rows[0]!;
    } catch (error) {
      return mapPgWriteError(error, { unique: `name: a project named "${input.name.slice(0, 200)}" already exists` });
    }
  }

  async update(id: string, input: ProjectUpdate): Promise<Project> {
    try {
      const { rows } = await this.pool.query<Project>(
        `UPDATE audit.projects SET name = COALESCE($2, name), description = COALESCE($3, description), updated_at = now()
         WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, input.name ?? null, input.description ?? null],
      );
      if (!rows[0]) throw new NotFoundException(`project ${id} not found`);
      this.version.bump();
      return rows[0];
    } catch (error) {
      if (error instanceof NotFoundException) throw error;
      return mapPgWriteError(error, { unique: `name: a project with this name already exists` });
    }
  }

  /** Deletes the project and (by cascade) its actions; their runs stay, as ledger leaves must keep their rows. */
  async remove(id: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>('SELECT id FROM audit.actions WHERE project_id = $1', [id]);
    const deleted = await this.pool.query('DELETE FROM audit.projects WHERE id = $1', [id]);
    if (deleted.rowCount === 0) throw new NotFoundException(`project ${id} not found`);
    this.version.bump();
    return rows.map((r) => r.id);
  }
}
