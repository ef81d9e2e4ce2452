import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { z } from 'zod';
import { type Action, type ActionCreate, type ActionUpdate, type ConfigChangeKind, formatIssuePath, JOB_ID_PREFIXES, withPath } from '@auditstack/audit-core';
import { recordConfigChanges } from '../config-changes/config-change.repository';
import { DataVersion } from '../database/data-version.service';
import { ENGINE_PG, inTransaction } from '../database/engine-pg.util';
import { mapPgWriteError } from '../database/pg-errors.util';
import { EngineError, fieldProblem } from '../engine.errors';
import { CHECK_QUEUE, type CheckQueue } from '../queue/check-queue.util';
import { ScheduleSync } from '../scheduling/schedule-sync.service';
import { ActionRegistry } from './action-registry.service';

/** Issues of an action type's config schema, each naming its field under `config` (`config.url: …`). */
export function configIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const where = formatIssuePath(issue.path);
    const rule = where !== '' && issue.message.startsWith(`${where}: `) ? issue.message.slice(where.length + 2) : issue.message;
    return withPath(['config', ...issue.path], rule);
  });
}

const COLUMNS = 'id, project_id, name, action_type, schedule, config, description, status, timeout_ms, created_at, updated_at';

/**
 * Actions (`audit.actions`). Every write is checked against the action
 * type's own config schema before it is stored (so nothing invalid is ever
 * scheduled by the API), then the schedule is reconciled at once.
 */
@Injectable()
export class ActionsService {
  constructor(
    @Inject(ENGINE_PG) private readonly pool: Pool,
    @Inject(CHECK_QUEUE) private readonly queue: CheckQueue,
    private readonly registry: ActionRegistry,
    private readonly sync: ScheduleSync,
    private readonly version: DataVersion,
  ) {}

  /**
   * A page of actions by (project_id, name), optionally of one project:
   * `limit + 1` rows are read to know whether another page follows.
   */
  async list(query: {
    project_id?: string | undefined;
    limit: number;
    after: { project_id: string; name: string } | null;
  }): Promise<{ items: Action[]; next_cursor: { project_id: string; name: string } | null }> {
    const { rows } = await this.pool.query<Action>(
      `SELECT ${COLUMNS} FROM audit.actions
       WHERE ($1::uuid IS NULL OR project_id = $1) AND ($2::uuid IS NULL OR (project_id, name) > ($2::uuid, $3::text))
       ORDER BY project_id, name LIMIT $4`,
      [query.project_id ?? null, query.after?.project_id ?? null, query.after?.name ?? null, query.limit + 1],
    );
    const items = rows.slice(0, query.limit);
    const last = items[items.length - 1];
    return { items, next_cursor: rows.length > query.limit && last ? { project_id: last.project_id, name: last.name } : null };
  }

  async get(id: string): Promise<Action> {
    const { rows } = await this.pool.query<Action>(`SELECT ${COLUMNS} FROM audit.actions WHERE id = $1`, [id]);
    if (!rows[0]) throw new EngineError('ACTION_NOT_FOUND', `action ${id} not found`);
    return rows[0];
  }

