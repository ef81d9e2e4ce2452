import { IsNull, type DataSource } from 'typeorm';
import { ApiTokenCreateSchema } from '../schemas/api-token.schema';
import { formatIssues } from '../schemas/common.schema';
import { ApiTokenEntity } from '../entities/api-token.entity';
import { generateApiToken, hashApiToken, looksLikeApiToken } from '../tokens/api-token.util';

/** What a verified bearer token grants. */
export interface Principal {
  tokenId: string;
  name: string;
  principal: string;
  entitlements: readonly string[];
  /** When set, the token sees only this workspace's data. */
  workspaceId: string | null;
}

export interface CreateTokenInput {
  name: string;
  entitlements: readonly string[];
  workspaceId?: string | null;
  /** Who the token acts for; defaults to the token name. */
  principal?: string;
}

export class TokenInputError extends Error {
  override readonly name = 'TokenInputError';
}

/** Write `last_used_at` at most this often per token, so authentication stays read-only on hot paths. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** API tokens: create (returns the secret once), list, revoke, authenticate. */
export class ApiTokenRepository {
  constructor(private readonly dataSource: DataSource) {}

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
    const repo = this.dataSource.getRepository(ApiTokenEntity);
    const clash = await repo.exists({ where: { name, revokedAt: IsNull() } });
    if (clash) throw new TokenInputError(`name: a token named "${name}" already exists`);
    const token = generateApiToken();
    const record = await repo.save(
      repo.create({
        name,
        tokenHash: hashApiToken(token),
        principal: input.principal ?? name,
        entitlements,
        workspaceId,
      }),
    );
    return { token, record };
  }

  list(): Promise<ApiTokenEntity[]> {
    return this.dataSource.getRepository(ApiTokenEntity).find({
      select: { id: true, name: true, principal: true, entitlements: true, workspaceId: true, createdAt: true, lastUsedAt: true, revokedAt: true },
      order: { createdAt: 'ASC' },
    });
  }

  /** Revokes the active token with this name or id. Returns false when there is none. */
  async revoke(nameOrId: string): Promise<boolean> {
    const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(nameOrId);
    const result = await this.dataSource
      .createQueryBuilder()
      .update(ApiTokenEntity)
      .set({ revokedAt: () => 'now()' })
      .where(isUuid ? 'id = :value' : 'name = :value', { value: nameOrId })
      .andWhere('revoked_at IS NULL')
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** True when at least one active token exists (used to mint the first admin token). */
  async anyActive(): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM audit.api_tokens WHERE revoked_at IS NULL LIMIT 1`);
    return rows.length > 0;
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
}
