import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CheckpointTimestampKind } from '@auditstack/audit-core';
import { parseAnchorRecord, type AnchorRecord } from '@auditstack/evidence';
import type { CheckpointJson, EvidenceService } from '@auditstack/evidence-store';
import { EVIDENCE_SERVICE } from './evidence.tokens';

/** What `GET /v1/evidence/status` answers: the ledger, its newest checkpoint, the cadence and the anchor, at a glance. */
export interface EvidenceStatus {
  /** Leaves in the ledger now. */
  ledger_size: number;
  latest_checkpoint: (Pick<CheckpointJson, 'tree_size' | 'checkpoint_hash' | 'key_id' | 'created_at'> & { timestamp_kind: CheckpointTimestampKind }) | null;
  /** Leaves appended since the newest checkpoint (the next checkpoint covers them). */
  uncovered_leaves: number;
  /** The configured checkpoint cadence (CHECKPOINT_EVERY_LEAVES / _SECONDS / _HEARTBEAT_SECONDS). */
  cadence: { every_leaves: number; every_seconds: number; heartbeat_seconds: number };
  anchor: {
    /** The anchor file (EVIDENCE_ANCHOR_FILE; its path is not disclosed) exists. */
    present: boolean;
    last: { tree_size: number; checkpoint_hash: string; anchored_at: string } | null;
    /** The last anchored checkpoint is the newest checkpoint in the database. */
    matches_latest_checkpoint: boolean;
    /** Why the last line could not be read, if it could not. */
    problem: string | null;
  };
  verifier_key: string;
}

/** Bytes read from the end of the anchor file to find its last line (one line is a few KB). */
const TAIL_BYTES = 256 * 1024;

/** The last complete line of a file, read from its end (anchor files grow without bound). */
function lastLine(path: string): string | null {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    return lines.length > 0 ? lines[lines.length - 1]! : null;
  } finally {
    closeSync(fd);
  }
}

/**
 * The evidence status for dashboards and operators. Read-only and cheap: one
 * query for the head and newest checkpoint, and the tail of the anchor file.
 * It reports; `auditstack verify` proves.
 */
@Injectable()
export class EvidenceStatusService {
  constructor(
    @Inject(EVIDENCE_SERVICE) private readonly evidence: EvidenceService,
    private readonly dataSource: DataSource,
  ) {}

  async status(): Promise<EvidenceStatus> {
    const [head] = (await this.dataSource.query(`SELECT size FROM audit.ledger_head WHERE id = 1`)) as { size: string }[];
    const latest = await this.evidence.latestCheckpoint();
    const ledgerSize = Number(head?.size ?? 0);
    const file = this.evidence.anchorFile;
    let last: AnchorRecord | null = null;
    let problem: string | null = null;
    const present = existsSync(file);
    if (present) {
      try {
        const line = lastLine(file);
        last = line === null ? null : parseAnchorRecord(line);
      } catch (error) {
        problem = (error as Error).message;
      }
    }
    const policy = this.evidence.policy;
    return {
      ledger_size: ledgerSize,
      latest_checkpoint: latest
        ? {
            tree_size: latest.tree_size,
            checkpoint_hash: latest.checkpoint_hash,
            key_id: latest.key_id,
            timestamp_kind: latest.timestamp_kind as CheckpointTimestampKind,
            created_at: latest.created_at,
          }
        : null,
      uncovered_leaves: Math.max(0, ledgerSize - (latest?.tree_size ?? 0)),
      cadence: { every_leaves: policy.everyLeaves, every_seconds: policy.everySeconds, heartbeat_seconds: policy.heartbeatSeconds },
      anchor: {
        present,
        last: last ? { tree_size: last.treeSize, checkpoint_hash: last.checkpointHash, anchored_at: last.anchoredAt } : null,
        matches_latest_checkpoint: last !== null && latest !== null && last.checkpointHash === latest.checkpoint_hash,
        problem,
      },
      verifier_key: this.evidence.verifierKey(),
    };
  }
}
