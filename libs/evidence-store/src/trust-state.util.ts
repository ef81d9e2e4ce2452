import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { EvidenceError } from '@auditstack/evidence';
import { ensureDir } from './fs-dir.util';

/** What a service saw of one anchor file after its last append. */
export interface AnchorSeen {
  /** File size in bytes. */
  readonly bytes: number;
  /** SHA-256 (hex) of the last line ending at `bytes` (without its newline). */
  readonly last_line_sha256: string;
  readonly at: string;
}

/**
 * The trust state (`EVIDENCE_TRUST_STATE_FILE`): what the services last saw,
 * kept outside the database so that a rollback of the database together with a
 * cut-short or deleted anchor file does not pass as a shorter, consistent
 * history. Written after every anchored checkpoint; read by `verify`.
 */
export interface TrustState {
  readonly version: 1;
  /** Newest checkpoint this host made (tree size and hash hex). */
  readonly checkpoint: { readonly tree_size: number; readonly hash: string; readonly at: string } | null;
  /** Per anchor file (absolute path): moving to a new file starts a new entry, the old one is kept. */
  readonly anchors: Readonly<Record<string, AnchorSeen>>;
}

/**
 * Reads the trust state, or null when the file does not exist.
 *
 * @throws EvidenceError `MALFORMED_INPUT` when it exists but is not a trust state.
 */
export function readTrustState(path: string): TrustState | null {
  if (!existsSync(path)) return null;
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new EvidenceError('MALFORMED_INPUT', `trust state ${path} is not JSON (${(err as Error).message})`, { path });
  }
  const s = v as Partial<TrustState> | null;
  if (!s || s.version !== 1 || typeof s.anchors !== 'object' || s.anchors === null || (s.checkpoint !== null && typeof s.checkpoint !== 'object')) {
    throw new EvidenceError('MALFORMED_INPUT', `trust state ${path} is not a version 1 trust state`, { path });
  }
  return s as TrustState;
}

/** Replaces the trust state atomically (temporary file, fsync by rename). */
export function writeTrustState(path: string, state: TrustState): void {
  ensureDir(dirname(path));
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

/**
 * The size of an anchor file and the hash of its last complete line, read
 * from one snapshot of its size (the file only grows: bytes past the size are
 * other appends). Null when it does not exist or holds no complete line.
 */
export function anchorTail(path: string): { bytes: number; lastLineSha256: string } | null {
  if (!existsSync(path)) return null;
  const fd = openSync(path, 'r');
  try {
    const bytes = fstatSync(fd).size;
    const hash = lineEndingAt(fd, bytes);
    return hash === null ? null : { bytes, lastLineSha256: hash };
  } finally {
    closeSync(fd);
  }
}

/** SHA-256 of the line that ends (with its `\n`) at byte offset `end`, or null when byte `end - 1` is not a newline. */
function lineEndingAt(fd: number, end: number): string | null {
  if (end <= 0) return null;
  const chunk = 64 * 1024;
  let buf = Buffer.alloc(0);
  let pos = end;
  for (;;) {
    const from = Math.max(0, pos - chunk);
    const part = Buffer.alloc(pos - from);
    readSync(fd, part, 0, part.length, from);
    buf = Buffer.concat([part, buf]);
    pos = from;
    if (buf[buf.length - 1] !== 0x0a) return null;
    const start = buf.lastIndexOf(0x0a, buf.length - 2);
    if (start >= 0 || pos === 0)
      return createHash('sha256')
        .update(buf.subarray(start + 1, buf.length - 1))
        .digest('hex');
    if (buf.length > 4 * 1024 * 1024) return null;
  }
}

/**
 * Compares an anchor file with what the trust state saw of it: it must still
 * be at least as long, and the line that ended at the recorded size must be
 * unchanged (so lines cut from its end, or from its start, are both caught).
 * Returns the finding's detail, or null when the file is as seen or longer.
 */
export function anchorRegression(path: string, seen: AnchorSeen): string | null {
  if (!existsSync(path)) return `anchor file ${path} is missing; the trust state saw ${seen.bytes} bytes on ${seen.at}`;
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size < seen.bytes) return `anchor file ${path} has ${size} bytes; the trust state saw ${seen.bytes} on ${seen.at} (cut short)`;
    if (lineEndingAt(fd, seen.bytes) !== seen.last_line_sha256)
      return `anchor file ${path}: the line that ended at byte ${seen.bytes} on ${seen.at} is not there any more (rewritten)`;
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * Records, after an anchored checkpoint, what this host now sees: the newest
 * checkpoint and the anchor file's size and last line. Never moves backwards
 * (a concurrent writer may have recorded a later state of the same file).
 */
export function recordTrustState(path: string, anchorFile: string, checkpoint: { treeSize: number; hash: string }, now: Date): void {
  let current: TrustState | null = null;
  try {
    current = readTrustState(path);
  } catch {
    current = null;
  }
  const file = resolve(anchorFile);
  const tail = anchorTail(file);
  const anchors: Record<string, AnchorSeen> = { ...(current?.anchors ?? {}) };
  const prev = anchors[file];
  if (tail && (!prev || tail.bytes >= prev.bytes)) anchors[file] = { bytes: tail.bytes, last_line_sha256: tail.lastLineSha256, at: now.toISOString() };
  const cp =
    current?.checkpoint && current.checkpoint.tree_size > checkpoint.treeSize
      ? current.checkpoint
      : { tree_size: checkpoint.treeSize, hash: checkpoint.hash, at: now.toISOString() };
  writeTrustState(path, { version: 1, checkpoint: cp, anchors });
}
