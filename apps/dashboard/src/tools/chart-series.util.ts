/** One row of a tools dashboard, as the gateway sends it. */
export type ToolsRow = Readonly<Record<string, string | number | null>>;

/** Metrics worth a chart, in order of preference. */
const PREFERRED_METRICS = ['cost', 'cost_usd', 'calls', 'errors', 'p95_ms', 'duration_ms', 'in_size', 'out_size', 'bytes'];
/** Keys that name what a row is about, in order of preference. */
const PREFERRED_LABELS = ['tool', 'agent_id', 'workspace_id', 'user_id', 'name'];
/** Bars shown at most (the table has every row). */
const MAX_BARS = 12;

export interface ChartSeries {
  readonly labelKey: string;
  readonly metricKey: string;
  readonly points: readonly { readonly label: string; readonly value: number }[];
}

/**
 * The bar chart a tools table deserves: rows labelled by their first naming key, measured by the
 * most telling numeric column, largest first. `null` when the rows have no label or no number.
 */
export function chartSeries(rows: readonly ToolsRow[]): ChartSeries | null {
  const keys = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const numeric = keys.filter((key) => rows.some((row) => typeof row[key] === 'number'));
  const textual = keys.filter((key) => rows.every((row) => row[key] === undefined || row[key] === null || typeof row[key] === 'string'));
  const metricKey = PREFERRED_METRICS.find((key) => numeric.includes(key)) ?? numeric[0];
  const labelKey = PREFERRED_LABELS.find((key) => textual.includes(key)) ?? textual[0];
  if (!metricKey || !labelKey) return null;
  const points = rows
    .map((row) => ({ label: String(row[labelKey] ?? '—'), value: typeof row[metricKey] === 'number' ? (row[metricKey] as number) : 0 }))
    .sort((a, b) => b.value - a.value)
    .slice(0, MAX_BARS);
  return points.length === 0 ? null : { labelKey, metricKey, points };
}
