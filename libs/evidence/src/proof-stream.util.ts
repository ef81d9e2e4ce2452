import { EvidenceError } from './evidence.error';
import { HASH_SIZE } from './hash.util';
import { CompactRange, EMPTY_ROOT, nodeHash } from './merkle.util';

/** A half-open leaf range [lo, hi) whose subtree hash MTH(D[lo:hi]) is one proof element. */
export interface LeafRange {
  readonly lo: number;
  readonly hi: number;
}

function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function checkSizes(a: number, b: number): void {
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || a < 0 || b < 0) {
    throw new EvidenceError('MALFORMED_INPUT', 'indices and sizes must be non-negative safe integers');
  }
}

/** Leaf ranges of the audit path PATH(index, D[size]) (RFC 6962 §2.1.1), in proof order. */
export function inclusionProofRanges(index: number, size: number): LeafRange[] {
  checkSizes(index, size);
  if (index >= size) throw new EvidenceError('MALFORMED_INPUT', `index ${index} outside tree of size ${size}`, { seq: index, checkpoint: size });
  const out: LeafRange[] = [];
  const walk = (m: number, lo: number, hi: number): void => {
    if (hi - lo <= 1) return;
    const k = split(hi - lo);
    if (m < k) {
      walk(m, lo, lo + k);
      out.push({ lo: lo + k, hi });
    } else {
      walk(m - k, lo + k, hi);
      out.push({ lo, hi: lo + k });
    }
  };
  walk(index, 0, size);
  return out;
}

/** Leaf ranges of PROOF(size1, D[size2]) (RFC 6962 §2.1.2), in proof order. */
export function consistencyProofRanges(size1: number, size2: number): LeafRange[] {
  checkSizes(size1, size2);
  if (size1 > size2) throw new EvidenceError('MALFORMED_INPUT', `cannot prove ${size1} → ${size2}`);
  const out: LeafRange[] = [];
  if (size1 === 0 || size1 === size2) return out;
  const walk = (m: number, lo: number, hi: number, complete: boolean): void => {
    if (m === hi - lo) {
      if (!complete) out.push({ lo, hi });
      return;
    }
    const k = split(hi - lo);
    if (m <= k) {
      walk(m, lo, lo + k, complete);
      out.push({ lo: lo + k, hi });
    } else {
      walk(m - k, lo + k, hi, false);
      out.push({ lo, hi: lo + k });
    }
  };
  walk(size1, 0, size2, true);
  return out;
}

/**
 * Computes the hashes of disjoint leaf ranges in one pass over a stream of
 * leaf hashes (ordered from leaf 0), in O(log n) memory: a proof for a
 * 10M-leaf ledger without loading it. The stream must yield at least
 * `max(hi)` leaves; extra leaves are not read.
 *
 * @throws EvidenceError `MALFORMED_INPUT` when the stream ends early.
 */
