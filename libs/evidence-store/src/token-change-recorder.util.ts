import { randomUUID } from 'node:crypto';
import { LEDGER_KINDS } from '@auditstack/audit-core';
import type { TokenChange, TokenSqlExecutor } from '@auditstack/audit-core/server';
import type { SqlExecutor } from '@auditstack/evidence';
import { insertLedgeredRows } from './ledger-append.util';

/**
 * The `TokenChangeRecorder` every writer of `audit.api_tokens` injects into
 * `ApiTokenRepository` (gateway, CLI, bootstrap): the change becomes an
 * `audit.config_changes` row (subject_kind `token`, subject_id = token id,
 * before/after = `tokenLedgerView`) and its `config` ledger leaf, in the
 * transaction that wrote the token, so both commit or roll back together.
 */
export async function recordTokenChange(tx: TokenSqlExecutor, change: TokenChange): Promise<void> {
  // jsonb keeps only JSON: what is hashed is exactly what a read-back returns.
  const json = (value: object | null): Record<string, unknown> | null =>
    value === null ? null : (JSON.parse(JSON.stringify(value)) as Record<string, unknown>);
  await insertLedgeredRows(tx as SqlExecutor, LEDGER_KINDS.config, [
    {
      id: randomUUID(),
      at: new Date(),
      actor: change.actor,
      subject_kind: 'token',
      subject_id: change.tokenId,
      change: change.change,
      before: json(change.before),
      after: json(change.after),
    },
  ]);
}
