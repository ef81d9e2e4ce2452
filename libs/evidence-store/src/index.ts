/**
 * `@auditstack/evidence-store`: the PostgreSQL side of the evidence ledger
 * (ARCHITECTURE §4) for the gateway, the engine and the CLI. Framework-free:
 * it takes a `pg`-shaped pool, never Nest or TypeORM.
 */
export { EvidenceStoreError } from './evidence-store.error';
export type { EvidenceStoreErrorCode } from './evidence-store.error';
export { withTransaction, toSafeInt } from './sql.util';
export type { SqlClient, SqlPool, TransactionOptions } from './sql.util';
export {
  appendLedger,
  declaredDemoRange,
  insertLedgeredRows,
  ledgerPayloadOf,
  recordRetention,
  rowSourceOf,
  tombstoneFromRef,
  tombstoneRef,
} from './ledger-append.util';
export type { LedgerAppendInput } from './ledger-append.util';
export {
  LEDGER_PAGE_SIZE,
  fetchRowPayloads,
  ledgerSubtreeSource,
  readCheckpoints,
  readLedgerEntry,
  streamLeafHashes,
  streamLedger,
  streamLedgerPages,
  streamRowKeys,
} from './ledger-read.util';
export type { CheckpointRecord } from './ledger-read.util';
export { checkpointFromJson, checkpointToJson, entryFromJson, entryToJson } from './evidence-json.util';
export type { CheckpointJson, LedgerEntryJson } from './evidence-json.util';
export { DEFAULT_EVIDENCE_ORIGIN, EvidenceService, readTombstones } from './evidence.service';
export type {
  CheckpointMade,
  ConsistencyProofJson,
  EvidenceServiceOptions,
  InclusionProofJson,
  StamperSettings,
  StateRead,
  VerifyOnlineOptions,
  VerifyProgress,
} from './evidence.service';
export { BUNDLE_FILES, BUNDLE_FORMAT, exportBundle, verifyBundle } from './bundle.util';
export type { BundleManifest, VerifyBundleOptions } from './bundle.util';
export { DEFAULT_RETENTION_FLOOR_DAYS, appendTrustedKey, readTrustFile, readTrustRoot, writeTrustRoot } from './trust-file.util';
export type { TrustRoot } from './trust-file.util';
export { anchorRegression, anchorTail, readTrustState, recordTrustState, writeTrustState } from './trust-state.util';
export type { AnchorSeen, TrustState } from './trust-state.util';
export { checkDerivedTables } from './derived-tables.util';
export { recordTokenChange } from './token-change-recorder.util';
export { EVIDENCE_SETTINGS_SHAPE, EvidenceSettingsSchema, evidenceOptionsFromSettings, evidenceSettingsFromEnv } from './evidence-settings.util';
export type { EvidenceSettings } from './evidence-settings.util';
