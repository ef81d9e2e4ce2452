import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** A bearer token, stored as SHA-256 of the secret (the secret is shown once, at creation). */
@Entity({ schema: 'audit', name: 'api_tokens' })
@Unique('uq_api_tokens_hash', ['tokenHash'])
@Index('ux_api_tokens_active_name', ['name'], { unique: true, where: 'revoked_at IS NULL' })
export class ApiTokenEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_api_tokens' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'token_hash', type: 'bytea' })
  tokenHash!: Buffer;

  @Column({ type: 'text' })
  principal!: string;

  @Column({ type: 'text', array: true })
  entitlements!: string[];

  @Column({ name: 'workspace_id', type: 'text', nullable: true })
  workspaceId!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
