import { encodeCursor, InvalidCursorError } from '@auditstack/audit-core';
import { afterCondition, compareNewestFirst, decodeTimelineCursor, encodeTimelineCursor, type TimelinePosition } from './timeline-cursor.util';
import { domainSql } from './timeline.repository';
import { TimelineService } from './timeline.service';
import { TIMELINE_SOURCES, type TimelineSource } from './timeline-sources.util';

const source = (domain: string): TimelineSource => TIMELINE_SOURCES.find((s) => s.domain === domain)!;
const ID_A = '00000000-0000-4000-8000-00000000000a';
const ID_B = '00000000-0000-4000-8000-00000000000b';

describe('timeline cursor', () => {
  it('round-trips (ts, domain, id) and orders newest first, then domain, then id (descending)', () => {
    const p: TimelinePosition = { ts: '2026-12-02T10:00:00.123456Z', domain: 'tool', id: ID_A };
    expect(decodeTimelineCursor(encodeTimelineCursor(p))).toEqual(p);
    const positions: TimelinePosition[] = [
      { ts: '2026-12-02T10:00:00.000001Z', domain: 'cluster', id: ID_A },
      { ts: '2026-12-02T10:00:00.000002Z', domain: 'cluster', id: ID_A },
      { ts: '2026-12-02T10:00:00.000001Z', domain: 'tool', id: ID_A },
      { ts: '2026-12-02T10:00:00.000001Z', domain: 'tool', id: ID_B },
    ];
    const sorted = positions.sort(compareNewestFirst);
    expect(sorted.map((s) => `${s.ts.slice(-3, -1)} ${s.domain} ${s.id.slice(-1)}`)).toEqual(['02 cluster a', '01 tool b', '01 tool a', '01 cluster a']);
  });

  it.each([
    ['not base64 JSON', 'garbage!'],
    ['Feb 30', encodeCursor(['2026-02-30T00:00:00.000000Z', 'tool', ID_A])],
    ['milliseconds only (not our fixed format)', encodeCursor(['2026-12-02T10:00:00.123Z', 'tool', ID_A])],
    ['an unknown domain', encodeCursor(['2026-12-02T10:00:00.000000Z', 'payload', ID_A])],
    ['SQL in the id', encodeCursor(['2026-12-02T10:00:00.000000Z', 'tool', "x'; DROP TABLE audit.ledger; --"])],
    ['a two-element lifecycle cursor', encodeCursor(['2026-12-02 10:00:00+00', ID_A])],
  ])('refuses a forged cursor: %s (400 naming cursor)', (_name, cursor) => {
    expect(() => decodeTimelineCursor(cursor)).toThrow(InvalidCursorError);
  });

  it('continues each domain correctly after a cursor at the same instant', () => {
    const at: TimelinePosition = { ts: '2026-12-02T10:00:00.000000Z', domain: 'marker', id: ID_A };
    // Newest first with domain descending: at equal ts, tool/run/observability came before marker, cluster/lifecycle come after.
    expect(afterCondition('tool', at)).toBe('lt');
    expect(afterCondition('observability', at)).toBe('lt');
    expect(afterCondition('lifecycle', at)).toBe('le');
    expect(afterCondition('cluster', at)).toBe('le');
    expect(afterCondition('marker', at)).toBe('row');
  });
});

describe('timeline domains and SQL', () => {
  it('searches a domain only when every given subject filter applies to it', () => {
    const domains = (subjects: Record<string, string>, asked?: string[]) => TimelineService.sourcesFor(subjects, asked).map((s) => s.domain);
    expect(domains({})).toEqual(['lifecycle', 'tool', 'observability', 'cluster', 'marker', 'run']);
    expect(domains({ engine_id: 'e1' })).toEqual(['lifecycle', 'observability']);
    expect(domains({ user_id: 'u1' })).toEqual(['lifecycle', 'tool', 'cluster']);
    expect(domains({ workspace_id: 'ws' })).toEqual(['tool', 'marker']);
    expect(domains({ graph_run_id: 'g' })).toEqual(['tool', 'marker']);
    expect(domains({ project_id: ID_A })).toEqual(['run']);
    expect(domains({ engine_id: 'e1', user_id: 'u1' })).toEqual(['lifecycle']);
    expect(domains({ workspace_id: 'ws', engine_id: 'e1' })).toEqual([]);
    expect(domains({}, ['marker', 'lifecycle'])).toEqual(['lifecycle', 'marker']);
  });

  it('binds every value (filters, cursor, limit) and keeps a plain ts bound for the index', () => {
    const after: TimelinePosition = { ts: '2026-12-02T10:00:00.000000Z', domain: 'lifecycle', id: ID_A };
    const { sql, params } = domainSql(source('lifecycle'), { subjects: { engine_id: "e1' OR 1=1" }, after, limit: 4 });
    expect(sql).toContain('WHERE engine_id = $1 AND ts <= $2::timestamptz AND (ts, event_id) < ($2::timestamptz, $3::uuid)');
    expect(sql).toMatch(/ORDER BY ts DESC, event_id DESC LIMIT \$4$/);
    expect(sql).not.toContain('OR 1=1');
    expect(params).toEqual(["e1' OR 1=1", after.ts, ID_A, 4]);
  });

  it('reads runs without a project as one (status, started_at) index scan per status', () => {
    const { sql, params } = domainSql(source('run'), { subjects: {}, after: null, limit: 3 });
    expect(sql.match(/UNION ALL/g)).toHaveLength(2);
    expect(sql).toContain('WHERE status = $2');
    expect(params).toEqual([3, 'pass', 'fail', 'error']);
    const scoped = domainSql(source('run'), { subjects: { project_id: ID_A }, after: null, limit: 3 });
    expect(scoped.sql).not.toContain('UNION');
    expect(scoped.sql).toContain('WHERE project_id = $1');
  });

  it('refuses a subject that does not apply to the domain (a bug, never silently unfiltered)', () => {
    expect(() => domainSql(source('lifecycle'), { subjects: { workspace_id: 'ws' }, after: null, limit: 3 })).toThrow(/does not apply/);
  });

  it('summaries are built from identifiers and codes, never metadata values', () => {
    const lifecycle = source('lifecycle').summary({
      action: 'provision',
      engine_id: 'e1',
      user_id: null,
      product_id: 'p1',
      actor: 'system',
      duration_ms: 1200,
      metadata: { secret_note: 'do-not-show' },
    });
    expect(lifecycle).toBe('provision · engine e1 · product p1 · by system (1200 ms)');
    const marker = source('marker').summary({
      marker: 'tool_call_denied',
      details: { agent_id: 'a1', tool: 'github', action: 'delete', workspace_id: 'ws-1', reason: 'x'.repeat(500) },
    });
    expect(marker).toBe('tool_call_denied: a1 → github.delete · workspace ws-1');
    expect(source('tool').summary({ agent_id: 'a\u0000b', tool: 't'.repeat(100), action: 's', status: 'ok', duration_ms: 5, workspace_id: 'w' })).toBe(
      `a b → ${'t'.repeat(63)}….s: ok (5 ms) · workspace w`,
    );
  });
});
