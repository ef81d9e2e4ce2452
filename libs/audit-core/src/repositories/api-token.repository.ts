import type { DataSource, QueryRunner } from 'typeorm';
import { hasEntitlement, isEntitlement } from '../constants/entitlements';
import { ApiTokenCreateSchema } from '../schemas/api-token.schema';
import { formatIssues } from '../schemas/common.schema';
import type { ApiTokenEntity } from '../entities/api-token.entity';
import { generateApiToken, hashApiToken, looksLikeApiToken } from '../tokens/api-token.util';
import { tokenLedgerView, type TokenLedgerView, type TokenRowForLedger } from '../tokens/token-ledger-view.util';

/** What a verified bearer token grants. */
export interface Principal {
  tokenId: string;
  name: string;
  principal: string;
  entitlements: readonly string[];
  /** When set, the token sees only this workspace's data. */
  workspaceId: string | null;
  /** Set when a trusted proxy named the agent the request acts for (`X-Agent-Id`); the other fields are then the agent's limits. */
  agentId?: string;
}

export interface CreateTokenInput {
  name: string;
  entitlements: readonly string[];
  workspaceId?: string | null;
  /** Who the token acts for; defaults to the token name. */
  principal?: string;
  /** Who creates it, as recorded in `audit.config_changes.actor` (a token's `name (id)`, `cli:<user>`, `bootstrap`). */
  actor: string;
}

export interface RevokeTokenOptions {
  /** Recorded in `audit.config_changes.actor`. */
  actor: string;
  /** Only a token of this workspace may be revoked (a workspace-scoped admin); null/absent: any token. */
  workspaceId?: string | null;
}

export class TokenInputError extends Error {
  override readonly name = 'TokenInputError';
}

