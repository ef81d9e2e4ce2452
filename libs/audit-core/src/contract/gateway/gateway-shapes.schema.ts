import { z } from 'zod';
import { LIFECYCLE_ACTIONS } from '../../schemas/lifecycle-event.schema';
import { TOOL_EVENT_STATUSES } from '../../schemas/tool-event.schema';
import { ApiTimestampSchema } from '../api-types.schema';

/**
 * Shapes the gateway's route contracts share: where a query's data came
 * from, and events as stored.
 */

/** Where a query's data came from (issue 5: shown on every dashboard). */
export const SourceInfoShape = {
  source_backend: z.string().meta({
    description: 'The storage backend taking writes now: postgres, jsonl, null, or the auto backend while it spools.',
    example: 'postgres',
  }),
  read_from: z.enum(['postgres', 'jsonl']).meta({ description: 'What this answer was read from.' }),
  complete: z.boolean().meta({
    description: 'False while recent events are spooled and not yet readable here (or the backend keeps them elsewhere).',
  }),
  note: z.string().optional().meta({ description: 'Why the answer is incomplete, in plain words.' }),
  jsonl_files: z.array(z.string()).optional().meta({ description: 'JSONL files read (AUDIT_BACKEND=jsonl).' }),
  jsonl_lines_skipped: z.number().int().min(0).optional().meta({ description: 'JSONL lines that could not be read.' }),
};

/**
 * What the gateway accepted but flags, per event of an ingest answer (absent
 * when nothing is flagged): each message names the field, e.g.
 * `metadata.tier: unknown key, kept` (tolerant mode keeps unknown metadata
 * keys) or `status: "succeeded" is not one of ok, error, denied, timeout; stored as sent`.
 */
export const IngestWarningsSchema = z.array(z.string()).optional().meta({
  description:
    'What was accepted but flagged (unknown metadata keys kept, unrecognised status stored as sent); each message names the field. Absent when nothing is flagged.',
});

/** A ledger sequence number in a response, or null before the row is ledgered. */
const LedgerSeqSchema = z.number().int().min(0).nullable().meta({
  description: 'Position of the row in the evidence ledger; null until ledgered.',
});

/** A lifecycle event as stored and listed (what `GET /v1/lifecycle-events` returns). */
export const StoredLifecycleEventSchema = z
  .object({
    event_id: z.uuid(),
    ts: ApiTimestampSchema,
    action: z.enum(LIFECYCLE_ACTIONS),
    actor: z.string(),
    product_id: z.string().nullable(),
    user_id: z.string().nullable(),
    engine_id: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()).meta({ description: 'Action-specific facts (see the event catalog).' }),
    duration_ms: z.number().int().min(0).nullable(),
    ledger_seq: LedgerSeqSchema,
  })
  .meta({
    id: 'StoredLifecycleEvent',
    description: 'A lifecycle event as stored, with its ledger position.',
  });

/** A tool event as stored and listed (what `GET /v1/tool-events` returns). */
export const StoredToolEventSchema = z
  .object({
    event_id: z.uuid(),
    ts: ApiTimestampSchema,
    req_id: z.string(),
    workspace_id: z.string(),
    user_id: z.string().nullable(),
    agent_id: z.string(),
    tool: z.string(),
    action: z.string(),
    status: z.string().meta({
      description: `Outcome of the call: ${TOOL_EVENT_STATUSES.join(', ')} are recognised; any other short code is stored as sent.`,
    }),
    duration_ms: z.number().int().min(0),
    in_size: z.number().int().min(0),
    out_size: z.number().int().min(0),
    input_hash: z.string().nullable().meta({
      description: 'SHA-256 of the input, 64 lowercase hex; null when the call arrived without one.',
    }),
    graph_run_id: z.string().nullable(),
    graph_node: z.string().nullable(),
    job_id: z.string().nullable(),
    ledger_seq: LedgerSeqSchema,
  })
  .meta({
    id: 'StoredToolEvent',
    description: 'A tool event as stored (sizes and a hash, never a payload), with its ledger position.',
  });
