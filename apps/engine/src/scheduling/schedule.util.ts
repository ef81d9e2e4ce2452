import { CronExpressionParser } from 'cron-parser';
import { cronProblem } from '@auditstack/audit-core';

/** A schedule as stored, with its fields joined by single spaces. */
export function normaliseSchedule(expression: string): string {
  return expression.trim().split(/\s+/).join(' ');
}

/**
 * Why a stored schedule cannot be scheduled, or null. The API accepts only
 * 5-field cron in UTC; with `allowSeconds` a 6-field expression (leading
 * seconds field) written straight into SQL is accepted too.
 */
export function scheduleProblem(expression: string, allowSeconds: boolean): string | null {
  const fields = normaliseSchedule(expression).split(' ');
  if (allowSeconds && fields.length === 6) {
    try {
      CronExpressionParser.parse(fields.join(' '), { tz: 'UTC' });
      return null;
    } catch (error) {
      return (error as Error).message.slice(0, 160);
    }
  }
  return cronProblem(expression);
}
