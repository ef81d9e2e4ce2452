import {
  ClusterAuditEventSchema,
  GATEWAY_MARKERS,
  LIFECYCLE_ACTIONS,
  LIFECYCLE_METADATA_SCHEMAS,
  LifecycleEventSchema,
  ObservabilityEventSchema,
  ToolEventSchema,
  type LifecycleAction,
} from '@auditstack/audit-core';
import { buildDemoFleet, DEMO_SPAN_HOURS, isDemoId } from './demo-fleet.util';

const NOW = new Date('2026-12-02T13:00:00.500Z');
const json = (row: Record<string, unknown>): Record<string, unknown> => JSON.parse(JSON.stringify(row)) as Record<string, unknown>;

describe('buildDemoFleet', () => {
  const fleet = buildDemoFleet({ now: NOW });
  const all = Object.values(fleet).flat();

  it('is deterministic for a given moment and seed, and unique per moment (event ids)', () => {
    expect(buildDemoFleet({ now: NOW })).toEqual(fleet);
    const later = buildDemoFleet({ now: new Date(NOW.getTime() + 60_000) });
    expect(later.lifecycle.map((r) => r.action)).toEqual(fleet.lifecycle.map((r) => r.action));
    const ids = new Set(all.map((r) => String(r.event_id ?? r.id)));
    expect(ids.size).toBe(all.length);
    for (const r of Object.values(later).flat()) expect(ids.has(String(r.event_id ?? r.id))).toBe(false);
  });

  it('every row lies in the last 48 hours, never in the future', () => {
    for (const r of all) {
      const t = (r.ts as Date).getTime();
      expect(t).toBeLessThan(NOW.getTime());
      expect(t).toBeGreaterThanOrEqual(NOW.getTime() - DEMO_SPAN_HOURS * 3_600_000 - 1000);
    }
  });

  it('has all 16 lifecycle actions, each event valid for its action (metadata per LIFECYCLE_METADATA_SCHEMAS)', () => {
    const actions = new Set(fleet.lifecycle.map((r) => r.action as LifecycleAction));
    expect([...actions].sort()).toEqual([...LIFECYCLE_ACTIONS].sort());
    for (const r of fleet.lifecycle) {
      expect(LIFECYCLE_METADATA_SCHEMAS[r.action as LifecycleAction].safeParse(r.metadata).error).toBeUndefined();
      expect(LifecycleEventSchema.safeParse(json(r)).error).toBeUndefined();
    }
  });

  it('engines go provision → start → health checks → failure → auto restart → stop/wake → destroy, in time order', () => {
    const story = (engine: string): string[] => fleet.lifecycle.filter((r) => r.engine_id === engine).map((r) => String(r.action));
    const compact = (actions: string[]): string[] => actions.filter((a, i) => a !== actions[i - 1]);
    expect(compact(story('demo-eng-02'))).toEqual(
      expect.arrayContaining(['provision', 'start', 'health_check', 'health_failed', 'auto_restart_start', 'auto_restart_success', 'rotate_key']),
    );
    expect(compact(story('demo-eng-02')).slice(0, 3)).toEqual(['provision', 'start', 'health_check']);
    expect(compact(story('demo-eng-03')).slice(-4)).toEqual(['auto_restart_failed', 'auto_restart_gave_up', 'stop', 'destroy']);
    expect(story('demo-eng-04').filter((a) => a === 'stop' || a === 'wake')).toEqual(['stop', 'wake', 'stop', 'wake']);
    expect(story('demo-eng-05').slice(-2)).toEqual(['stop', 'destroy']);
  });

  it('tool calls: ≥ 3 workspaces, several agents and tools, graph runs, errors, timeouts and denials (each denial a tool_call_denied marker)', () => {
    for (const r of fleet.tool) expect(ToolEventSchema.safeParse(json(r)).error).toBeUndefined();
    const distinct = (key: string): number => new Set(fleet.tool.map((r) => r[key])).size;
    expect(distinct('workspace_id')).toBeGreaterThanOrEqual(3);
    expect(distinct('agent_id')).toBeGreaterThanOrEqual(4);
    expect(distinct('tool')).toBeGreaterThanOrEqual(6);
    expect(distinct('graph_run_id')).toBeGreaterThanOrEqual(100);
    const statuses = fleet.tool.map((r) => r.status);
    for (const s of ['ok', 'error', 'timeout', 'denied']) expect(statuses).toContain(s);
    const denied = fleet.tool.filter((r) => r.status === 'denied');
    expect(fleet.marker).toHaveLength(denied.length);
    for (const m of fleet.marker) {
      expect(m.marker).toBe(GATEWAY_MARKERS.toolCallDenied);
      expect(denied.some((d) => (d.ts as Date).getTime() === (m.ts as Date).getTime() && d.tool === (m.details as Record<string, unknown>).tool)).toBe(true);
    }
  });

  it('observability rows (OTLP and CloudEvents sources) and cluster audit rows are valid stored rows', () => {
    expect(new Set(fleet.observability.map((r) => r.source))).toEqual(new Set(['otlp', 'cloudevents']));
    for (const r of fleet.observability) expect(ObservabilityEventSchema.safeParse(json(r)).error).toBeUndefined();
    expect(fleet.cluster.length).toBeGreaterThan(10);
    for (const r of fleet.cluster) expect(ClusterAuditEventSchema.safeParse(json(r)).error).toBeUndefined();
    expect(fleet.cluster.some((r) => r.response_code === 403)).toBe(true);
  });

  it('every identifier is labelled demo (demo- or u_demo_)', () => {
    for (const r of fleet.lifecycle) {
      for (const k of ['product_id', 'user_id', 'engine_id'] as const) if (r[k] !== null) expect(isDemoId(r[k])).toBe(true);
      if (r.actor !== 'system' && r.actor !== 'admin') expect(isDemoId(r.actor)).toBe(true);
    }
    for (const r of fleet.tool) {
      for (const k of ['workspace_id', 'agent_id', 'req_id', 'graph_run_id'] as const) expect(isDemoId(r[k])).toBe(true);
      if (r.user_id !== null) expect(isDemoId(r.user_id)).toBe(true);
    }
    for (const r of fleet.observability) expect(isDemoId(r.engine_id)).toBe(true);
    for (const r of fleet.cluster) expect(isDemoId(r.cluster_id)).toBe(true);
    for (const m of fleet.marker) expect(isDemoId((m.details as Record<string, unknown>).workspace_id)).toBe(true);
  });
});
