import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson } from '@auditstack/evidence';
import { readAnchors } from './evidence.service';

describe('readAnchors', () => {
  const record = (treeSize: number): string =>
    canonicalJson({
      anchoredAt: '2026-11-22T08:00:00.000Z',
      checkpointHash: 'a'.repeat(64),
      note: `origin\n${treeSize}\n`,
      rootHash: 'b'.repeat(64),
      timestampKind: 'local',
      timestampToken: '',
      treeSize,
    });

  it('reads only the prefix that existed when the snapshot began (lines appended later belong to unseen checkpoints)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'anchors-')), 'anchors.jsonl');
    const first = `${record(1)}\n${record(2)}\n`;
    writeFileSync(path, `${first}${record(3)}\n`);
    const all: number[] = [];
    for await (const a of readAnchors(path)) all.push(a.treeSize);
    const prefix: number[] = [];
    for await (const a of readAnchors(path, Buffer.byteLength(first))) prefix.push(a.treeSize);
    expect(all).toEqual([1, 2, 3]);
    expect(prefix).toEqual([1, 2]);
    const none: number[] = [];
    for await (const a of readAnchors(join(path, '..', 'absent.jsonl'))) none.push(a.treeSize);
    expect(none).toEqual([]);
  });
});
