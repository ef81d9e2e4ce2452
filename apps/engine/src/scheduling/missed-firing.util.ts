import { CronExpressionParser } from 'cron-parser';

/** The firing times (ms) of `pattern` (UTC) in `(after, until]`, at most `cap` of them; `capped` when more exist. */
export function firingsBetween(pattern: string, after: number, until: number, cap: number): { times: number[]; capped: boolean } {
  const times: number[] = [];
  if (until <= after) return { times, capped: false };
  const interval = CronExpressionParser.parse(pattern, { tz: 'UTC', currentDate: new Date(after), endDate: new Date(until) });
  while (interval.hasNext()) {
    if (times.length >= cap) return { times, capped: true };
    const next = interval.next().getTime();
    if (next > until) break;
    times.push(next);
  }
  return { times, capped: false };
}

/** One `error` run to write for missed firings: a single firing, or a summary of a range of them. */
export interface MissedRecord {
  /** The firing the run is stored under (its job id and `scheduled_at`). */
  at: number;
  /** Firings this run stands for (1, or more for the summary). */
  count: number;
  /** Last firing covered (equal to `at` for a single firing). */
  to: number;
  /** True when more firings were missed than were counted. */
  atLeast: boolean;
}

/**
 * Bounded traces for a list of missed firings (ascending): the first `max`
 * one by one, then one run summarising the rest (stored under the first
 * firing it covers, so every replica derives the same key).
 */
export function planMissed(missing: readonly number[], max: number, capped: boolean): MissedRecord[] {
  const records: MissedRecord[] = missing.slice(0, max).map((at) => ({ at, count: 1, to: at, atLeast: false }));
  const rest = missing.slice(max);
  if (rest.length > 0) records.push({ at: rest[0]!, count: rest.length, to: rest[rest.length - 1]!, atLeast: capped });
  return records;
}

const CAUSE = 'the database or the queue was unavailable, or no engine was running';

/** The run message of a missed-firing record; always starts with "missed: ". */
export function missedMessage(record: MissedRecord): string {
  const at = new Date(record.at).toISOString();
  if (record.count === 1 && !record.atLeast) return `missed: the firing scheduled at ${at} did not run (${CAUSE}); recorded after recovery`;
  const count = `${record.atLeast ? 'at least ' : ''}${record.count}`;
  return `missed: ${count} firings from ${at} to ${new Date(record.to).toISOString()} did not run (${CAUSE}); recorded after recovery as this one run`;
}
