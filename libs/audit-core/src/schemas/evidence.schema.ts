import { z } from 'zod';
import { LEDGER_KINDS } from '../constants/ledger-kinds';
import { Hex64Schema, named, SeqSchema, strictObject, UtcTimestampSchema } from './common.schema';

const LEDGER_KIND_VALUES = Object.values(LEDGER_KINDS) as [
  (typeof LEDGER_KINDS)[keyof typeof LEDGER_KINDS],
  ...(typeof LEDGER_KINDS)[keyof typeof LEDGER_KINDS][],
];

/** A ledger entry kind, one of `LEDGER_KINDS`. */
export const LedgerKindSchema = z.enum(LEDGER_KIND_VALUES, named(`must be one of ${LEDGER_KIND_VALUES.join(', ')}`));

/**
 * `ref`: the row a leaf covers (an event id, a run id, a partition name…):
 * 1–200 characters of `A–Z a–z 0–9 . _ : / -`.
 */
export const LedgerRefSchema = z
  .string(named("must be a reference: 1–200 characters of A–Z, a–z, 0–9, '.', '_', ':', '/', '-'"))
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/);

/**
 * One ledger leaf in JSON (API, export bundle): hashes as 64 lowercase hex
 * (the database keeps `bytea`). `seq` is the 0-based RFC 6962 leaf index.
 * `payload_hash` = SHA-256 of the row's RFC 8785 canonical JSON;
 * `leaf_hash` = SHA-256(0x00 ‖ canonical entry) (RFC 6962 §2.1);
 * `chain_hash` = SHA-256(previous chain hash ‖ leaf_hash).
 */
export const LedgerEntrySchema = strictObject(
  {
    seq: SeqSchema,
    kind: LedgerKindSchema,
    ref: LedgerRefSchema,
    ts: UtcTimestampSchema,
    payload_hash: Hex64Schema,
    leaf_hash: Hex64Schema,
    chain_hash: Hex64Schema,
  },
  'a ledger entry',
);

/** A ledger entry. */
export type LedgerEntry = z.output<typeof LedgerEntrySchema>;

/**
 * How a checkpoint was timestamped: `local` — the built-in stamper (a
 * signed local clock reading); `rfc3161` — a token from an RFC 3161 TSA.
 * Persisted in `audit.checkpoints.timestamp_kind`: never rename.
 */
export const CHECKPOINT_TIMESTAMP_KINDS = ['local', 'rfc3161'] as const;

/** One of {@link CHECKPOINT_TIMESTAMP_KINDS}. */
export type CheckpointTimestampKind = (typeof CHECKPOINT_TIMESTAMP_KINDS)[number];

/** A checkpoint timestamp kind. */
export const CheckpointTimestampKindSchema = z.enum(CHECKPOINT_TIMESTAMP_KINDS, named(`must be one of ${CHECKPOINT_TIMESTAMP_KINDS.join(', ')}`));

/** Longest signed-note text accepted (a checkpoint note is a few hundred bytes; leave room for extensions and cosignatures). */
export const MAX_CHECKPOINT_NOTE_LENGTH = 65_536;

/**
 * A signed checkpoint in JSON: `note` is the C2SP `signed-note` text wrapping
 * a C2SP `tlog-checkpoint` body (origin, tree size, base64 root hash) and its
 * Ed25519 signature line(s); hashes as 64 lowercase hex; `checkpoint_hash`
 * chains checkpoints (`prev_checkpoint_hash` is null for the first);
 * `timestamp_token` is the base64 token of the stamper, when exported.
 */
export const CheckpointSchema = strictObject(
  {
    tree_size: SeqSchema,
    root_hash: Hex64Schema,
    checkpoint_hash: Hex64Schema,
    prev_checkpoint_hash: Hex64Schema.nullable(),
    note: z
      .string(named(`must be a signed note: 1–${MAX_CHECKPOINT_NOTE_LENGTH} characters ending with a newline`))
      .min(1)
      .max(MAX_CHECKPOINT_NOTE_LENGTH)
      .endsWith('\n'),
    /** Signer key name (C2SP signed-note: no spaces, no '+'), or a key id in hex. */
    key_id: z.string(named("must be a key name: 1–256 printable characters without spaces or '+'")).regex(/^[\x21-\x2a\x2c-\x7e]{1,256}$/),
    timestamp_kind: CheckpointTimestampKindSchema,
    timestamp_token: z.base64(named('must be base64')).optional(),
    created_at: UtcTimestampSchema,
  },
  'a checkpoint',
);

/** A checkpoint. */
export type Checkpoint = z.output<typeof CheckpointSchema>;
