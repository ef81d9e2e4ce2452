/** A timestamp token as stored in `audit.checkpoints.timestamp_kind/timestamp_token`. */
export interface TimestampToken {
  /** `local` or `rfc3161`. */
  readonly kind: string;
  readonly token: Buffer;
}

/** What a verified token proves: the digest existed at `time`. */
export interface TimestampVerification {
  readonly time: Date;
}

/**
 * Binds a digest (a checkpoint hash) to a time. Implementations: `LocalStamper`
 * (default) and `Rfc3161Stamper` (opt-in).
 */
export interface Stamper {
  /** Value stored in `timestamp_kind`. */
  readonly kind: string;
  /** Obtains a token for a 32-byte SHA-256 digest. */
  stamp(digest: Buffer): Promise<TimestampToken>;
  /**
   * Re-checks a stored token (attacker-controlled bytes) against the digest.
   *
   * @throws EvidenceError `TIMESTAMP_INVALID`
   */
  verify(digest: Buffer, token: Buffer): Promise<TimestampVerification>;
}
