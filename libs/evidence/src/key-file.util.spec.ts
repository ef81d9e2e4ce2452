import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateNoteSigner } from './key-file.util';

const code = (c: string) => expect.objectContaining({ code: c });
const ORIGIN = 'auditstack.test/ledger';

describe('key file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'evidence-key-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('generates a 0600 key on first use and loads the same key afterwards', () => {
    const path = join(dir, 'checkpoint.key');
    const a = loadOrCreateNoteSigner({ path, name: ORIGIN });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toMatch(/^PRIVATE\+KEY\+auditstack\.test\/ledger\+[0-9a-f]{8}\+\S+\n$/);
    const b = loadOrCreateNoteSigner({ path, name: ORIGIN });
    expect(b.publicKey.equals(a.publicKey)).toBe(true);
  });

  it.each([0o640, 0o604, 0o666])('refuses a key file with mode %o (KEY_FILE_INVALID)', (mode) => {
    const path = join(dir, 'k');
    loadOrCreateNoteSigner({ path, name: ORIGIN });
    chmodSync(path, mode);
    expect(() => loadOrCreateNoteSigner({ path, name: ORIGIN })).toThrow(code('KEY_FILE_INVALID'));
  });

  it('refuses garbage content, another key name, and a symlink', () => {
    const path = join(dir, 'k');
    writeFileSync(path, 'not a key\n', { mode: 0o600 });
    expect(() => loadOrCreateNoteSigner({ path, name: ORIGIN })).toThrow(code('KEY_FILE_INVALID'));
    const other = join(dir, 'other');
    loadOrCreateNoteSigner({ path: other, name: 'someone.else/log' });
    expect(() => loadOrCreateNoteSigner({ path: other, name: ORIGIN })).toThrow(code('KEY_FILE_INVALID'));
    const link = join(dir, 'link');
    symlinkSync(other, link);
    expect(() => loadOrCreateNoteSigner({ path: link, name: 'someone.else/log' })).toThrow(code('KEY_FILE_INVALID'));
  });
});
