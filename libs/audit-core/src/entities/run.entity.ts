import { Check, Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';

export type RunTrigger = 'schedule' | 'manual' | 'retry';
export type RunStatus = 'pass' | 'fail' | 'error';

/** One execution of an action. Partitioned by month on `scheduled_at` (the firing time). */
@Entity({ schema: 'audit', name: 'runs' })
@Unique('uq_runs_firing', ['jobId', 'scheduledAt'])
@Check('ck_runs_trigger', `trigger IN ('schedule', 'manual', 'retry', 'dry_run')`)
@Check('ck_runs_status', `status IN ('pass', 'fail', 'error')`)
@Index('ix_runs_action_started', ['actionId', 'startedAt'])
@Index('ix_runs_project_started', ['projectId', 'startedAt'])
@Index('ix_runs_status_started', ['status', 'startedAt'])
export class RunEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_runs' })
  id!: string;

  @PrimaryColumn({ name: 'scheduled_at', type: 'timestamptz', primaryKeyConstraintName: 'pk_runs' })
  scheduledAt!: Date;

  /** Queue job id of the firing: a retried job cannot write a second run for it. */
  @Column({ name: 'job_id', type: 'text' })
  jobId!: string;

  @Column({ name: 'action_id', type: 'uuid' })
  actionId!: string;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId!: string;

  @Column({ name: 'action_type', type: 'text' })
  actionType!: string;

  @Column({ type: 'text' })
  trigger!: RunTrigger;

  @Column({ type: 'text' })
  status!: RunStatus;

  @Column({ type: 'text', default: '' })
  message!: string;

  @Column({ type: 'jsonb', default: {} })
  output!: Record<string, unknown>;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz' })
  finishedAt!: Date;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs!: number;

  @Column({ name: 'ledger_seq', type: 'bigint', nullable: true })
  ledgerSeq!: string | null;
}
