import { GATEWAY_MARKERS, LEDGER_KINDS } from '@auditstack/audit-core';
import { declaredDemoRange, tombstoneFromRef, tombstoneRef } from './ledger-append.util';

describe('declared tombstones (the demo fleet removal)', () => {
  it('round-trip through their ref `retention:<kind>:<from>-<to>:declared`; aged ones keep theirs', () => {
    const declared = { kind: 'tool', from_seq: 80, to_seq: 1238, declared: true as const };
    expect(tombstoneRef(declared)).toBe('retention:tool:80-1238:declared');
    expect(tombstoneFromRef('retention:tool:80-1238:declared')).toEqual(declared);
    expect(tombstoneFromRef('retention:tool:0-10:30d')).toEqual({ kind: 'tool', from_seq: 0, to_seq: 10, days: 30 });
    expect(tombstoneFromRef('retention:tool:0-10')).toEqual({ kind: 'tool', from_seq: 0, to_seq: 10 });
    for (const bad of [
      'retention:tool:0-10:declared:30d',
      'retention:tool:0-10:30d:declared',
      'retention:tool:0-10:Declared',
      'retention:tool:0-10:declaredx',
    ]) {
      expect(tombstoneFromRef(bad)).toBeNull();
    }
  });

  it('only a demo_loaded marker whose count matches its range declares one', () => {
    const marker = (details: unknown, name: string = GATEWAY_MARKERS.demoLoaded): unknown => ({
      id: 'x',
      ts: '2026-12-02T13:00:00.000Z',
      marker: name,
      details,
    });
    expect(declaredDemoRange(LEDGER_KINDS.marker, marker({ from_seq: 80, to_seq: 1237, count: 1158, seed: 14 }))).toEqual({ from_seq: 80, to_seq: 1237 });
    expect(declaredDemoRange(LEDGER_KINDS.marker, marker({ from_seq: 80, to_seq: 1237, count: 1157 }))).toBeNull();
    expect(declaredDemoRange(LEDGER_KINDS.marker, marker({ from_seq: 90, to_seq: 80, count: -9 }))).toBeNull();
    expect(declaredDemoRange(LEDGER_KINDS.marker, marker({ from_seq: '80', to_seq: 1237, count: 1158 }))).toBeNull();
    expect(declaredDemoRange(LEDGER_KINDS.marker, marker({ from_seq: 80, to_seq: 1237, count: 1158 }, GATEWAY_MARKERS.toolCallDenied))).toBeNull();
    expect(declaredDemoRange(LEDGER_KINDS.lifecycle, marker({ from_seq: 80, to_seq: 1237, count: 1158 }))).toBeNull();
    expect(declaredDemoRange(LEDGER_KINDS.marker, marker(null))).toBeNull();
    expect(declaredDemoRange(LEDGER_KINDS.marker, null)).toBeNull();
  });
});
