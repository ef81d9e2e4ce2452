import { renderToStaticMarkup } from 'react-dom/server';
import { CardReasons, latestOf } from './card-reasons';

describe('CardReasons', () => {
  const reasons = [
    { actionId: 'a1', text: 'domain-checks: last run error (timed out)', runId: '00000000-0000-4000-8000-000000000001' },
    { actionId: 'a2', text: "nightly: cannot be scheduled — invalid cron '61 * * * *'", runId: null },
  ];

  it('lists each reason, the run-backed ones linked to their run, and says how many are not shown', () => {
    const html = renderToStaticMarkup(<CardReasons card={{ id: 'p', reasons, reasonCount: 5 }} />);
    expect(html).toContain('<a href="/runs/00000000-0000-4000-8000-000000000001">domain-checks: last run error (timed out)</a>');
    expect(html).toContain('<li>nightly: cannot be scheduled — invalid cron &#x27;61 * * * *&#x27;</li>');
    expect(html).toContain('and 3 more');
  });

  it('renders nothing without reasons', () => {
    expect(renderToStaticMarkup(<CardReasons card={{ id: 'p', reasons: [], reasonCount: 0 }} />)).toBe('');
  });

  it('latestOf takes the later time, or the one there is', () => {
    expect(latestOf('2026-12-02T10:00:00.000Z', '2026-12-02T11:00:00.000Z')).toBe('2026-12-02T11:00:00.000Z');
    expect(latestOf(null, '2026-12-02T11:00:00.000Z')).toBe('2026-12-02T11:00:00.000Z');
    expect(latestOf(null, null)).toBeNull();
  });
});
