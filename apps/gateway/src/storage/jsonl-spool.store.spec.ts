import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonlSpool, SpoolChainError } from './jsonl-spool.store';

describe('JsonlSpool', () => {
  let dir: string;
  beforeEach(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'spool-')), 'spool');
  });
  afterEach(async () => rm(join(dir, '..'), { recursive: true, force: true }));

  const day = new Date('2026-11-22T12:00:00Z');
  const rec = (i: number) => ({ type: 'tool' as const, record: { event_id: `id-${i}`, n: i } });

  it('appends chained lines to daily files in a 0700 folder, continues the chain across instances, and replays what is pending', async () => {
    const a = new JsonlSpool(dir);
    await a.init();
    await a.append([rec(1), rec(2)], day);
    await a.close();
    const b = new JsonlSpool(dir);
    await b.init();
    await b.append([rec(3)], day);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(await b.pendingFiles()).toEqual(['tool_audit_2026-11-22.jsonl']);
    const pending = await b.readPending('tool_audit_2026-11-22.jsonl');
    expect(pending.records.map((r) => r.record['n'])).toEqual([1, 2, 3]);
    await b.markReplayed('tool_audit_2026-11-22.jsonl', 2, pending.hashes[1]!);
    expect((await b.readPending('tool_audit_2026-11-22.jsonl')).records.map((r) => r.record['n'])).toEqual([3]);
    await b.markReplayed('tool_audit_2026-11-22.jsonl', 3, pending.hashes[2]!);
    expect(await b.pendingFiles()).toEqual([]);
    await b.close();
  });

  it('detects an edited line and cuts a torn last line', async () => {
    const s = new JsonlSpool(dir);
    await s.init();
    await s.append([rec(1), rec(2)], day);
    await s.close();
    const file = join(dir, 'tool_audit_2026-11-22.jsonl');
    const text = await readFile(file, 'utf8');
    await writeFile(file, `${text}{"v":1,"type":"to`);
    const t = new JsonlSpool(dir);
    await t.init();
    await t.append([rec(3)], day);
    await t.close();
    expect((await new JsonlSpool(dir).readPending('tool_audit_2026-11-22.jsonl')).records).toHaveLength(3);
    await writeFile(file, (await readFile(file, 'utf8')).replace('"id-2"', '"id-9"'));
    await expect(new JsonlSpool(dir).readPending('tool_audit_2026-11-22.jsonl')).rejects.toBeInstanceOf(SpoolChainError);
  });
});
