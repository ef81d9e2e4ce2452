import { appendFileSync, mkdtempSync, readFileSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anchorRegression, anchorTail, readTrustState, recordTrustState } from './trust-state.util';

describe('trust state: what the services last saw of the anchor file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trust-state-'));
  const anchor = join(dir, 'anchors.jsonl');
  const state = join(dir, 'trust-state.json');
  const line = (n: number): string => `${JSON.stringify({ treeSize: n, pad: 'x'.repeat(n % 7) })}\n`;

  beforeAll(() => {
    writeFileSync(anchor, [1, 2, 3].map(line).join(''));
    recordTrustState(state, anchor, { treeSize: 3, hash: 'ab'.repeat(32) }, new Date('2026-12-01T00:00:00Z'));
  });

  it('records the size and last line, and accepts the file as seen or grown', () => {
    const s = readTrustState(state)!;
    expect(s.checkpoint).toMatchObject({ tree_size: 3 });
    const seen = s.anchors[anchor]!;
    expect(seen.bytes).toBe(readFileSync(anchor).length);
    expect(anchorRegression(anchor, seen)).toBeNull();
    appendFileSync(anchor, line(4));
    expect(anchorRegression(anchor, seen)).toBeNull();
    expect(anchorTail(anchor)!.bytes).toBeGreaterThan(seen.bytes);
  });

  it('never moves backwards when a concurrent writer recorded a later state', () => {
    recordTrustState(state, anchor, { treeSize: 2, hash: 'cd'.repeat(32) }, new Date());
    expect(readTrustState(state)!.checkpoint).toMatchObject({ tree_size: 3 });
  });

  it('flags an anchor file cut short (rollback), rewritten at its end, cut at its start, or deleted', () => {
    const seen = readTrustState(state)!.anchors[anchor]!;
    const original = readFileSync(anchor);
    truncateSync(anchor, seen.bytes - 5);
    expect(anchorRegression(anchor, seen)).toMatch(/cut short/);
    writeFileSync(anchor, original.toString().replace('"treeSize":4', '"treeSize":9'));
    expect(anchorRegression(anchor, seen)).toMatch(/rewritten/);
    writeFileSync(anchor, original.subarray(original.indexOf('\n') + 1));
    expect(anchorRegression(anchor, seen)).not.toBeNull();
    unlinkSync(anchor);
    expect(anchorRegression(anchor, seen)).toMatch(/missing/);
  });
});
