import { EvidenceError, type LedgerEntry, type StoredCheckpoint } from '@auditstack/evidence';
import type { CheckpointRecord } from './ledger-read.util';

/** A ledger entry in JSON (API, export bundle): `LedgerEntrySchema` of audit-core. */
export interface LedgerEntryJson {
  seq: number;
  kind: string;
  ref: string;
  ts: string;
  payload_hash: string;
  leaf_hash: string;
  chain_hash: string;
}

/** A checkpoint in JSON (API, export bundle): `CheckpointSchema` of audit-core. */
export interface CheckpointJson {
  tree_size: number;
  root_hash: string;
  checkpoint_hash: string;
  prev_checkpoint_hash: string | null;
  note: string;
  key_id: string;
  timestamp_kind: string;
  timestamp_token: string;
  created_at: string;
}

export function entryToJson(e: LedgerEntry): LedgerEntryJson {
  return {
    seq: e.seq,
    kind: e.kind,
    ref: e.ref,
    // An invalid time (a stored value finer than the hashed milliseconds) stays invalid in the bundle.
    ts: Number.isNaN(e.ts.getTime()) ? 'invalid' : e.ts.toISOString(),
    payload_hash: e.payloadHash.toString('hex'),
    leaf_hash: e.leafHash.toString('hex'),
    chain_hash: e.chainHash.toString('hex'),
  };
}

export function checkpointToJson(c: CheckpointRecord): CheckpointJson {
  return {
    tree_size: c.treeSize,
    root_hash: c.rootHash.toString('hex'),
    checkpoint_hash: c.checkpointHash.toString('hex'),
    prev_checkpoint_hash: c.prevCheckpointHash ? c.prevCheckpointHash.toString('hex') : null,
    note: c.note,
    key_id: c.keyId,
    timestamp_kind: c.timestampKind,
    timestamp_token: c.timestampToken.toString('base64'),
    created_at: c.createdAt.toISOString(),
  };
}

const HEX = /^(?:[0-9a-f]{2})*$/;

function hex(value: unknown, what: string): Buffer {
  if (typeof value !== 'string' || !HEX.test(value)) throw new EvidenceError('MALFORMED_INPUT', `${what} is not lowercase hex`);
  return Buffer.from(value, 'hex');
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EvidenceError('MALFORMED_INPUT', `${what} is not an object`);
  return value as Record<string, unknown>;
}

/** Parses a ledger entry read back from a bundle (attacker-controlled); types only, the verifier judges the values. */
export function entryFromJson(value: unknown, where: string): LedgerEntry {
  const r = record(value, where);
  const ts = new Date(String(r['ts']));
  if (typeof r['seq'] !== 'number' || typeof r['kind'] !== 'string' || typeof r['ref'] !== 'string' || Number.isNaN(ts.getTime())) {
    throw new EvidenceError('MALFORMED_INPUT', `${where}: seq, kind, ref or ts has the wrong type`);
  }
  return {
    seq: r['seq'],
    kind: r['kind'],
    ref: r['ref'],
    ts,
    payloadHash: hex(r['payload_hash'], `${where}.payload_hash`),
    leafHash: hex(r['leaf_hash'], `${where}.leaf_hash`),
    chainHash: hex(r['chain_hash'], `${where}.chain_hash`),
  };
}

/** Parses a checkpoint read back from a bundle (attacker-controlled). */
export function checkpointFromJson(value: unknown, where: string): StoredCheckpoint {
  const r = record(value, where);
  if (
    typeof r['tree_size'] !== 'number' ||
    typeof r['note'] !== 'string' ||
    typeof r['timestamp_kind'] !== 'string' ||
    typeof r['timestamp_token'] !== 'string'
  ) {
    throw new EvidenceError('MALFORMED_INPUT', `${where}: tree_size, note or timestamp has the wrong type`);
  }
  return {
    treeSize: r['tree_size'],
    rootHash: hex(r['root_hash'], `${where}.root_hash`),
    checkpointHash: hex(r['checkpoint_hash'], `${where}.checkpoint_hash`),
    prevCheckpointHash: r['prev_checkpoint_hash'] === null ? null : hex(r['prev_checkpoint_hash'], `${where}.prev_checkpoint_hash`),
    note: r['note'],
    timestampKind: r['timestamp_kind'],
    timestampToken: Buffer.from(r['timestamp_token'], 'base64'),
  };
}
