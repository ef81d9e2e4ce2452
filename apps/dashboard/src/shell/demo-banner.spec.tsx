import { renderToStaticMarkup } from 'react-dom/server';
import { DemoBadge, DemoBanner } from './demo-banner';

describe('DemoBanner', () => {
  it('names the demo prefix and how to remove the demo fleet', () => {
    const html = renderToStaticMarkup(<DemoBanner />);
    expect(html).toContain('class="notice notice-warn"');
    expect(html).toContain('<strong>Demo data</strong>');
    expect(html).toContain('<code>demo-</code> come from a simulated fleet (<code>auditstack demo</code>)');
    expect(html).toContain('<code>auditstack demo --remove</code>');
  });

  it('marks a row with a small badge', () => {
    expect(renderToStaticMarkup(<DemoBadge />)).toBe(' <span class="pill pill-warn" data-testid="demo-badge" title="Demo data (auditstack demo)">demo</span>');
  });
});
