import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A fleet orchestrator's lifecycle transition. Partitioned by month on `ts`. */
@Entity({ schema: 'audit', name: 'lifecycle_events' })
@Index('ix_lifecycle_events_ts', ['ts'])
@Index('ix_lifecycle_events_engine_ts', ['engineId', 'ts'])
@Index('ix_lifecycle_events_user_ts', ['userId', 'ts'])
@Index('ix_lifecycle_events_product_ts', ['productId', 'ts'])
@Index('ix_lifecycle_events_actor_ts', ['actor', 'ts'])
@Index('ix_lifecycle_events_action_ts', ['action', 'ts'])
export class LifecycleEventEntity {
  @PrimaryColumn({ name: 'event_id', type: 'uuid', primaryKeyConstraintName: 'pk_lifecycle_events' })
  eventId!: string;

  @PrimaryColumn({ type: 'timestamptz', primaryKeyConstraintName: 'pk_lifecycle_events' })
  ts!: Date;

  @Column({ type: 'text' })
  action!: string;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ name: 'product_id', type: 'text', nullable: true })
  productId!: string | null;

  @Column({ name: 'user_id', type: 'text', nullable: true })
  userId!: string | null;

  @Column({ name: 'engine_id', type: 'text', nullable: true })
  engineId!: string | null;

  @Column({ type: 'jsonb', default: {} })
  metadata!: Record<string, unknown>;

  @Column({ name: 'duration_ms', type: 'integer', nullable: true })
  durationMs!: number | null;

  @Column({ name: 'ledger_seq', type: 'bigint', nullable: true })
  ledgerSeq!: string | null;
}
