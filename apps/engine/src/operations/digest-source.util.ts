import type { Pool } from 'pg';
import { z } from 'zod';
import type { Check, CheckRule } from '@auditstack/audit-core';
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

/** Config of the daily digest actions (`daily_cost_digest`, `daily_privacy_digest`). */
export const DailyDigestConfigSchema = z
  .object({
    /** Which UTC day: 1 = yesterday (the day that just closed when run after midnight). @defaultValue 1 */
    day_offset: z.number().int().min(0).max(366).default(1),
    /** Where the events are read. @defaultValue 'auto' */
    source: DigestSourceSchema,
  })
  .strict();
export type DailyDigestConfig = z.infer<typeof DailyDigestConfigSchema>;

/** How one daily digest is computed: from PostgreSQL, or from the day's JSONL tool events. */
export interface DailyDigestKind {
  readonly kind: string;
  fromPostgres(query: DigestQuery, window: DigestWindow): Promise<Record<string, unknown>>;
  fromEvents(events: readonly DigestToolEvent[], window: DigestWindow): Record<string, unknown>;
}

/**
 * One UTC day's digest `[00:00, 24:00)` with its header (kind, day, window,
 * source), read from PostgreSQL or, with the JSONL backend, from that day's
 * files (those whose hash chain is broken are left out and listed).
 */
export async function buildDailyDigest(
  digest: DailyDigestKind,
  pool: Pool,
  settings: OperationsSettings,
  options: { dayOffset: number; source: DigestSource },
  now: Date,
): Promise<{ day: string; report: Record<string, unknown>; broken: string[] }> {
  const { day, window } = dayWindow(now, options.dayOffset);
  const source = resolveSource(options.source, settings);
  const head = {
    kind: digest.kind,
    day,
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    to_exclusive: true,
    generated_at: now.toISOString(),
    source,
  };
  if (source === 'postgres') return { day, report: { ...head, ...(await digest.fromPostgres(poolQuery(pool), window)) }, broken: [] };
  const { events, files, broken } = await jsonlToolEvents(settings, window);
  return { day, report: { ...head, files, broken_files: broken, ...digest.fromEvents(events, window) }, broken };
}

/** The failed check a digest adds when JSONL files with a broken hash chain were left out (none when all were read). */
export function brokenJsonlChecks(rule: CheckRule, day: string, broken: readonly string[]): Check[] {
  if (broken.length === 0) return [];
  return [
    {
      check_id: `${rule.id}.jsonl`,
      target: day,
      status: 'fail',
      message: `JSONL file(s) with a broken hash chain were left out: ${broken.join(', ').slice(0, 1000)}`,
      rule,
      evidence: { broken },
    },
  ];
}
