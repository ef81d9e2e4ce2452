import { deriveEventId } from './event-id.util';

describe('deriveEventId', () => {
  const content = { ts: '2026-11-20T10:00:00.000Z', action: 'start', engine_id: 'e1', metadata: { b: 1, a: 2 } };

  it('is a version-5-layout UUID, stable for the same content whatever the key order', () => {
    const id = deriveEventId('lifecycle', content);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deriveEventId('lifecycle', { metadata: { a: 2, b: 1 }, engine_id: 'e1', action: 'start', ts: '2026-11-20T10:00:00.000Z' })).toBe(id);
  });

  it('ignores a supplied event_id and differs by kind and by any field', () => {
    const id = deriveEventId('lifecycle', content);
    expect(deriveEventId('lifecycle', { ...content, event_id: 'x' })).toBe(id);
    expect(deriveEventId('tool', content)).not.toBe(id);
    expect(deriveEventId('lifecycle', { ...content, ts: '2026-11-20T10:00:00.001Z' })).not.toBe(id);
  });
});
