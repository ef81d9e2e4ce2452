/**
 * What the gateway (and the evidence store) record about themselves
 * (`audit.gateway_markers.marker`, a ledger leaf of kind `marker`). Persisted and queried (`GET /v1/markers?marker=`):
 * never rename.
 */
export const GATEWAY_MARKERS = {
  fallbackStarted: 'backend_fallback_started',
  fallbackEnded: 'backend_fallback_ended',
  emergencyStop: 'emergency_stop',
  /** The emergency stop's sentinel was found removed at boot after an engagement (recorded by the first gateway to see it). */
  emergencyStopLifted: 'emergency_stop_lifted',
  toolCallDenied: 'tool_call_denied',
  /** A spool line that could not be replayed was copied to `quarantine/<file>`; the rest of the file was replayed. */
  spoolLineQuarantined: 'spool_line_quarantined',
  /** A spool line verifies but does not follow the line before it (a line removed or reordered); it was replayed. */
  spoolChainBroken: 'spool_chain_broken',
  /** The evidence signing key was rotated (written by the evidence store, `auditstack key rotate`). */
  evidenceKeyRotation: 'evidence_key_rotation',
  /**
   * `auditstack demo` loaded the demo fleet: details `{ from_seq, to_seq, count }`, the leaves [from_seq, to_seq]
   * right before this marker's own, all written in its transaction. The verifier accepts their removal as a whole
   * (`auditstack demo --remove`, a `declared` tombstone) on the strength of this marker only.
   */
  demoLoaded: 'demo_loaded',
  /** `auditstack demo --remove` deleted the demo fleet of the `demo_loaded` marker `details.load_marker_id`. */
  demoRemoved: 'demo_removed',
} as const;

/** A gateway marker name. */
export type GatewayMarker = (typeof GATEWAY_MARKERS)[keyof typeof GATEWAY_MARKERS];
