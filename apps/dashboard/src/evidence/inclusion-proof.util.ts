/**
 * RFC 6962 / RFC 9162 Merkle inclusion proofs checked with WebCrypto, so the browser can verify a
 * ledger entry against a signed checkpoint without trusting the dashboard's server. Framework-free:
 * runs in the browser (`crypto.subtle`) and in Node 20 (same global), which the unit specs use.
 */

/** SHA-256 of some bytes (WebCrypto's `digest` is async). */
export type Sha256 = (data: Uint8Array) => Promise<Uint8Array>;

/** Why a proof or its inputs were refused; `message` is for people. */
export class ProofError extends Error {
  constructor(
    readonly code: 'MALFORMED_INPUT' | 'PROOF_INVALID',
    message: string,
  ) {
    super(message);
    this.name = 'ProofError';
  }
}

/** SHA-256 through WebCrypto. @defaultValue `globalThis.crypto.subtle` */
export function webCryptoSha256(subtle: SubtleCrypto = globalThis.crypto.subtle): Sha256 {
  return async (data) => new Uint8Array(await subtle.digest('SHA-256', data as BufferSource));
}

/** Lower-case hex of exactly `bytes` bytes (when given); anything else is refused (the text comes from a server). */
export function hexToBytes(hex: string, bytes?: number): Uint8Array {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex) || (bytes !== undefined && hex.length !== bytes * 2)) {
    throw new ProofError('MALFORMED_INPUT', `expected ${bytes === undefined ? 'hex' : `${bytes} bytes of hex`}, got ${JSON.stringify(hex.slice(0, 80))}`);
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Strict standard base64 (RFC 4648 §4): only the canonical encoding of its bytes is accepted. */
export function base64ToBytes(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  const binary = atob(text);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return bytesToBase64(bytes) === text ? bytes : null;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Leaf hash: SHA-256(0x00 ‖ data) (RFC 6962 §2.1). */
export function hashLeaf(sha256: Sha256, data: Uint8Array): Promise<Uint8Array> {
  return sha256(concat(Uint8Array.of(0x00), data));
}

/** Interior node hash: SHA-256(0x01 ‖ left ‖ right) (RFC 6962 §2.1). */
export function hashChildren(sha256: Sha256, left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256(concat(Uint8Array.of(0x01), left, right));
}

/**
 * The root an inclusion proof leads to (RFC 9162 §2.1.3.2), for the leaf at zero-based `index` in a
 * tree of `size` leaves. Sizes are plain numbers (exact up to 2^53), so halving uses arithmetic,
 * not 32-bit shifts.
 *
 * @throws ProofError `MALFORMED_INPUT` for an index outside the tree or hashes of the wrong length,
 *   `PROOF_INVALID` for a proof of the wrong length.
 */
export async function rootFromInclusionProof(
  sha256: Sha256,
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
): Promise<Uint8Array> {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    throw new ProofError('MALFORMED_INPUT', `leaf ${index} is not in a tree of ${size} leaves`);
  }
  if (leafHash.length !== 32 || proof.some((p) => p.length !== 32)) throw new ProofError('MALFORMED_INPUT', 'every hash must be 32 bytes');
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) throw new ProofError('PROOF_INVALID', `the proof is longer than a tree of ${size} leaves needs`);
    if (fn % 2 === 1 || fn === sn) {
      r = await hashChildren(sha256, p, r);
      // Skip the levels where this node is a left child with no right sibling.
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await hashChildren(sha256, r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new ProofError('PROOF_INVALID', `the proof is shorter than a tree of ${size} leaves needs`);
  return r;
}

/** Whether `proof` shows the leaf at `index` is in the tree of `size` leaves with root `root`. Never throws. */
export async function verifyInclusion(
  sha256: Sha256,
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): Promise<boolean> {
  try {
    return equalBytes(await rootFromInclusionProof(sha256, index, size, leafHash, proof), root);
  } catch {
    return false;
  }
}
