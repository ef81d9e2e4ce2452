import { renderToStaticMarkup } from 'react-dom/server';
import { Sparkline, sparklineLabel, sparklinePoints } from './sparkline';

const days = [
  { day: '2026-11-20', passed: 4, total: 8 },
  { day: '2026-11-21', passed: 0, total: 0 },
  { day: '2026-11-22', passed: 8, total: 8 },
];

describe('Sparkline', () => {
  it('plots the pass ratio, skipping days without results', () => {
    expect(sparklinePoints(days, 100, 20)).toBe('0,10 100,2');
  });

  it('centres a single day', () => {
    expect(sparklinePoints([days[0]!], 100, 20)).toBe('50,10');
  });

  it('says in words what the line shows', () => {
    expect(sparklineLabel(days)).toBe('Score over 2 days: from 4/8 on 2026-11-20 to 8/8 on 2026-11-22');
    expect(sparklineLabel([])).toBe('No score history yet');
  });

  it('renders nothing without history, an accessible image otherwise', () => {
    expect(renderToStaticMarkup(<Sparkline points={[]} />)).toBe('');
    const html = renderToStaticMarkup(<Sparkline points={days} />);
    expect(html).toContain('role="img"');
    expect(html).toContain('aria-label="Score over 2 days');
  });
});
