import { hash } from 'node:crypto';
import { sha256 } from './hash.util';

const SCRATCH = new Uint32Array(4);

/**
 * Set of 128-bit fingerprints (truncated SHA-256) in flat typed arrays, so the
 * verifier can remember 10M (kind, ref) pairs in ~16 bytes each instead of
 * ~100 bytes per string. 128 bits keep deliberate collisions out of reach.
 */
export class FingerprintSet {
  private slots: Uint32Array;
  private used = 0;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.slots = new Uint32Array(cap * 4);
  }

  /** Number of distinct members. */
  get size(): number {
    return this.used;
  }

  /** Fingerprint of a (kind, ref) pair. */
  static of(kind: string, ref: string): Uint32Array {
    const h = sha256(Buffer.from(`${kind}\u0000${ref}`, 'utf8'));
    const out = new Uint32Array(4);
    for (let i = 0; i < 4; i++) out[i] = h.readUInt32LE(i * 4) | (i === 0 ? 1 : 0); // word 0 never 0: 0 marks an empty slot
    return out;
  }

  /** Adds the fingerprint of (kind, ref) without allocating; returns false when already present. */
  addKey(kind: string, ref: string): boolean {
    return this.add(FingerprintSet.into(SCRATCH, kind, ref));
  }

  /** True when (kind, ref) was added. */
  hasKey(kind: string, ref: string): boolean {
    return this.has(FingerprintSet.into(SCRATCH, kind, ref));
  }

  /** Writes the fingerprint of (kind, ref) into `out` (4 words). */
  static into(out: Uint32Array, kind: string, ref: string): Uint32Array {
    // latin1 output: one char per digest byte, read as little-endian words.
    const h = hash('sha256', `${kind}\u0000${ref}`, 'binary');
    for (let i = 0; i < 4; i++) {
      const o = i * 4;
      const w = (h.charCodeAt(o) | (h.charCodeAt(o + 1) << 8) | (h.charCodeAt(o + 2) << 16) | (h.charCodeAt(o + 3) << 24)) >>> 0;
      out[i] = i === 0 ? (w | 1) >>> 0 : w; // word 0 never 0: 0 marks an empty slot
    }
    return out;
  }

  /** Adds; returns false when already present. */
  add(fp: Uint32Array): boolean {
    if ((this.used + 1) * 4 > (this.slots.length / 4) * 3) this.grow();
    return this.insert(this.slots, fp);
  }

  has(fp: Uint32Array): boolean {
    const cap = this.slots.length / 4;
    for (let i = fp[0]! & (cap - 1); ; i = (i + 1) & (cap - 1)) {
      const o = i * 4;
      if (this.slots[o] === 0) return false;
      if (this.slots[o] === fp[0] && this.slots[o + 1] === fp[1] && this.slots[o + 2] === fp[2] && this.slots[o + 3] === fp[3]) return true;
    }
  }

  private insert(slots: Uint32Array, fp: Uint32Array): boolean {
    const cap = slots.length / 4;
    for (let i = fp[0]! & (cap - 1); ; i = (i + 1) & (cap - 1)) {
      const o = i * 4;
      if (slots[o] === 0) {
        slots.set(fp, o);
        if (slots === this.slots) this.used++;
        return true;
      }
      if (slots[o] === fp[0] && slots[o + 1] === fp[1] && slots[o + 2] === fp[2] && slots[o + 3] === fp[3]) return false;
    }
  }

  private grow(): void {
    const old = this.slots;
    const next = new Uint32Array(old.length * 2);
    for (let o = 0; o < old.length; o += 4) if (old[o] !== 0) this.insert(next, old.subarray(o, o + 4));
    this.slots = next;
  }
}
