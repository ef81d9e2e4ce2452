import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/** The single head row: size, last chain hash, Merkle frontier (≤ 64 hashes). */
@Entity({ schema: 'audit', name: 'ledger_head' })
@Check('ck_ledger_head_single', `id = 1`)
export class LedgerHeadEntity {
  @PrimaryColumn({ type: 'smallint', default: 1, primaryKeyConstraintName: 'pk_ledger_head' })
  id!: number;

  @Column({ type: 'bigint', default: 0 })
  size!: string;

  @Column({ name: 'chain_hash', type: 'bytea' })
  chainHash!: Buffer;

  @Column({ type: 'bytea', array: true, default: () => "'{}'" })
  frontier!: Buffer[];

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
