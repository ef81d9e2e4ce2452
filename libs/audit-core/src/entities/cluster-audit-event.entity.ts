import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A Kubernetes API server audit event (webhook backend), metadata only. Partitioned by month on `ts`. */
@Entity({ schema: 'audit', name: 'cluster_audit_events' })
@Check('ck_cluster_audit_events_sizes', `request_object_size >= 0 AND response_object_size >= 0`)
@Index('ix_cluster_audit_events_ts', ['ts'])
@Index('ix_cluster_audit_events_username_ts', ['username', 'ts'])
@Index('ix_cluster_audit_events_verb_ts', ['verb', 'ts'])
@Index('ix_cluster_audit_events_resource_ts', ['resource', 'ts'])
@Index('ix_cluster_audit_events_namespace_ts', ['namespace', 'ts'])
export class ClusterAuditEventEntity {
  @PrimaryColumn({ name: 'event_id', type: 'uuid', primaryKeyConstraintName: 'pk_cluster_audit_events' })
  eventId!: string;

  @PrimaryColumn({ type: 'timestamptz', primaryKeyConstraintName: 'pk_cluster_audit_events' })
  ts!: Date;

  @Column({ name: 'audit_id', type: 'text' })
  auditId!: string;

  @Column({ type: 'text' })
  stage!: string;

  @Column({ type: 'text' })
  level!: string;

  @Column({ name: 'cluster_id', type: 'text', nullable: true })
  clusterId!: string | null;

  @Column({ type: 'text' })
  verb!: string;

  @Column({ type: 'text', nullable: true })
  username!: string | null;

  @Column({ name: 'user_groups', type: 'jsonb', default: () => "'[]'" })
  userGroups!: string[];

  @Column({ name: 'impersonated_user', type: 'text', nullable: true })
  impersonatedUser!: string | null;

  @Column({ name: 'source_ips', type: 'jsonb', default: () => "'[]'" })
  sourceIps!: string[];

  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent!: string | null;

  @Column({ name: 'api_group', type: 'text', nullable: true })
  apiGroup!: string | null;

  @Column({ name: 'api_version', type: 'text', nullable: true })
  apiVersion!: string | null;

  @Column({ type: 'text', nullable: true })
  resource!: string | null;

  @Column({ type: 'text', nullable: true })
  subresource!: string | null;

  @Column({ type: 'text', nullable: true })
  namespace!: string | null;

  @Column({ type: 'text', nullable: true })
  name!: string | null;

  @Column({ name: 'request_uri', type: 'text' })
  requestUri!: string;

  @Column({ name: 'response_code', type: 'integer', nullable: true })
  responseCode!: number | null;

  @Column({ name: 'request_received_ts', type: 'timestamptz', nullable: true })
  requestReceivedTs!: Date | null;

  @Column({ name: 'request_object_sha256', type: 'text', nullable: true })
  requestObjectSha256!: string | null;

  @Column({ name: 'request_object_size', type: 'integer', default: 0 })
  requestObjectSize!: number;

  @Column({ name: 'response_object_sha256', type: 'text', nullable: true })
  responseObjectSha256!: string | null;

  @Column({ name: 'response_object_size', type: 'integer', default: 0 })
  responseObjectSize!: number;

  @Column({ type: 'jsonb', default: {} })
  annotations!: Record<string, string>;

  @Column({ name: 'ledger_seq', type: 'bigint', nullable: true })
  ledgerSeq!: string | null;
}
