import { z } from 'zod';

/** The gateway's canned lifecycle reports (`GET /v1/lifecycle/*`), parsed leniently. */

const num = z.coerce.number();
const isoTime = z.union([z.string(), z.number()]).transform((value) => new Date(value).toISOString());
const optionalText = z.string().nullish().transform((value) => value ?? null);
const source = { source_backend: z.string().default('unknown') };

/** `GET /v1/lifecycle/provisions?window_hours=`: every hour of the window, zeros included. */
export const ProvisionsReportSchema = z.object({
  window_hours: num.optional(),
  last_hour: num.default(0),
  per_hour: z.array(z.object({ hour: isoTime, provisions: num.default(0), denied: num.default(0) })).default([]),
  ...source,
});
export type ProvisionsReport = z.output<typeof ProvisionsReportSchema>;

/** `GET /v1/lifecycle/auto-restart-hotspots?window_hours=&limit=`. */
export const HotspotsReportSchema = z.object({
  window_hours: num.optional(),
  engines: z
    .array(z.object({ engine_id: z.string(), product_id: optionalText, restarts: num.default(0), successes: num.default(0), failures: num.default(0), gave_up: num.default(0), last_at: isoTime.nullish() }))
    .default([]),
  ...source,
});
export type HotspotsReport = z.output<typeof HotspotsReportSchema>;

/** `GET /v1/lifecycle/actors?window_hours=`. */
export const ActorsReportSchema = z.object({
  window_hours: num.optional(),
  actors: z.array(z.object({ actor: z.string(), events: num.default(0), last_at: isoTime.nullish(), by_action: z.record(z.string(), num).default({}) })).default([]),
  ...source,
});
export type ActorsReport = z.output<typeof ActorsReportSchema>;

/** `GET /v1/lifecycle/users/:user_id/lifetime?limit=`: every transition of one user, oldest first. */
export const UserLifetimeSchema = z.object({
  user_id: z.string(),
  first_provision_at: isoTime.nullish().transform((value) => value ?? null),
  destroyed_at: isoTime.nullish().transform((value) => value ?? null),
  engines: z.array(z.string()).default([]),
  transitions: z
    .array(z.object({ event_id: optionalText, ts: isoTime, action: z.string(), actor: z.string().default(''), engine_id: optionalText, product_id: optionalText, duration_ms: num.nullish().transform((value) => value ?? null) }))
    .default([]),
  truncated: z.boolean().default(false),
  ...source,
});
export type UserLifetime = z.output<typeof UserLifetimeSchema>;

/** `GET /v1/lifecycle/engine-hours?group_by=product|user&from=&to=`. */
export const EngineHoursReportSchema = z
  .object({
    group_by: z.enum(['product', 'user']).catch('product'),
    from: isoTime.optional(),
    to: isoTime.optional(),
    rows: z.array(z.record(z.string(), z.unknown())).default([]),
    ...source,
  })
  .transform((body) => {
    const key = body.group_by === 'product' ? 'product_id' : 'user_id';
    return {
      groupBy: body.group_by,
      from: body.from ?? null,
      to: body.to ?? null,
      sourceBackend: body.source_backend,
      rows: body.rows.map((row) => ({
        name: typeof row[key] === 'string' ? (row[key] as string) : '(none)',
        engine_hours: Number(row['engine_hours'] ?? 0),
        engines: Number(row['engines'] ?? 0),
      })),
    };
  });
export type EngineHoursReport = z.output<typeof EngineHoursReportSchema>;
