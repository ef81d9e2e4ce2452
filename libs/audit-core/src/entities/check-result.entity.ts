import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { CheckStatus } from '../schemas/check-result.schema';
import { ProjectEntity } from './project.entity';

/** Latest result per (project, target, check): what scorecards read. */
@Entity({ schema: 'audit', name: 'check_results' })
@Check('ck_check_results_status', `status IN ('pass', 'warn', 'fail', 'error')`)
export class CheckResultEntity {
  @PrimaryColumn({ name: 'project_id', type: 'uuid', primaryKeyConstraintName: 'pk_check_results' })
  projectId!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_check_results' })
  target!: string;

  @PrimaryColumn({ name: 'check_id', type: 'text', primaryKeyConstraintName: 'pk_check_results' })
  checkId!: string;

  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'fk_check_results_project' })
  project?: ProjectEntity;

  @Column({ name: 'action_id', type: 'uuid' })
  actionId!: string;

  @Column({ name: 'run_id', type: 'uuid' })
  runId!: string;

  @Column({ type: 'text' })
  status!: CheckStatus;

  @Column({ type: 'text', default: '' })
  message!: string;

  @Column({ type: 'jsonb', default: {} })
  rule!: Record<string, unknown>;

  @Column({ type: 'jsonb', default: {} })
  evidence!: Record<string, unknown>;

  @Column({ name: 'checked_at', type: 'timestamptz' })
  checkedAt!: Date;
}
