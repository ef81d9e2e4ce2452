import type { Overview, ProjectCard } from '../api/api-views.util';
import { overviewHref, overviewView, parseOverviewParams } from './overview-query.util';

function card(i: number, badge: ProjectCard['badge'], failing = 0): ProjectCard {
  return {
    id: `p${i}`,
    name: `project-${String(i).padStart(3, '0')}`,
    passed: 8 - failing,
    total: 8,
    badge,
    lastAuditAt: null,
    failing,
    reasons: [],
    reasonCount: 0,
    lastRunAt: null,
    trend: [],
  };
}

describe('parseOverviewParams', () => {
  it('reads q, status and page', () => {
    expect(parseOverviewParams({ q: ' bill ', status: 'red', page: '3' })).toEqual({ q: 'bill', status: 'red', page: 3 });
  });

  it('falls back on anything invalid', () => {
    expect(parseOverviewParams({ status: 'purple', page: '-1' })).toEqual({ q: '', status: null, page: 1 });
    expect(parseOverviewParams({ page: 'abc', q: ['a', 'b'] })).toEqual({ q: 'a', status: null, page: 1 });
    expect(parseOverviewParams({ q: 'x'.repeat(500) }).q).toHaveLength(100);
  });
});

describe('overviewView', () => {
  const all: Overview = {
    projects: Array.from({ length: 60 }, (_, i) => card(i, i % 3 === 0 ? 'red' : 'green', i % 3 === 0 ? 2 : 0)),
  };

  it('pages a complete list locally, 24 to a page, and sums failures over every project', () => {
    const view = overviewView(all, { q: '', status: null, page: 3 });
    expect(view.cards).toHaveLength(12);
    expect(view.cards[0]!.id).toBe('p48');
    expect(view).toMatchObject({ matching: 60, page: 3, pages: 3, summary: { projects: 60, failingChecks: 40, failingProjects: 20 } });
  });

  it('counts a red project without failing checks (an action that errored or cannot be scheduled) as failing', () => {
    const red = { ...card(1, 'red'), reasons: [{ actionId: 'a', text: 'nightly: cannot be scheduled — no action type', runId: null }], reasonCount: 1 };
    const view = overviewView({ projects: [red, card(2, 'green'), card(3, 'grey')] }, { q: '', status: null, page: 1 });
    expect(view.summary).toEqual({ projects: 3, failingChecks: 0, failingProjects: 1 });
  });

  it('filters by status and name, and clamps the page', () => {
    const view = overviewView(all, { q: 'project-00', status: 'red', page: 9 });
    expect(view.cards.map((c) => c.id)).toEqual(['p0', 'p3', 'p6', 'p9']);
    expect(view).toMatchObject({ matching: 4, page: 1, pages: 1 });
  });

  it('builds links that keep the filter', () => {
    expect(overviewHref({ q: 'a b', status: 'red', page: 1 }, { page: 2 })).toBe('/?q=a+b&status=red&page=2');
    expect(overviewHref({ q: '', status: null, page: 2 }, { page: 1 })).toBe('/');
  });
});
