import { base64ToBytes, equalBytes, type Sha256 } from './inclusion-proof.util';

/**
 * C2SP signed notes and tlog checkpoints, read and verified in the browser with WebCrypto
 * (Ed25519 where the browser has it). Every input here comes from a server: parse strictly.
 */

const SIGNATURE_PREFIX = '\u2014 ';
const ALG_ED25519 = 0x01;

/** A signature line: `— <name> base64(key id ‖ signature)`. */
export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  readonly signature: Uint8Array;
}

/** A note split into the signed text (ending in a newline) and its signature lines. */
export interface ParsedNote {
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** The body of a checkpoint (C2SP tlog-checkpoint): origin, tree size, root hash, extension lines. */
export interface CheckpointBody {
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHash: Uint8Array;
  readonly extensions: readonly string[];
}

/** A verifier key `name+hex(key id)+base64(0x01 ‖ 32-byte Ed25519 key)`. */
export interface VerifierKey {
  readonly name: string;
  readonly keyId: number;
  readonly publicKey: Uint8Array;
}

/** Splits a signed note at its last blank line; `null` when it is not a signed note. */
export function parseNote(note: string): ParsedNote | null {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) return null;
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_PREFIX)) return null;
    const [name, b64, extra] = line.slice(SIGNATURE_PREFIX.length).split(' ');
    const bytes = b64 ? base64ToBytes(b64) : null;
    if (!name || !bytes || extra !== undefined || bytes.length < 5) return null;
    signatures.push({ name, keyId: new DataView(bytes.buffer, bytes.byteOffset).getUint32(0), signature: bytes.slice(4) });
  }
  return signatures.length > 0 ? { text, signatures } : null;
}

/** Reads a checkpoint body strictly: three lines, a decimal size, a canonical base64 32-byte root. */
export function parseCheckpointBody(text: string): CheckpointBody | null {
  const lines = text.split('\n');
  if (lines.pop() !== '') return null;
  const [origin, size, root, ...extensions] = lines;
  if (!origin || !size || !root || !/^(?:0|[1-9][0-9]{0,15})$/.test(size)) return null;
  const rootHash = base64ToBytes(root);
  if (!rootHash || rootHash.length !== 32 || extensions.some((line) => line === '')) return null;
  return { origin, treeSize: Number(size), rootHash, extensions };
}

/** Parses a verifier key and checks its key id = first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key). */
export async function parseVerifierKey(sha256: Sha256, vkey: string): Promise<VerifierKey | null> {
  const first = vkey.indexOf('+');
  const second = vkey.indexOf('+', first + 1);
  if (first <= 0 || second < 0) return null;
  const name = vkey.slice(0, first);
  const idHex = vkey.slice(first + 1, second);
  const key = base64ToBytes(vkey.slice(second + 1));
  if (!/^[0-9a-f]{8}$/.test(idHex) || !key || key.length !== 33 || key[0] !== ALG_ED25519) return null;
  const publicKey = key.slice(1);
  const keyId = parseInt(idHex, 16);
  const digest = await sha256(new Uint8Array([...new TextEncoder().encode(name), 0x0a, ALG_ED25519, ...publicKey]));
  if (!equalBytes(digest.slice(0, 4), Uint8Array.of(keyId >>> 24, (keyId >>> 16) & 0xff, (keyId >>> 8) & 0xff, keyId & 0xff))) return null;
  return { name, keyId, publicKey };
}

/** Outcome of checking a note's signature: `unsupported` when this browser has no WebCrypto Ed25519. */
export type SignatureCheck = 'valid' | 'invalid' | 'no-signature-by-key' | 'unsupported';

/** Verifies the note's signature by `key` with WebCrypto Ed25519 (RFC 8032). */
export async function verifyNoteSignature(subtle: SubtleCrypto, key: VerifierKey, note: ParsedNote): Promise<SignatureCheck> {
  const sig = note.signatures.find((s) => s.name === key.name && s.keyId === key.keyId);
  if (!sig) return 'no-signature-by-key';
  if (sig.signature.length !== 64) return 'invalid';
  let cryptoKey: CryptoKey;
  try {
    cryptoKey = await subtle.importKey('raw', key.publicKey as BufferSource, { name: 'Ed25519' }, false, ['verify']);
  } catch {
    return 'unsupported';
  }
  const ok = await subtle.verify({ name: 'Ed25519' }, cryptoKey, sig.signature as BufferSource, new TextEncoder().encode(note.text) as BufferSource);
  return ok ? 'valid' : 'invalid';
}
