import { createHash } from 'node:crypto';
import { chmod, mkdir, open, readdir, readFile, rename, stat, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson } from '@auditstack/evidence';

/** What one spool line carries. */
export type SpoolRecordType = 'lifecycle' | 'tool' | 'marker';

export interface SpoolRecord {
  readonly type: SpoolRecordType;
  /** The stored row as JSON (timestamps as ISO-8601 strings). */
  readonly record: Record<string, unknown>;
}

/** One line of a spool file. `hash` = SHA-256 of the canonical JSON of the line without `hash`. */
interface SpoolLine {
  v: 1;
  type: SpoolRecordType;
  record: Record<string, unknown>;
  spooled_at: string;
  prev_hash: string;
  hash: string;
}

/** Durable replay progress of one file (`<file>.replayed`). */
interface ReplayProgress {
  lines: number;
  hash: string;
}

const GENESIS = '0'.repeat(64);
const FILE_PREFIX: Record<SpoolRecordType, string> = { lifecycle: 'lifecycle', tool: 'tool_audit', marker: 'gateway_markers' };
const SPOOL_FILE = /^(lifecycle|tool_audit|gateway_markers)_(\d{4}-\d{2}-\d{2})\.jsonl$/;

/** Thrown when a spool file's hash chain does not verify (edited, truncated in the middle, reordered). */
export class SpoolChainError extends Error {
  override readonly name = 'SpoolChainError';
}

function lineHash(line: Omit<SpoolLine, 'hash'>): string {
  return createHash('sha256').update(canonicalJson(line)).digest('hex');
}

/**
 * Daily JSONL files, one per record type (`tool_audit_YYYY-MM-DD.jsonl`,
 * `lifecycle_YYYY-MM-DD.jsonl`, `gateway_markers_YYYY-MM-DD.jsonl`), in a
 * directory of mode 0700. Each file is hash-chained line by line
 * (`prev_hash` → `hash`), and an append resolves only after fsync — the
 * acknowledgement rule of the JSONL backend and of the `auto` spool.
 *
 * Replay progress is kept beside each file in `<file>.replayed` (line count
 * and that line's hash), written atomically after each committed chunk, so a
 * crash mid-replay replays at most one chunk again — harmless, because replay
 * into PostgreSQL is idempotent by event id.
 */
export class JsonlSpool {
  private readonly heads = new Map<string, { handle: FileHandle; prevHash: string; size: number }>();
  private writing: Promise<unknown> = Promise.resolve();
  private pendingBytesCache = 0;

