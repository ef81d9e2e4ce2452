import { hash } from 'node:crypto';
import { sha256 } from './hash.util';

const SCRATCH = new Uint32Array(4);
const UUID_SCRATCH = new Uint32Array(5);

/** Value of each lowercase hex digit by char code; -1 elsewhere (uppercase too: only canonical refs take the exact path). */
const HEX_DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX_DIGIT['0123456789abcdef'.charCodeAt(i)] = i;

/**
 * Writes the 128 bits of a canonical lowercase UUID string into `out[0..3]` and
 * `tag` into `out[4]`; false (and `out` garbage) for any other string. The map
 * is injective on the strings it accepts, so membership stays exact.
 */
function uuidWords(ref: string, out: Uint32Array, tag: number): boolean {
  if (ref.length !== 36 || ref.charCodeAt(8) !== 45 || ref.charCodeAt(13) !== 45 || ref.charCodeAt(18) !== 45 || ref.charCodeAt(23) !== 45) return false;
  let w = 0;
  let digits = 0;
  let word = 0;
  for (let i = 0; i < 36; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) continue;
    const c = ref.charCodeAt(i);
    const v = c < 128 ? HEX_DIGIT[c]! : -1;
    if (v < 0) return false;
    w = (w << 4) | v;
    if (++digits === 8) {
      out[word++] = w >>> 0;
      w = 0;
      digits = 0;
    }
  }
  out[4] = tag;
  return true;
}

/** Kinds that get a tag (a forged ledger could name any number of kinds; the rest use fingerprints). */
const MAX_UUID_KINDS = 32;

/** Open-addressing set of (uuid, kind tag) as five words; word 4 (the tag, never 0) marks a used slot. */
class UuidTable {
  private slots = new Uint32Array(16 * 5);
  private used = 0;
  private readonly tags = new Map<string, number>();

  get size(): number {
    return this.used;
  }

  /** Tag (≥ 1) of `kind`; 0 when it has none and `create` is false or the tag space is full. */
  tagOf(kind: string, create: boolean): number {
    const t = this.tags.get(kind);
    if (t !== undefined) return t;
    if (!create || this.tags.size >= MAX_UUID_KINDS) return 0;
    this.tags.set(kind, this.tags.size + 1);
    return this.tags.size;
  }

  add(key: Uint32Array): boolean {
    if ((this.used + 1) * 4 > (this.slots.length / 5) * 3) this.grow();
    return this.insert(this.slots, key);
  }

  has(key: Uint32Array): boolean {
    return this.find(this.slots, key) >= 0;
  }

  /** Slot index of `key` (≥ 0), or −(free slot index) − 1. */
  private find(slots: Uint32Array, key: Uint32Array): number {
    const cap = slots.length / 5;
    // UUID bits are random enough (v4/v7 random parts) to index by; mixing in word 3 spreads v7's time prefix.
    for (let i = (key[0]! ^ key[3]! ^ Math.imul(key[4]!, 0x9e3779b1)) & (cap - 1); ; i = (i + 1) & (cap - 1)) {
      const o = i * 5;
      if (slots[o + 4] === 0) return -i - 1;
      if (slots[o] === key[0] && slots[o + 1] === key[1] && slots[o + 2] === key[2] && slots[o + 3] === key[3] && slots[o + 4] === key[4]) return i;
    }
  }

  private insert(slots: Uint32Array, key: Uint32Array): boolean {
    const at = this.find(slots, key);
    if (at >= 0) return false;
    slots.set(key, (-at - 1) * 5);
    if (slots === this.slots) this.used++;
    return true;
  }

  private grow(): void {
    const old = this.slots;
    const next = new Uint32Array(old.length * 2);
    for (let o = 0; o < old.length; o += 5) if (old[o + 4] !== 0) this.insert(next, old.subarray(o, o + 5));
    this.slots = next;
  }
}

/**
 * Set of 128-bit fingerprints (truncated SHA-256) in flat typed arrays, so the
 * verifier can remember 10M (kind, ref) pairs in ~16 bytes each instead of
 * ~100 bytes per string. 128 bits keep deliberate collisions out of reach.
 */
export class FingerprintSet {
  private slots: Uint32Array;
  private used = 0;
  /** (kind, canonical UUID ref) pairs, stored exactly: no SHA-256 per key (the common case online). */
  private readonly uuids = new UuidTable();

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.slots = new Uint32Array(cap * 4);
  }

  /** Number of distinct members. */
  get size(): number {
    return this.used + this.uuids.size;
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
    const tag = this.uuids.tagOf(kind, true);
    if (tag !== 0 && uuidWords(ref, UUID_SCRATCH, tag)) return this.uuids.add(UUID_SCRATCH);
    return this.add(FingerprintSet.into(SCRATCH, kind, ref));
  }

  /** True when (kind, ref) was added. */
  hasKey(kind: string, ref: string): boolean {
    const tag = this.uuids.tagOf(kind, false);
    if (tag !== 0 && uuidWords(ref, UUID_SCRATCH, tag)) return this.uuids.has(UUID_SCRATCH);
    // A kind never added with a UUID ref may still have been added through the fingerprint path.
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
