import { closeSync, createReadStream, existsSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { EvidenceError } from './evidence.error';
import { canonicalJson } from './hash.util';

/** One anchored checkpoint. Hashes are lowercase hex, the token base64. */
export interface AnchorRecord {
  readonly treeSize: number;
  readonly rootHash: string;
  readonly checkpointHash: string;
  /** The full signed checkpoint note. */
  readonly note: string;
  readonly timestampKind: string;
  readonly timestampToken: string;
  /** ISO-8601 UTC time the record was written. */
  readonly anchoredAt: string;
}

/**
 * Where checkpoints are copied so that whoever controls the database cannot
 * also rewrite them. Implementations should live in another trust domain
 * (other storage, other credentials; ideally append-only / WORM).
 */
export interface AnchorSink {
  /** Durably appends one record. */
  append(record: AnchorRecord): Promise<void>;
  /** Streams every record in append order. */
  readAll(): AsyncIterable<AnchorRecord>;
}

const MAX_LINE = 256 * 1024;
const HEX32 = /^[0-9a-f]{64}$/;

/**
 * Checks one anchor record read back from storage (attacker-controlled: the
 * anchor file may have been edited).
 *
 * @throws EvidenceError `ANCHOR_INCONSISTENT`
 */
export function parseAnchorRecord(line: string, lineNo = 0): AnchorRecord {
  const bad = (why: string): EvidenceError => new EvidenceError('ANCHOR_INCONSISTENT', `anchor line ${lineNo}: ${why}`);
  if (line.length > MAX_LINE) throw bad('too long');
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw bad('not JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('not an object');
  const r = v as Record<string, unknown>;
  const keys = 'anchoredAt,checkpointHash,note,rootHash,timestampKind,timestampToken,treeSize';
  if (Object.keys(r).sort().join(',') !== keys) throw bad('unexpected fields');
  const { treeSize, rootHash, checkpointHash, note, timestampKind, timestampToken, anchoredAt } = r;
  if (typeof treeSize !== 'number' || !Number.isSafeInteger(treeSize) || treeSize < 0) throw bad('treeSize');
  if (typeof rootHash !== 'string' || !HEX32.test(rootHash)) throw bad('rootHash');
  if (typeof checkpointHash !== 'string' || !HEX32.test(checkpointHash)) throw bad('checkpointHash');
  if (typeof note !== 'string' || typeof timestampKind !== 'string' || typeof timestampToken !== 'string' || typeof anchoredAt !== 'string') {
    throw bad('field types');
  }
  return { treeSize, rootHash, checkpointHash, note, timestampKind, timestampToken, anchoredAt };
}

/**
 * Anchor sink writing one canonical-JSON line per checkpoint to a local file,
 * fsync'd after each append. Put the file on storage in another trust domain
 * than the database (another host or volume, ideally append-only or WORM such
 * as `chattr +a`, an object-lock bucket mount, or a remote syslog sink): an
 * anchor the database administrator can rewrite proves nothing.
 */
export class FileAnchorSink implements AnchorSink {
  /** @param path - JSONL file, created on first append. */
  constructor(readonly path: string) {}

  async append(record: AnchorRecord): Promise<void> {
    const line = canonicalJson(record);
    parseAnchorRecord(line);
    const created = !existsSync(this.path);
    const fd = openSync(this.path, 'a', 0o644);
    try {
      writeSync(fd, `${line}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (created) {
      // Make the new directory entry durable too.
      const dfd = openSync(dirname(this.path), 'r');
      try {
        fsyncSync(dfd);
      } finally {
        closeSync(dfd);
      }
    }
  }

  async *readAll(): AsyncIterable<AnchorRecord> {
    if (!existsSync(this.path)) return;
    const rl = createInterface({ input: createReadStream(this.path, { encoding: 'utf8' }), crlfDelay: Infinity });
    let n = 0;
    for await (const line of rl) {
      n++;
      yield parseAnchorRecord(line, n);
    }
  }
}
