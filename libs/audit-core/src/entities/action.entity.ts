import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { ProjectEntity } from './project.entity';

export type ActionStatus = 'active' | 'paused';

@Entity({ schema: 'audit', name: 'actions' })
@Unique('uq_actions_project_name', ['projectId', 'name'])
@Check('ck_actions_status', `status IN ('active', 'paused')`)
@Check('ck_actions_timeout', `timeout_ms > 0`)
@Index('ix_actions_status', ['status'])
export class ActionEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_actions' })
  id!: string;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId!: string;

  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'fk_actions_project' })
  project?: ProjectEntity;

  @Column({ type: 'text' })
  name!: string;

  /** '' (the default, for a row inserted by SQL without one) means "no action type": not scheduled, reported. */
  @Column({ name: 'action_type', type: 'text', default: '' })
  actionType!: string;

  /** Standard 5-field cron, evaluated in UTC. */
  @Column({ type: 'text' })
  schedule!: string;

  @Column({ type: 'jsonb', default: {} })
  config!: Record<string, unknown>;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ type: 'text', default: 'active' })
  status!: ActionStatus;

  @Column({ name: 'timeout_ms', type: 'integer', default: 30000 })
  timeoutMs!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
