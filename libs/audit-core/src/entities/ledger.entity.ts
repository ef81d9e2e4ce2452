import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One leaf of the evidence log. Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE.
 * Written through the evidence ledger writer (plain SQL), read here.
 */
@Entity({ schema: 'audit', name: 'ledger' })
@Index('ix_ledger_kind_ref', ['kind', 'ref'])
export class LedgerEntity {
  /** 0-based RFC 6962 leaf index. */
  @PrimaryColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_ledger' })
  seq!: string;

  @Column({ type: 'text' })
  kind!: string;

  @Column({ type: 'text' })
  ref!: string;

  /** Milliseconds, exactly the precision a leaf hashes. */
  @Column({ type: 'timestamptz', precision: 3 })
  ts!: Date;

  @Column({ name: 'payload_hash', type: 'bytea' })
  payloadHash!: Buffer;

  @Column({ name: 'leaf_hash', type: 'bytea' })
  leafHash!: Buffer;

  @Column({ name: 'chain_hash', type: 'bytea' })
  chainHash!: Buffer;

  /** When the leaf was appended (database clock, not hashed): the uncovered-tail rule's clock. NULL for leaves older than the column. */
  @Column({ name: 'appended_at', type: 'timestamptz', nullable: true, default: () => 'clock_timestamp()' })
  appendedAt!: Date | null;
}
