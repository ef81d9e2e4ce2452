import { type SignedCheckpoint, createCheckpoint } from './checkpoint';
import { EvidenceError } from './evidence.error';
import type { AnchorRecord } from './file-anchor-sink';
import { HASH_SIZE } from './hash.util';
import { LEDGER_LOCK_SQL, LedgerWriter, type SqlExecutor } from './ledger-writer';
import { CompactRange } from './merkle.util';
import type { NoteSigner } from './signed-note';
import type { Stamper } from './stamper';

/** When checkpoints are made (ARCHITECTURE §4). */
export interface CheckpointPolicy {
  /** New leaves that force a checkpoint. @defaultValue 1000 */
  readonly everyLeaves: number;
  /** Seconds after which a grown tree gets a checkpoint. @defaultValue 60 */
  readonly everySeconds: number;
  /** Seconds after which a checkpoint is made even if nothing happened. @defaultValue 3600 */
  readonly heartbeatSeconds: number;
}

/** Defaults of {@link CheckpointPolicy}. */
export const DEFAULT_CHECKPOINT_POLICY: CheckpointPolicy = Object.freeze({ everyLeaves: 1000, everySeconds: 60, heartbeatSeconds: 3600 });

/** Why a checkpoint is being considered. `shutdown` checkpoints any growth; `force` always checkpoints. */
export type CheckpointReason = 'tick' | 'shutdown' | 'force';

/**
 * Pure decision: is a checkpoint due for a tree of `size`, given the last
 * checkpoint (or none)? Every N leaves, every T seconds when the tree grew, an
 * idle heartbeat, at orderly shutdown when the tree grew, or when forced.
 */
export function checkpointDue(
  size: number,
  last: { readonly treeSize: number; readonly createdAt: Date } | null,
  now: Date,
  policy: CheckpointPolicy = DEFAULT_CHECKPOINT_POLICY,
  reason: CheckpointReason = 'tick',
): boolean {
  if (reason === 'force' || !last) return true;
  const grown = size - last.treeSize;
  const age = (now.getTime() - last.createdAt.getTime()) / 1000;
  if (grown >= policy.everyLeaves) return true;
  if (grown > 0 && (reason === 'shutdown' || age >= policy.everySeconds)) return true;
  return age >= policy.heartbeatSeconds;
}

/** Options of {@link CheckpointWriter}. */
export interface CheckpointWriterOptions {
  /** Checkpoint origin; must equal the signer's key name. */
  readonly origin: string;
  readonly signer: NoteSigner;
  readonly stamper: Stamper;
  readonly policy?: Partial<CheckpointPolicy>;
  /** Clock. @defaultValue `() => new Date()` */
  readonly now?: () => Date;
}

interface LastRow {
  tree_size: string | number;
  checkpoint_hash: Buffer;
  created_at: Date | string;
}

/**
 * Makes signed, timestamped checkpoints of the ledger head inside the caller's
 * transaction and stores them in `audit.checkpoints`, chained to the previous
 * one. It takes the ledger lock so that concurrent writers cannot
 * fork the checkpoint chain; the stamper runs while the lock is held, so keep
 * TSA timeouts short.
 *
 * The returned anchor record MUST be appended to the anchor sink only after
 * the transaction commits (an anchor for a rolled-back checkpoint would be
 * reported as `ANCHOR_INCONSISTENT`).
 */
export class CheckpointWriter {
  private readonly policy: CheckpointPolicy;
  private readonly now: () => Date;

  constructor(private readonly opts: CheckpointWriterOptions) {
    if (opts.signer.name !== opts.origin) throw new EvidenceError('MALFORMED_INPUT', 'signer key name must equal the checkpoint origin');
    this.policy = { ...DEFAULT_CHECKPOINT_POLICY, ...opts.policy };
    this.now = opts.now ?? (() => new Date());
  }

  /** Creates a checkpoint if one is due; returns it and its anchor record, or null. */
  async maybeCreate(tx: SqlExecutor, reason: CheckpointReason = 'tick'): Promise<{ checkpoint: SignedCheckpoint; anchor: AnchorRecord } | null> {
    await tx.query(LEDGER_LOCK_SQL);
    const head = await LedgerWriter.readHead(tx);
    const { rows } = await tx.query<LastRow>('SELECT tree_size, checkpoint_hash, created_at FROM audit.checkpoints ORDER BY id DESC LIMIT 1');
    const lastRow = rows[0];
    const last = lastRow ? { treeSize: Number(lastRow.tree_size), createdAt: new Date(lastRow.created_at), hash: lastRow.checkpoint_hash } : null;
    if (last && (!Buffer.isBuffer(last.hash) || last.hash.length !== HASH_SIZE))
      throw new EvidenceError('HEAD_INVALID', 'last checkpoint_hash is not 32 bytes');
    if (last && last.treeSize > head.size) throw new EvidenceError('HEAD_INVALID', `last checkpoint covers ${last.treeSize} leaves, head has ${head.size}`);
    const now = this.now();
    if (!checkpointDue(head.size, last, now, this.policy, reason)) return null;

    const root = CompactRange.fromHashes(head.size, head.frontier).root();
    const checkpoint = createCheckpoint(
      { origin: this.opts.origin, size: head.size, rootHash: root, prevCheckpointHash: last?.hash ?? null },
      this.opts.signer,
    );
    const ts = await this.opts.stamper.stamp(checkpoint.hash);
    const keyId = `${this.opts.signer.name}+${this.opts.signer.keyId.toString(16).padStart(8, '0')}`;
    await tx.query(
      `INSERT INTO audit.checkpoints (tree_size, root_hash, checkpoint_hash, prev_checkpoint_hash, note, key_id, timestamp_kind, timestamp_token, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [String(head.size), root, checkpoint.hash, last?.hash ?? null, checkpoint.note, keyId, ts.kind, ts.token, now.toISOString()],
    );
    return {
      checkpoint,
      anchor: {
        treeSize: head.size,
        rootHash: root.toString('hex'),
        checkpointHash: checkpoint.hash.toString('hex'),
        note: checkpoint.note,
        timestampKind: ts.kind,
        timestampToken: ts.token.toString('base64'),
        anchoredAt: now.toISOString(),
      },
    };
  }
}
