import { open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { scanSpoolBytes, SPOOL_FILE_PREFIX, spoolLineHash, SPOOL_GENESIS, type SpoolFilePrefix } from '@auditstack/evidence';

/**
 * The gateway's JSONL files as the operations actions see them. The line
 * format has one home, `@auditstack/evidence` (`spool-format.util`, shared
 * with the gateway's `JsonlSpool`): `{v, type, record, spooled_at, prev_hash,
 * hash}` where `hash` = SHA-256 of the canonical JSON (RFC 8785) of the line
 * without `hash`, and `prev_hash` is the previous line's hash (64 zeros
 * first). Compacted files keep that rule, with extra fields naming each
 * line's source.
 */

export type JsonlPrefix = SpoolFilePrefix;
export const JSONL_PREFIXES: readonly JsonlPrefix[] = Object.values(SPOOL_FILE_PREFIX);

export const GENESIS_HASH = SPOOL_GENESIS;

const DAILY = /^(lifecycle|tool_audit|gateway_markers|observability|cluster_audit)_(\d{4}-\d{2}-\d{2})\.jsonl(\.gz)?$/;
const COMPACT = /^(lifecycle|tool_audit|gateway_markers|observability|cluster_audit)_(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})\.compact\.jsonl(\.gz)?$/;

export interface JsonlFile {
  readonly name: string;
  readonly prefix: JsonlPrefix;
  /** First and last UTC day the file covers (equal for a daily file). */
  readonly firstDay: string;
  readonly lastDay: string;
  readonly gz: boolean;
  readonly compacted: boolean;
}

/** A daily file (`tool_audit_2026-01-31.jsonl[.gz]`) or a compacted one (`tool_audit_2026-01-01_2026-01-31.compact.jsonl[.gz]`); null for anything else. */
export function parseJsonlName(name: string): JsonlFile | null {
  const d = DAILY.exec(name);
  if (d) return { name, prefix: d[1] as JsonlPrefix, firstDay: d[2]!, lastDay: d[2]!, gz: d[3] === '.gz', compacted: false };
  const c = COMPACT.exec(name);
  if (c) return { name, prefix: c[1] as JsonlPrefix, firstDay: c[2]!, lastDay: c[3]!, gz: c[4] === '.gz', compacted: true };
  return null;
}

/** The JSONL files of `dir` (none when it does not exist), sorted by name. */
export async function listJsonlFiles(dir: string): Promise<JsonlFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .sort()
    .map(parseJsonlName)
    .filter((f): f is JsonlFile => f !== null);
}

/** The file's text (gunzipped when `.gz`). */
export async function readJsonlText(dir: string, file: JsonlFile): Promise<string> {
  const raw = await readFile(join(dir, file.name));
  return (file.gz ? gunzipSync(raw) : raw).toString('utf8');
}

/** One verified line. */
export interface ChainLine {
  readonly type: string;
  readonly record: Record<string, unknown>;
  readonly spooled_at: string;
  readonly hash: string;
}

export type ChainResult =
  { readonly ok: true; readonly lines: ChainLine[]; readonly lastHash: string } | { readonly ok: false; readonly line: number; readonly reason: string };

export const lineHash = spoolLineHash;

/**
 * Verifies a file's hash chain line by line (strict: cleanup and compaction
 * keep a file with any bad line as evidence). A last line without its newline
 * is a write torn by a crash, never acknowledged: ignored, as the gateway
 * ignores (and cuts) it.
 */
export function verifyChain(text: string): ChainResult {
  const views = scanSpoolBytes(Buffer.from(text, 'utf8'));
  const lines: ChainLine[] = [];
  for (const v of views) {
    if (v.bad) return { ok: false, line: v.index + 1, reason: v.bad };
    if (v.chainBreak) return { ok: false, line: v.index + 1, reason: 'prev_hash does not match the previous line' };
    const parsed = JSON.parse(v.raw) as Record<string, unknown>;
    lines.push({ type: v.record!.type, record: v.record!.record, spooled_at: String(parsed['spooled_at']), hash: v.key });
  }
  return { ok: true, lines, lastHash: lines.length > 0 ? lines[lines.length - 1]!.hash : GENESIS_HASH };
}

