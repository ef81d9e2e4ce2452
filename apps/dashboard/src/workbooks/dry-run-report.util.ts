import { z } from 'zod';
import type { DryRunReport } from '../api/api-views.util';

/** One assertion as a step's evidence records it (`actual` and `expected` shown as text). */
const AssertionOutcomeSchema = z.object({
  path: z.string(),
  op: z.string(),
  expected: z.unknown().optional(),
  actual: z.unknown().optional(),
  ok: z.boolean(),
  reason: z.string().optional(),
});

/** One collector check inside a step's evidence. */
const CollectorCheckSchema = z.object({ check_id: z.string(), status: z.string(), message: z.string().default('') });

/**
 * The parts of a step's evidence the dry-run table shows. The contract types a check's evidence
 * as any JSON object (each step kind records its own), so this reads it field by field and
 * leniently: a part it does not recognise is left out of the table and still shown raw.
 */
const StepEvidenceSchema = z
  .object({
    parameters: z.record(z.string(), z.unknown()).optional().catch(undefined),
    collector_checks: z.array(CollectorCheckSchema).default([]).catch([]),
    assertions: z.array(AssertionOutcomeSchema).default([]).catch([]),
    extracted: z.record(z.string(), z.unknown()).default({}).catch({}),
    skipped: z.boolean().optional().catch(undefined),
    depends_on: z.array(z.string()).optional().catch(undefined),
  })
  .catch({ collector_checks: [], assertions: [], extracted: {} });

/** Step and verdict statuses, best to worst (docs/workbooks.md "Verdicts"). */
export const STEP_STATUSES = ['pass', 'warn', 'fail', 'error'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** One assertion of a step as the table shows it. */
export interface AssertionRow {
  readonly path: string;
  readonly op: string;
  /** The expected value as JSON text; `''` for `exists`/`absent`. */
  readonly expected: string;
  /** What was observed, as the engine rendered it (`(absent)` when the path is missing). */
  readonly actual: string;
  readonly ok: boolean;
  readonly reason: string | null;
}

/** One row of the dry-run table: the step's summary plus what its evidence says. */
export interface StepRow {
  readonly id: string;
  readonly kind: string;
  readonly status: string;
  readonly message: string;
  readonly durationMs: number | null;
  /** What the step reached (URL, domain, host:port, `sql`). */
  readonly target: string;
  readonly assertions: readonly AssertionRow[];
  readonly collectorChecks: readonly { readonly checkId: string; readonly status: string; readonly message: string }[];
  readonly extracted: Readonly<Record<string, unknown>>;
  readonly parameters: Readonly<Record<string, unknown>> | null;
  /** Set when the step did not run because an earlier step failed to provide its inputs. */
  readonly dependsOn: readonly string[] | null;
  /** The whole check evidence, for the raw view. */
  readonly evidence: Readonly<Record<string, unknown>>;
}

/** The dry run as the editor shows it. */
export interface DryRunView {
  readonly name: string;
  readonly verdict: string;
  readonly durationMs: number | null;
  readonly steps: readonly StepRow[];
  /** `{ pass: 2, fail: 1 }` in status order, zero counts left out. */
  readonly counts: readonly { readonly status: string; readonly count: number }[];
  readonly context: readonly { readonly key: string; readonly value: string }[];
}

/** A value for a table cell: strings as they are (the engine already renders `actual`), anything else as JSON. */
export function displayValue(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}

/** `850 ms`, `1.2 s`, `—` when unknown. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${ms} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** Shapes the engine's dry-run answer for the table (every field optional in the evidence is defaulted). */
export function shapeDryRun(report: DryRunReport): DryRunView {
  const steps = report.steps.map((step): StepRow => {
    const evidence = isRecord(step.check.evidence) ? step.check.evidence : {};
    const parsed = StepEvidenceSchema.parse(evidence);
    return {
      id: step.id,
      kind: step.kind,
      status: step.status,
      message: step.message,
      durationMs: step.duration_ms,
      target: step.check.target,
      assertions: parsed.assertions.map((a) => ({
        path: a.path,
        op: a.op,
        expected: displayValue(a.expected),
        actual: displayValue(a.actual),
        ok: a.ok,
        reason: a.reason ?? null,
      })),
      collectorChecks: parsed.collector_checks.map((c) => ({ checkId: c.check_id, status: c.status, message: c.message })),
      extracted: parsed.extracted,
      parameters: parsed.parameters ?? null,
      dependsOn: parsed.skipped ? (parsed.depends_on ?? []) : null,
      evidence,
    };
  });
  const tally = new Map<string, number>();
  for (const step of steps) tally.set(step.status, (tally.get(step.status) ?? 0) + 1);
  const known = STEP_STATUSES.filter((s) => tally.has(s));
  const others = [...tally.keys()].filter((s) => !(STEP_STATUSES as readonly string[]).includes(s)).sort();
  return {
    name: report.name,
    verdict: report.verdict,
    durationMs: report.duration_ms,
    steps,
    counts: [...known, ...others].map((status) => ({ status, count: tally.get(status)! })),
    context: Object.entries(report.context).map(([key, value]) => ({ key, value: displayValue(value) })),
  };
}

/** `2 pass, 1 fail` for the verdict line. */
export function describeCounts(counts: DryRunView['counts']): string {
  return counts.map((c) => `${c.count} ${c.status}`).join(', ');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
