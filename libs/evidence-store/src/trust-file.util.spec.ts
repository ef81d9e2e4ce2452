import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateNoteKey } from '@auditstack/evidence';
import { appendTrustedKey, readTrustFile, readTrustRoot, writeTrustRoot } from './trust-file.util';

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

describe('readTrustRoot (the pinned trust root)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trust-root-'));

  it('TRUST_ROOT_MISSING when there is no trust file: the key on disk is never trusted by itself', () => {
    expect(() => readTrustRoot(join(dir, 'absent.txt'))).toThrow(expect.objectContaining({ code: 'TRUST_ROOT_MISSING' }));
  });

  it('writes at first start the key and the retention floor, refuses to overwrite, and reads both back', () => {
    const path = join(dir, 'pinned.txt');
    const vkey = generateNoteKey('log.example/a').verifierKey;
    writeTrustRoot(path, vkey, 45, new Date('2026-12-01T00:00:00Z'));
    expect(() => writeTrustRoot(path, generateNoteKey('log.example/a').verifierKey, 1, new Date())).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    const root = readTrustRoot(path);
    expect(root.retentionFloorDays).toBe(45);
    expect(root.keys.map((k) => k.key.name)).toEqual(['log.example/a']);
    expect(readFileSync(path, 'utf8')).toMatch(/Keep a copy out of band/);
    const reset = generateNoteKey('log.example/a').verifierKey;
    appendTrustedKey(path, reset, 'operator reset: key lost');
    expect(readTrustRoot(path).keys).toHaveLength(2);
  });

  it('names a bad policy line', () => {
    const path = join(dir, 'bad-policy.txt');
    writeFileSync(path, `policy retention_floor_days=0\n`);
    expect(() => readTrustRoot(path)).toThrow(/bad-policy\.txt:1/);
    writeFileSync(path, `policy something_else=3\n`);
    expect(() => readTrustRoot(path)).toThrow(expect.objectContaining({ code: 'MALFORMED_INPUT' }));
  });
});
