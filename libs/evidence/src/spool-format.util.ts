import { createHash } from 'node:crypto';
import { canonicalJson } from './hash.util';

/**
 * The JSONL spool format — one home for the gateway (which writes and replays
 * it) and the engine's operations (cleanup, compaction, digests that read it).
 * Pure: text in, verdicts out; no file I/O.
 *
 * A file holds one record per line:
 * `{"v":1,"type","record","spooled_at","prev_hash","hash"}` where `hash` is
 * the SHA-256 (hex) of the canonical JSON (RFC 8785) of the line without
 * `hash`, and `prev_hash` is the previous line's `hash` (64 zeros for the
 * first line): each file is a hash chain.
 *
 * Names: `<prefix>_<YYYY-MM-DD>.jsonl` (where appends go) or
 * `<prefix>_<YYYY-MM-DD>.<tag>.jsonl` (a file set aside and brought back to be
 * replayed), prefix `lifecycle` | `tool_audit` | `gateway_markers` | `observability` | `cluster_audit`. Next to a
 * file: `<file>.replayed` (replay progress: `{lines, hash, bytes?}`), and
 * lines that could not be replayed are copied to `quarantine/<file>`.
 */

/** What a spool line carries. */
export type SpoolRecordType = 'lifecycle' | 'tool' | 'marker' | 'observability' | 'cluster';

/** One record of a spool line. */
export interface SpoolRecord {
  readonly type: SpoolRecordType;
  /** The stored row as JSON (timestamps as ISO-8601 strings). */
  readonly record: Record<string, unknown>;
}

/** `prev_hash` of a file's first line. */
export const SPOOL_GENESIS = '0'.repeat(64);

/** The prefix of a spool file name (one per record type). */
export type SpoolFilePrefix = 'lifecycle' | 'tool_audit' | 'gateway_markers' | 'observability' | 'cluster_audit';

/** File prefix of each record type. */
export const SPOOL_FILE_PREFIX: Readonly<Record<SpoolRecordType, SpoolFilePrefix>> = {
  lifecycle: 'lifecycle',
  tool: 'tool_audit',
  marker: 'gateway_markers',
  observability: 'observability',
  cluster: 'cluster_audit',
};

/** A spool file name: prefix, UTC day, optional tag. */
export const SPOOL_FILE_PATTERN = /^(lifecycle|tool_audit|gateway_markers|observability|cluster_audit)_(\d{4}-\d{2}-\d{2})(?:\.([A-Za-z0-9_-]{1,64}))?\.jsonl$/;

/** The parts of a spool file name, or null for any other name. */
export function parseSpoolFileName(name: string): { prefix: SpoolFilePrefix; day: string; tag: string | null } | null {
  const m = SPOOL_FILE_PATTERN.exec(name);
  return m ? { prefix: m[1] as SpoolFilePrefix, day: m[2]!, tag: m[3] ?? null } : null;
}

/** Folder (inside the spool folder) of lines that could not be replayed. */
export const SPOOL_QUARANTINE_DIR = 'quarantine';

const RECORD_TYPES: ReadonlySet<string> = new Set(Object.keys(SPOOL_FILE_PREFIX));

