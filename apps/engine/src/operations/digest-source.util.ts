import type { Pool } from 'pg';
import { z } from 'zod';
import type { DigestQuery, DigestToolEvent, DigestWindow } from '@auditstack/audit-core/server';
import { addDays, readToolRecords, utcDay } from './jsonl-files.util';
import type { OperationsSettings } from './operations-settings.util';

/** `auto`: the JSONL files when the gateway runs `AUDIT_BACKEND=jsonl`, PostgreSQL otherwise. */
export const DigestSourceSchema = z.enum(['auto', 'postgres', 'jsonl']).default('auto');
export type DigestSource = z.infer<typeof DigestSourceSchema>;

/** A `DigestQuery` over the engine's pool. */
export function poolQuery(pool: Pool): DigestQuery {
  return async <R>(text: string, params?: unknown[]): Promise<R[]> => (await pool.query(text, params)).rows as R[];
}

export function resolveSource(source: DigestSource, settings: OperationsSettings): 'postgres' | 'jsonl' {
  if (source !== 'auto') return source;
  return settings.backend === 'jsonl' ? 'jsonl' : 'postgres';
}

/** The UTC day `dayOffset` days before `now` as a half-open window `[00:00, next 00:00)`. */
export function dayWindow(now: Date, dayOffset: number): { day: string; window: DigestWindow } {
  const day = addDays(utcDay(now), -dayOffset);
  return { day, window: { from: new Date(`${day}T00:00:00.000Z`), to: new Date(`${addDays(day, 1)}T00:00:00.000Z`), workspace: null, toInclusive: false } };
}

/** Tool events of the JSONL files that may hold events of `window` (the digests filter by `ts`). */
export async function jsonlToolEvents(
  settings: OperationsSettings,
  window: DigestWindow,
): Promise<{ events: DigestToolEvent[]; files: string[]; broken: string[] }> {
  const lastDay = utcDay(new Date(window.to.getTime() - 1));
  const { records, files, broken } = await readToolRecords(settings.jsonlDir, utcDay(window.from), lastDay);
  return { events: records as unknown as DigestToolEvent[], files, broken };
}
