/**
 * Codes of {@link EvidenceStoreError}. Problems found in the evidence itself
 * are `EvidenceError`s of `@auditstack/evidence`; these are about the request.
 */
export type EvidenceStoreErrorCode =
  /** No ledger entry or checkpoint with the asked seq / tree size. */
  | 'NOT_FOUND'
  /** The leaf exists but no checkpoint covers it yet. */
  | 'NOT_COVERED'
  /** An argument is out of range (e.g. `from > to`). */
  | 'INVALID_ARGUMENT'
  /** An export bundle is unreadable or its manifest does not match its files. */
  | 'BUNDLE_INVALID';

/** The one error class the store throws for bad requests; apps map `code` to a status. */
export class EvidenceStoreError extends Error {
  override readonly name = 'EvidenceStoreError';

  constructor(
    readonly code: EvidenceStoreErrorCode,
    message: string,
    /** For `INVALID_ARGUMENT`: the argument the caller got wrong and the rule it broke (an API names it in `errors[]`). */
    readonly argument?: { readonly name: string; readonly rule: string },
  ) {
    super(message);
  }
}
