import { EvidenceError } from './evidence.error';
import { HASH_SIZE, bytesEqual, sha256, sha256Latin1 } from './hash.util';

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** Root of the empty tree: SHA-256 of the empty string (RFC 6962 §2.1). */
export const EMPTY_ROOT: Buffer = sha256();

/** Reused for 0x00 ‖ data (grown as needed): no Buffer.concat per leaf. */
let leafScratch = Buffer.alloc(1 + 256);

/** RFC 6962 §2.1 leaf hash: SHA-256(0x00 ‖ data). */
export function leafHash(data: Uint8Array): Buffer {
  if (data.length > 65_536) return sha256(LEAF_PREFIX, data);
  if (leafScratch.length < 1 + data.length) leafScratch = Buffer.alloc(1 + data.length);
  leafScratch[0] = 0x00;
  leafScratch.set(data, 1);
  return Buffer.from(sha256Latin1(leafScratch.subarray(0, 1 + data.length)), 'latin1');
}

const NODE_SCRATCH = Buffer.alloc(1 + 2 * HASH_SIZE);

/** RFC 6962 §2.1 interior node hash: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) return sha256(NODE_PREFIX, left, right);
  // Hot path (every append and proof step): one reused buffer instead of a Buffer.concat.
  NODE_SCRATCH[0] = 0x01;
  NODE_SCRATCH.set(left, 1);
  NODE_SCRATCH.set(right, 1 + HASH_SIZE);
  return Buffer.from(sha256Latin1(NODE_SCRATCH), 'latin1');
}

/** Largest power of two strictly smaller than `n` (n ≥ 2), the RFC 6962 §2.1 split point. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isSize(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

function assertSize(n: number, what: string): void {
  if (!isSize(n)) throw new EvidenceError('MALFORMED_INPUT', `${what} must be a non-negative safe integer, got ${n}`);
}

/** MTH(D[lo:hi]) of RFC 6962 §2.1, computed recursively over a slice of leaf hashes. */
function subtreeRoot(leaves: readonly Uint8Array[], lo: number, hi: number): Buffer {
  const n = hi - lo;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return Buffer.from(leaves[lo]!);
  const k = splitPoint(n);
  return nodeHash(subtreeRoot(leaves, lo, lo + k), subtreeRoot(leaves, lo + k, hi));
}

/**
 * Merkle tree hash MTH(D[n]) of RFC 6962 §2.1 over already-hashed leaves.
 * The empty tree's root is {@link EMPTY_ROOT}.
 */
export function rootOf(leafHashes: readonly Uint8Array[]): Buffer {
  return subtreeRoot(leafHashes, 0, leafHashes.length);
}

function path(leaves: readonly Uint8Array[], m: number, lo: number, hi: number, out: Buffer[]): void {
  const n = hi - lo;
  if (n <= 1) return;
  const k = splitPoint(n);
  if (m < k) {
    path(leaves, m, lo, lo + k, out);
    out.push(subtreeRoot(leaves, lo + k, hi));
  } else {
    path(leaves, m - k, lo + k, hi, out);
    out.push(subtreeRoot(leaves, lo, lo + k));
  }
}

/**
 * Audit path PATH(m, D[n]) of RFC 6962 §2.1.1 (RFC 9162 §2.1.3.1) for leaf
 * `index` in the tree made of the first `size` leaf hashes.
 *
 * @defaultValue size = `leafHashes.length`
 */
export function inclusionProof(leafHashes: readonly Uint8Array[], index: number, size = leafHashes.length): Buffer[] {
  assertSize(size, 'size');
  if (size > leafHashes.length) throw new EvidenceError('MALFORMED_INPUT', `size ${size} exceeds ${leafHashes.length} leaves`);
  if (!isSize(index) || index >= size) {
    throw new EvidenceError('MALFORMED_INPUT', `index ${index} outside tree of size ${size}`, { seq: index, checkpoint: size });
  }
  const out: Buffer[] = [];
  path(leafHashes, index, 0, size, out);
  return out;
}

