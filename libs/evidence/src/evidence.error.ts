/**
 * Every failure the evidence library can report, as a stable string code.
 * Persisted in verifier reports and mapped to HTTP status / retry policy by the
 * apps: never rename a code.
 */
export type EvidenceErrorCode =
  | 'CHAIN_BROKEN'
  | 'LEAF_MISMATCH'
  | 'PAYLOAD_MISMATCH'
  | 'ROW_WITHOUT_LEAF'
  | 'LEAF_WITHOUT_ROW'
  | 'SEQUENCE_GAP'
  | 'ROOT_MISMATCH'
  | 'CHECKPOINT_CHAIN_BROKEN'
  | 'INCONSISTENT_CHECKPOINTS'
  | 'SIGNATURE_INVALID'
  | 'UNKNOWN_KEY'
  | 'TIMESTAMP_INVALID'
  | 'UNCOVERED_TAIL'
  | 'ANCHOR_MISSING'
  | 'ANCHOR_INCONSISTENT'
  | 'CADENCE_VIOLATION'
  | 'PROOF_INVALID'
  | 'MALFORMED_INPUT'
  | 'KEY_FILE_INVALID'
  | 'TSA_ERROR'
  | 'HEAD_INVALID'
  | 'TRUST_ROOT_MISSING'
  | 'KEY_NOT_TRUSTED'
  | 'ANCHOR_TRUNCATED'
  | 'RETENTION_VIOLATION'
  | 'RESULT_MISMATCH'
  | 'CONFIG_MISMATCH';

/** Every code, in declaration order (for exhaustive tests and mapping tables). */
export const EVIDENCE_ERROR_CODES: readonly EvidenceErrorCode[] = [
  'CHAIN_BROKEN',
  'LEAF_MISMATCH',
  'PAYLOAD_MISMATCH',
  'ROW_WITHOUT_LEAF',
  'LEAF_WITHOUT_ROW',
  'SEQUENCE_GAP',
  'ROOT_MISMATCH',
  'CHECKPOINT_CHAIN_BROKEN',
  'INCONSISTENT_CHECKPOINTS',
  'SIGNATURE_INVALID',
  'UNKNOWN_KEY',
  'TIMESTAMP_INVALID',
  'UNCOVERED_TAIL',
  'ANCHOR_MISSING',
  'ANCHOR_INCONSISTENT',
  'CADENCE_VIOLATION',
  'PROOF_INVALID',
  'MALFORMED_INPUT',
  'KEY_FILE_INVALID',
  'TSA_ERROR',
  'HEAD_INVALID',
  'TRUST_ROOT_MISSING',
  'KEY_NOT_TRUSTED',
  'ANCHOR_TRUNCATED',
  'RETENTION_VIOLATION',
  'RESULT_MISMATCH',
  'CONFIG_MISMATCH',
];

/** Where in the evidence a problem was found. Every field is optional. */
export interface EvidenceLocation {
  /** Ledger sequence number (0-based leaf index). */
  readonly seq?: number;
  /** Tree size of the checkpoint concerned. */
  readonly checkpoint?: number;
  /** Ledger kind of the row concerned. */
  readonly kind?: string;
  /** Row reference within its kind. */
  readonly ref?: string;
  /** File or field the problem was found in. */
  readonly path?: string;
}

/**
 * The one error class thrown by `@auditstack/evidence`. Callers switch over
 * {@link EvidenceError.code}; the message is for humans only.
 */
export class EvidenceError<C extends EvidenceErrorCode = EvidenceErrorCode> extends Error {
  override readonly name = 'EvidenceError';

  constructor(
    readonly code: C,
    message: string,
    readonly location: EvidenceLocation = {},
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
  }
}

/** Type guard that also narrows on a code when one is given. */
export function isEvidenceError<C extends EvidenceErrorCode>(err: unknown, code?: C): err is EvidenceError<C> {
  return err instanceof EvidenceError && (code === undefined || err.code === code);
}
