import { renderToStaticMarkup } from 'react-dom/server';
import { ScoreBadge, scoreDescription } from './score-badge';

describe('ScoreBadge', () => {
  it.each([
    [8, 8, 'green', '8/8', 'passing'],
    [7, 8, 'amber', '7/8', 'warnings'],
    [5, 8, 'red', '5/8', 'failing'],
  ] as const)('%i/%i %s shows the score and the status in words', (passed, total, badge, score, words) => {
    const html = renderToStaticMarkup(<ScoreBadge passed={passed} total={total} badge={badge} />);
    expect(html).toContain(`<strong class="badge-score">${score}</strong> ${words}`);
    expect(html).toContain(`badge-${badge}`);
    expect(html).toContain(`${passed} of ${total} checks pass: ${words}`);
  });

  it('says there are no results instead of 0/0', () => {
    const html = renderToStaticMarkup(<ScoreBadge passed={0} total={0} badge="grey" />);
    expect(html).not.toContain('0/0');
    expect(html).toContain('no results yet');
    expect(scoreDescription({ passed: 0, total: 0, badge: 'grey' })).toBe('No check results yet');
  });

  it('a red badge without check results (an action errored or cannot be scheduled) still says failing', () => {
    const html = renderToStaticMarkup(<ScoreBadge passed={0} total={0} badge="red" />);
    expect(html).not.toContain('0/0');
    expect(html).toContain('No check results: failing');
    expect(html).not.toContain('no results yet');
  });

  it('never relies on colour alone: the icon is hidden and the words are there for every colour', () => {
    for (const badge of ['green', 'amber', 'red', 'grey'] as const) {
      const html = renderToStaticMarkup(<ScoreBadge passed={1} total={2} badge={badge} />);
      expect(html).toMatch(/class="badge-icon" aria-hidden="true"/);
      expect(html).toMatch(/passing|warnings|failing|no results yet/);
    }
  });
});