/**
 * Whether every line of a plain `.jsonl` file is in PostgreSQL: the gateway's
 * `auto` backend records replay progress in `<file>.replayed` (`{lines, hash}`,
 * written after each committed chunk). Fully replayed = the recorded count
 * covers every line and the recorded hash is that line's hash.
 */
export async function isFullyReplayed(dir: string, name: string, lines: readonly ChainLine[]): Promise<boolean> {
  if (lines.length === 0) return true;
  try {
    const progress = JSON.parse(await readFile(join(dir, `${name}.replayed`), 'utf8')) as { lines?: unknown; hash?: unknown };
    if (typeof progress.lines !== 'number' || progress.lines < lines.length) return false;
    return progress.hash === lines[lines.length - 1]!.hash;
  } catch {
    return false;
  }
}

/** fsync a directory, so a rename or unlink in it is durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `data` to `path` durably and atomically: a temp file, fsync, rename, fsync of the folder. */
export async function writeFileDurable(path: string, data: string | Buffer, mode = 0o600): Promise<void> {
  const temp = `${path}.tmp`;
  const handle = await open(temp, 'w', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
  await fsyncDir(join(path, '..'));
}

/** Removes a file and its replay-progress sidecar (if any). */
export async function removeWithSidecar(dir: string, name: string): Promise<void> {
  await unlink(join(dir, name));
  await unlink(join(dir, `${name}.replayed`)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await fsyncDir(dir);
}

/** `YYYY-MM-DD` of a date, in UTC. */
export const utcDay = (d: Date): string => d.toISOString().slice(0, 10);

/** Whole days from UTC day `a` to UTC day `b` (both `YYYY-MM-DD`). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** The UTC day `n` days after `day`. */
export function addDays(day: string, n: number): string {
  return utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000));
}

/**
 * Tool-event records of the JSONL files that may hold events with `ts` in
 * `[fromDay, toDay]` (files are named by the day they were written, so one day
 * on either side is read too), deduplicated by `event_id` like PostgreSQL.
 * A line that does not verify is left out (never read as data) and its file
 * listed in `broken` with the count; the file's other lines are read, as the
 * gateway's replay does (the bad line is quarantined there).
 */
export async function readToolRecords(
  dir: string,
  fromDay: string,
  toDay: string,
): Promise<{ records: Record<string, unknown>[]; files: string[]; broken: string[] }> {
  const lo = addDays(fromDay, -1);
  const hi = addDays(toDay, 1);
  const seen = new Set<string>();
  const records: Record<string, unknown>[] = [];
  const files: string[] = [];
  const broken: string[] = [];
  for (const f of await listJsonlFiles(dir)) {
    if (f.prefix !== 'tool_audit' || f.lastDay < lo || f.firstDay > hi) continue;
    const views = scanSpoolBytes(Buffer.from(await readJsonlText(dir, f), 'utf8'));
    const bad = views.filter((v) => v.bad);
    const breaks = views.filter((v) => v.chainBreak);
    if (bad.length > 0) broken.push(`${f.name} (${bad.length} line(s) left out, first at line ${bad[0]!.index + 1}: ${bad[0]!.bad})`);
    else if (breaks.length > 0) broken.push(`${f.name} (line ${breaks[0]!.index + 1}: prev_hash does not match the previous line; a line is missing)`);
    files.push(f.name);
    for (const v of views) {
      if (!v.record || v.record.type !== 'tool') continue;
      const id = String(v.record.record['event_id']);
      if (seen.has(id)) continue;
      seen.add(id);
      records.push(v.record.record);
    }
  }
  return { records, files, broken };
}
