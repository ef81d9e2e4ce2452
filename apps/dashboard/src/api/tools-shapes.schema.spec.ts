import { MarkersPageSchema } from './tools-shapes.schema';

describe('MarkersPageSchema (GET /v1/markers)', () => {
  it('reads the collection envelope {items, next_cursor} as the gateway sends it', () => {
    const page = MarkersPageSchema.parse({
      items: [
        { id: 'b', ts: '2026-12-02T03:00:00.000Z', marker: 'emergency_stop_lifted', details: { engaged_reason: 'agent wiping repos' }, ledger_seq: 7 },
        { id: 'a', ts: '2026-12-02T02:00:00.000Z', marker: 'emergency_stop', details: { by: 'admin', reason: 'agent wiping repos' }, ledger_seq: 5 },
      ],
      next_cursor: 'WyIyMDI2Il0',
    });
    expect(page.items.map((m) => m.marker)).toEqual(['emergency_stop_lifted', 'emergency_stop']);
    expect(page.next_cursor).toBe('WyIyMDI2Il0');
  });

  it('a last page (next_cursor null) and a marker without details', () => {
    expect(MarkersPageSchema.parse({ items: [{ id: 'a', ts: '2026-12-02T02:00:00Z', marker: 'backend_fallback_started' }], next_cursor: null })).toEqual({
      items: [{ id: 'a', ts: '2026-12-02T02:00:00.000Z', marker: 'backend_fallback_started', details: {} }],
      next_cursor: null,
    });
  });
});
