import { ActionListSchema, CheckpointSchema, OverviewSchema, RunPageSchema, ScorecardSchema } from './api-shapes.schema';
import { FinopsSchema, PrivacySchema } from './tools-shapes.schema';

describe('OverviewSchema', () => {
  it('reads the documented card shape', () => {
    const overview = OverviewSchema.parse({
      projects: [{ id: 'p1', name: 'billing', score: { passed: 7, total: 8 }, badge: 'red', last_audit_at: '2026-11-22T09:00:00Z', failing: 1 }],
      total: 1,
    });
    expect(overview).toEqual({
      projects: [{ id: 'p1', name: 'billing', passed: 7, total: 8, badge: 'red', lastAuditAt: '2026-11-22T09:00:00.000Z', failing: 1, trend: [] }],
      total: 1,
      summary: null,
    });
  });

  it('reads the engine variant with project_id, numeric score and status counts', () => {
    const overview = OverviewSchema.parse({
      projects: [
        { project_id: 'p2', name: 'web', score: 6, total: 8, score_text: '6/8', badge: 'grey', last_audit_at: null, counts: { pass: 5, warn: 1, fail: 1, error: 1 } },
      ],
    });
    expect(overview.projects[0]).toEqual({ id: 'p2', name: 'web', passed: 6, total: 8, badge: 'grey', lastAuditAt: null, failing: 2, trend: [] });
    expect(overview.total).toBeNull();
  });

  it('derives a badge when none is sent and maps an unknown one to grey', () => {
    const overview = OverviewSchema.parse([
      { id: 'a', name: 'a', score: { passed: 8, total: 8 } },
      { id: 'b', name: 'b', score: { passed: 1, total: 8 }, badge: 'purple' },
    ]);
    expect(overview.projects.map((p) => p.badge)).toEqual(['green', 'grey']);
  });

  it('keeps a 30-day trend when sent, and ignores a malformed one', () => {
    const trend = [{ day: '2026-11-21', passed: 7, total: 8 }, { day: '2026-11-22', passed: 8, total: 8 }];
    expect(OverviewSchema.parse([{ id: 'a', name: 'a', trend }]).projects[0]!.trend).toEqual(trend);
    expect(OverviewSchema.parse([{ id: 'a', name: 'a', trend: 'up' }]).projects[0]!.trend).toEqual([]);
  });

  it('refuses a card without an id', () => {
    expect(() => OverviewSchema.parse({ projects: [{ name: 'x' }] })).toThrow();
  });
});

describe('other shapes', () => {
  it('scorecard: card fields and checks', () => {
    const card = ScorecardSchema.parse({
      project_id: 'p',
      name: 'demo',
      score: 1,
      total: 2,
      badge: 'red',
      last_audit_at: '2026-11-22T09:00:00Z',
      checks: [{ check_id: 'dmarc', target: 'example.org', status: 'fail', message: 'no record', rule: { rfc: 'RFC 7489', section: '6.3' }, checked_at: '2026-11-22T09:00:00Z' }],
    });
    expect(card).toMatchObject({ id: 'p', name: 'demo', passed: 1, total: 2, badge: 'red' });
    expect(card.checks[0]).toMatchObject({ check_id: 'dmarc', status: 'fail' });
  });

  it('actions: a bare array or { items }, unknown status read as active', () => {
    const row = { id: 'a', name: 'n', action_type: 'http', schedule: '0 9 * * *', status: 'paused', config: {} };
    expect(ActionListSchema.parse([row])[0]).toMatchObject({ status: 'paused', next_run_at: null, last_run: null });
    expect(ActionListSchema.parse({ items: [{ ...row, status: 'weird' }] })[0]!.status).toBe('active');
  });

  it('runs: keyset page; bigint ledger_seq as a string', () => {
    const page = RunPageSchema.parse({
      items: [{ id: 'r', action_id: 'a', status: 'pass', started_at: '2026-11-22T09:00:00Z', ledger_seq: '42', duration_ms: 12 }],
      next_cursor: 'abc',
    });
    expect(page).toMatchObject({ nextCursor: 'abc', items: [{ id: 'r', ledger_seq: '42', duration_ms: 12 }] });
  });

  it('finops: rows per tool, agent and workspace named uniformly, source backend kept', () => {
    const finops = FinopsSchema.parse({
      window_hours: 24,
      currency: 'EUR',
      totals: { calls: 3, cost: 0.5 },
      by_tool: [{ tool: 'search', calls: 3, errors: 1, p50_duration_ms: 10, p95_duration_ms: 40, cost: 0.5 }],
      by_agent: [{ agent_id: null, calls: 3 }],
      source_backend: 'postgres',
    });
    expect(finops).toMatchObject({ sourceBackend: 'postgres', currency: 'EUR', byWorkspace: [], byTool: [{ name: 'search', calls: 3, p95_duration_ms: 40 }], byAgent: [{ name: '(none)', p50_duration_ms: null }] });
  });

  it('privacy: missing sections become empty, outliers and repeated inputs kept', () => {
    const privacy = PrivacySchema.parse({
      source_backend: 'jsonl',
      repeated_inputs: [{ input_hash: 'ab', calls: 2, tools: ['search'] }],
      size_outliers: { rule: '10×', events: [{ event_id: 'e', ts: '2026-11-22T09:00:00Z', tool: 'fetch', in_size: 9000, out_size: 1 }] },
    });
    expect(privacy).toMatchObject({ sourceBackend: 'jsonl', volumeByTool: [], eventsWithoutHash: [], repeatedInputs: [{ calls: 2 }], sizeOutliers: { events: [{ tool: 'fetch', in_size: 9000 }] } });
  });

  it('checkpoint: tree size as text, defaults for optional fields', () => {
    expect(CheckpointSchema.parse({ tree_size: 10, root_hash: 'ab', note: 'origin\n10\nq6s=\n' })).toMatchObject({ tree_size: '10', key_id: '', timestamp_kind: 'local', created_at: null });
  });
});