/** `hash` of a line: SHA-256 (hex) of the canonical JSON of the line without `hash`. */
export function spoolLineHash(body: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Encodes records as chained lines after `prevHash`; returns the text (each line ending in `\n`) and the new chain head. */
export function encodeSpoolLines(records: readonly SpoolRecord[], prevHash: string, spooledAt: string): { text: string; lastHash: string } {
  let prev = prevHash;
  let text = '';
  for (const r of records) {
    const body = { v: 1 as const, type: r.type, record: r.record, spooled_at: spooledAt, prev_hash: prev };
    const hash = spoolLineHash(body);
    text += `${JSON.stringify({ ...body, hash })}\n`;
    prev = hash;
  }
  return { text, lastHash: prev };
}

/**
 * One complete line of a spool file, judged on its own. `key` is the line's
 * `hash` when it verifies, else the SHA-256 of its raw text; `end` is the
 * byte offset just after it; `bad` says why it cannot be replayed (it goes to
 * quarantine); `chainBreak` flags a line that verifies itself but does not
 * follow the previous one (a line removed or reordered).
 */
export interface SpoolLineView {
  readonly index: number;
  readonly key: string;
  readonly end: number;
  readonly raw: string;
  readonly record?: SpoolRecord;
  readonly bad?: string;
  readonly chainBreak?: boolean;
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The chain head a new line must link to after the line `text`: its `hash`, or the SHA-256 of its raw text when it has none. */
export function spoolChainHeadAfter(text: string): string {
  const parsed = parseObject(text);
  return parsed && typeof parsed['hash'] === 'string' ? parsed['hash'] : sha256Hex(text);
}

/** Judges one line (without its newline); `prev` is the hash it must link to, or null when that is unknown (after a bad line). */
export function viewSpoolLine(text: string, index: number, end: number, prev: string | null): SpoolLineView {
  const parsed = parseObject(text);
  const rawKey = sha256Hex(text);
  if (!parsed) return { index, key: rawKey, end, raw: text, bad: 'not a JSON object' };
  const { hash, ...body } = parsed;
  if (typeof hash !== 'string' || spoolLineHash(body) !== hash) return { index, key: rawKey, end, raw: text, bad: 'hash does not match the line' };
  const type = body['type'];
  const record = body['record'];
  if (typeof type !== 'string' || !RECORD_TYPES.has(type)) return { index, key: hash, end, raw: text, bad: 'unknown record type' };
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return { index, key: hash, end, raw: text, bad: 'no record object' };
  const chainBreak = prev !== null && body['prev_hash'] !== prev;
  return {
    index,
    key: hash,
    end,
    raw: text,
    record: { type: type as SpoolRecordType, record: record as Record<string, unknown> },
    ...(chainBreak ? { chainBreak } : {}),
  };
}

/**
 * Every complete line of a file's bytes (a last line without its newline is
 * a torn write, never acknowledged: left out), each judged on its own and
 * against the chain. A line glued to the torn bytes of an earlier failed
 * write (files written with `O_APPEND` before the torn-tail cut existed) is
 * split: the trailing complete line is recovered, the bytes before it are
 * reported bad.
 */
export function scanSpoolBytes(raw: Uint8Array): SpoolLineView[] {
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const end = buf.lastIndexOf(0x0a) + 1;
  const out: SpoolLineView[] = [];
  let offset = 0;
  let prev: string | null = SPOOL_GENESIS;
  const push = (text: string, lineEnd: number): void => {
    const view = viewSpoolLine(text, out.length, lineEnd, prev);
    out.push(view);
    // After a bad line the next link cannot be checked unless the bad line still names its own hash.
    prev = view.bad ? ((parseObject(text)?.['hash'] as string | undefined) ?? null) : view.key;
  };
  while (offset < end) {
    const nl = buf.indexOf(0x0a, offset);
    const text = buf.subarray(offset, nl).toString('utf8');
    const lineEnd = nl + 1;
    offset = lineEnd;
    if (text === '') continue;
    const glued = text.lastIndexOf('{"v":1,');
    if (glued > 0 && parseObject(text) === null && parseObject(text.slice(glued)) !== null) {
      push(text.slice(0, glued), lineEnd - 1 - Buffer.byteLength(text.slice(glued), 'utf8'));
      push(text.slice(glued), lineEnd);
    } else push(text, lineEnd);
  }
  return out;
}

/** A file's recorded replay progress (`<file>.replayed`), tolerant of a missing or damaged file (then: nothing replayed). */
export interface SpoolReplayProgress {
  readonly lines: number;
  readonly hash: string;
  readonly bytes?: number;
}

export function parseSpoolProgress(text: string | null): SpoolReplayProgress {
  const parsed = text === null ? null : parseObject(text);
  if (!parsed) return { lines: 0, hash: '' };
  return {
    lines: typeof parsed['lines'] === 'number' ? parsed['lines'] : 0,
    hash: typeof parsed['hash'] === 'string' ? parsed['hash'] : '',
    ...(typeof parsed['bytes'] === 'number' ? { bytes: parsed['bytes'] } : {}),
  };
}

/** Whether `lines` (a scan of the whole file) are all handled by `progress`: it covers every line and the last one's key matches. */
export function spoolFullyReplayed(lines: readonly SpoolLineView[], progress: SpoolReplayProgress): boolean {
  if (lines.length === 0) return true;
  return progress.lines >= lines.length && progress.hash === lines[lines.length - 1]!.key;
}
