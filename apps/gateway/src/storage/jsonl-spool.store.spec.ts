import { mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonlSpool } from './jsonl-spool.store';

describe('JsonlSpool', () => {
  let dir: string;
  beforeEach(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'spool-')), 'spool');
  });
  afterEach(async () => rm(join(dir, '..'), { recursive: true, force: true }));

  const day = new Date('2026-11-22T12:00:00Z');
  const FILE = 'tool_audit_2026-11-22.jsonl';
  const rec = (i: number) => ({ type: 'tool' as const, record: { event_id: `id-${i}`, n: i } });
  const numbers = (lines: { record?: { record: Record<string, unknown> } }[]): unknown[] => lines.map((l) => l.record?.record['n']);

  it('appends chained lines to daily files in a 0700 folder, continues the chain across instances, and replays what is pending', async () => {
    const a = new JsonlSpool(dir);
    await a.init();
    await a.append([rec(1), rec(2)], day);
    await a.close();
    const b = new JsonlSpool(dir);
    await b.init();
    await b.append([rec(3)], day);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(await b.pendingFiles()).toEqual([FILE]);
    const size = (await stat(join(dir, FILE))).size;
    expect(b.pendingBytes).toBe(size);
    const pending = await b.readPending(FILE);
    expect(numbers(pending.lines)).toEqual([1, 2, 3]);
    expect(pending.lines.every((l) => !l.bad && !l.chainBreak)).toBe(true);
    await b.markReplayed(FILE, 2, pending.lines[1]!.key, pending.lines[1]!.end);
    expect(numbers((await b.readPending(FILE)).lines)).toEqual([3]);
    await b.refreshPendingBytes();
    expect(b.pendingBytes).toBe(size - pending.lines[1]!.end);
    await b.markReplayed(FILE, 3, pending.lines[2]!.key, pending.lines[2]!.end);
    expect(await b.pendingFiles()).toEqual([]);
    await b.refreshPendingBytes();
    expect(b.pendingBytes).toBe(0);
    await b.close();
  });

  it('torn tail: a partial last line is cut before the next append, which continues the chain', async () => {
    const s = new JsonlSpool(dir);
    await s.init();
    await s.append([rec(1), rec(2)], day);
    await s.close();
    const file = join(dir, FILE);
    await writeFile(file, `${await readFile(file, 'utf8')}{"v":1,"type":"to`);
    const t = new JsonlSpool(dir);
    await t.init();
    await t.append([rec(3)], day);
    await t.close();
    expect((await readFile(file, 'utf8')).endsWith('}\n')).toBe(true);
    const lines = (await new JsonlSpool(dir).readPending(FILE)).lines;
    expect(numbers(lines)).toEqual([1, 2, 3]);
    expect(lines.some((l) => l.bad || l.chainBreak)).toBe(false);
  });

  it('an edited line is reported bad (for quarantine) and the lines after it stay replayable', async () => {
    const s = new JsonlSpool(dir);
    await s.init();
    await s.append([rec(1), rec(2), rec(3)], day);
    await s.close();
    const file = join(dir, FILE);
    await writeFile(file, (await readFile(file, 'utf8')).replace('"id-2"', '"id-9"'));
    const lines = (await new JsonlSpool(dir).readPending(FILE)).lines;
    expect(lines.map((l) => l.bad ?? 'ok')).toEqual(['ok', 'hash does not match the line', 'ok']);
    expect(numbers(lines)).toEqual([1, undefined, 3]);
  });

  it('torn bytes glued before a complete line (files written by an O_APPEND spool): the complete line is recovered, the garbage is bad', async () => {
    const s = new JsonlSpool(dir);
    await s.init();
    await s.append([rec(1), rec(2)], day);
    await s.close();
    const file = join(dir, FILE);
    const [first, second] = (await readFile(file, 'utf8')).split('\n');
    await writeFile(file, `${first}\n{"v":1,"type":"tool","rec${second}\n`);
    const lines = (await new JsonlSpool(dir).readPending(FILE)).lines;
    expect(lines.map((l) => l.bad ?? 'ok')).toEqual(['ok', 'not a JSON object', 'ok']);
    expect(numbers(lines)).toEqual([1, undefined, 2]);
  });

  it('a progress file that does not match its spool file (the file was replaced) replays from the start instead of skipping', async () => {
    const s = new JsonlSpool(dir);
    await s.init();
    await s.append([rec(1), rec(2)], day);
    const first = await s.readPending(FILE);
    await s.markReplayed(FILE, 2, first.lines[1]!.key, first.lines[1]!.end);
    await s.close();
    await rm(join(dir, FILE));
    const t = new JsonlSpool(dir);
    await t.init();
    await t.append([rec(3), rec(4), rec(5)], day);
    // The new file's old progress was dropped when it was created.
    expect(numbers((await t.readPending(FILE)).lines)).toEqual([3, 4, 5]);
    await t.close();
  });

  it('renamed spool file: the next append is detected (inode check) and goes to a new file at the path', async () => {
    const s = new JsonlSpool(dir);
    await s.init();
    await s.append([rec(1)], day);
    await rename(join(dir, FILE), join(dir, 'moved-aside.jsonl'));
    await s.append([rec(2)], day);
    await rm(join(dir, FILE));
    await s.append([rec(3)], day);
    await s.close();
    expect(numbers((await new JsonlSpool(dir).readPending(FILE)).lines)).toEqual([3]);
    expect((await readFile(join(dir, 'moved-aside.jsonl'), 'utf8')).split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('with trackIds, knows every event id in the spool, also after a restart', async () => {
    const s = new JsonlSpool(dir, { trackIds: true });
    await s.init();
    await s.append([rec(1)], day);
    expect(s.has('tool', 'id-1')).toBe(true);
    expect(s.has('lifecycle', 'id-1')).toBe(false);
    await s.close();
    const t = new JsonlSpool(dir, { trackIds: true });
    await t.init();
    expect(t.has('tool', 'id-1')).toBe(true);
    expect(t.has('tool', 'id-2')).toBe(false);
    await t.close();
  });

  it('quarantine copies a bad line once, with its file, line number and reason', async () => {
    const s = new JsonlSpool(dir);
    await s.init();
    await s.append([rec(1)], day);
    const [line] = (await s.readPending(FILE)).lines;
    await s.quarantine(FILE, line!, 'ts: out of range');
    await s.quarantine(FILE, line!, 'ts: out of range');
    const q = (await readFile(join(dir, 'quarantine', FILE), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(q).toHaveLength(1);
    expect(q[0]).toMatchObject({ file: FILE, line: 1, key: line!.key, reason: 'ts: out of range', raw: line!.raw });
    await s.close();
  });
});
