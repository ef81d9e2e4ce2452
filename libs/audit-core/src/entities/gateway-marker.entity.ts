import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A fact the gateway records about itself (`backend_fallback_started`,
 * `backend_fallback_ended`, `emergency_stop`, `tool_call_denied`). Each row is
 * a ledger leaf of kind `marker`. Written with plain SQL by the gateway.
 */
@Entity({ schema: 'audit', name: 'gateway_markers' })
@Index('ix_gateway_markers_marker_ts', ['marker', 'ts'])
@Index('ix_gateway_markers_ts', ['ts'])
export class GatewayMarkerEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_gateway_markers' })
  id!: string;

  @Column({ type: 'timestamptz' })
  ts!: Date;

  @Column({ type: 'text' })
  marker!: string;

  @Column({ type: 'jsonb', default: {} })
  details!: Record<string, unknown>;

  @Column({ name: 'ledger_seq', type: 'bigint', nullable: true })
  ledgerSeq!: string | null;
}
