import { EvidenceError } from './evidence.error';
import type { LedgerInput } from './ledger.util';
import { RETENTION_KIND, type RetentionTombstone } from './verifier';

/**
 * Builds the ledger input that records a retention deletion (the tombstone).
 * Append it in the same transaction as the DELETE, after the rows' leaves:
 * the verifier then treats the missing payloads of `kind` with leaf seq in
 * [fromSeq, toSeq) (and, if given, ref in `refs`) as pruned, not tampered.
 * The payload must also be kept (e.g. in a retention log table) and returned
 * to the verifier by seq: it is hashed into the leaf like any row.
 */
export function retentionEntry(opts: {
  readonly ref: string;
  readonly ts: Date;
  readonly kind: string;
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly refs?: readonly string[];
  /** The retention period applied (days); every pruned leaf must be older than this at `ts`. */
  readonly days?: number;
  readonly reason?: string;
  /** The range is the one the leaf at `toSeq` declares, removed as a whole (see {@link RetentionTombstone.declared}). */
  readonly declared?: true;
}): LedgerInput & { payload: RetentionTombstone } {
  const int = (v: number): boolean => Number.isSafeInteger(v) && v >= 0;
  if (!opts.kind || opts.kind === RETENTION_KIND) throw new EvidenceError('MALFORMED_INPUT', 'retention must name a covered kind');
  if (!int(opts.fromSeq) || !int(opts.toSeq) || opts.fromSeq > opts.toSeq) {
    throw new EvidenceError('MALFORMED_INPUT', 'retention range must satisfy 0 ≤ fromSeq ≤ toSeq');
  }
  if (opts.days !== undefined && !(int(opts.days) && opts.days > 0)) throw new EvidenceError('MALFORMED_INPUT', 'retention days must be a positive integer');
  const payload: RetentionTombstone = {
    kind: opts.kind,
    from_seq: opts.fromSeq,
    to_seq: opts.toSeq,
    ...(opts.refs ? { refs: [...opts.refs] } : {}),
    ...(opts.days !== undefined ? { days: opts.days } : {}),
    ...(opts.reason ? { reason: opts.reason } : {}),
    ...(opts.declared ? { declared: true as const } : {}),
  };
  return { kind: RETENTION_KIND, ref: opts.ref, ts: opts.ts, payload };
}
