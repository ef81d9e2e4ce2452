import { z } from 'zod';

/**
 * Engine workbook answers (`/v1/workbooks*`, docs/workbooks.md), parsed
 * leniently like `api-shapes.schema.ts`. A stored spec is kept as it came
 * (an object): the editor validates it with the shared schema itself.
 */

const text = z.string();
const isoTime = z.union([z.string(), z.number()]).transform((value) => new Date(value).toISOString());
const optionalIsoTime = isoTime.nullish().transform((value) => value ?? null);
const count = z.coerce.number().int().nonnegative();
const record = z.record(z.string(), z.unknown());

/** `GET /v1/workbooks` items: one line per workbook, its latest version. */
export const WorkbookSummarySchema = z.object({
  name: text,
  latest_version: count,
  versions: count.default(1),
  description: text.nullish().transform((value) => value ?? ''),
  steps: count.default(0),
  updated_at: optionalIsoTime,
});
export type WorkbookSummary = z.output<typeof WorkbookSummarySchema>;

export const WorkbookListSchema = z
  .union([z.array(WorkbookSummarySchema), z.object({ items: z.array(WorkbookSummarySchema) })])
  .transform((body) => (Array.isArray(body) ? body : body.items));

/** One stored version (`GET /v1/workbooks/:name/versions/:v`, the answer of a save). */
export const WorkbookVersionRowSchema = z.object({
  id: text.default(''),
  name: text,
  version: count,
  spec: record,
  created_at: optionalIsoTime,
});
export type WorkbookVersionRow = z.output<typeof WorkbookVersionRowSchema>;

/** `GET /v1/workbooks/:name`: the latest version and every version (newest first, without specs). */
export const WorkbookDetailSchema = z.object({
  name: text,
  latest: WorkbookVersionRowSchema,
  versions: z.array(WorkbookVersionRowSchema.omit({ spec: true })).default([]),
});
export type WorkbookDetail = z.output<typeof WorkbookDetailSchema>;

/** One assertion as a step's evidence records it (`actual` and `expected` shown as text). */
const AssertionOutcomeSchema = z.object({
  path: text,
  op: text,
  expected: z.unknown().optional(),
  actual: z.unknown().optional(),
  ok: z.boolean(),
  reason: text.optional(),
});

/** One collector check inside a step's evidence. */
const CollectorCheckSchema = z.object({ check_id: text, status: text, message: text.default('') });

/** The parts of a step's check evidence the dry-run table shows; anything else stays in `raw`. */
export const StepEvidenceSchema = z
  .object({
    parameters: record.optional().catch(undefined),
    collector_checks: z.array(CollectorCheckSchema).default([]).catch([]),
    assertions: z.array(AssertionOutcomeSchema).default([]).catch([]),
    extracted: record.default({}).catch({}),
    skipped: z.boolean().optional().catch(undefined),
    depends_on: z.array(text).optional().catch(undefined),
  })
  .catch({ collector_checks: [], assertions: [], extracted: {} });

/** One step of a dry run: its summary and the check it produced. */
export const DryRunStepSchema = z.object({
  id: text,
  kind: text.default(''),
  status: text,
  message: text.default(''),
  duration_ms: count.nullish().transform((value) => value ?? null),
  check: z
    .object({ check_id: text.optional(), target: text.default(''), status: text.optional(), message: text.optional(), evidence: record.default({}) })
    .nullish()
    .transform((value) => value ?? null),
});
export type DryRunStep = z.output<typeof DryRunStepSchema>;

/** `POST /v1/workbooks/dry-run`: the verdict, every step, the extracted context. Nothing was stored. */
export const DryRunReportSchema = z.object({
  name: text,
  verdict: text,
  status: text.default(''),
  duration_ms: count.nullish().transform((value) => value ?? null),
  steps: z.array(DryRunStepSchema),
  context: record.default({}),
});
export type DryRunReport = z.output<typeof DryRunReportSchema>;
