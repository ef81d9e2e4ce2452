import { type KeyObject, createPrivateKey, createPublicKey, randomBytes, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import { EvidenceError } from './evidence.error';
import { sha256 } from './hash.util';

/** C2SP signed-note signature type identifier for Ed25519. */
export const NOTE_ALG_ED25519 = 0x01;
/** Largest note accepted by {@link parseNote} (bytes). Checkpoints are a few hundred bytes. */
export const MAX_NOTE_SIZE = 64 * 1024;
/** Most signature lines accepted (C2SP signed-note: verifiers MUST accept at least 16; Go's x/mod/sumdb/note uses 100). */
export const MAX_NOTE_SIGNATURES = 100;

const EM_DASH_PREFIX = '\u2014 ';
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A public key identified the signed-note way: (name, 32-bit key ID). */
export interface NoteVerifierKey {
  readonly name: string;
  readonly keyId: number;
  /** Raw 32-byte Ed25519 public key (RFC 8032). */
  readonly publicKey: Buffer;
}

/** A private key able to sign notes, with its public identity. */
export interface NoteSigner extends NoteVerifierKey {
  sign(message: Uint8Array): Buffer;
}

/** One signature line of a note. */
export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** Raw signature bytes (without the 4-byte key ID). */
  readonly signature: Buffer;
}

/** A note split into its text and signature lines; nothing is verified yet. */
export interface ParsedNote {
  /** The signed text, including its final newline. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** Key names MUST be non-empty and contain neither Unicode spaces nor '+' (C2SP signed-note §Format). */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && isCleanText(name) && !name.includes('\n');
}

/** Valid UTF-8 (no lone surrogates) and no ASCII control character other than newline. */
function isCleanText(s: string): boolean {
  return !/[\u0000-\u0009\u000b-\u001f]/.test(s) && Buffer.from(s, 'utf8').toString('utf8') === s;
}

/** Key ID = first 4 bytes, big-endian, of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key) (C2SP signed-note §Ed25519). */
export function noteKeyId(name: string, publicKey: Uint8Array): number {
  return sha256(Buffer.from(name, 'utf8'), Buffer.from([0x0a, NOTE_ALG_ED25519]), publicKey).readUInt32BE(0);
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** Strict standard base64 (RFC 4648 §4): the input must be the canonical encoding of its bytes. */
function strictBase64(s: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) return null;
  const b = Buffer.from(s, 'base64');
  return b.toString('base64') === s ? b : null;
}

