import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A signed checkpoint (C2SP tlog-checkpoint in a C2SP signed note) and its timestamp. */
@Entity({ schema: 'audit', name: 'checkpoints' })
@Index('ix_checkpoints_tree_size', ['treeSize'])
export class CheckpointEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'pk_checkpoints' })
  id!: string;

  @Column({ name: 'tree_size', type: 'bigint' })
  treeSize!: string;

  @Column({ name: 'root_hash', type: 'bytea' })
  rootHash!: Buffer;

  @Column({ name: 'checkpoint_hash', type: 'bytea' })
  checkpointHash!: Buffer;

  @Column({ name: 'prev_checkpoint_hash', type: 'bytea', nullable: true })
  prevCheckpointHash!: Buffer | null;

  @Column({ type: 'text' })
  note!: string;

  @Column({ name: 'key_id', type: 'text' })
  keyId!: string;

  @Column({ name: 'timestamp_kind', type: 'text' })
  timestampKind!: string;

  @Column({ name: 'timestamp_token', type: 'bytea' })
  timestampToken!: Buffer;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
