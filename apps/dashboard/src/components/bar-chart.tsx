'use client';

import { Bar, BarChart as RechartsBarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { BarDatum } from './chart-data.util';
import { formatLocal } from './time.util';

/** Series colours: readable in light and dark themes, distinguishable without relying on red/green alone. */
const COLOURS = ['var(--accent)', '#d97706', '#7c3aed', '#0d9488', '#db2777', '#6b7280'];

export interface BarChartProps {
  readonly data: readonly BarDatum[];
  readonly series: readonly { readonly key: string; readonly name?: string }[];
  /** What the chart shows; also its accessible name (the numbers are in the table beside it). */
  readonly caption: string;
  /** `rows`: one horizontal bar per label (rankings); `columns`: vertical bars along the x axis (time). @defaultValue `'rows'` */
  readonly layout?: 'rows' | 'columns';
  /** Stack the series instead of grouping them. @defaultValue `false` */
  readonly stacked?: boolean;
  /** Labels are ISO instants: shown as hours in the viewer's zone. @defaultValue `false` */
  readonly timeLabels?: boolean;
  readonly testId?: string;
}

const hourOf = (iso: string): string => new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });

/**
 * A recharts bar chart (grouped or stacked). Drawn in the browser only (ResponsiveContainer
 * measures its box), so labels can use the viewer's time zone without a hydration mismatch.
 */
export function BarChart({ data, series, caption, layout = 'rows', stacked = false, timeLabels = false, testId }: BarChartProps) {
  const rows = layout === 'rows';
  const height = rows ? 48 + data.length * (series.length > 1 && !stacked ? 34 : 26) : 260;
  const tick = { fill: 'currentColor', fontSize: 12 };
  return (
    <figure className="chart" data-testid={testId}>
      <div style={{ width: '100%', height }} role="img" aria-label={caption}>
        <ResponsiveContainer width="100%" height="100%">
          {/* The figure is one image with a name; its numbers are in the table beside it, so the SVG is not a separate tab stop. */}
          <RechartsBarChart
            data={[...data]}
            layout={rows ? 'vertical' : 'horizontal'}
            margin={{ top: 4, right: 16, bottom: 4, left: 8 }}
            accessibilityLayer={false}
          >
            <CartesianGrid horizontal={!rows} vertical={rows} strokeDasharray="3 3" />
            {rows ? (
              <>
                <XAxis type="number" tick={tick} allowDecimals />
                <YAxis type="category" dataKey="label" width={120} tick={tick} interval={0} />
              </>
            ) : (
              <>
                <XAxis dataKey="label" tick={tick} tickFormatter={timeLabels ? hourOf : undefined} minTickGap={16} />
                <YAxis type="number" tick={tick} allowDecimals={false} width={40} />
              </>
            )}
            <Tooltip labelFormatter={timeLabels ? (value) => formatLocal(String(value)) : undefined} />
            {series.length > 1 && <Legend />}
            {series.map((s, i) => (
              <Bar
                key={s.key}
                dataKey={s.key}
                name={s.name ?? s.key.replace(/_/g, ' ')}
                fill={COLOURS[i % COLOURS.length]}
                stackId={stacked ? 'stack' : undefined}
                isAnimationActive={false}
              />
            ))}
          </RechartsBarChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="muted">{caption}</figcaption>
    </figure>
  );
}
