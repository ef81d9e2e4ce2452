import { z } from 'zod';

/**
 * Gateway evidence answers (`/v1/evidence/*`), parsed leniently like `api-shapes.schema.ts`.
 * Sizes and sequence numbers arrive as JSON numbers; hashes as lower-case hex.
 */

const seqNumber = z.coerce.number().int().nonnegative();
const isoTime = z.union([z.string(), z.number()]).transform((value) => new Date(value).toISOString());

/** One signed checkpoint (`CheckpointJson` of evidence-store). */
export const CheckpointItemSchema = z.object({
  id: z.coerce.number().int().optional(),
  tree_size: seqNumber,
  root_hash: z.string(),
  checkpoint_hash: z.string().default(''),
  prev_checkpoint_hash: z.string().nullish().transform((value) => value ?? null),
  note: z.string(),
  key_id: z.string().default(''),
  timestamp_kind: z.string().default('local'),
  created_at: isoTime.nullish().transform((value) => value ?? null),
});
export type CheckpointItem = z.output<typeof CheckpointItemSchema>;

/** `GET /v1/evidence/checkpoints?limit=`: newest first, with the log's verifier key. */
export const CheckpointListSchema = z
  .object({
    items: z.array(CheckpointItemSchema),
    next_cursor: z.union([z.number(), z.string()]).nullish(),
    verifier_key: z.string().nullish(),
  })
  .transform((body) => ({ items: body.items, nextCursor: body.next_cursor ?? null, verifierKey: body.verifier_key ?? null }));
export type CheckpointList = z.output<typeof CheckpointListSchema>;

/** `GET /v1/evidence/status`: the ledger now, the configured cadence and the anchor's last line. */
export const EvidenceStatusSchema = z.object({
  ledger_size: seqNumber,
  latest_checkpoint: z
    .object({ tree_size: seqNumber, checkpoint_hash: z.string(), key_id: z.string().default(''), timestamp_kind: z.string().default('local'), created_at: isoTime })
    .nullable(),
  uncovered_leaves: seqNumber,
  cadence: z.object({ every_leaves: seqNumber, every_seconds: seqNumber, heartbeat_seconds: seqNumber }),
  anchor: z.object({
    present: z.boolean(),
    last: z.object({ tree_size: seqNumber, checkpoint_hash: z.string(), anchored_at: isoTime }).nullable(),
    matches_latest_checkpoint: z.boolean(),
    problem: z.string().nullable(),
  }),
  verifier_key: z.string(),
});
export type EvidenceStatus = z.output<typeof EvidenceStatusSchema>;

/** One ledger entry (`LedgerEntryJson`). */
export const LedgerEntrySchema = z.object({
  seq: seqNumber,
  kind: z.string().default(''),
  ref: z.string().default(''),
  ts: isoTime.nullish().transform((value) => value ?? null),
  payload_hash: z.string().default(''),
  leaf_hash: z.string(),
  chain_hash: z.string().default(''),
});
export type LedgerEntry = z.output<typeof LedgerEntrySchema>;

/** `GET /v1/evidence/entries/:seq`: the entry and the first checkpoint covering it (null until one does). */
export const LedgerEntryAnswerSchema = z.object({
  entry: LedgerEntrySchema,
  checkpoint: CheckpointItemSchema.nullish().transform((value) => value ?? null),
});
export type LedgerEntryAnswer = z.output<typeof LedgerEntryAnswerSchema>;
