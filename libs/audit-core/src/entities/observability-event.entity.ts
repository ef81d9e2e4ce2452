import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An engine's observability record (OTLP log), payload-free. Partitioned by month on `ts`. */
@Entity({ schema: 'audit', name: 'observability_events' })
@Check('ck_observability_events_sizes', `body_size >= 0 AND attributes_size >= 0 AND attribute_count >= 0`)
@Index('ix_observability_events_ts', ['ts'])
@Index('ix_observability_events_engine_ts', ['engineId', 'ts'])
@Index('ix_observability_events_trace', ['traceId'])
export class ObservabilityEventEntity {
  @PrimaryColumn({ name: 'event_id', type: 'uuid', primaryKeyConstraintName: 'pk_observability_events' })
  eventId!: string;

  @PrimaryColumn({ type: 'timestamptz', primaryKeyConstraintName: 'pk_observability_events' })
  ts!: Date;

  @Column({ name: 'observed_ts', type: 'timestamptz', nullable: true })
  observedTs!: Date | null;

  @Column({ type: 'text' })
  source!: string;

  @Column({ name: 'engine_id', type: 'text', nullable: true })
  engineId!: string | null;

  @Column({ name: 'service_name', type: 'text', nullable: true })
  serviceName!: string | null;

  @Column({ name: 'scope_name', type: 'text', nullable: true })
  scopeName!: string | null;

  @Column({ name: 'severity_number', type: 'integer', nullable: true })
  severityNumber!: number | null;

  @Column({ name: 'severity_text', type: 'text', nullable: true })
  severityText!: string | null;

  @Column({ name: 'event_name', type: 'text', nullable: true })
  eventName!: string | null;

  @Column({ name: 'trace_id', type: 'text', nullable: true })
  traceId!: string | null;

  @Column({ name: 'span_id', type: 'text', nullable: true })
  spanId!: string | null;

  @Column({ name: 'body_sha256', type: 'text', nullable: true })
  bodySha256!: string | null;

  @Column({ name: 'body_size', type: 'integer', default: 0 })
  bodySize!: number;

  @Column({ type: 'jsonb', default: {} })
  attributes!: Record<string, unknown>;

  @Column({ name: 'attributes_sha256', type: 'text', nullable: true })
  attributesSha256!: string | null;

  @Column({ name: 'attributes_size', type: 'integer', default: 0 })
  attributesSize!: number;

  @Column({ name: 'attribute_count', type: 'integer', default: 0 })
  attributeCount!: number;

  @Column({ name: 'ledger_seq', type: 'bigint', nullable: true })
  ledgerSeq!: string | null;
}