function subproof(leaves: readonly Uint8Array[], m: number, lo: number, hi: number, complete: boolean, out: Buffer[]): void {
  const n = hi - lo;
  if (m === n) {
    if (!complete) out.push(subtreeRoot(leaves, lo, hi));
    return;
  }
  const k = splitPoint(n);
  if (m <= k) {
    subproof(leaves, m, lo, lo + k, complete, out);
    out.push(subtreeRoot(leaves, lo + k, hi));
  } else {
    subproof(leaves, m - k, lo + k, hi, false, out);
    out.push(subtreeRoot(leaves, lo, lo + k));
  }
}

/**
 * Consistency proof PROOF(m, D[n]) of RFC 6962 §2.1.2 (RFC 9162 §2.1.4.1)
 * between the trees of the first `size1` and `size2` leaf hashes.
 *
 * @defaultValue size2 = `leafHashes.length`
 */
export function consistencyProof(leafHashes: readonly Uint8Array[], size1: number, size2 = leafHashes.length): Buffer[] {
  assertSize(size1, 'size1');
  assertSize(size2, 'size2');
  if (size2 > leafHashes.length || size1 > size2) {
    throw new EvidenceError('MALFORMED_INPUT', `cannot prove ${size1} → ${size2} over ${leafHashes.length} leaves`);
  }
  const out: Buffer[] = [];
  if (size1 === 0 || size1 === size2) return out;
  subproof(leafHashes, size1, 0, size2, true, out);
  return out;
}

const lsb = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

function allHashes(proof: readonly Uint8Array[]): boolean {
  return proof.every((p) => p.length === HASH_SIZE);
}

/**
 * Recomputes the root from an inclusion proof per RFC 9162 §2.1.3.2, or returns
 * `null` when the proof cannot be valid for (index, size). Every argument is
 * attacker-controlled when the proof comes from a client or an export bundle.
 */
