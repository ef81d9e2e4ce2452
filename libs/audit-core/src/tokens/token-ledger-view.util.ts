import { createHash } from 'node:crypto';

/** The columns of `audit.api_tokens` that a token's ledgered config change covers. */
export interface TokenRowForLedger {
  id: string;
  name: string;
  principal: string;
  entitlements: readonly string[];
  workspace_id: string | null;
  /** The stored SHA-256 of the secret (bytea). */
  token_hash: Buffer;
  revoked_at?: Date | string | null;
}

/**
 * What `audit.config_changes` records of a token (subject_kind `token`,
 * subject_id = token id): `create` has this as `after`; `revoke` has it as
 * `before` and, with `revoked: true`, as `after`. The secret's stored hash is
 * recorded only as its own SHA-256 (`token_hash_sha256`), so the change log
 * never holds the value that authenticates. `last_used_at` is bookkeeping and
 * is deliberately not covered. `verify` recomputes this view from
 * `audit.api_tokens` and compares it with the newest ledgered change of each
 * token: a row inserted, edited or un-revoked by SQL shows up as a mismatch.
 */
export interface TokenLedgerView {
  id: string;
  name: string;
  principal: string;
  entitlements: string[];
  workspace_id: string | null;
  token_hash_sha256: string;
  revoked: boolean;
}

/** The {@link TokenLedgerView} of a token row (entitlements sorted, so order is not a difference). */
export function tokenLedgerView(row: TokenRowForLedger): TokenLedgerView {
  return {
    id: row.id,
    name: row.name,
    principal: row.principal,
    entitlements: [...row.entitlements].sort(),
    workspace_id: row.workspace_id,
    token_hash_sha256: createHash('sha256').update(row.token_hash).digest('hex'),
    revoked: row.revoked_at !== null && row.revoked_at !== undefined,
  };
}
