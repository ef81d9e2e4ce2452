import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Cached hash of a perfect, aligned subtree of the evidence log (≥ 256 leaves):
 * MTH of leaves [idx·2^level, (idx+1)·2^level). Written by the ledger writer
 * (plain SQL), read by proof generation; never trusted without checking the proof.
 */
@Entity({ schema: 'audit', name: 'ledger_subtrees' })
export class LedgerSubtreeEntity {
  @PrimaryColumn({ type: 'smallint', primaryKeyConstraintName: 'pk_ledger_subtrees' })
  level!: number;

  @PrimaryColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_ledger_subtrees' })
  idx!: string;

  @Column({ type: 'bytea' })
  hash!: Buffer;
}
