/**
 * `@auditstack/evidence`: tamper-evident ledger primitives (RFC 6962 Merkle
 * tree, linear hash chain, C2SP checkpoints and signed notes, timestamps,
 * anchors) and a fail-closed verifier. Framework-free; depends on nothing of ours.
 */
export { EVIDENCE_ERROR_CODES, EvidenceError, isEvidenceError } from './evidence.error';
export type { EvidenceErrorCode, EvidenceLocation } from './evidence.error';

export { GENESIS_CHAIN_HASH, HASH_SIZE, bytesEqual, canonicalJson, chainHash, payloadHash, sha256, sha256Utf8 } from './hash.util';

export {
  CompactRange,
  EMPTY_ROOT,
  assertConsistency,
  assertInclusion,
  consistencyProof,
  inclusionProof,
  leafHash,
  nodeHash,
  rootFromInclusionProof,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from './merkle.util';

export { GENESIS_HEAD, MAX_KIND_LENGTH, MAX_REF_LENGTH, SUBTREE_CACHE_MIN_LEVEL, appendEntries, entryLeafHash, leafData, leafDataText } from './ledger.util';
export type { LeafFields, LedgerEntry, LedgerHead, LedgerInput, SubtreeHash } from './ledger.util';

export { LEDGER_LOCK_SQL, LedgerWriter, checkpointFromRow, headFromRow, ledgerEntryFromRow } from './ledger-writer';
export type { CheckpointRow, LedgerRow, SqlExecutor } from './ledger-writer';

export {
  MAX_NOTE_SIGNATURES,
  MAX_NOTE_SIZE,
  NOTE_ALG_ED25519,
  NoteKeyring,
  formatSignerKey,
  formatVerifierKey,
  generateNoteKey,
  isValidKeyName,
  noteKeyId,
  openNote,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  verifierKeyOf,
  verifyNoteSignature,
} from './signed-note';
export type { KeyringEntry, NoteSignature, NoteSigner, NoteVerifierKey, OpenedNote, ParsedNote } from './signed-note';

export { PREV_CHECKPOINT_EXTENSION, checkpointHash, createCheckpoint, formatCheckpointBody, openCheckpoint, parseCheckpointBody } from './checkpoint';
export type { CheckpointBody, SignedCheckpoint } from './checkpoint';

export { loadOrCreateNoteSigner } from './key-file.util';
export type { KeyFileOptions } from './key-file.util';

export type { Stamper, TimestampToken, TimestampVerification } from './stamper';
export { LocalStamper } from './local-stamper';
export type { LocalStamperOptions } from './local-stamper';
export { Rfc3161Stamper } from './rfc3161-stamper';
export type { Rfc3161StamperOptions } from './rfc3161-stamper';

export { FileAnchorSink, parseAnchorRecord } from './file-anchor-sink';
export type { AnchorRecord, AnchorSink } from './file-anchor-sink';

export { RETENTION_KIND, emptyVerifyCounts, verifyEvidence } from './verifier';
export type { PayloadLookup, RetentionTombstone, StoredCheckpoint, VerifyInput, VerifyPolicy, VerifyProblem, VerifyReport } from './verifier';

export { CheckpointWriter, DEFAULT_CHECKPOINT_POLICY, checkpointDue } from './checkpoint-writer';
export type { CheckpointPolicy, CheckpointReason, CheckpointWriterOptions } from './checkpoint-writer';

export { consistencyProofRanges, hashLeafRanges, hashLeafRangesFrom, inclusionProofRanges } from './proof-stream.util';
export type { LeafRange, SubtreeKey, SubtreeSource } from './proof-stream.util';

export { retentionEntry } from './retention.util';

export {
  encodeSpoolLines,
  parseSpoolFileName,
  parseSpoolProgress,
  scanSpoolBytes,
  spoolChainHeadAfter,
  spoolFullyReplayed,
  spoolLineHash,
  viewSpoolLine,
  SPOOL_FILE_PATTERN,
  SPOOL_FILE_PREFIX,
  SPOOL_GENESIS,
  SPOOL_QUARANTINE_DIR,
} from './spool-format.util';
export type { SpoolFilePrefix, SpoolLineView, SpoolRecord, SpoolRecordType, SpoolReplayProgress } from './spool-format.util';