/** A pg-shaped executor bound to the transaction that writes `audit.api_tokens`. */
export interface TokenSqlExecutor {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/** One token change, as `audit.config_changes` records it (subject_kind `token`). */
export interface TokenChange {
  actor: string;
  tokenId: string;
  change: 'create' | 'revoke';
  before: TokenLedgerView | null;
  after: TokenLedgerView;
}

/**
 * Records a token change as evidence inside the transaction that made it
 * (a `config_changes` row and its ledger leaf). audit-core cannot reach the
 * ledger itself, so each process injects one (`recordTokenChange` of
 * `@auditstack/evidence-store`). Throwing rolls the token write back.
 */
export type TokenChangeRecorder = (tx: TokenSqlExecutor, change: TokenChange) => Promise<void>;

/** NOTIFY channel of revocations (payload: the token id), sent on commit; every gateway LISTENs to it. */
export const TOKEN_REVOKED_CHANNEL = 'auditstack_token_revoked';

/** Write `last_used_at` at most this often per token, so authentication stays read-only on hot paths. */
const LAST_USED_RESOLUTION_MS = 60_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface TokenRow extends TokenRowForLedger {
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const ROW_COLUMNS = 'id, name, token_hash, principal, entitlements, workspace_id, created_at, last_used_at, revoked_at';
const LIST_COLUMNS = 'id, name, principal, entitlements, workspace_id, created_at, last_used_at, revoked_at';

function toEntity(row: TokenRow): ApiTokenEntity {
  return {
    id: row.id,
    name: row.name,
    tokenHash: row.token_hash,
    principal: row.principal,
    entitlements: [...row.entitlements],
    workspaceId: row.workspace_id,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/** Who may mint or revoke: entitlements and workspace scope of the creator (after trusted-proxy limits). */
export interface TokenCreator {
  entitlements: readonly string[];
  workspaceId: string | null;
}

/**
 * Why `creator` may not create a token with these entitlements and workspace,
 * or null when it may: the new token's entitlements must each be held by the
 * creator (`admin` implies all), and its workspace must equal the creator's
 * when the creator is workspace-scoped (a scoped admin is the admin of that
 * workspace only: it can neither mint an unscoped token nor one for another
 * workspace).
 */
export function tokenExceedsCreator(creator: TokenCreator, requested: { entitlements: readonly string[]; workspaceId: string | null }): string | null {
  const beyond = requested.entitlements.filter((e) => !isEntitlement(e) || !hasEntitlement(creator.entitlements, e));
  if (beyond.length > 0) return `entitlements: the creating token does not hold ${beyond.join(', ')}`;
  if (creator.workspaceId !== null && requested.workspaceId !== creator.workspaceId) {
    return requested.workspaceId === null
      ? `workspace_id: a token scoped to workspace ${creator.workspaceId} cannot create an unscoped token`
      : `workspace_id: a token scoped to workspace ${creator.workspaceId} cannot create a token for workspace ${requested.workspaceId}`;
  }
  return null;
}

/**
 * API tokens: create (returns the secret once), list, revoke, authenticate.
 * Every creation and revocation is recorded through the injected
 * {@link TokenChangeRecorder} in the same transaction as the row, and a
 * revocation NOTIFYs {@link TOKEN_REVOKED_CHANNEL} on commit.
 */
export class ApiTokenRepository {
  /**
   * @param recorder required for `create`/`revoke` (they throw without one);
   *   a process that only authenticates (the engine) may omit it.
   */
  constructor(
    private readonly dataSource: DataSource,
    private readonly recorder?: TokenChangeRecorder,
  ) {}

  /**
   * Creates a token. Input is validated with `ApiTokenCreateSchema` (the same
   * rules as `POST /v1/admin/tokens`); a bad field throws `TokenInputError`.
   */
  async create(input: CreateTokenInput): Promise<{ token: string; record: ApiTokenEntity }> {
    const parsed = ApiTokenCreateSchema.safeParse({
      name: input.name,
      entitlements: input.entitlements,
      ...(input.workspaceId ? { workspace_id: input.workspaceId } : {}),
    });
    if (!parsed.success) throw new TokenInputError(formatIssues(parsed.error).join('; '));
    const { name, entitlements } = parsed.data;
    const workspaceId = parsed.data.workspace_id ?? null;
    const token = generateApiToken();
    const row = await this.inTransaction(async (tx) => {
      // Serialises creators of the same name so the clash check and the insert agree.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('auditstack.api_tokens'), hashtext($1))`, [name]);
      const clash = await tx.query(`SELECT 1 FROM audit.api_tokens WHERE name = $1 AND revoked_at IS NULL`, [name]);
      if (clash.rows.length > 0) throw new TokenInputError(`name: a token named "${name}" already exists`);
      const inserted = await tx.query<TokenRow>(
        `INSERT INTO audit.api_tokens (name, token_hash, principal, entitlements, workspace_id)
         VALUES ($1, $2, $3, $4::text[], $5) RETURNING ${ROW_COLUMNS}`,
        [name, hashApiToken(token), input.principal ?? name, entitlements, workspaceId],
      );
      const created = inserted.rows[0]!;
      await this.record(tx, { actor: input.actor, tokenId: created.id, change: 'create', before: null, after: tokenLedgerView(created) });
      return created;
    });
    return { token, record: toEntity(row) };
  }

  /** Every token, or only those of one workspace (without `tokenHash`). */
  async list(workspaceId: string | null = null): Promise<ApiTokenEntity[]> {
    // Never the hash: listed tokens leave the process (API, `tokens list --json`).
    const rows: TokenRow[] = await this.dataSource.query(
      `SELECT ${LIST_COLUMNS} FROM audit.api_tokens WHERE ($1::text IS NULL OR workspace_id = $1) ORDER BY created_at, id`,
      [workspaceId],
    );
    return rows.map(toEntity);
  }

  /**
   * Revokes the active token with this name or id (only within
   * `options.workspaceId` when set). Returns the revoked token, or null when
   * there is no such active token. Recorded and NOTIFYd in one transaction.
   */
  async revoke(nameOrId: string, options: RevokeTokenOptions): Promise<ApiTokenEntity | null> {
    const scope = options.workspaceId ?? null;
    const row = await this.inTransaction(async (tx) => {
      const found = await tx.query<TokenRow>(
        `SELECT ${ROW_COLUMNS} FROM audit.api_tokens
          WHERE ${UUID.test(nameOrId) ? 'id = $1::uuid' : 'name = $1'} AND revoked_at IS NULL AND ($2::text IS NULL OR workspace_id = $2)
          FOR UPDATE`,
        [nameOrId, scope],
      );
      const before = found.rows[0];
      if (!before) return null;
      const updated = await tx.query<TokenRow>(`UPDATE audit.api_tokens SET revoked_at = now() WHERE id = $1 RETURNING ${ROW_COLUMNS}`, [before.id]);
      const after = updated.rows[0]!;
      await this.record(tx, { actor: options.actor, tokenId: after.id, change: 'revoke', before: tokenLedgerView(before), after: tokenLedgerView(after) });
      await tx.query(`SELECT pg_notify($1, $2)`, [TOKEN_REVOKED_CHANNEL, after.id]);
      return after;
    });
    return row ? toEntity(row) : null;
  }

  /** True when at least one active token exists (used to mint the first admin token). */
  async anyActive(): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM audit.api_tokens WHERE revoked_at IS NULL LIMIT 1`);
    return rows.length > 0;
  }

  /** Of these token ids, the ones that are still active (unknown or revoked ids are left out). */
  async activeIds(ids: readonly string[]): Promise<Set<string>> {
    const valid = ids.filter((id) => UUID.test(id));
    if (valid.length === 0) return new Set();
    const rows: Array<{ id: string }> = await this.dataSource.query(`SELECT id FROM audit.api_tokens WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL`, [
      valid,
    ]);
    return new Set(rows.map((r) => r.id));
  }

  /** Resolves a bearer token to its principal, or null for an unknown, malformed or revoked token. */
  async authenticate(token: string): Promise<Principal | null> {
    if (!looksLikeApiToken(token)) return null;
    const rows: Array<{ id: string; name: string; principal: string; entitlements: string[]; workspace_id: string | null; last_used_at: Date | null }> =
      await this.dataSource.query(
        `SELECT id, name, principal, entitlements, workspace_id, last_used_at
           FROM audit.api_tokens WHERE token_hash = $1 AND revoked_at IS NULL`,
        [hashApiToken(token)],
      );
    const row = rows[0];
    if (!row) return null;
    if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
      // Best effort: a failed bookkeeping write must not fail the request.
      this.dataSource.query(`UPDATE audit.api_tokens SET last_used_at = now() WHERE id = $1`, [row.id]).catch(() => undefined);
    }
    return { tokenId: row.id, name: row.name, principal: row.principal, entitlements: row.entitlements, workspaceId: row.workspace_id };
  }

  private async record(tx: TokenSqlExecutor, change: TokenChange): Promise<void> {
    if (!this.recorder) throw new Error('this ApiTokenRepository has no change recorder: tokens cannot be created or revoked without evidence');
    await this.recorder(tx, change);
  }

  /** One transaction on a dedicated connection, with pg-shaped results (`rows` for every statement type). */
  private async inTransaction<T>(work: (tx: TokenSqlExecutor) => Promise<T>): Promise<T> {
    if (!this.recorder) throw new Error('this ApiTokenRepository has no change recorder: tokens cannot be created or revoked without evidence');
    const runner: QueryRunner = this.dataSource.createQueryRunner();
    const tx: TokenSqlExecutor = {
      query: async <R>(text: string, params?: unknown[]) => {
        const result = (await runner.query(text, params, true)) as { records?: unknown[] };
        return { rows: (result.records ?? []) as R[] };
      },
    };
    try {
      await runner.connect();
      await runner.startTransaction();
      try {
        const result = await work(tx);
        await runner.commitTransaction();
        return result;
      } catch (error) {
        await runner.rollbackTransaction().catch(() => undefined);
        throw error;
      }
    } finally {
      await runner.release();
    }
  }
}
