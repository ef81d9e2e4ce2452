import { z } from 'zod';

/**
 * Gateway tool-governance answers: `GET /v1/finops/dashboard`, `GET /v1/privacy/dashboard`
 * (both `?window_hours=`), `GET /v1/admin/emergency-stop` and `GET /v1/markers`. Parsed leniently: unknown fields are
 * dropped, missing lists become empty.
 */

const num = z.coerce.number();
const optionalNum = z.coerce.number().nullish().transform((value) => value ?? null);
const label = z.string().nullish().transform((value) => value ?? '(none)');
const isoTime = z.union([z.string(), z.number()]).transform((value) => new Date(value).toISOString());

/** The numbers of one FinOps group (a tool, an agent, a workspace, or the totals). */
const finopsNumbers = {
  calls: num.default(0),
  errors: num.default(0),
  denied: num.default(0),
  error_rate: num.default(0),
  p50_duration_ms: optionalNum,
  p95_duration_ms: optionalNum,
  bytes_in: num.default(0),
  bytes_out: num.default(0),
  cost: num.default(0),
};

/** Copies the group's own key (`tool`, `agent_id`, `workspace_id`) to `name`, so every table reads one shape. */
const named = (key: string) => (row: unknown): unknown =>
  typeof row === 'object' && row !== null ? { ...(row as Record<string, unknown>), name: (row as Record<string, unknown>)[key] } : row;

const FinopsRowSchema = z.object({ name: label, ...finopsNumbers });
const finopsRow = (key: string) => z.preprocess(named(key), FinopsRowSchema);

export const FinopsSchema = z
  .object({
    window_hours: num.optional(),
    from: isoTime.optional(),
    to: isoTime.optional(),
    workspace_scope: z.string().nullish(),
    currency: z.string().default(''),
    totals: z.object({ ...finopsNumbers, engine_hours: optionalNum, engine_cost: optionalNum, total_cost: optionalNum }).partial().default({}),
    by_tool: z.array(finopsRow('tool')).default([]),
    by_agent: z.array(finopsRow('agent_id')).default([]),
    by_workspace: z.array(finopsRow('workspace_id')).default([]),
    source_backend: z.string().default('unknown'),
    complete: z.boolean().optional(),
  })
  .transform((body) => ({
    windowHours: body.window_hours ?? null,
    from: body.from ?? null,
    to: body.to ?? null,
    workspaceScope: body.workspace_scope ?? null,
    currency: body.currency,
    totals: body.totals,
    byTool: body.by_tool,
    byAgent: body.by_agent,
    byWorkspace: body.by_workspace,
    sourceBackend: body.source_backend,
    complete: body.complete ?? null,
  }));
export type Finops = z.output<typeof FinopsSchema>;
export type FinopsRow = z.output<typeof FinopsRowSchema>;

const VolumeRowSchema = z.object({ name: label, calls: num.default(0), bytes_in: num.default(0), bytes_out: num.default(0), bytes_total: num.default(0), without_hash: num.default(0) });
const volumeRow = (key: string) => z.preprocess(named(key), VolumeRowSchema);

export const PrivacySchema = z
  .object({
    window_hours: num.optional(),
    workspace_scope: z.string().nullish(),
    totals: z.object({ calls: num.default(0), bytes_in: num.default(0), bytes_out: num.default(0), without_hash: num.default(0) }).default({ calls: 0, bytes_in: 0, bytes_out: 0, without_hash: 0 }),
    volume_by_tool: z.array(volumeRow('tool')).default([]),
    volume_by_workspace: z.array(volumeRow('workspace_id')).default([]),
    repeated_inputs: z
      .array(z.object({ input_hash: z.string(), calls: num, tools: z.array(z.string()).default([]), agents: num.default(0), workspaces: num.default(0), first_at: isoTime.nullish(), last_at: isoTime.nullish() }))
      .default([]),
    size_outliers: z
      .object({
        rule: z.string().default(''),
        events: z
          .array(z.object({ event_id: z.string(), ts: isoTime, tool: z.string(), agent_id: z.string().nullish(), workspace_id: z.string().nullish(), in_size: num, out_size: num, tool_median_in: num.default(0), tool_median_out: num.default(0) }))
          .default([]),
      })
      .default({ rule: '', events: [] }),
    events_without_hash: z.array(z.object({ tool: label, events: num, calls: num.default(0) })).default([]),
    payloads_stored: z.boolean().optional(),
    source_backend: z.string().default('unknown'),
  })
  .transform((body) => ({
    windowHours: body.window_hours ?? null,
    workspaceScope: body.workspace_scope ?? null,
    totals: body.totals,
    volumeByTool: body.volume_by_tool,
    volumeByWorkspace: body.volume_by_workspace,
    repeatedInputs: body.repeated_inputs,
    sizeOutliers: body.size_outliers,
    eventsWithoutHash: body.events_without_hash,
    payloadsStored: body.payloads_stored ?? null,
    sourceBackend: body.source_backend,
  }));
export type Privacy = z.output<typeof PrivacySchema>;

/** `GET /v1/admin/emergency-stop` (admin only). */
export const EmergencyStopSchema = z.object({
  engaged: z.boolean(),
  since: isoTime.nullish().transform((value) => value ?? null),
  by: z.string().nullish().transform((value) => value ?? null),
  reason: z.string().nullish().transform((value) => value ?? null),
});
export type EmergencyStop = z.output<typeof EmergencyStopSchema>;

/** One gateway marker of `GET /v1/markers`: fallback started/ended, emergency stop engaged/lifted, a denied call, a quarantined line. */
const MarkerSchema = z.object({
  id: z.string(),
  ts: isoTime,
  marker: z.string(),
  details: z.record(z.string(), z.unknown()).default({}),
});
export type Marker = z.output<typeof MarkerSchema>;

/** `GET /v1/markers` (unscoped `evidence.read`): newest first, `{items, next_cursor}`. */
export const MarkersPageSchema = z.object({
  items: z.array(MarkerSchema).default([]),
  next_cursor: z.string().nullish().transform((value) => value ?? null),
});
export type MarkersPage = z.output<typeof MarkersPageSchema>;