  /** Creates an action and records the change (a `config` ledger leaf) in the same transaction. `actor` names the token. */
  async create(input: ActionCreate, actor: string): Promise<Action> {
    await this.assertConfig(input.action_type, input.config);
    let action: Action;
    try {
      action = await inTransaction(this.pool, async (client) => {
        const { rows } = await client.query<Action>(
          `INSERT INTO audit.actions (project_id, name, action_type, schedule, config, description, status, timeout_ms)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
          [input.project_id, input.name, input.action_type, input.schedule, JSON.stringify(input.config), input.description, input.status, input.timeout_ms],
        );
        const created = rows[0]!;
        await recordConfigChanges(client, [{ actor, subjectKind: 'action', subjectId: created.id, change: 'create', before: null, after: created }]);
        return created;
      });
    } catch (error) {
      return mapPgWriteError(error, {
        unique: { code: 'ACTION_NAME_TAKEN', detail: `name: the project already has an action named "${input.name.slice(0, 200)}"` },
        foreignKey: { code: 'PROJECT_REFERENCE_UNKNOWN', detail: `project_id: no project ${input.project_id}` },
      });
    }
    this.version.bump();
    await this.sync.reconcileIds([action.id]);
    return action;
  }

  /**
   * Updates an action. The recorded change is `pause`/`resume` when only the
   * status is set, else `update`.
   */
  async update(id: string, input: ActionUpdate, actor: string): Promise<Action> {
    const current = await this.get(id);
    if (input.action_type !== undefined || input.config !== undefined) {
      await this.assertConfig(input.action_type ?? current.action_type, input.config ?? current.config);
    }
    const keys = Object.keys(input);
    const change: ConfigChangeKind = keys.length === 1 && input.status !== undefined ? (input.status === 'paused' ? 'pause' : 'resume') : 'update';
    let action: Action | undefined;
    try {
      action = await inTransaction(this.pool, async (client) => {
        const before = (await client.query<Action>(`SELECT ${COLUMNS} FROM audit.actions WHERE id = $1 FOR UPDATE`, [id])).rows[0];
        if (!before) return undefined;
        const { rows } = await client.query<Action>(
          `UPDATE audit.actions SET
             name = COALESCE($2, name), action_type = COALESCE($3, action_type), schedule = COALESCE($4, schedule),
             config = COALESCE($5::jsonb, config), description = COALESCE($6, description), status = COALESCE($7, status),
             timeout_ms = COALESCE($8, timeout_ms), updated_at = now()
           WHERE id = $1 RETURNING ${COLUMNS}`,
          [
            id,
            input.name ?? null,
            input.action_type ?? null,
            input.schedule ?? null,
            input.config === undefined ? null : JSON.stringify(input.config),
            input.description ?? null,
            input.status ?? null,
            input.timeout_ms ?? null,
          ],
        );
        const after = rows[0]!;
        await recordConfigChanges(client, [{ actor, subjectKind: 'action', subjectId: id, change, before, after }]);
        return after;
      });
    } catch (error) {
      return mapPgWriteError(error, { unique: { code: 'ACTION_NAME_TAKEN', detail: 'name: the project already has an action with this name' } });
    }
    if (!action) throw new EngineError('ACTION_NOT_FOUND', `action ${id} not found`);
    this.version.bump();
    await this.sync.reconcileIds([id]);
    return action;
  }

  async remove(id: string, actor: string): Promise<void> {
    const deleted = await inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<Action>(`DELETE FROM audit.actions WHERE id = $1 RETURNING ${COLUMNS}`, [id]);
      if (!rows[0]) return false;
      await recordConfigChanges(client, [{ actor, subjectKind: 'action', subjectId: id, change: 'delete', before: rows[0], after: null }]);
      return true;
    });
    if (!deleted) throw new EngineError('ACTION_NOT_FOUND', `action ${id} not found`);
    this.version.bump();
    await this.sync.reconcileIds([id]);
  }

  /** Queues a manual run now; returns the id the run will have (it appears within the action's timeout). */
  async runNow(id: string): Promise<{ run_id: string; action_id: string; requested_at: string }> {
    const action = await this.get(id);
    const runId = randomUUID();
    const requestedAt = new Date().toISOString();
    await this.queue.enqueue(action.action_type, { actionId: id, runId, requestedAt }, `${JOB_ID_PREFIXES.manual}${runId}`);
    return { run_id: runId, action_id: id, requested_at: requestedAt };
  }

  /**
   * 422 `ACTION_TYPE_UNKNOWN` when the type is not registered; 400
   * `ACTION_CONFIG_INVALID` naming each field when the config fails the
   * type's schema or the type's own `checkConfig` finds a problem (e.g. a
   * referenced workbook that does not exist).
   */
  private async assertConfig(actionType: string, config: unknown): Promise<void> {
    const type = this.registry.get(actionType);
    if (!type) {
      const known = this.registry
        .list()
        .map((t) => t.type)
        .join(', ');
      throw fieldProblem('ACTION_TYPE_UNKNOWN', [`action_type: unknown action type "${actionType.slice(0, 64)}"; registered: ${known}`]);
    }
    const parsed = type.config.safeParse(config);
    if (!parsed.success) throw fieldProblem('ACTION_CONFIG_INVALID', configIssues(parsed.error));
    const problems = type.handler.checkConfig ? await type.handler.checkConfig(parsed.data) : [];
    if (problems.length > 0) throw fieldProblem('ACTION_CONFIG_INVALID', problems);
  }
}