function publicKeyObject(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

function privateKeyObject(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

function rawPublicKey(priv: KeyObject): Buffer {
  const der = createPublicKey(priv).export({ format: 'der', type: 'spki' });
  return Buffer.from(der.subarray(der.length - 32));
}

/** Splits on the first `fields - 1` '+' signs: the last field is base64, which may itself contain '+'. */
function splitKey(s: string, fields: number): string[] {
  const out: string[] = [];
  let rest = s;
  for (let i = 1; i < fields; i++) {
    const at = rest.indexOf('+');
    if (at < 0) return out;
    out.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  out.push(rest);
  return out;
}

/** Verifier key string `name+hex(keyid)+base64(0x01 ‖ pubkey)` (golang.org/x/mod/sumdb/note). */
export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) throw new EvidenceError('MALFORMED_INPUT', `invalid key name ${JSON.stringify(name)}`);
  if (publicKey.length !== 32) throw new EvidenceError('MALFORMED_INPUT', 'Ed25519 public key must be 32 bytes');
  const body = Buffer.concat([Buffer.from([NOTE_ALG_ED25519]), publicKey]).toString('base64');
  return `${name}+${hex8(noteKeyId(name, publicKey))}+${body}`;
}

/**
 * Parses a verifier key string strictly: exactly three '+'-separated fields,
 * 8 lowercase hex digits, algorithm 0x01 with 32 key bytes, and a key ID that
 * matches the name and key. Key strings come from configuration and trust
 * files: treat them as untrusted.
 *
 * @throws EvidenceError `MALFORMED_INPUT`
 */
export function parseVerifierKey(vkey: string): NoteVerifierKey {
  const parts = splitKey(vkey, 3);
  const bad = (why: string): EvidenceError => new EvidenceError('MALFORMED_INPUT', `verifier key: ${why}`);
  if (parts.length !== 3) throw bad('expected name+keyid+key');
  const [name, idHex, b64] = parts as [string, string, string];
  if (!isValidKeyName(name)) throw bad('invalid name');
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw bad('key id must be 8 lowercase hex digits');
  const key = strictBase64(b64);
  if (!key || key.length !== 33 || key[0] !== NOTE_ALG_ED25519) throw bad('expected base64(0x01 ‖ 32-byte Ed25519 key)');
  const publicKey = Buffer.from(key.subarray(1));
  const keyId = parseInt(idHex, 16);
  if (noteKeyId(name, publicKey) !== keyId) throw bad('key id does not match name and key');
  return { name, keyId, publicKey };
}

/** Signer key string `PRIVATE+KEY+name+hex(keyid)+base64(0x01 ‖ seed)` (golang.org/x/mod/sumdb/note). */
export function formatSignerKey(name: string, seed: Uint8Array): string {
  if (seed.length !== 32) throw new EvidenceError('MALFORMED_INPUT', 'Ed25519 seed must be 32 bytes');
  const publicKey = rawPublicKey(privateKeyObject(seed));
  const vkey = formatVerifierKey(name, publicKey);
  const keyIdHex = vkey.split('+')[1]!;
  return `PRIVATE+KEY+${name}+${keyIdHex}+${Buffer.concat([Buffer.from([NOTE_ALG_ED25519]), seed]).toString('base64')}`;
}

/**
 * Parses a signer key string strictly (same rules as {@link parseVerifierKey},
 * plus the `PRIVATE+KEY+` prefix) and returns a signer.
 *
 * @throws EvidenceError `MALFORMED_INPUT`
 */
export function parseSignerKey(skey: string): NoteSigner {
  const parts = splitKey(skey, 5);
  const bad = (why: string): EvidenceError => new EvidenceError('MALFORMED_INPUT', `signer key: ${why}`);
  if (parts.length !== 5 || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') throw bad('expected PRIVATE+KEY+name+keyid+key');
  const [, , name, idHex, b64] = parts as [string, string, string, string, string];
  if (!isValidKeyName(name)) throw bad('invalid name');
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw bad('key id must be 8 lowercase hex digits');
  const key = strictBase64(b64);
  if (!key || key.length !== 33 || key[0] !== NOTE_ALG_ED25519) throw bad('expected base64(0x01 ‖ 32-byte Ed25519 seed)');
  const priv = privateKeyObject(key.subarray(1));
  const publicKey = rawPublicKey(priv);
  const keyId = parseInt(idHex, 16);
  if (noteKeyId(name, publicKey) !== keyId) throw bad('key id does not match name and key');
  return { name, keyId, publicKey, sign: (message) => cryptoSign(null, message, priv) };
}

/** Generates a fresh Ed25519 note key pair as (signer key string, verifier key string). */
export function generateNoteKey(name: string): { signerKey: string; verifierKey: string } {
  const seed = randomBytes(32);
  const signerKey = formatSignerKey(name, seed);
  return { signerKey, verifierKey: verifierKeyOf(parseSignerKey(signerKey)) };
}

/** The verifier key string of a signer or verifier key. */
export function verifierKeyOf(key: NoteVerifierKey): string {
  return formatVerifierKey(key.name, key.publicKey);
}

/** Ed25519 check of one raw signature over the note text. */
export function verifyNoteSignature(key: NoteVerifierKey, text: string, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  try {
    return cryptoVerify(null, Buffer.from(text, 'utf8'), publicKeyObject(key.publicKey), signature);
  } catch {
    return false;
  }
}

function checkText(text: string): void {
  if (text.length === 0 || !text.endsWith('\n') || !isCleanText(text)) {
    throw new EvidenceError('MALFORMED_INPUT', 'note text must be non-empty UTF-8 ending in a newline, without control characters');
  }
}

/**
 * Signs `text` with each signer: text, a blank line, then one line
 * `— <name> base64(keyid ‖ signature)` per signer (C2SP signed-note §Format).
 */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  checkText(text);
  if (signers.length === 0) throw new EvidenceError('MALFORMED_INPUT', 'at least one signer is required');
  const lines = signers.map((s) => {
    if (!isValidKeyName(s.name)) throw new EvidenceError('MALFORMED_INPUT', `invalid signer name ${JSON.stringify(s.name)}`);
    const id = Buffer.alloc(4);
    id.writeUInt32BE(s.keyId >>> 0, 0);
    const sig = s.sign(Buffer.from(text, 'utf8'));
    return `${EM_DASH_PREFIX}${s.name} ${Buffer.concat([id, sig]).toString('base64')}\n`;
  });
  return `${text}\n${lines.join('')}`;
}

/**
 * Splits a signed note into text and signature lines, strictly. The whole note
 * is attacker-controlled: size and signature count are bounded, the bytes must
 * be UTF-8 without control characters other than newline, the text is
 * separated from the signatures by the last blank line, and every line after
 * it must be a well-formed signature line.
 *
 * @throws EvidenceError `MALFORMED_INPUT`
 */
export function parseNote(note: string | Uint8Array): ParsedNote {
  const bad = (why: string): EvidenceError => new EvidenceError('MALFORMED_INPUT', `malformed note: ${why}`);
  let msg: string;
  if (typeof note === 'string') {
    if (note.length > MAX_NOTE_SIZE) throw bad('too large');
    msg = note;
  } else {
    if (note.length > MAX_NOTE_SIZE) throw bad('too large');
    try {
      msg = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(note);
    } catch {
      throw bad('not UTF-8');
    }
  }
  if (Buffer.byteLength(msg, 'utf8') > MAX_NOTE_SIZE) throw bad('too large');
  if (!isCleanText(msg)) throw bad('control characters or invalid UTF-8');
  if (!msg.endsWith('\n')) throw bad('does not end in a newline');
  const split = msg.lastIndexOf('\n\n');
  if (split < 0) throw bad('no blank line before the signatures');
  const text = msg.slice(0, split + 1);
  const sigLines = msg.slice(split + 2, -1).split('\n');
  if (text.length === 0 || sigLines.length === 0 || sigLines[0] === '') throw bad('no signatures');
  if (sigLines.length > MAX_NOTE_SIGNATURES) throw bad('too many signatures');
  const signatures = sigLines.map((line) => {
    if (!line.startsWith(EM_DASH_PREFIX)) throw bad('signature line must start with an em dash and a space');
    const rest = line.slice(EM_DASH_PREFIX.length);
    const sp = rest.indexOf(' ');
    if (sp < 0) throw bad('signature line without signature');
    const name = rest.slice(0, sp);
    const raw = strictBase64(rest.slice(sp + 1));
    if (!isValidKeyName(name)) throw bad('invalid key name');
    if (!raw || raw.length < 5) throw bad('signature is not base64(keyid ‖ signature)');
    return { name, keyId: raw.readUInt32BE(0), signature: Buffer.from(raw.subarray(4)) };
  });
  return { text, signatures };
}

/** A trusted verifier key, optionally valid only within [notBefore, notAfter]. */
export interface KeyringEntry {
  readonly key: NoteVerifierKey;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

/**
 * Trusted note verifier keys. Rotation: give the old key a `notAfter` and the
 * new key a `notBefore`; a note whose time falls outside a key's window is
 * refused with `SIGNATURE_INVALID` (the key is known, its use is not valid
 * then), never silently treated as unknown.
 */
export class NoteKeyring {
  private readonly entries = new Map<string, KeyringEntry>();

  constructor(entries: readonly KeyringEntry[] = []) {
    for (const e of entries) this.add(e);
  }

  /** Builds a keyring of window-less keys from verifier key strings. */
  static fromVerifierKeys(vkeys: readonly string[]): NoteKeyring {
    return new NoteKeyring(vkeys.map((v) => ({ key: parseVerifierKey(v) })));
  }

  /**
   * Adds a key. Two keys with the same (name, key ID) are ambiguous and refused.
   *
   * @throws EvidenceError `MALFORMED_INPUT`
   */
  add(entry: KeyringEntry): void {
    const id = `${entry.key.name}+${hex8(entry.key.keyId)}`;
    if (this.entries.has(id)) throw new EvidenceError('MALFORMED_INPUT', `ambiguous key ${id}`);
    if (entry.notBefore && entry.notAfter && entry.notBefore > entry.notAfter) {
      throw new EvidenceError('MALFORMED_INPUT', `key ${id} has notBefore after notAfter`);
    }
    this.entries.set(id, entry);
  }

  /** The entry for (name, key ID), if trusted. */
  lookup(name: string, keyId: number): KeyringEntry | undefined {
    return this.entries.get(`${name}+${hex8(keyId)}`);
  }

  /** All entries. */
  list(): KeyringEntry[] {
    return [...this.entries.values()];
  }
}

/** Result of {@link openNote}. */
export interface OpenedNote extends ParsedNote {
  /** Signatures by trusted keys, all verified. */
  readonly verified: readonly NoteSignature[];
  /** Signatures by keys not in the keyring (ignored, C2SP signed-note §Signatures). */
  readonly unverified: readonly NoteSignature[];
}

/**
 * Parses and verifies a signed note against `keyring` (C2SP signed-note
 * §Signatures): signatures from unknown keys are ignored; every signature from
 * a known key MUST verify; at least one must. Stricter than x/mod/sumdb/note: a
 * known key signing twice is refused rather than de-duplicated.
 *
 * @param at - the time the note claims (e.g. its timestamp), checked against key windows.
 * @throws EvidenceError `MALFORMED_INPUT` (syntax, duplicate), `SIGNATURE_INVALID`
 *   (a known key's signature fails or falls outside its window), `UNKNOWN_KEY`
 *   (no signature from a trusted key).
 */
export function openNote(note: string | Uint8Array, keyring: NoteKeyring, at?: Date): OpenedNote {
  const parsed = parseNote(note);
  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seen = new Set<string>();
  for (const sig of parsed.signatures) {
    const entry = keyring.lookup(sig.name, sig.keyId);
    const id = `${sig.name}+${hex8(sig.keyId)}`;
    if (!entry) {
      unverified.push(sig);
      continue;
    }
    if (seen.has(id)) throw new EvidenceError('MALFORMED_INPUT', `duplicate signature by ${id}`);
    seen.add(id);
    if (entry.notBefore || entry.notAfter) {
      if (!at) throw new EvidenceError('SIGNATURE_INVALID', `key ${id} has a validity window but the note has no trusted time`);
      if ((entry.notBefore && at < entry.notBefore) || (entry.notAfter && at > entry.notAfter)) {
        throw new EvidenceError('SIGNATURE_INVALID', `key ${id} is not valid at ${at.toISOString()}`);
      }
    }
    if (!verifyNoteSignature(entry.key, parsed.text, sig.signature)) {
      throw new EvidenceError('SIGNATURE_INVALID', `invalid signature for key ${id}`);
    }
    verified.push(sig);
  }
  if (verified.length === 0) throw new EvidenceError('UNKNOWN_KEY', 'note has no signature from a trusted key');
  return { ...parsed, verified, unverified };
}
