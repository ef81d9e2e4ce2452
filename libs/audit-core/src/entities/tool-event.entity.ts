import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An AI-agent tool call: sizes and hashes only, never payloads. Partitioned by month on `ts`. */
@Entity({ schema: 'audit', name: 'tool_events' })
@Check('ck_tool_events_sizes', `in_size >= 0 AND out_size >= 0 AND duration_ms >= 0`)
@Index('ix_tool_events_ts', ['ts'])
@Index('ix_tool_events_workspace_ts', ['workspaceId', 'ts'])
@Index('ix_tool_events_tool_ts', ['tool', 'ts'])
@Index('ix_tool_events_agent_ts', ['agentId', 'ts'])
@Index('ix_tool_events_graph_run_ts', ['graphRunId', 'ts'])
export class ToolEventEntity {
  @PrimaryColumn({ name: 'event_id', type: 'uuid', primaryKeyConstraintName: 'pk_tool_events' })
  eventId!: string;

  @PrimaryColumn({ type: 'timestamptz', primaryKeyConstraintName: 'pk_tool_events' })
  ts!: Date;

  @Column({ name: 'req_id', type: 'text', nullable: true })
  reqId!: string | null;

  @Column({ name: 'workspace_id', type: 'text', nullable: true })
  workspaceId!: string | null;

  @Column({ name: 'user_id', type: 'text', nullable: true })
  userId!: string | null;

  @Column({ name: 'agent_id', type: 'text', nullable: true })
  agentId!: string | null;

  @Column({ type: 'text' })
  tool!: string;

  @Column({ type: 'text' })
  action!: string;

  @Column({ type: 'text' })
  status!: string;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs!: number;

  @Column({ name: 'in_size', type: 'integer' })
  inSize!: number;

  @Column({ name: 'out_size', type: 'integer' })
  outSize!: number;

  @Column({ name: 'input_hash', type: 'text', nullable: true })
  inputHash!: string | null;

  @Column({ name: 'graph_run_id', type: 'text', nullable: true })
  graphRunId!: string | null;

  @Column({ name: 'graph_node', type: 'text', nullable: true })
  graphNode!: string | null;

  @Column({ name: 'job_id', type: 'text', nullable: true })
  jobId!: string | null;

  @Column({ name: 'ledger_seq', type: 'bigint', nullable: true })
  ledgerSeq!: string | null;
}
