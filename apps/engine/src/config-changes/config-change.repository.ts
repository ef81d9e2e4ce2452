import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { LEDGER_KINDS, type ConfigChangeKind, type ConfigSubjectKind } from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import type { SqlExecutor } from '@auditstack/evidence';
import { insertLedgeredRows } from '@auditstack/evidence-store';

/** One mutation made through the API, as `audit.config_changes` stores it. */
export interface ConfigChangeInput {
  readonly actor: string;
  readonly subjectKind: ConfigSubjectKind;
  readonly subjectId: string;
  readonly change: ConfigChangeKind;
  readonly before: object | null;
  readonly after: object | null;
}

/** Who made a change: the token's name and id (never its secret). */
export function actorOf(principal: Pick<Principal, 'name' | 'tokenId'>): string {
  return `${principal.name} (${principal.tokenId})`;
}

/** jsonb keeps only JSON: hash exactly what a read-back returns (Dates as ISO strings, no undefined). */
function toJson(value: object | null): Record<string, unknown> | null {
  return value === null ? null : (JSON.parse(JSON.stringify(value)) as Record<string, unknown>);
}

/**
 * Records config changes inside the caller's transaction (the one that made
 * the change): each becomes an `audit.config_changes` row and a ledger leaf
 * of kind `config` whose payload is the row (`configChangePayload`), so the
 * change and its evidence commit or roll back together.
 */
export async function recordConfigChanges(client: PoolClient, changes: readonly ConfigChangeInput[]): Promise<void> {
  if (changes.length === 0) return;
  const at = new Date();
  const rows = changes.map((c) => ({
    id: randomUUID(),
    at,
    actor: c.actor,
    subject_kind: c.subjectKind,
    subject_id: c.subjectId,
    change: c.change,
    before: toJson(c.before),
    after: toJson(c.after),
  }));
  await insertLedgeredRows(client as unknown as SqlExecutor, LEDGER_KINDS.config, rows);
}
