import { z } from 'zod';
import { ENTITLEMENTS } from '../../constants/entitlements';
import { SeqSchema } from '../../schemas/common.schema';
import { CHECKPOINT_TIMESTAMP_KINDS } from '../../schemas/evidence.schema';
import { pageOf, PageQuerySchema } from '../page.schema';
import { AUTHENTICATED_ERRORS, defineRoute } from '../route.contract';
import { ApiTimestampSchema } from '../api-types.schema';

const Hex64 = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .meta({ description: 'SHA-256, 64 lowercase hex.' });

/** A signed checkpoint as served (C2SP signed note of a tlog-checkpoint; hashes hex). */
export const CheckpointResponseSchema = z
  .object({
    tree_size: z.number().int().min(0),
    root_hash: Hex64,
    checkpoint_hash: Hex64,
    prev_checkpoint_hash: Hex64.nullable(),
    note: z.string().meta({
      description: 'The C2SP signed note: tlog-checkpoint body and Ed25519 signature line(s).',
    }),
    key_id: z.string(),
    timestamp_kind: z.enum(CHECKPOINT_TIMESTAMP_KINDS),
    timestamp_token: z.string().meta({ description: 'The stamper token, base64.' }),
    created_at: ApiTimestampSchema,
  })
  .meta({
    id: 'Checkpoint',
    description: 'A signed checkpoint of the evidence ledger.',
  });

/** A ledger leaf as served (`ts` stays as stored: a tampered value reads `invalid`). */
export const LedgerEntryResponseSchema = z
  .object({
    seq: z.number().int().min(0),
    kind: z.string().meta({
      description: 'The ledger kind (run, lifecycle, tool, config, retention, marker).',
    }),
    ref: z.string(),
    ts: z.string().meta({
      description: 'ISO-8601 UTC, or `invalid` when the stored time cannot be the hashed one.',
    }),
    payload_hash: Hex64,
    leaf_hash: Hex64,
    chain_hash: Hex64,
  })
  .meta({
    id: 'LedgerEntry',
    description: 'One leaf of the evidence ledger (RFC 6962 leaf index `seq`).',
  });

const VerifierKey = z.string().meta({
  description: 'The C2SP verifier key of the checkpoint signer (pin it out of band).',
});

export const EvidenceStatusSchema = z
  .object({
    ledger_size: z.number().int().min(0),
    latest_checkpoint: z
      .object({
        tree_size: z.number().int().min(0),
        checkpoint_hash: Hex64,
        key_id: z.string(),
        timestamp_kind: z.enum(CHECKPOINT_TIMESTAMP_KINDS),
        created_at: ApiTimestampSchema,
      })
      .nullable(),
    uncovered_leaves: z.number().int().min(0),
    cadence: z.object({
      every_leaves: z.number().int().min(0),
      every_seconds: z.number().int().min(0),
      heartbeat_seconds: z.number().int().min(0),
    }),
    anchor: z.object({
      present: z.boolean(),
      last: z
        .object({
          tree_size: z.number().int().min(0),
          checkpoint_hash: z.string(),
          anchored_at: z.string(),
        })
        .nullable(),
      matches_latest_checkpoint: z.boolean(),
      problem: z.string().nullable(),
    }),
    verifier_key: VerifierKey,
  })
  .meta({
    id: 'EvidenceStatus',
    description: 'Ledger size, newest checkpoint, uncovered leaves, cadence and the anchor.',
  });

export const CheckpointPageSchema = pageOf(
  CheckpointResponseSchema.extend({ id: z.number().int().positive() }).meta({
    id: 'CheckpointListItem',
  }),
)
  .extend({ verifier_key: VerifierKey })
  .meta({ id: 'CheckpointPage', description: 'Checkpoints, newest first.' });

export const LatestCheckpointSchema = CheckpointResponseSchema.extend({
  verifier_key: VerifierKey,
}).meta({ id: 'LatestCheckpoint' });

export const InclusionProofSchema = z
  .object({
    seq: z.number().int().min(0),
    tree_size: z.number().int().min(0),
    leaf_hash: Hex64,
    proof: z.array(Hex64).meta({ description: 'RFC 9162 §2.1.3 inclusion path, leaf to root.' }),
    entry: LedgerEntryResponseSchema,
    checkpoint: CheckpointResponseSchema,
  })
  .meta({
    id: 'InclusionProof',
    description: 'Proof that leaf `seq` is in the checkpoint of `tree_size`.',
  });

