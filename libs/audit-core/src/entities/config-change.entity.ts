import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One change made through the engine API (project, action, workbook or
 * services-inventory mutation), with the subject's state before and after.
 * Each row is a ledger leaf of kind `config`. Written with plain SQL by the engine.
 */
@Entity({ schema: 'audit', name: 'config_changes' })
@Check('ck_config_changes_subject_kind', `subject_kind IN ('action', 'project', 'workbook', 'service')`)
@Check('ck_config_changes_change', `change IN ('create', 'update', 'pause', 'resume', 'delete', 'save')`)
@Index('ix_config_changes_subject', ['subjectKind', 'subjectId', 'at'])
@Index('ix_config_changes_at', ['at'])
export class ConfigChangeEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_config_changes' })
  id!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ name: 'subject_kind', type: 'text' })
  subjectKind!: string;

  @Column({ name: 'subject_id', type: 'text' })
  subjectId!: string;

  @Column({ type: 'text' })
  change!: string;

  @Column({ type: 'jsonb', nullable: true })
  before!: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  after!: Record<string, unknown> | null;

  @Column({ name: 'ledger_seq', type: 'bigint', nullable: true })
  ledgerSeq!: string | null;
}
