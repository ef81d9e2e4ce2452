import { EvidenceError } from './evidence.error';
import { HASH_SIZE, sha256 } from './hash.util';
import { type NoteKeyring, type NoteSigner, type OpenedNote, openNote, signNote } from './signed-note';

/**
 * Keyword of the one extension line auditstack adds to a checkpoint:
 * `auditstack-prev <base64(SHA-256 of the previous checkpoint's body)>`.
 * It chains checkpoints so that dropping or reordering one is detectable.
 * C2SP tlog-checkpoint §Note text allows opaque, non-empty extension lines
 * (and notes they are not auditable by generic monitors); the first
 * checkpoint of a log has no such line.
 */
export const PREV_CHECKPOINT_EXTENSION = 'auditstack-prev';

/** Checkpoint body fields (C2SP tlog-checkpoint §Note text). */
export interface CheckpointBody {
  /** Log identity; also the signing key's name. */
  readonly origin: string;
  /** Number of leaves. */
  readonly size: number;
  /** RFC 6962 root of the first `size` leaves. */
  readonly rootHash: Buffer;
  /** {@link checkpointHash} of the previous checkpoint, or null for the first one. */
  readonly prevCheckpointHash: Buffer | null;
}

/** A signed checkpoint and its derived hash. */
export interface SignedCheckpoint {
  readonly body: CheckpointBody;
  /** The signed text (body) exactly as signed. */
  readonly text: string;
  /** The full signed note (text, blank line, signature lines). */
  readonly note: string;
  /** SHA-256 of `text`: what the next checkpoint chains to and what is timestamped. */
  readonly hash: Buffer;
}

function checkOrigin(origin: string): void {
  if (origin.length === 0 || /[\s+]/u.test(origin)) {
    throw new EvidenceError('MALFORMED_INPUT', 'checkpoint origin must be non-empty without spaces or "+"');
  }
}

/** Formats the note text: origin, decimal size, base64 root, optional chain extension, each ending in a newline. */
export function formatCheckpointBody(body: CheckpointBody): string {
  checkOrigin(body.origin);
  if (!Number.isSafeInteger(body.size) || body.size < 0) throw new EvidenceError('MALFORMED_INPUT', 'checkpoint size must be a non-negative safe integer');
  if (body.rootHash.length !== HASH_SIZE) throw new EvidenceError('MALFORMED_INPUT', 'root hash must be 32 bytes');
  let text = `${body.origin}\n${body.size}\n${body.rootHash.toString('base64')}\n`;
  if (body.prevCheckpointHash) {
    if (body.prevCheckpointHash.length !== HASH_SIZE) throw new EvidenceError('MALFORMED_INPUT', 'previous checkpoint hash must be 32 bytes');
    text += `${PREV_CHECKPOINT_EXTENSION} ${body.prevCheckpointHash.toString('base64')}\n`;
  }
  return text;
}

function strictHash(b64: string): Buffer | null {
  const b = Buffer.from(b64, 'base64');
  return b.length === HASH_SIZE && b.toString('base64') === b64 ? b : null;
}

/**
 * Parses a checkpoint body strictly (attacker-controlled text): exactly three
 * mandatory lines, a decimal size without leading zeros, a canonical base64
 * 32-byte root, and at most one extension line, which must be ours.
 *
 * @throws EvidenceError `MALFORMED_INPUT`
 */
export function parseCheckpointBody(text: string): CheckpointBody {
  const bad = (why: string): EvidenceError => new EvidenceError('MALFORMED_INPUT', `malformed checkpoint: ${why}`);
  if (!text.endsWith('\n')) throw bad('text must end in a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3 || lines.length > 4) throw bad('expected origin, size, root and at most one extension line');
  const [origin, sizeText, rootText, ext] = lines as [string, string, string, string | undefined];
  checkOrigin(origin);
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) throw bad('size must be decimal without leading zeros');
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw bad('size too large');
  const rootHash = strictHash(rootText);
  if (!rootHash) throw bad('root must be base64 of 32 bytes');
  let prevCheckpointHash: Buffer | null = null;
  if (ext !== undefined) {
    const prefix = `${PREV_CHECKPOINT_EXTENSION} `;
    const prev = ext.startsWith(prefix) ? strictHash(ext.slice(prefix.length)) : null;
    if (!prev) throw bad('unknown extension line');
    prevCheckpointHash = prev;
  }
  return { origin, size, rootHash, prevCheckpointHash };
}

/** SHA-256 of a checkpoint's note text (signatures excluded, so cosignatures do not change it). */
export function checkpointHash(text: string): Buffer {
  return sha256(Buffer.from(text, 'utf8'));
}

/** Builds and signs a checkpoint. The signer's name must equal the origin (C2SP tlog-checkpoint §Signatures). */
export function createCheckpoint(body: CheckpointBody, signer: NoteSigner): SignedCheckpoint {
  if (signer.name !== body.origin) throw new EvidenceError('MALFORMED_INPUT', 'signing key name must equal the checkpoint origin');
  const text = formatCheckpointBody(body);
  return { body, text, note: signNote(text, [signer]), hash: checkpointHash(text) };
}

/**
 * Verifies a signed checkpoint against trusted keys and parses its body. A
 * signature from the origin's own key is required (other verified signatures,
 * e.g. witnesses, are allowed but not sufficient).
 *
 * @param expectedOrigin - the log identity the caller expects.
 * @param at - the checkpoint's trusted time, for key validity windows.
 * @throws EvidenceError `MALFORMED_INPUT`, `SIGNATURE_INVALID`, `UNKNOWN_KEY`
 */
export function openCheckpoint(note: string | Uint8Array, keyring: NoteKeyring, expectedOrigin?: string, at?: Date): SignedCheckpoint & { opened: OpenedNote } {
  const opened = openNote(note, keyring, at);
  const body = parseCheckpointBody(opened.text);
  if (expectedOrigin !== undefined && body.origin !== expectedOrigin) {
    throw new EvidenceError('MALFORMED_INPUT', `checkpoint origin ${JSON.stringify(body.origin)} is not ${JSON.stringify(expectedOrigin)}`, {
      checkpoint: body.size,
    });
  }
  if (!opened.verified.some((s) => s.name === body.origin)) {
    throw new EvidenceError('UNKNOWN_KEY', 'no trusted signature by the checkpoint origin', { checkpoint: body.size });
  }
  const text = opened.text;
  return { body, text, note: typeof note === 'string' ? note : Buffer.from(note).toString('utf8'), hash: checkpointHash(text), opened };
}