  constructor(readonly dir: string) {}

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    // mkdir's mode is masked by umask and ignored for an existing folder: enforce it.
    await chmod(this.dir, 0o700);
    await this.refreshPendingBytes();
  }

  /** Bytes of spool files not yet fully replayed (the `spool_bytes` gauge). */
  get pendingBytes(): number {
    return this.pendingBytesCache;
  }

  /** Appends records (chained, fsync'ed) and resolves once they are durable. Appends are serialised. */
  append(records: readonly SpoolRecord[], now = new Date()): Promise<void> {
    const run = this.writing.then(() => this.appendNow(records, now));
    this.writing = run.catch(() => undefined);
    return run;
  }

  private async appendNow(records: readonly SpoolRecord[], now: Date): Promise<void> {
    const byFile = new Map<string, SpoolRecord[]>();
    const day = now.toISOString().slice(0, 10);
    for (const r of records) {
      const file = `${FILE_PREFIX[r.type]}_${day}.jsonl`;
      const list = byFile.get(file);
      if (list) list.push(r);
      else byFile.set(file, [r]);
    }
    const spooledAt = now.toISOString();
    for (const [file, list] of byFile) {
      const head = await this.head(file);
      let prev = head.prevHash;
      let text = '';
      for (const r of list) {
        const body = { v: 1 as const, type: r.type, record: r.record, spooled_at: spooledAt, prev_hash: prev };
        const hash = lineHash(body);
        text += `${JSON.stringify({ ...body, hash })}\n`;
        prev = hash;
      }
      const buffer = Buffer.from(text, 'utf8');
      await head.handle.write(buffer, 0, buffer.length, head.size);
      await head.handle.datasync();
      head.size += buffer.length;
      head.prevHash = prev;
      this.pendingBytesCache += buffer.length;
    }
  }

  /** Opens (or creates) a file for appending and recovers its chain head; a torn last line (crash mid-write) is cut off. */
  private async head(file: string): Promise<{ handle: FileHandle; prevHash: string; size: number }> {
    const known = this.heads.get(file);
    if (known) return known;
    const path = join(this.dir, file);
    let prevHash = GENESIS;
    let size = 0;
    try {
      const text = await readFile(path, 'utf8');
      const end = text.lastIndexOf('\n') + 1;
      if (end < text.length) await truncate(path, Buffer.byteLength(text.slice(0, end), 'utf8'));
      const lines = text.slice(0, end).split('\n').filter((l) => l !== '');
      const last = lines[lines.length - 1];
      if (last) prevHash = (JSON.parse(last) as SpoolLine).hash;
      size = Buffer.byteLength(text.slice(0, end), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const handle = await open(path, 'a', 0o600);
    const head = { handle, prevHash, size };
    this.heads.set(file, head);
    return head;
  }

  /** Spool files (by name, oldest day first; markers before events of the same day) with lines not yet replayed. */
  async pendingFiles(): Promise<string[]> {
    const names = (await readdir(this.dir)).filter((n) => SPOOL_FILE.test(n));
    const order = (n: string): string => {
      const m = SPOOL_FILE.exec(n)!;
      return `${m[2]}-${m[1] === 'gateway_markers' ? 0 : 1}-${m[1]}`;
    };
    const out: string[] = [];
    for (const name of names.sort((a, b) => order(a).localeCompare(order(b)))) {
      const progress = await this.progress(name);
      const size = (await stat(join(this.dir, name))).size;
      if (size > 0 && !(await this.fullyReplayed(name, progress))) out.push(name);
    }
    return out;
  }

  private async fullyReplayed(name: string, progress: ReplayProgress): Promise<boolean> {
    const text = await readFile(join(this.dir, name), 'utf8');
    return text.split('\n').filter((l) => l.endsWith('}')).length <= progress.lines;
  }

  /**
   * The lines of `name` not yet replayed, after verifying the file's whole
   * hash chain (and that the replayed prefix is the one recorded).
   *
   * @throws SpoolChainError when the chain is broken.
   */
  async readPending(name: string): Promise<{ records: SpoolRecord[]; from: number; hashes: string[] }> {
    const text = await readFile(join(this.dir, name), 'utf8');
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    const lines = complete.split('\n').filter((l) => l !== '');
    const progress = await this.progress(name);
    let prev = GENESIS;
    const hashes: string[] = [];
    const records: SpoolRecord[] = [];
    lines.forEach((raw, i) => {
      let line: SpoolLine;
      try {
        line = JSON.parse(raw) as SpoolLine;
      } catch {
        throw new SpoolChainError(`${name}: line ${i + 1} is not JSON`);
      }
      const { hash, ...body } = line;
      if (body.prev_hash !== prev || lineHash(body) !== hash) throw new SpoolChainError(`${name}: hash chain broken at line ${i + 1}`);
      prev = hash;
      hashes.push(hash);
      if (i >= progress.lines) records.push({ type: body.type, record: body.record });
    });
    if (progress.lines > 0 && hashes[progress.lines - 1] !== progress.hash) {
      throw new SpoolChainError(`${name}: replayed prefix (${progress.lines} lines) no longer matches its recorded hash`);
    }
    return { records, from: progress.lines, hashes };
  }

  /** Records durably that the first `lines` lines of `name` are in PostgreSQL (write temp, fsync, rename). */
  async markReplayed(name: string, lines: number, hash: string): Promise<void> {
    const target = join(this.dir, `${name}.replayed`);
    const temp = `${target}.tmp`;
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify({ lines, hash } satisfies ReplayProgress));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
    const dir = await open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  private async progress(name: string): Promise<ReplayProgress> {
    try {
      const parsed = JSON.parse(await readFile(join(this.dir, `${name}.replayed`), 'utf8')) as Partial<ReplayProgress>;
      return { lines: typeof parsed.lines === 'number' ? parsed.lines : 0, hash: typeof parsed.hash === 'string' ? parsed.hash : '' };
    } catch {
      return { lines: 0, hash: '' };
    }
  }

  /** Recomputes {@link pendingBytes} from the files on disk. */
  async refreshPendingBytes(): Promise<void> {
    let total = 0;
    for (const name of await this.pendingFiles()) total += (await stat(join(this.dir, name))).size;
    this.pendingBytesCache = total;
  }

  async close(): Promise<void> {
    await this.writing;
    for (const head of this.heads.values()) await head.handle.close().catch(() => undefined);
    this.heads.clear();
  }
}
