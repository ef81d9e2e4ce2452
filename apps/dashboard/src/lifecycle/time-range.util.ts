/** Quick ranges of the lifecycle explorer, in hours. */
export const LIFECYCLE_RANGES = { '1h': 1, '24h': 24, '7d': 168, '30d': 720 } as const;
export type LifecycleRange = keyof typeof LIFECYCLE_RANGES;

/** `YYYY-MM-DDTHH:MM` (a `datetime-local` value), read as UTC. */
const LOCAL_INPUT = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2})?$/;

export interface TimeRangeInput {
  readonly range?: string;
  readonly from?: string;
  readonly to?: string;
}

export interface TimeRange {
  /** ISO instants for the gateway (`from` inclusive, `to` exclusive); unset means open. */
  readonly from?: string;
  readonly to?: string;
  /** The quick range in force, when one was chosen and no explicit bound was given. */
  readonly range?: LifecycleRange;
  /** The inputs' values back, normalised to `YYYY-MM-DDTHH:MM` (UTC). */
  readonly fromInput?: string;
  readonly toInput?: string;
  /** A person-readable problem with the input (the filter is then not applied). */
  readonly problem?: string;
}

function utcInstant(value: string | undefined): { iso?: string; input?: string; bad: boolean } {
  if (!value) return { bad: false };
  const match = LOCAL_INPUT.exec(value);
  const date = match ? new Date(`${match[1]}T${match[2]}:00Z`) : null;
  if (!match || !date || Number.isNaN(date.getTime())) return { bad: true };
  return { iso: date.toISOString(), input: `${match[1]}T${match[2]}`, bad: false };
}

/**
 * The explorer's time filter from the URL: explicit From/To (UTC) win over a quick range
 * ("last 24h" = from now − 24 h). A bound that is not a date, or From after To, is reported and
 * not applied, so the table never silently shows a different range than asked.
 */
export function resolveTimeRange(input: TimeRangeInput, now: Date = new Date()): TimeRange {
  const from = utcInstant(input.from);
  const to = utcInstant(input.to);
  if (from.bad || to.bad) return { problem: 'From and To must be dates and times (UTC).' };
  if (from.iso && to.iso && from.iso >= to.iso) return { fromInput: from.input, toInput: to.input, problem: 'From must be before To.' };
  if (from.iso || to.iso) return { from: from.iso, to: to.iso, fromInput: from.input, toInput: to.input };
  const range = (Object.keys(LIFECYCLE_RANGES) as LifecycleRange[]).find((r) => r === input.range);
  if (!range) return {};
  return { range, from: new Date(now.getTime() - LIFECYCLE_RANGES[range] * 3_600_000).toISOString() };
}