export function rootFromInclusionProof(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[]): Buffer | null {
  if (!isSize(index) || !isSize(size) || index >= size) return null;
  if (leaf.length !== HASH_SIZE || !allHashes(proof)) return null;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) return null;
    if (lsb(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? r : null;
}

/** RFC 9162 §2.1.3.2: true iff `proof` proves `leaf` is at `index` in the tree of `size` with `root`. */
export function verifyInclusion(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  const got = rootFromInclusionProof(index, size, leaf, proof);
  return got !== null && bytesEqual(got, root);
}

/**
 * Throwing form of {@link verifyInclusion}, for callers that print or serve proofs.
 *
 * @throws EvidenceError `PROOF_INVALID`
 */
export function assertInclusion(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): void {
  if (!verifyInclusion(index, size, leaf, proof, root)) {
    throw new EvidenceError('PROOF_INVALID', `inclusion proof for leaf ${index} in tree of size ${size} does not verify`, { seq: index, checkpoint: size });
  }
}

/**
 * RFC 9162 §2.1.4.2: true iff `proof` shows the tree of `size1` with `root1` is
 * a prefix of the tree of `size2` with `root2`. Sizes, roots and proof are all
 * attacker-controlled when read from checkpoints or a bundle.
 */
export function verifyConsistency(size1: number, size2: number, proof: readonly Uint8Array[], root1: Uint8Array, root2: Uint8Array): boolean {
  if (!isSize(size1) || !isSize(size2) || size1 > size2) return false;
  if (!allHashes(proof)) return false;
  if (size1 === size2) return proof.length === 0 && bytesEqual(root1, root2);
  if (size1 === 0) return proof.length === 0;
  if (proof.length === 0 || root1.length !== HASH_SIZE || root2.length !== HASH_SIZE) return false;
  // RFC 9162 §2.1.4.2 step 2: a power-of-two first tree is itself a node of the second.
  const path: readonly Uint8Array[] = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (lsb(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Buffer = Buffer.from(path[0]!);
  let sr: Buffer = Buffer.from(path[0]!);
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (lsb(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && bytesEqual(fr, root1) && bytesEqual(sr, root2);
}

/**
 * Throwing form of {@link verifyConsistency}.
 *
 * @throws EvidenceError `PROOF_INVALID`
 */
export function assertConsistency(size1: number, size2: number, proof: readonly Uint8Array[], root1: Uint8Array, root2: Uint8Array): void {
  if (!verifyConsistency(size1, size2, proof, root1, root2)) {
    throw new EvidenceError('PROOF_INVALID', `consistency proof ${size1} → ${size2} does not verify`, { checkpoint: size2 });
  }
}

/**
 * Compact range [0, size) of a Merkle tree (the "frontier"): the roots of the
 * perfect subtrees that tile the leaves, left to right, one per set bit of
 * `size` — at most 64 hashes. Appending a leaf and computing the root are
 * O(log n), so the database head stores this instead of the whole tree.
 */
export class CompactRange {
  private constructor(
    private sizeValue: number,
    private readonly hashes: Buffer[],
  ) {}

  /** The empty range (size 0). */
  static empty(): CompactRange {
    return new CompactRange(0, []);
  }

  /**
   * Restores a range from its stored form. The stored form is read back from
   * the database and therefore checked: one 32-byte hash per set bit of size.
   *
   * @throws EvidenceError `HEAD_INVALID` when the hashes do not fit the size.
   */
  static fromHashes(size: number, hashes: readonly Uint8Array[]): CompactRange {
    if (!isSize(size)) throw new EvidenceError('HEAD_INVALID', `frontier size ${size} is not a safe integer`);
    if (hashes.length !== popcount(size) || !allHashes(hashes)) {
      throw new EvidenceError('HEAD_INVALID', `frontier of size ${size} needs ${popcount(size)} hashes of 32 bytes`, {
        checkpoint: size,
      });
    }
    return new CompactRange(
      size,
      hashes.map((h) => Buffer.from(h)),
    );
  }

  /** Builds the range of a list of leaf hashes. */
  static of(leafHashes: Iterable<Uint8Array>): CompactRange {
    const r = CompactRange.empty();
    for (const h of leafHashes) r.append(h);
    return r;
  }

  /** Number of leaves covered. */
  get size(): number {
    return this.sizeValue;
  }

  /**
   * Appends one leaf hash; merges complete subtrees (O(log n)). The range may
   * keep a reference to `leaf`: do not mutate it afterwards. `onSubtree`, when
   * given, sees every perfect subtree the append completes: MTH of leaves
   * [index·2^level, (index+1)·2^level), level ≥ 1 (the store caches the large
   * ones for proofs).
   */
  append(leaf: Uint8Array, onSubtree?: (level: number, index: number, hash: Buffer) => void): void {
    if (leaf.length !== HASH_SIZE) throw new EvidenceError('MALFORMED_INPUT', 'leaf hash must be 32 bytes');
    let h: Buffer = Buffer.isBuffer(leaf) ? leaf : Buffer.from(leaf);
    let s = this.sizeValue;
    let level = 0;
    while (lsb(s)) {
      h = nodeHash(this.hashes.pop()!, h);
      s = half(s);
      // The low `level` bits of the old size were all ones, so the subtree just closed has index ⌊size / 2^level⌋.
      if (onSubtree) onSubtree(++level, s, h);
    }
    this.hashes.push(h);
    this.sizeValue += 1;
  }

  /** RFC 6962 root of the covered tree (O(log n)). */
  root(): Buffer {
    const n = this.hashes.length;
    if (n === 0) return Buffer.from(EMPTY_ROOT);
    let r = this.hashes[n - 1]!;
    for (let i = n - 2; i >= 0; i--) r = nodeHash(this.hashes[i]!, r);
    return Buffer.from(r);
  }

  /** Stored form: copies of the subtree roots, left to right. */
  toHashes(): Buffer[] {
    return this.hashes.map((h) => Buffer.from(h));
  }

  /** Independent copy. */
  clone(): CompactRange {
    return new CompactRange(this.sizeValue, this.toHashes());
  }
}

function isPowerOfTwo(n: number): boolean {
  let x = n;
  while (x > 1 && !lsb(x)) x = half(x);
  return x === 1;
}

function popcount(n: number): number {
  let c = 0;
  let x = n;
  while (x > 0) {
    if (lsb(x)) c++;
    x = half(x);
  }
  return c;
}
