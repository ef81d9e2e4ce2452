'use client';

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ChartSeries } from './chart-series.util';

/**
 * A horizontal bar chart of one metric per tool/agent/workspace (recharts). The numbers are also
 * in the table beside it, so the chart is a picture of them, named by its caption.
 */
export function MetricBarChart({ series }: { readonly series: ChartSeries }) {
  const height = 40 + series.points.length * 28;
  const caption = `${series.metricKey.replace(/_/g, ' ')} by ${series.labelKey.replace(/_/g, ' ')} (largest ${series.points.length}; every value is in the table)`;
  return (
    <figure className="chart">
      <div style={{ width: '100%', height }} aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={[...series.points]} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 8 }}>
            <CartesianGrid horizontal={false} strokeDasharray="3 3" />
            <XAxis type="number" tick={{ fill: 'currentColor', fontSize: 12 }} />
            <YAxis type="category" dataKey="label" width={110} tick={{ fill: 'currentColor', fontSize: 12 }} />
            <Tooltip />
            <Bar dataKey="value" name={series.metricKey} fill="var(--accent)" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="muted">{caption}</figcaption>
    </figure>
  );
}