export async function hashLeafRanges(ranges: readonly LeafRange[], leafHashes: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Buffer[]> {
  const order = ranges.map((r, i) => ({ ...r, i })).sort((a, b) => a.lo - b.lo);
  const end = order.length ? Math.max(...order.map((r) => r.hi)) : 0;
  const out: Buffer[] = new Array<Buffer>(ranges.length);
  let pos = 0;
  let cur = 0;
  let acc: CompactRange | null = null;
  if (end === 0) return out;
  for await (const leaf of leafHashes) {
    while (cur < order.length && pos >= order[cur]!.hi) cur++;
    const r = order[cur];
    if (r && pos >= r.lo) {
      acc ??= CompactRange.empty();
      acc.append(leaf);
      if (pos + 1 === r.hi) {
        out[r.i] = acc.root();
        acc = null;
      }
    }
    pos++;
    if (pos >= end) break;
  }
  if (pos < end) throw new EvidenceError('MALFORMED_INPUT', `leaf stream ended at ${pos}, proof needs ${end} leaves`);
  return out;
}

/** A perfect, aligned subtree: MTH of leaves [index·2^level, (index+1)·2^level). */
export interface SubtreeKey {
  readonly level: number;
  readonly index: number;
}

/**
 * Where {@link hashLeafRangesFrom} reads hashes. Both answers are untrusted:
 * a wrong one yields a proof that does not verify against the signed root.
 */
export interface SubtreeSource {
  /** Cached hashes of some of `keys` (each level ≥ the min level), keyed `level:index`; missing keys are computed from their children. */
  subtrees(keys: readonly SubtreeKey[]): Promise<ReadonlyMap<string, Uint8Array>>;
  /** The leaf hashes of each range, in leaf order (one array per range, in the order asked). */
  leafHashes(ranges: readonly LeafRange[]): Promise<readonly (readonly Uint8Array[])[]>;
}

const keyOf = (level: number, index: number): string => `${level}:${index}`;

/** The perfect aligned subtree that is exactly [lo, hi), or null. */
function perfect(lo: number, hi: number): SubtreeKey | null {
  const n = hi - lo;
  const level = Math.log2(n);
  return Number.isInteger(level) && lo % n === 0 ? { level, index: lo / n } : null;
}

/**
 * MTH(D[lo:hi]) of RFC 6962 §2.1 as a tree of perfect aligned subtrees: `visit`
 * gets each subtree and `node` combines two results. For the range of a proof
 * node this is O(log n) subtrees.
 */
function foldRange<T>(lo: number, hi: number, visit: (t: SubtreeKey) => T, node: (l: T, r: T) => T, empty: T): T {
  if (hi <= lo) return empty;
  const t = perfect(lo, hi);
  if (t) return visit(t);
  const k = split(hi - lo);
  return node(foldRange(lo, lo + k, visit, node, empty), foldRange(lo + k, hi, visit, node, empty));
}

/**
 * MTH of each leaf range, from cached subtree hashes and as few leaf hashes as
 * possible: with every subtree of level ≥ `minLevel` cached, an inclusion or
 * consistency proof costs O(log n) cached hashes and fewer than 2 × 2^minLevel
 * leaf hashes in two or three queries, whatever the ledger size. Missing cache
 * entries are rebuilt from their children (down to the leaves: a cold cache
 * degrades to reading the covered leaves, O(n)).
 *
 * @throws EvidenceError `MALFORMED_INPUT` when the source returns fewer leaves than a range holds.
 */
export async function hashLeafRangesFrom(ranges: readonly LeafRange[], source: SubtreeSource, minLevel: number): Promise<Buffer[]> {
  const known = new Map<string, Buffer>();
  const fromLeaves = new Map<string, SubtreeKey>();
  let wanted = new Map<string, SubtreeKey>();
  for (const r of ranges) {
    checkSizes(r.lo, r.hi);
    if (r.lo > r.hi) throw new EvidenceError('MALFORMED_INPUT', `leaf range [${r.lo}, ${r.hi}) is reversed`);
    const collect = (t: SubtreeKey): null => {
      (t.level >= minLevel ? wanted : fromLeaves).set(keyOf(t.level, t.index), t);
      return null;
    };
    foldRange<null>(r.lo, r.hi, collect, () => null, null);
  }
  // Cache rounds, top down: a missing subtree is asked for through its two children.
  while (wanted.size > 0) {
    const got = await source.subtrees([...wanted.values()]);
    const next = new Map<string, SubtreeKey>();
    for (const [k, t] of wanted) {
      const h = got.get(k);
      if (h && h.length === HASH_SIZE) {
        known.set(k, Buffer.from(h));
        continue;
      }
      for (const c of [
        { level: t.level - 1, index: 2 * t.index },
        { level: t.level - 1, index: 2 * t.index + 1 },
      ]) {
        (c.level >= minLevel ? next : fromLeaves).set(keyOf(c.level, c.index), c);
      }
    }
    wanted = next;
  }
  const small = [...fromLeaves.values()];
  if (small.length > 0) {
    const leafRanges = small.map((t) => ({ lo: t.index * 2 ** t.level, hi: (t.index + 1) * 2 ** t.level }));
    const leaves = await source.leafHashes(leafRanges);
    small.forEach((t, i) => {
      const list = leaves[i] ?? [];
      const want = leafRanges[i]!.hi - leafRanges[i]!.lo;
      if (list.length !== want)
        throw new EvidenceError('MALFORMED_INPUT', `leaf range [${leafRanges[i]!.lo}, ${leafRanges[i]!.hi}) has ${list.length} of ${want} leaves`);
      known.set(keyOf(t.level, t.index), CompactRange.of(list).root());
    });
  }
  const value = (level: number, index: number): Buffer => {
    const k = keyOf(level, index);
    let h = known.get(k);
    if (!h) {
      h = nodeHash(value(level - 1, 2 * index), value(level - 1, 2 * index + 1));
      known.set(k, h);
    }
    return h;
  };
  return ranges.map((r) => foldRange<Buffer>(r.lo, r.hi, (t) => value(t.level, t.index), nodeHash, Buffer.from(EMPTY_ROOT)));
}