export const ConsistencyProofSchema = z
  .object({
    from: z.number().int().min(0),
    to: z.number().int().min(0),
    old_root: Hex64,
    new_root: Hex64,
    proof: z.array(Hex64).meta({ description: 'RFC 9162 §2.1.4 consistency proof.' }),
    checkpoint: CheckpointResponseSchema,
    old_checkpoint: CheckpointResponseSchema.nullable(),
  })
  .meta({
    id: 'ConsistencyProof',
    description: 'Proof that the tree of size `from` is a prefix of the checkpoint of size `to`.',
  });

export const LedgerEntryWithCheckpointSchema = z
  .object({
    entry: LedgerEntryResponseSchema,
    checkpoint: CheckpointResponseSchema.nullable().meta({
      description: 'The first checkpoint covering the entry; null until one does.',
    }),
  })
  .meta({ id: 'LedgerEntryWithCheckpoint' });

const SeqParams = z.object({
  seq: SeqSchema.meta({ description: 'The 0-based leaf index.' }),
});

const evidence = {
  tags: ['evidence'],
  auth: 'bearer',
  entitlement: ENTITLEMENTS.evidenceRead,
} as const;

/**
 * Evidence over HTTP: enough for a client to verify with any RFC 6962 /
 * C2SP implementation without trusting the server. A workspace-scoped caller
 * sees only its workspace's leaves (others: 404, like a seq that does not exist).
 */
export const EVIDENCE_ROUTES = {
  evidenceStatus: defineRoute({
    operationId: 'evidenceStatus',
    method: 'GET',
    path: '/v1/evidence/status',
    summary: 'Evidence ledger status',
    ...evidence,
    response: { description: 'The status.', schema: EvidenceStatusSchema },
    errors: [...AUTHENTICATED_ERRORS],
  }),
  listCheckpoints: defineRoute({
    operationId: 'listCheckpoints',
    method: 'GET',
    path: '/v1/evidence/checkpoints',
    summary: 'List checkpoints',
    description: 'Newest first, keyset-paginated.',
    ...evidence,
    query: PageQuerySchema,
    response: {
      description: 'One page of checkpoints.',
      schema: CheckpointPageSchema,
    },
    errors: [400, ...AUTHENTICATED_ERRORS],
  }),
  latestCheckpoint: defineRoute({
    operationId: 'latestCheckpoint',
    method: 'GET',
    path: '/v1/evidence/checkpoints/latest',
    summary: 'The newest checkpoint',
    description: '404 (`CHECKPOINT_NOT_FOUND`) before the first checkpoint.',
    ...evidence,
    response: {
      description: 'The newest checkpoint.',
      schema: LatestCheckpointSchema,
    },
    errors: [404, ...AUTHENTICATED_ERRORS],
  }),
  inclusionProof: defineRoute({
    operationId: 'inclusionProof',
    method: 'GET',
    path: '/v1/evidence/proofs/inclusion/{seq}',
    summary: 'Inclusion proof of a leaf',
    description:
      'Proof of leaf `seq` in the checkpoint of `tree_size` (default: the latest). 409 (`EVIDENCE_NOT_COVERED`) while no checkpoint covers the leaf.',
    ...evidence,
    params: SeqParams,
    query: z.object({
      tree_size: SeqSchema.optional().meta({
        description: "A checkpoint's tree size; default the latest checkpoint.",
      }),
    }),
    response: {
      description: 'The inclusion proof.',
      schema: InclusionProofSchema,
    },
    errors: [400, 404, 409, ...AUTHENTICATED_ERRORS],
  }),
  consistencyProof: defineRoute({
    operationId: 'consistencyProof',
    method: 'GET',
    path: '/v1/evidence/proofs/consistency',
    summary: 'Consistency proof between two tree sizes',
    description: '`to` must be the tree size of a checkpoint (404 otherwise) and `from ≤ to`.',
    ...evidence,
    query: z
      .object({
        from: SeqSchema.meta({ description: 'The older tree size.' }),
        to: SeqSchema.meta({ description: "A checkpoint's tree size." }),
      })
      .refine((q) => q.from <= q.to, {
        message: 'from: must not exceed to',
        path: ['from'],
      }),
    response: {
      description: 'The consistency proof.',
      schema: ConsistencyProofSchema,
    },
    errors: [400, 404, ...AUTHENTICATED_ERRORS],
  }),
  ledgerEntry: defineRoute({
    operationId: 'ledgerEntry',
    method: 'GET',
    path: '/v1/evidence/entries/{seq}',
    summary: 'One ledger entry',
    description: 'The entry and the first checkpoint covering it (null until one does).',
    ...evidence,
    params: SeqParams,
    response: {
      description: 'The entry.',
      schema: LedgerEntryWithCheckpointSchema,
    },
    errors: [400, 404, ...AUTHENTICATED_ERRORS],
  }),
} as const;
