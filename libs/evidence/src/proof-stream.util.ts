import { EvidenceError } from './evidence.error';
import { CompactRange } from './merkle.util';

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
