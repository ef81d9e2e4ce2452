import { closeSync, constants, fstatSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { EvidenceError } from './evidence.error';
import { type NoteSigner, generateNoteKey, parseSignerKey } from './signed-note';

/** Largest key file read (bytes); a signer key string is ~100 bytes. */
const MAX_KEY_FILE_SIZE = 4096;

/** Options of {@link loadOrCreateNoteSigner}. */
export interface KeyFileOptions {
  /** Path of the key file. Keep it outside the database's trust domain. */
  readonly path: string;
  /** Key name (the checkpoint origin), e.g. `auditstack.example/ledger`. */
  readonly name: string;
}

/**
 * Loads the Ed25519 note signing key from `path`, generating it on first use.
 *
 * File format: one line, the golang.org/x/mod/sumdb/note signer key string
 * `PRIVATE+KEY+<name>+<hex keyid>+<base64(0x01 ‖ 32-byte seed)>` and a newline;
 * created with mode 0600 (exclusive create, fsync'd). An existing file is
 * refused when it is not a regular file, is readable or writable by group or
 * others, is too large, does not parse, or names another key.
 *
 * @throws EvidenceError `KEY_FILE_INVALID`
 */
export function loadOrCreateNoteSigner(opts: KeyFileOptions): NoteSigner {
  let fd: number;
  try {
    // O_NOFOLLOW: a symlink planted at the key path must not redirect us.
    fd = openSync(opts.path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new EvidenceError('KEY_FILE_INVALID', `cannot open key file: ${(err as Error).message}`, { path: opts.path }, { cause: err });
    }
    return createKeyFile(opts);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new EvidenceError('KEY_FILE_INVALID', 'key file is not a regular file', { path: opts.path });
    if ((st.mode & 0o077) !== 0) {
      throw new EvidenceError('KEY_FILE_INVALID', `key file mode ${(st.mode & 0o777).toString(8)} is too open; expected 600`, { path: opts.path });
    }
    if (st.size > MAX_KEY_FILE_SIZE) throw new EvidenceError('KEY_FILE_INVALID', 'key file too large', { path: opts.path });
    const content = readFileSync(fd, 'utf8');
    const line = content.endsWith('\n') ? content.slice(0, -1) : content;
    let signer: NoteSigner;
    try {
      signer = parseSignerKey(line);
    } catch (err) {
      throw new EvidenceError('KEY_FILE_INVALID', 'key file does not hold a valid signer key', { path: opts.path }, { cause: err });
    }
    if (signer.name !== opts.name) {
      throw new EvidenceError('KEY_FILE_INVALID', `key file holds key ${JSON.stringify(signer.name)}, expected ${JSON.stringify(opts.name)}`, {
        path: opts.path,
      });
    }
    return signer;
  } finally {
    closeSync(fd);
  }
}

function createKeyFile(opts: KeyFileOptions): NoteSigner {
  const { signerKey } = generateNoteKey(opts.name);
  let fd: number;
  try {
    fd = openSync(opts.path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateNoteSigner(opts);
    throw new EvidenceError('KEY_FILE_INVALID', `cannot create key file: ${(err as Error).message}`, { path: opts.path }, { cause: err });
  }
  try {
    writeSync(fd, `${signerKey}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return parseSignerKey(signerKey);
}
