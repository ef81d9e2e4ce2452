import { createHash } from 'node:crypto';
import { open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { canonicalJson } from '@auditstack/evidence';

/**
 * The gateway's JSONL files as the operations actions see them. Line format
 * (apps/gateway `JsonlSpool`): `{v, type, record, spooled_at, prev_hash, hash}`
 * where `hash` = SHA-256 of the canonical JSON (RFC 8785) of the line without
 * `hash`, and `prev_hash` is the previous line's hash (64 zeros first).
 * Compacted files keep that rule, with extra fields naming each line's source.
 */

export type JsonlPrefix = 'lifecycle' | 'tool_audit' | 'gateway_markers';
export const JSONL_PREFIXES: readonly JsonlPrefix[] = ['lifecycle', 'tool_audit', 'gateway_markers'];

export const GENESIS_HASH = '0'.repeat(64);

const DAILY = /^(lifecycle|tool_audit|gateway_markers)_(\d{4}-\d{2}-\d{2})\.jsonl(\.gz)?$/;
const COMPACT = /^(lifecycle|tool_audit|gateway_markers)_(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})\.compact\.jsonl(\.gz)?$/;

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
  | { readonly ok: true; readonly lines: ChainLine[]; readonly lastHash: string }
  | { readonly ok: false; readonly line: number; readonly reason: string };

export function lineHash(body: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/**
 * Verifies a file's hash chain line by line. A last line without its newline
 * is a write torn by a crash, never acknowledged: ignored, as the gateway
 * ignores (and cuts) it.
 */
export function verifyChain(text: string): ChainResult {
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  const raws = complete.split('\n').filter((l) => l !== '');
  let prev = GENESIS_HASH;
  const lines: ChainLine[] = [];
  for (let i = 0; i < raws.length; i++) {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(raws[i]!) as Record<string, unknown>;
    } catch {
      return { ok: false, line: i + 1, reason: 'not JSON' };
    }
    const { hash, ...body } = parsed;
    if (body['prev_hash'] !== prev) return { ok: false, line: i + 1, reason: 'prev_hash does not match the previous line' };
    if (typeof hash !== 'string' || lineHash(body) !== hash) return { ok: false, line: i + 1, reason: 'hash does not match the line' };
    if (typeof body['record'] !== 'object' || body['record'] === null) return { ok: false, line: i + 1, reason: 'no record' };
    prev = hash;
    lines.push({ type: String(body['type']), record: body['record'] as Record<string, unknown>, spooled_at: String(body['spooled_at']), hash });
  }
  return { ok: true, lines, lastHash: prev };
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
 * Files whose chain does not verify are reported, not read.
 */
export async function readToolRecords(dir: string, fromDay: string, toDay: string): Promise<{ records: Record<string, unknown>[]; files: string[]; broken: string[] }> {
  const lo = addDays(fromDay, -1);
  const hi = addDays(toDay, 1);
  const seen = new Set<string>();
  const records: Record<string, unknown>[] = [];
  const files: string[] = [];
  const broken: string[] = [];
  for (const f of await listJsonlFiles(dir)) {
    if (f.prefix !== 'tool_audit' || f.lastDay < lo || f.firstDay > hi) continue;
    const chain = verifyChain(await readJsonlText(dir, f));
    if (!chain.ok) {
      broken.push(`${f.name} (line ${chain.line}: ${chain.reason})`);
      continue;
    }
    files.push(f.name);
    for (const line of chain.lines) {
      const id = String(line.record['event_id']);
      if (line.type !== 'tool' || seen.has(id)) continue;
      seen.add(id);
      records.push(line.record);
    }
  }
  return { records, files, broken };
}
