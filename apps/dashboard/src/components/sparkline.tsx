/** One day of a project's score. */
export interface TrendPoint {
  readonly day: string;
  readonly passed: number;
  readonly total: number;
}

const WIDTH = 120;
const HEIGHT = 28;

/** The SVG polyline points of the pass ratio per day (0 at the bottom, 1 at the top). Days without results are skipped. */
export function sparklinePoints(points: readonly TrendPoint[], width = WIDTH, height = HEIGHT): string {
  const usable = points.filter((p) => p.total > 0);
  if (usable.length === 0) return '';
  const step = usable.length === 1 ? 0 : width / (usable.length - 1);
  return usable
    .map((p, i) => {
      const x = usable.length === 1 ? width / 2 : i * step;
      const y = height - 2 - (p.passed / p.total) * (height - 4);
      return `${round(x)},${round(y)}`;
    })
    .join(' ');
}

/** What a screen reader hears instead of the line. */
export function sparklineLabel(points: readonly TrendPoint[]): string {
  const usable = points.filter((p) => p.total > 0);
  const first = usable[0];
  const last = usable[usable.length - 1];
  if (!first || !last) return 'No score history yet';
  if (usable.length === 1) return `Score ${last.passed}/${last.total} on ${last.day}`;
  return `Score over ${usable.length} days: from ${first.passed}/${first.total} on ${first.day} to ${last.passed}/${last.total} on ${last.day}`;
}

/**
 * A tiny line of the pass ratio over the last days: plain SVG, no chart library (a card grid of
 * 24 would otherwise ship 24 chart instances). The label states the numbers the line shows.
 */
export function Sparkline({ points }: { readonly points: readonly TrendPoint[] }) {
  const line = sparklinePoints(points);
  if (line === '') return null;
  return (
    <svg className="sparkline" width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={sparklineLabel(points)}>
      <title>{sparklineLabel(points)}</title>
      <polyline points={line} fill="none" stroke="currentColor" strokeWidth="2" strokeLinejoin="round" strokeLinecap="round" />
    </svg>
  );
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
