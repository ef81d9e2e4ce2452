import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateNoteKey } from '@auditstack/evidence';
import { readTrustFile } from './trust-file.util';

describe('readTrustFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trust-'));

  it('reads verifier keys with optional validity windows, skipping comments and blank lines', () => {
    const a = generateNoteKey('log.example/a').verifierKey;
    const b = generateNoteKey('log.example/b').verifierKey;
    const path = join(dir, 'ok.txt');
    writeFileSync(path, `# rotated out on 1 Nov\n${a} notAfter=2026-11-01T00:00:00Z\n\n${b} notBefore=2026-11-01T00:00:00Z\n`);
    const entries = readTrustFile(path);
    expect(entries.map((e) => e.key.name)).toEqual(['log.example/a', 'log.example/b']);
    expect(entries[0]!.notAfter?.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(entries[1]!.notBefore?.toISOString()).toBe('2026-11-01T00:00:00.000Z');
  });

  it('names the line of a bad key or option', () => {
    const path = join(dir, 'bad.txt');
    writeFileSync(path, `${generateNoteKey('x').verifierKey}\nnot-a-key\n`);
    expect(() => readTrustFile(path)).toThrow(/bad\.txt:2/);
    writeFileSync(path, `${generateNoteKey('x').verifierKey} notAfter=never\n`);
    expect(() => readTrustFile(path)).toThrow(expect.objectContaining({ code: 'MALFORMED_INPUT' }));
  });

  it('treats a missing optional file as no keys', () => {
    expect(readTrustFile(join(dir, 'absent.txt'), true)).toEqual([]);
    expect(() => readTrustFile(join(dir, 'absent.txt'))).toThrow();
  });
});
