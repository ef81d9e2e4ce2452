/** What the Evidence page derives from service answers; pure functions. */

/** Anchor check of a self-audit run: how many anchors were compared and how many anchor problems were found. */
export interface AnchorStatus {
  readonly checked: boolean;
  readonly anchors: number;
  readonly problems: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Finds the verifier's `counts` (`{ anchors, anchorsChecked, byCode }`) in an `evidence_verify`
 * run's output, wherever the engine nested it; `null` when the output has none.
 */
export function anchorStatusOf(output: unknown, depth = 0): AnchorStatus | null {
  if (depth > 6) return null;
  if (isRecord(output)) {
    const counts = output['counts'];
    if (isRecord(counts) && typeof counts['anchors'] === 'number') {
      const byCode = isRecord(counts['byCode']) ? counts['byCode'] : {};
      const problems = Object.entries(byCode).reduce((sum, [code, n]) => (code.startsWith('ANCHOR_') && typeof n === 'number' ? sum + n : sum), 0);
      return { checked: counts['anchorsChecked'] !== false, anchors: counts['anchors'], problems };
    }
    for (const value of Object.values(output)) {
      const found = anchorStatusOf(value, depth + 1);
      if (found) return found;
    }
  } else if (Array.isArray(output)) {
    for (const value of output) {
      const found = anchorStatusOf(value, depth + 1);
      if (found) return found;
    }
  }
  return null;
}

/** The cadence seen in recent checkpoints: typical gap and growth between consecutive ones. */
export interface ObservedCadence {
  readonly checkpoints: number;
  readonly medianSeconds: number | null;
  readonly medianLeaves: number | null;
  readonly heartbeats: number;
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Gaps between consecutive checkpoints (any order in, newest first from the gateway): median
 * seconds, median leaves added, and how many added no leaf (heartbeats). `null` with fewer than two.
 */
export function observedCadence(checkpoints: readonly { readonly tree_size: number; readonly created_at: string | null }[]): ObservedCadence | null {
  const dated = checkpoints
    .filter((c): c is { tree_size: number; created_at: string } => c.created_at !== null)
    .sort((a, b) => a.created_at.localeCompare(b.created_at));
  if (dated.length < 2) return null;
  const seconds: number[] = [];
  const leaves: number[] = [];
  for (let i = 1; i < dated.length; i++) {
    seconds.push((Date.parse(dated[i]!.created_at) - Date.parse(dated[i - 1]!.created_at)) / 1000);
    leaves.push(dated[i]!.tree_size - dated[i - 1]!.tree_size);
  }
  return { checkpoints: dated.length, medianSeconds: median(seconds), medianLeaves: median(leaves), heartbeats: leaves.filter((n) => n === 0).length };
}

/** `45 s`, `12 min`, `2.5 h`. */
export function formatSeconds(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
