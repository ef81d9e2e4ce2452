import { Injectable } from '@nestjs/common';
import { GATEWAY_ROUTES, TIMELINE_DOMAINS, type RouteQuery, type RouteResult } from '@auditstack/audit-core';
import { compareNewestFirst, decodeTimelineCursor, encodeTimelineCursor, type TimelinePosition } from './timeline-cursor.util';
import { TimelineRepository, type KeyedRow } from './timeline.repository';
import { subjectOf, TIMELINE_SOURCES, TIMELINE_SUBJECTS, type TimelineSource, type TimelineSubject } from './timeline-sources.util';

/** The parsed query of `GET /v1/timeline`. */
export type TimelineFilters = RouteQuery<typeof GATEWAY_ROUTES.timeline>;
type TimelineResult = RouteResult<typeof GATEWAY_ROUTES.timeline>;
type Item = TimelineResult['items'][number];

interface Candidate {
  readonly key: TimelinePosition;
  readonly source: TimelineSource;
  readonly row: KeyedRow;
}

/** A stored row as `details`: dates as ISO-8601 text, bigint text as numbers, the sort-key helpers dropped. */
function detailsOf(row: KeyedRow): Record<string, unknown> {
  const details: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key === 'timeline_ts' || key === 'timeline_id') continue;
    details[key] = value instanceof Date ? value.toISOString() : key === 'ledger_seq' && typeof value === 'string' ? Number(value) : value;
  }
  return details;
}

function itemOf(c: Candidate): Item {
  const seq = c.row['ledger_seq'];
  return {
    ts: c.row[c.source.ts] as Date,
    domain: c.source.domain,
    id: c.key.id,
    summary: c.source.summary(c.row).slice(0, 300),
    subject: subjectOf(c.source, c.row),
    ledger_seq: seq === null || seq === undefined ? null : Number(seq),
    details: detailsOf(c.row),
  };
}

/**
 * The timeline: each domain that the filters and the caller's scope apply to
 * is asked for its `limit + 1` newest rows after the cursor (one indexed
 * statement each, in parallel); the answers are merged on `(ts, domain, id)`
 * descending and cut at `limit`. Any row of the merged top `limit` is among
 * its own domain's top `limit`, so the page is exact; more rows exist
 * exactly when the domains returned more than `limit` together.
 */
@Injectable()
export class TimelineService {
  constructor(private readonly repo: TimelineRepository) {}

  /** The domains a request searches: asked for, and every given subject filter applies to them. */
  static sourcesFor(subjects: Partial<Record<TimelineSubject, string>>, asked: readonly string[] = TIMELINE_DOMAINS): TimelineSource[] {
    const given = TIMELINE_SUBJECTS.filter((key) => subjects[key] !== undefined);
    return TIMELINE_SOURCES.filter((s) => asked.includes(s.domain) && given.every((key) => s.subjects[key] !== undefined));
  }

  /**
   * One page. `workspaceScope` (a scoped caller) acts as a forced
   * `workspace_id` filter: only tool events and markers carry a workspace,
   * so no fleet-wide domain is ever searched for such a caller.
   */
  async page(q: TimelineFilters, workspaceScope: string | null): Promise<TimelineResult> {
    const after = decodeTimelineCursor(q.cursor);
    const subjects: Partial<Record<TimelineSubject, string>> = {
      engine_id: q.engine_id,
      user_id: q.user_id,
      workspace_id: workspaceScope ?? q.workspace_id,
      graph_run_id: q.graph_run_id,
      project_id: q.project_id,
    };
    const sources = TimelineService.sourcesFor(subjects, q.domains);
    const answers = await Promise.all(
      sources.map(async (source) =>
        (await this.repo.domainPage(source, { subjects, from: q.from, to: q.to, after, limit: q.limit + 1 })).map((row): Candidate => ({
          key: { ts: row.timeline_ts, domain: source.domain, id: row.timeline_id },
          source,
          row,
        })),
      ),
    );
    const merged = answers.flat().sort((a, b) => compareNewestFirst(a.key, b.key));
    const kept = merged.slice(0, q.limit);
    const last = kept[kept.length - 1];
    return {
      items: kept.map(itemOf),
      next_cursor: merged.length > q.limit && last ? encodeTimelineCursor(last.key) : null,
      domains: sources.map((s) => s.domain),
      workspace_scope: workspaceScope,
      ...this.repo.sourceInfo(),
    };
  }
}
