import { z } from 'zod';
import { decodeCursor, encodeCursor } from '@auditstack/audit-core';

/** Keyset position: the last row's `ts` (as PostgreSQL text, microseconds kept) and id. */
export interface Keyset {
  ts: string;
  id: string;
}

const CURSOR_TS = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?:Z|[+-]\d{2}(?::?\d{2})?)$/;
const CURSOR_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * True for a timestamp text PostgreSQL's `timestamptz` accepts as a keyset
 * position: `YYYY-MM-DD hh:mm:ss[.ffffff]±zz`, a real calendar day (no
 * Feb 30, no year 0). `Date.parse` alone is not enough: it accepts `"1"`,
 * which the cast would refuse with a 500.
 */
function isCursorTimestamp(text: string): boolean {
  const m = CURSOR_TS.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (year < 1 || month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return false;
  return day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** What an event-table cursor holds: `[ts, id]`, each checked before it reaches SQL (the cursor is attacker controlled). */
export const KeysetPositionSchema = z.tuple([z.string().refine(isCursorTimestamp), z.string().regex(CURSOR_ID)]);

/** `next_cursor` of an event table: the opaque encoding of `[ts, id]`. */
export function encodeKeyset(k: Keyset): string {
  return encodeCursor([k.ts, k.id]);
}

/** Reads a cursor back; anything else is a 400 problem naming `cursor` (audit-core's `InvalidCursorError`). */
export function decodeKeyset(cursor: string | undefined): Keyset | null {
  const position = decodeCursor(cursor, KeysetPositionSchema);
  return position ? { ts: position[0], id: position[1] } : null;
}

/** A WHERE clause built from optional filters, with numbered parameters. */
export class SqlFilter {
  readonly clauses: string[] = [];
  readonly params: unknown[] = [];

  /** Adds `<sql with ?>`, binding `value`; skipped when `value` is undefined. */
  add(sql: string, value: unknown): this {
    if (value === undefined) return this;
    this.params.push(value);
    this.clauses.push(sql.replace('?', `$${this.params.length}`));
    return this;
  }

  /** A parameter placeholder for `value`, for use outside the WHERE clause. */
  bind(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  get where(): string {
    return this.clauses.length > 0 ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}

/**
 * One page of an event table, newest first, keyset-paginated on `(ts, event_id)`:
 * fetches `limit + 1` rows to know whether a next page exists. The selected
 * columns must include `ts_key` (the exact timestamp text) and `event_id`.
 */
export async function keysetPage<R extends { ts_key: string; event_id: string }>(
  query: (sql: string, params: unknown[]) => Promise<R[]>,
  source: { table: string; columns: string },
  filter: SqlFilter,
  page: { cursor?: string | undefined; limit: number },
): Promise<{ rows: R[]; nextCursor: string | null }> {
  const after = decodeKeyset(page.cursor);
  if (after) filter.clauses.push(`(ts, event_id) < (${filter.bind(after.ts)}::timestamptz, ${filter.bind(after.id)}::uuid)`);
  const limit = filter.bind(page.limit + 1);
  const rows = await query(`SELECT ${source.columns} FROM ${source.table} ${filter.where} ORDER BY ts DESC, event_id DESC LIMIT ${limit}`, filter.params);
  const kept = rows.slice(0, page.limit);
  const last = kept[kept.length - 1];
  return { rows: kept, nextCursor: rows.length > page.limit && last ? encodeKeyset({ ts: last.ts_key, id: last.event_id }) : null };
}
