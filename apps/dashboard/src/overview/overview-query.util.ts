import { BADGES, type Badge, type Overview, type ProjectCard } from '../api/api-views.util';

/** Cards per page. @defaultValue 24 (fills 2, 3 or 4 columns evenly) */
export const OVERVIEW_PAGE_SIZE = 24;
const MAX_QUERY_LENGTH = 100;

/** The overview's state, read from the URL so that it can be bookmarked and shared. */
export interface OverviewParams {
  readonly q: string;
  readonly status: Badge | null;
  /** 1-based. */
  readonly page: number;
}

/** Reads `?q=&status=&page=` leniently: anything invalid falls back to the default (input an attacker controls). */
export function parseOverviewParams(params: Readonly<Record<string, string | string[] | undefined>>): OverviewParams {
  const first = (key: string): string => {
    const value = params[key];
    return (Array.isArray(value) ? value[0] : value) ?? '';
  };
  const q = first('q').trim().slice(0, MAX_QUERY_LENGTH);
  const statusText = first('status');
  const status = (BADGES as readonly string[]).includes(statusText) ? (statusText as Badge) : null;
  const pageNumber = Number.parseInt(first('page'), 10);
  const page = Number.isSafeInteger(pageNumber) && pageNumber >= 1 && pageNumber <= 100_000 ? pageNumber : 1;
  return { q, status, page };
}

/** What the overview page renders. */
export interface OverviewView {
  readonly cards: readonly ProjectCard[];
  /** Projects matching the filter, over all pages. */
  readonly matching: number;
  readonly page: number;
  readonly pages: number;
  /** Summary over every project (not only the page). */
  readonly summary: { readonly projects: number; readonly failingChecks: number; readonly failingProjects: number };
}

/**
 * Applies the filter, search and page to the engine's cards: the contract's overview is every
 * project at once (a summary, not a paged collection), so the page filters and pages it here.
 */
export function overviewView(overview: Overview, params: OverviewParams, pageSize = OVERVIEW_PAGE_SIZE): OverviewView {
  const all = overview.projects;
  const needle = params.q.toLowerCase();
  const matching = all.filter(
    (card) => (params.status === null || card.badge === params.status) && (needle === '' || card.name.toLowerCase().includes(needle)),
  );
  const pages = Math.max(1, Math.ceil(matching.length / pageSize));
  const page = Math.min(params.page, pages);
  return {
    cards: matching.slice((page - 1) * pageSize, page * pageSize),
    matching: matching.length,
    page,
    pages,
    summary: {
      projects: all.length,
      failingChecks: all.reduce((sum, card) => sum + card.failing, 0),
      // A project is failing when its badge is red: failing checks, or an action whose last run failed or that cannot be scheduled.
      failingProjects: all.filter((card) => card.failing > 0 || card.badge === 'red').length,
    },
  };
}

/** The overview URL for other params (page links keep the filter). */
export function overviewHref(params: OverviewParams, change: Partial<OverviewParams>): string {
  const next = { ...params, ...change };
  const search = new URLSearchParams();
  if (next.q) search.set('q', next.q);
  if (next.status) search.set('status', next.status);
  if (next.page > 1) search.set('page', String(next.page));
  const text = search.toString();
  return text ? `/?${text}` : '/';
}
