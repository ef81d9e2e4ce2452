import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AnchorRecord, FileAnchorSink } from './file-anchor-sink';

const record = (size: number): AnchorRecord => ({
  treeSize: size,
  rootHash: 'a'.repeat(64),
  checkpointHash: 'b'.repeat(64),
  note: 'origin\n1\nroot\n\n— origin sig\n',
  timestampKind: 'local',
  timestampToken: 'dG9rZW4=',
  anchoredAt: '2026-11-22T08:00:00.000Z',
});

describe('FileAnchorSink', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'evidence-anchor-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const collect = async (sink: FileAnchorSink): Promise<AnchorRecord[]> => {
    const out: AnchorRecord[] = [];
    for await (const r of sink.readAll()) out.push(r);
    return out;
  };

  it('appends one JSON line per record and reads them back in order', async () => {
    const sink = new FileAnchorSink(join(dir, 'anchors.jsonl'));
    await sink.append(record(1));
    await sink.append(record(2));
    expect(readFileSync(sink.path, 'utf8').split('\n')).toHaveLength(3);
    expect((await collect(sink)).map((r) => r.treeSize)).toEqual([1, 2]);
  });

  it('reads a missing file as empty', async () => {
    expect(await collect(new FileAnchorSink(join(dir, 'none.jsonl')))).toEqual([]);
  });

  it('reports an edited or torn line as ANCHOR_INCONSISTENT', async () => {
    const sink = new FileAnchorSink(join(dir, 'anchors.jsonl'));
    await sink.append(record(1));
    appendFileSync(sink.path, '{"treeSize":2,"rootHash":"zz"');
    await expect(collect(sink)).rejects.toMatchObject({ code: 'ANCHOR_INCONSISTENT' });
  });
});
