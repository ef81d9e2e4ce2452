import { z } from 'zod';
import { decodeCursor, encodeCursor, TIMELINE_DOMAINS, type TimelineDomain } from '@auditstack/audit-core';

/**
 * A position in the merged timeline: the sort key `(ts, domain, id)` of the
 * last row of a page. `ts` is the exact stored instant as fixed-width UTC
 * text with microseconds (`2026-12-02T13:45:00.123456Z`), so that keys of
 * every domain compare as strings exactly as PostgreSQL orders them
 * (JavaScript dates keep milliseconds only).
 */
export interface TimelinePosition {
  readonly ts: string;
  readonly domain: TimelineDomain;
  readonly id: string;
}

/** The SQL expression giving a `timestamptz` column as a {@link TimelinePosition} `ts` (27 characters, lexically ordered like time). */
export function tsKeySql(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

const TS_KEY = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A real calendar instant in the fixed format (no Feb 30, no year 0): the cursor is attacker controlled and is cast to timestamptz. */
function isTsKey(text: string): boolean {
  const m = TS_KEY.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (year < 1 || month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return false;
  return day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const PositionSchema = z.tuple([z.string().max(27).refine(isTsKey), z.enum(TIMELINE_DOMAINS), z.string().regex(UUID)]);

/** `next_cursor` of the timeline: the opaque encoding of `[ts, domain, id]`. */
export function encodeTimelineCursor(p: TimelinePosition): string {
  return encodeCursor([p.ts, p.domain, p.id]);
}

/** Reads a timeline cursor back (null when absent); anything else is a 400 problem naming `cursor`. */
export function decodeTimelineCursor(cursor: string | undefined): TimelinePosition | null {
  const position = decodeCursor(cursor, PositionSchema);
  return position ? { ts: position[0], domain: position[1], id: position[2] } : null;
}

/** Orders positions newest first: `(ts, domain, id)` descending. Negative when `a` comes before `b`. */
export function compareNewestFirst(a: TimelinePosition, b: TimelinePosition): number {
  if (a.ts !== b.ts) return a.ts > b.ts ? -1 : 1;
  if (a.domain !== b.domain) return a.domain > b.domain ? -1 : 1;
  if (a.id !== b.id) return a.id > b.id ? -1 : 1;
  return 0;
}

/**
 * What "after `position`" means for one domain's table, as a condition on
 * its own `(ts, id)`: rows of a domain that sorts before the cursor's at the
 * same instant still follow it (`ts <= t`), rows of one that sorts after do
 * not (`ts < t`), and the cursor's own domain continues after its id. Each
 * form keeps a plain `ts` bound so the table's `(…, ts)` index applies.
 */
export function afterCondition(domain: TimelineDomain, position: TimelinePosition): 'le' | 'lt' | 'row' {
  if (domain === position.domain) return 'row';
  return domain < position.domain ? 'le' : 'lt';
}
