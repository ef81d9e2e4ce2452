import { CronExpressionParser } from 'cron-parser';

/**
 * The next firing of a 5-field cron schedule in UTC after `from`, as ISO-8601, or `null` when the
 * expression does not parse. Used when the engine does not send `next_run_at` itself; it is the
 * same parser (cron-parser, `tz: 'UTC'`) the engine's scheduler uses.
 */
export function nextRunOf(schedule: string, from: Date = new Date()): string | null {
  try {
    return CronExpressionParser.parse(schedule, { tz: 'UTC', currentDate: from }).next().toISOString();
  } catch {
    return null;
  }
}
