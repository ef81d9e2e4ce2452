import { payloadHash, retentionEntry } from '@auditstack/evidence';
import { ledgerPayloadOf, tombstoneFromRef, tombstoneRef } from './ledger-append.util';

describe('retention tombstone refs', () => {
  it('round-trip, and rebuild exactly the payload retentionEntry() hashes', () => {
    const ref = tombstoneRef({ kind: 'tool', from_seq: 0, to_seq: 1234 });
    expect(ref).toBe('retention:tool:0-1234');
    const t = tombstoneFromRef(ref)!;
    expect(t).toEqual({ kind: 'tool', from_seq: 0, to_seq: 1234 });
    const entry = retentionEntry({ ref, ts: new Date(0), kind: 'tool', fromSeq: 0, toSeq: 1234 });
    expect(payloadHash(t).equals(payloadHash(entry.payload))).toBe(true);
  });

  it('carry the retention period applied, so verify can check each pruned leaf against it', () => {
    const ref = tombstoneRef({ kind: 'lifecycle', from_seq: 7, to_seq: 10, days: 90 });
    expect(ref).toBe('retention:lifecycle:7-10:90d');
    const t = tombstoneFromRef(ref)!;
    expect(t).toEqual({ kind: 'lifecycle', from_seq: 7, to_seq: 10, days: 90 });
    const entry = retentionEntry({ ref, ts: new Date(0), kind: 'lifecycle', fromSeq: 7, toSeq: 10, days: 90 });
    expect(payloadHash(t).equals(payloadHash(entry.payload))).toBe(true);
  });

  it.each([
    'retention:tool:1-',
    'retention:Tool:1-2',
    'retention:tool:01-2',
    'retention:tool:1-2:x',
    'tool:1-2',
    'retention:tool:1-99999999999999999',
    'retention:tool:1-2:0d',
    'retention:tool:1-2:90',
    'retention:tool:1-2:1234567d',
  ])('refuses %s (the verifier then reports the entry)', (ref) => {
    expect(tombstoneFromRef(ref)).toBeNull();
  });
});

describe('ledgerPayloadOf', () => {
  it('uses the row source for kinds stored in their own table, and the row itself otherwise', () => {
    const row = { event_id: 'e1', ts: new Date('2026-11-22T10:00:00Z'), action: 'start', actor: 'system', ledger_seq: '9' };
    expect(ledgerPayloadOf('lifecycle', row)).toEqual({
      event_id: 'e1',
      ts: '2026-11-22T10:00:00.000Z',
      action: 'start',
      actor: 'system',
      product_id: null,
      user_id: null,
      engine_id: null,
      metadata: {},
      duration_ms: null,
    });
    expect(ledgerPayloadOf('retention', { key: 'x' })).toEqual({ key: 'x' });
  });
});
