import { z } from 'zod';
import { createDocument } from 'zod-openapi';
import { ApiCountSchema, ApiTimestampSchema } from './api-types.schema';

describe('api wire types', () => {
  const Sample = z.object({ at: ApiTimestampSchema, seq: ApiCountSchema, maybe: ApiTimestampSchema.nullable() }).meta({ id: 'Sample' });

  it('sends a Date or an offset ISO string as an ISO-8601 UTC string', () => {
    expect(Sample.parse({ at: new Date(0), seq: '12', maybe: null })).toEqual({ at: '1970-01-01T00:00:00.000Z', seq: 12, maybe: null });
    expect(Sample.parse({ at: '2026-01-01T02:00:00+02:00', seq: 3, maybe: new Date(1000) })).toEqual({
      at: '2026-01-01T00:00:00.000Z',
      seq: 3,
      maybe: '1970-01-01T00:00:01.000Z',
    });
  });

  it('refuses an invalid Date, a string without offset, a negative or fractional count', () => {
    expect(ApiTimestampSchema.safeParse(new Date(Number.NaN)).success).toBe(false);
    expect(ApiTimestampSchema.safeParse('2026-01-01 00:00').success).toBe(false);
    expect(ApiCountSchema.safeParse(-1).success).toBe(false);
    expect(ApiCountSchema.safeParse(1.5).success).toBe(false);
    expect(ApiCountSchema.safeParse('01').success).toBe(false);
  });

  it('documents a response timestamp as string/date-time and a count as an integer', () => {
    const document = createDocument(
      {
        openapi: '3.1.0',
        info: { title: 't', version: '1' },
        paths: { '/x': { get: { responses: { '200': { description: 'd', content: { 'application/json': { schema: Sample } } } } } } },
      },
      { allowEmptySchema: { custom: true, transform: true, date: { input: true } } },
    );
    const sample = document.components?.schemas?.['Sample'] as { properties: Record<string, Record<string, unknown>> };
    expect(sample.properties['at']).toMatchObject({ type: 'string', format: 'date-time' });
    expect(sample.properties['seq']).toMatchObject({ type: 'integer' });
  });
});
