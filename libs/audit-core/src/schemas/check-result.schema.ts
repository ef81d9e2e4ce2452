import { z } from 'zod';

/** Status of one check inside a run. `warn` counts against the badge (amber) but not the score. */
export const CHECK_STATUSES = ['pass', 'warn', 'fail', 'error'] as const;
export const CheckStatusSchema = z.enum(CHECK_STATUSES);
export type CheckStatus = z.infer<typeof CheckStatusSchema>;

/** The rule a check applied, with the standard it comes from (e.g. `RFC 7208 §4.6.4`). */
export const CheckRuleSchema = z
  .object({
    id: z.string().min(1).max(200),
    description: z.string().min(1).max(2000),
    reference: z.string().max(200).optional(),
  })
  .strict();
export type CheckRule = z.infer<typeof CheckRuleSchema>;

/**
 * One check produced by a collector: what a scorecard row shows.
 * `evidence` is the raw material the verdict rests on (DNS answers,
 * certificate summary, HTTP status and headers, SQL rows).
 */
export const CheckSchema = z
  .object({
    check_id: z.string().min(1).max(200),
    target: z.string().min(1).max(500),
    status: CheckStatusSchema,
    message: z.string().max(4000),
    rule: CheckRuleSchema,
    evidence: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type Check = z.infer<typeof CheckSchema>;
