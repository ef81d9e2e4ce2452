import { LEDGER_ROW_SOURCES, lifecycleEventPayload, runPayload, toolEventPayload } from './ledger-payload.util';

describe('ledger payloads', () => {
  it('normalise timestamps to ISO UTC and absent optional columns to null', () => {
    const payload = lifecycleEventPayload({
      event_id: 'e1',
      ts: new Date('2026-11-22T10:00:00+02:00'),
      action: 'start',
      actor: 'system',
      engine_id: 'eng-1',
      ledger_seq: '42',
    });
    expect(payload).toEqual({
      event_id: 'e1',
      ts: '2026-11-22T08:00:00.000Z',
      action: 'start',
      actor: 'system',
      product_id: null,
      user_id: null,
      engine_id: 'eng-1',
      metadata: {},
      duration_ms: null,
    });
  });

  it('never include ledger_seq, which the append itself fills', () => {
    for (const fn of [lifecycleEventPayload, toolEventPayload]) {
      expect(fn({ event_id: 'e', ts: new Date(), ledger_seq: '1' })).not.toHaveProperty('ledger_seq');
    }
    expect(runPayload({ id: 'r', scheduled_at: new Date(), started_at: new Date(), finished_at: new Date(), ledger_seq: '3' })).not.toHaveProperty(
      'ledger_seq',
    );
  });

  it('selects exactly the columns each payload reads', () => {
    for (const source of Object.values(LEDGER_ROW_SOURCES)) {
      const row = Object.fromEntries(
        source!.columns.map((c) => [c, c.endsWith('_at') || c.endsWith('_ts') || c === source!.timeColumn ? new Date(0) : `v-${c}`]),
      );
      expect(Object.keys(source!.payload(row)).sort()).toEqual([...source!.columns].sort());
    }
  });

  it('rejects an unparsable timestamp instead of hashing garbage', () => {
    expect(() => toolEventPayload({ event_id: 'e', ts: 'yesterday' })).toThrow(/not a valid date/);
  });
});
