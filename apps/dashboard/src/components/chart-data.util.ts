/**
 * Shapes service rows into what the bar charts draw. Pure functions: the tables beside each chart
 * show every row; a chart shows the largest few, so it stays readable on a phone.
 */

/** One bar (or group of bars): a label and one number per series. */
export type BarDatum = { readonly label: string } & Readonly<Record<string, string | number>>;

/** Bars shown at most in a ranking chart. */
export const MAX_BARS = 12;

/**
 * The `max` rows with the largest first metric, largest first, each as `{ label, <metric>: n }`.
 * A missing number (`null`: e.g. no latency without calls) is drawn as 0.
 */
export function topBars<R>(
  rows: readonly R[],
  label: (row: R) => string,
  metrics: Readonly<Record<string, (row: R) => number | null>>,
  max = MAX_BARS,
): BarDatum[] {
  const keys = Object.keys(metrics);
  const first = keys[0];
  if (first === undefined) return [];
  return rows
    .map((row) => {
      const datum: Record<string, string | number> = { label: label(row) };
      for (const key of keys) datum[key] = metrics[key]!(row) ?? 0;
      return datum as BarDatum;
    })
    .sort((a, b) => (b[first] as number) - (a[first] as number) || a.label.localeCompare(b.label))
    .slice(0, max);
}

/** Provisions and denials per hour, oldest first (the gateway lists every hour, zeros included). */
export function hourlyBars(perHour: readonly { readonly hour: string; readonly provisions: number; readonly denied: number }[]): BarDatum[] {
  return [...perHour].sort((a, b) => a.hour.localeCompare(b.hour)).map((h) => ({ label: h.hour, provisions: h.provisions, denied: h.denied }));
}

/**
 * Events per actor stacked by action: the `maxActions` most frequent actions overall get a series
 * each, the rest are summed as `other`. Actors with most events first.
 */
export function actorBars(
  actors: readonly { readonly actor: string; readonly events: number; readonly by_action: Readonly<Record<string, number>> }[],
  maxActions = 5,
  max = MAX_BARS,
): { readonly data: BarDatum[]; readonly keys: readonly string[] } {
  const totals = new Map<string, number>();
  for (const a of actors) for (const [action, n] of Object.entries(a.by_action)) totals.set(action, (totals.get(action) ?? 0) + n);
  const ranked = [...totals.entries()].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).map(([action]) => action);
  const kept = ranked.slice(0, maxActions);
  const hasOther = ranked.length > kept.length;
  const data = [...actors]
    .sort((x, y) => y.events - x.events || x.actor.localeCompare(y.actor))
    .slice(0, max)
    .map((a) => {
      const datum: Record<string, string | number> = { label: a.actor };
      for (const action of kept) datum[action] = a.by_action[action] ?? 0;
      if (hasOther) datum['other'] = Object.entries(a.by_action).reduce((sum, [action, n]) => (kept.includes(action) ? sum : sum + n), 0);
      return datum as BarDatum;
    });
  return { data, keys: hasOther ? [...kept, 'other'] : kept };
}

/** `1,234 B`, `12.3 kB`, `4.6 MB`: sizes for people (decimal units, like the gateway's byte counts). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value.toLocaleString('en')} B` : `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}
