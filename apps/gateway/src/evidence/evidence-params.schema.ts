import { z } from 'zod';
import { SeqSchema, named } from '@auditstack/audit-core';

/** `:seq` path parameter. */
export const SeqParamsSchema = z.object({ seq: SeqSchema });

/** `?tree_size=` of the inclusion proof: a checkpoint's tree size; default the latest checkpoint. */
export const InclusionQuerySchema = z.object({ tree_size: SeqSchema.optional() });

/** `?from=&to=` of the consistency proof: `to` must be a checkpoint's tree size, `from ≤ to`. */
export const ConsistencyQuerySchema = z
  .object({ from: SeqSchema, to: SeqSchema })
  .refine((q) => q.from <= q.to, { message: 'from: must not exceed to', path: ['from'] });

/** `?limit=&cursor=` of the checkpoint list (newest first). */
export const CheckpointPageQuerySchema = z.object({
  limit: z.coerce.number(named('must be an integer 1–500')).int().min(1).max(500).default(50),
  cursor: SeqSchema.optional(),
});
