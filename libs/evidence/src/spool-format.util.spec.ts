import { encodeSpoolLines, parseSpoolFileName, parseSpoolProgress, scanSpoolBytes, spoolFullyReplayed, SPOOL_GENESIS } from './spool-format.util';

const rec = (n: number) => ({ type: 'tool' as const, record: { event_id: `id-${n}`, n } });
const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('spool format', () => {
  it('encodes chained lines that scan back clean, continuing a chain across appends', () => {
    const a = encodeSpoolLines([rec(1), rec(2)], SPOOL_GENESIS, '2026-12-02T00:00:00.000Z');
    const b = encodeSpoolLines([rec(3)], a.lastHash, '2026-12-02T00:00:01.000Z');
    const lines = scanSpoolBytes(bytes(a.text + b.text));
    expect(lines.map((l) => [l.record?.record['n'], l.bad, l.chainBreak])).toEqual([
      [1, undefined, undefined],
      [2, undefined, undefined],
      [3, undefined, undefined],
    ]);
    expect(lines[2]!.key).toBe(b.lastHash);
    expect(lines[2]!.end).toBe(Buffer.byteLength(a.text + b.text));
  });

  it('ignores a torn last line (no newline): never acknowledged', () => {
    const a = encodeSpoolLines([rec(1)], SPOOL_GENESIS, 'x');
    expect(scanSpoolBytes(bytes(`${a.text}{"v":1,"ty`))).toHaveLength(1);
  });

  it('an edited line is bad, the next line still links (it names the original hash); a removed line is a chain break', () => {
    const a = encodeSpoolLines([rec(1), rec(2), rec(3)], SPOOL_GENESIS, 'x');
    const edited = scanSpoolBytes(bytes(a.text.replace('"id-2"', '"id-9"')));
    expect(edited.map((l) => l.bad ?? (l.chainBreak ? 'break' : 'ok'))).toEqual(['ok', 'hash does not match the line', 'ok']);
    const [l1, , l3] = a.text.split('\n');
    const removed = scanSpoolBytes(bytes(`${l1}\n${l3}\n`));
    expect(removed.map((l) => l.bad ?? (l.chainBreak ? 'break' : 'ok'))).toEqual(['ok', 'break']);
  });

  it('splits torn bytes glued before a complete line: the garbage is bad, the line is recovered', () => {
    const a = encodeSpoolLines([rec(1), rec(2)], SPOOL_GENESIS, 'x');
    const [l1, l2] = a.text.split('\n');
    const lines = scanSpoolBytes(bytes(`${l1}\n{"v":1,"type":"tool","rec${l2}\n`));
    expect(lines.map((l) => [l.bad ?? 'ok', l.record?.record['n']])).toEqual([
      ['ok', 1],
      ['not a JSON object', undefined],
      ['ok', 2],
    ]);
  });

  it('names: daily files and tagged returned files; anything else is not a spool file', () => {
    expect(parseSpoolFileName('tool_audit_2026-12-02.jsonl')).toEqual({ prefix: 'tool_audit', day: '2026-12-02', tag: null });
    expect(parseSpoolFileName('gateway_markers_2026-12-02.returned.jsonl')).toEqual({ prefix: 'gateway_markers', day: '2026-12-02', tag: 'returned' });
    for (const n of ['tool_audit_2026-12-02.jsonl.replayed', 'tool_audit_2026-12-02.jsonl.gz', 'x_2026-12-02.jsonl', 'tool_audit_2026-12-02.a.b.jsonl'])
      expect(parseSpoolFileName(n)).toBeNull();
  });

  it('progress: damaged or missing means nothing replayed; fully replayed needs the last key', () => {
    expect(parseSpoolProgress(null)).toEqual({ lines: 0, hash: '' });
    expect(parseSpoolProgress('{"lines":"x"')).toEqual({ lines: 0, hash: '' });
    const lines = scanSpoolBytes(bytes(encodeSpoolLines([rec(1), rec(2)], SPOOL_GENESIS, 'x').text));
    expect(spoolFullyReplayed(lines, { lines: 2, hash: lines[1]!.key })).toBe(true);
    expect(spoolFullyReplayed(lines, { lines: 2, hash: lines[0]!.key })).toBe(false);
    expect(spoolFullyReplayed(lines, { lines: 1, hash: lines[0]!.key })).toBe(false);
  });
});
