import { constants } from 'node:fs';
import { chmod, mkdir, open, readdir, readFile, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import {
  encodeSpoolLines,
  parseSpoolFileName,
  parseSpoolProgress,
  scanSpoolBytes,
  spoolChainHeadAfter,
  viewSpoolLine,
  SPOOL_FILE_PATTERN,
  SPOOL_FILE_PREFIX,
  SPOOL_GENESIS,
  SPOOL_QUARANTINE_DIR,
  type SpoolLineView,
  type SpoolRecord,
  type SpoolReplayProgress,
} from '@auditstack/evidence';
import { EVENT_KINDS, LEDGER_KINDS, type EventKind } from '@auditstack/audit-core';

// The line format, names and progress format live in @auditstack/evidence (spool-format.util), shared with the engine's operations.
export type { SpoolLineView, SpoolRecord, SpoolRecordType } from '@auditstack/evidence';
export const QUARANTINE_DIR = SPOOL_QUARANTINE_DIR;

/** errno codes of a spool write that mean "cannot take writes now" (answered 503, nothing acknowledged). */
const STORAGE_ERRNOS: ReadonlySet<string> = new Set([
  'ENOSPC',
  'EDQUOT',
  'EIO',
  'EROFS',
  'EFBIG',
  'ENOMEM',
  'EAGAIN',
  'EACCES',
  'EPERM',
  'ENOENT',
  'EBADF',
  'EMFILE',
  'ENFILE',
]);

/** Thrown when a spool append did not become durable: nothing in it may be acknowledged. */
export class SpoolWriteError extends Error {
  override readonly name = 'SpoolWriteError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** Head of an open spool file: the descriptor, the identity of the file it has open, where the next line goes and the chain head. */
interface Head {
  handle: FileHandle;
  dev: number;
  ino: number;
  size: number;
  prevHash: string;
  /** A write failed and the cut of its torn bytes could not be confirmed: re-read the tail before the next append. */
  dirty: boolean;
}

/**
 * Daily JSONL files, one per record type (`tool_audit_YYYY-MM-DD.jsonl`,
 * `lifecycle_YYYY-MM-DD.jsonl`, `gateway_markers_YYYY-MM-DD.jsonl`), in a
 * directory of mode 0700. Each file is hash-chained line by line
 * (`prev_hash` → `hash`).
 *
 * Durability rule (the acknowledgement rule of the JSONL backend and of the
 * `auto` spool): an append writes every byte (short writes are looped), at
 * the offset it tracks itself (never `O_APPEND`), then fdatasync's, and only
 * then resolves. When a write or the sync fails (ENOSPC, EIO, EROFS…), the
 * torn bytes are cut off (truncate to the last complete line) and
 * {@link SpoolWriteError} is thrown: the caller answers 503 and acknowledges
 * nothing. Before each append the path is stat'ed and compared with the open
 * descriptor (device and inode, size): a file renamed, deleted, replaced or
 * truncated under the running gateway is detected, and a new file is opened
 * (or the tail re-read) instead of writing into a file nobody will read.
 *
 * Replay progress is kept beside each file in `<file>.replayed` (line count,
 * that line's key and byte offset), written atomically after each committed
 * chunk, so a crash mid-replay replays at most one chunk again — harmless,
 * because replay into PostgreSQL is idempotent by event id. A progress file
 * that does not match its file (the file was replaced) means "replay from the
 * start", never "skip".
 */
export class JsonlSpool {
  private readonly heads = new Map<string, Head>();
  private writing: Promise<unknown> = Promise.resolve();
  private pendingBytesCache = 0;
  /** A file changed under the gateway (renamed, replaced, truncated, appended to): recount {@link pendingBytes} after this append. */
  private stale = false;
  /** Event ids stored in the spool, per kind (only when `trackIds`: the JSONL backend's idempotency). */
  private readonly ids: Record<EventKind, Set<string>> | null;
  private readonly log: (message: string) => void;

  constructor(
    readonly dir: string,
    options: { trackIds?: boolean; log?: (message: string) => void } = {},
  ) {
    this.ids = options.trackIds ? { lifecycle: new Set(), tool: new Set(), observability: new Set(), cluster: new Set() } : null;
    this.log = options.log ?? (() => undefined);
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    // mkdir's mode is masked by umask and ignored for an existing folder: enforce it.
    await chmod(this.dir, 0o700);
    if (this.ids) {
      for (const name of await this.spoolFiles()) {
        for (const line of await this.scan(name)) {
          const r = line.record;
          if (r && r.type !== LEDGER_KINDS.marker && typeof r.record['event_id'] === 'string') this.ids[r.type].add(r.record['event_id']);
        }
      }
    }
    await this.refreshPendingBytes();
  }

  /** Bytes of spool lines not yet replayed into PostgreSQL (the `spool_bytes` gauge). */
  get pendingBytes(): number {
    return this.pendingBytesCache;
  }

  /** Whether an event id is already in the spool (JSONL backend only; false when ids are not tracked). */
  has(kind: EventKind, eventId: string): boolean {
    return this.ids?.[kind].has(eventId) ?? false;
  }

  /**
   * Appends records (chained, fully written, fdatasync'ed) and resolves once they are durable. Appends are serialised.
   *
   * @throws SpoolWriteError when they are not durable (nothing may be acknowledged).
   */
  append(records: readonly SpoolRecord[], now = new Date()): Promise<void> {
    return this.exclusive(() => this.appendNow(records, now));
  }

  /** Runs `fn` alone with respect to appends (replay reads a file's lines this way, never mid-write). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writing.then(fn);
    this.writing = run.catch(() => undefined);
    return run;
  }

  private async appendNow(records: readonly SpoolRecord[], now: Date): Promise<void> {
    const byFile = new Map<string, SpoolRecord[]>();
    const day = now.toISOString().slice(0, 10);
    for (const r of records) {
      const file = `${SPOOL_FILE_PREFIX[r.type]}_${day}.jsonl`;
      const list = byFile.get(file);
      if (list) list.push(r);
      else byFile.set(file, [r]);
    }
    const spooledAt = now.toISOString();
    for (const [file, list] of byFile) {
      let head: Head;
      try {
        head = await this.head(file);
      } catch (error) {
        throw toWriteError(error, `cannot open spool file ${file}`);
      }
      const { text, lastHash: prev } = encodeSpoolLines(list, head.prevHash, spooledAt);
      const buffer = Buffer.from(text, 'utf8');
      try {
        await writeFully(head.handle, buffer, head.size);
        await head.handle.datasync();
      } catch (error) {
        // Cut whatever part of the write landed, so the next append starts on a line boundary.
        try {
          await head.handle.truncate(head.size);
          await head.handle.datasync();
        } catch {
          head.dirty = true;
        }
        throw toWriteError(error, `spool write to ${file} failed`);
      }
      head.size += buffer.length;
      head.prevHash = prev;
      this.pendingBytesCache += buffer.length;
      if (this.ids) {
        for (const r of list) if (r.type !== LEDGER_KINDS.marker) this.ids[r.type].add(String(r.record['event_id']));
      }
    }
    if (this.stale) {
      this.stale = false;
      await this.refreshPendingBytes().catch(() => undefined);
    }
  }

  /**
   * The open head of `file`, checked against the path: a file renamed or
   * deleted under the gateway (another inode, or none) is closed and a new one
   * opened; a size that differs from what this process wrote (truncated or
   * appended by someone else), or an earlier failed cut, re-reads the tail.
   */
  private async head(file: string): Promise<Head> {
    const path = join(this.dir, file);
    const known = this.heads.get(file);
    if (known) {
      let current: { dev: number; ino: number; size: number } | null = null;
      try {
        current = await stat(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      if (current && current.dev === known.dev && current.ino === known.ino) {
        if (current.size !== known.size || known.dirty) await this.recoverTail(file, known);
        return known;
      }
      this.log(`spool file ${file} was ${current ? 'replaced' : 'renamed or deleted'} while open; opening a new one`);
      this.stale = true;
      this.heads.delete(file);
      await known.handle.close().catch(() => undefined);
    }
    let exists = true;
    try {
      await stat(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      exists = false;
    }
    // Write-only at offsets this process tracks: no O_APPEND, so a failed write can be cut and never leaves bytes before the next line.
    const handle = await open(path, constants.O_WRONLY | constants.O_CREAT, 0o600);
    try {
      const st = await handle.stat();
      const head: Head = { handle, dev: st.dev, ino: st.ino, size: st.size, prevHash: SPOOL_GENESIS, dirty: false };
      if (exists) await this.recoverTail(file, head);
      else {
        // A new file under a name that may have been used before (moved aside): its old progress and quarantine notes do not apply.
        await unlink(join(this.dir, `${file}.replayed`)).catch(() => undefined);
        await fsyncDir(this.dir);
      }
      this.heads.set(file, head);
      return head;
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  /** Cuts a torn last line (a write that failed or a crash mid-write) and recovers the chain head from the last complete line. */
  private async recoverTail(file: string, head: Head): Promise<void> {
    this.stale = true;
    const raw = await readFile(join(this.dir, file));
    const end = raw.lastIndexOf(0x0a) + 1;
    if (end < raw.length) {
      this.log(`spool file ${file}: cutting a torn last line (${raw.length - end} bytes, never acknowledged)`);
      await head.handle.truncate(end);
      await head.handle.datasync();
    }
    head.size = end;
    head.dirty = false;
    head.prevHash = SPOOL_GENESIS;
    const lines = raw.subarray(0, end).toString('utf8').split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      const last = lines[i]!;
      if (last === '') continue;
      head.prevHash = spoolChainHeadAfter(last);
      break;
    }
  }

  /** Spool file names in the folder, oldest day first; markers before events of the same day. */
  private async spoolFiles(): Promise<string[]> {
    const names = (await readdir(this.dir)).filter((n) => SPOOL_FILE_PATTERN.test(n));
    const order = (n: string): string => {
      const f = parseSpoolFileName(n)!;
      return `${f.day}-${f.prefix === 'gateway_markers' ? 0 : 1}-${f.prefix}-${f.tag ?? ''}`;
    };
    return names.sort((a, b) => order(a).localeCompare(order(b)));
  }

  /** Spool files with lines not yet replayed. */
  async pendingFiles(): Promise<string[]> {
    const out: string[] = [];
    for (const name of await this.spoolFiles()) if ((await this.unreplayedBytes(name)) > 0) out.push(name);
    return out;
  }

  /** Bytes of complete lines of `name` past its recorded replay progress (0 when fully replayed). */
  private async unreplayedBytes(name: string): Promise<number> {
    let raw: Buffer;
    try {
      raw = await readFile(join(this.dir, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    const end = raw.lastIndexOf(0x0a) + 1;
    const progress = await this.progress(name);
    if (progress.lines === 0 || end === 0) return end;
    // Fast path: the line ending at the recorded offset is the recorded one (one hash, not the whole file).
    const at = progress.bytes;
    if (at !== undefined && at > 0 && at <= end && raw[at - 1] === 0x0a) {
      const start = raw.lastIndexOf(0x0a, at - 2) + 1;
      if (viewSpoolLine(raw.subarray(start, at - 1).toString('utf8'), 0, at, null).key === progress.hash) return end - at;
    }
    const lines = await this.scan(name);
    const line = lines[progress.lines - 1];
    return line && line.key === progress.hash ? end - line.end : end;
  }

  /**
   * Every complete line of `name`, each verified on its own (JSON, its hash,
   * a known type, a record object) and against the chain (`prev_hash`). A
   * line glued to the torn bytes of an earlier failed write (files written
   * before the torn-tail cut existed) is split: the trailing complete line is
   * recovered, the garbage before it is reported bad.
   */
  async scan(name: string): Promise<SpoolLineView[]> {
    return scanSpoolBytes(await readFile(join(this.dir, name)));
  }

  /**
   * The lines of `name` not yet replayed (read between appends, never
   * mid-write). A recorded progress that no longer matches the file (replaced,
   * edited) restarts from line 0: replay is idempotent, skipping is not.
   */
  async readPending(name: string): Promise<{ lines: SpoolLineView[]; from: number; restarted: boolean }> {
    const lines = await this.exclusive(() => this.scan(name));
    const progress = await this.progress(name);
    if (progress.lines > 0 && lines[progress.lines - 1]?.key !== progress.hash) {
      this.log(`spool file ${name}: recorded replay progress does not match the file; replaying it from the start (idempotent by event id)`);
      return { lines, from: 0, restarted: true };
    }
    return { lines: lines.slice(progress.lines), from: progress.lines, restarted: false };
  }

  /**
   * Tool-event records of the files that may hold events from `fromDay` to
   * `toDay` (files are named by the day they were written: one day on either
   * side is read too), each event id once. Lines that do not verify are
   * skipped and counted, never read as data.
   */
  async toolRecords(fromDay: string, toDay: string): Promise<{ records: Record<string, unknown>[]; files: string[]; skippedLines: number }> {
    const lo = shiftDay(fromDay, -1);
    const hi = shiftDay(toDay, 1);
    const seen = new Set<string>();
    const records: Record<string, unknown>[] = [];
    const files: string[] = [];
    let skippedLines = 0;
    for (const name of await this.spoolFiles()) {
      const f = parseSpoolFileName(name)!;
      if (f.prefix !== 'tool_audit' || f.day < lo || f.day > hi) continue;
      files.push(name);
      for (const line of await this.scan(name)) {
        if (!line.record) {
          skippedLines++;
          continue;
        }
        const id = line.record.record['event_id'];
        if (line.record.type !== EVENT_KINDS.tool || typeof id !== 'string' || seen.has(id)) continue;
        seen.add(id);
        records.push(line.record.record);
      }
    }
    return { records, files, skippedLines };
  }

  /** Records durably that the first `lines` lines of `name` (ending at byte `bytes`) are handled (write temp, fsync, rename). */
  async markReplayed(name: string, lines: number, hash: string, bytes?: number): Promise<void> {
    const target = join(this.dir, `${name}.replayed`);
    await writeDurable(target, JSON.stringify({ lines, hash, ...(bytes !== undefined ? { bytes } : {}) } satisfies SpoolReplayProgress));
    await fsyncDir(this.dir);
  }

  /**
   * Copies a line that cannot be replayed to `quarantine/<file>` (one JSON
   * line: file, line number, key, reason, the raw text), once: a line already
   * there (same file, line and key) is not written again.
   */
  async quarantine(name: string, line: SpoolLineView, reason: string): Promise<void> {
    const qdir = join(this.dir, SPOOL_QUARANTINE_DIR);
    await mkdir(qdir, { recursive: true, mode: 0o700 });
    const path = join(qdir, name);
    let existing = '';
    try {
      existing = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const id = `"line":${line.index + 1},"key":"${line.key}"`;
    if (existing.includes(id)) return;
    const entry = `${JSON.stringify({ file: name, line: line.index + 1, key: line.key, reason, quarantined_at: new Date().toISOString(), raw: line.raw })}\n`;
    // Rewrite whole (temp, fsync, rename): a torn quarantine file is never left behind.
    await writeDurable(path, existing.slice(0, existing.lastIndexOf('\n') + 1) + entry);
    await fsyncDir(qdir);
  }

  private async progress(name: string): Promise<SpoolReplayProgress> {
    try {
      return parseSpoolProgress(await readFile(join(this.dir, `${name}.replayed`), 'utf8'));
    } catch {
      return parseSpoolProgress(null);
    }
  }

  /** Recomputes {@link pendingBytes} from the files on disk. */
  async refreshPendingBytes(): Promise<void> {
    let total = 0;
    for (const name of await this.spoolFiles()) total += await this.unreplayedBytes(name);
    this.pendingBytesCache = total;
  }

  async close(): Promise<void> {
    await this.writing;
    for (const head of this.heads.values()) await head.handle.close().catch(() => undefined);
    this.heads.clear();
  }
}

/** Writes all of `buffer` at `position`, looping on short writes; a write that makes no progress is ENOSPC. */
async function writeFully(handle: FileHandle, buffer: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, done, buffer.length - done, position + done);
    if (bytesWritten <= 0) throw Object.assign(new Error('no space left on device (short write)'), { code: 'ENOSPC' });
    done += bytesWritten;
  }
}

function toWriteError(error: unknown, what: string): SpoolWriteError {
  const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
  return new SpoolWriteError(`${what}: ${STORAGE_ERRNOS.has(code) ? code : `${code} ${(error as Error).message}`}`, code);
}

async function writeDurable(target: string, data: string): Promise<void> {
  const temp = `${target}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, target);
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function shiftDay(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}
