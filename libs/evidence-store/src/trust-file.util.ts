import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { EvidenceError, type KeyringEntry, parseVerifierKey } from '@auditstack/evidence';
import { ensureDir } from './fs-dir.util';

/** Smallest retention period (days) a tombstone may apply, pinned at first start unless set otherwise. */
export const DEFAULT_RETENTION_FLOOR_DAYS = 30;

const POLICY_LINE = /^policy\s+([a-z_]+)=(\S+)$/;

/** The pinned trust root: the verifier keys and the policy floors, read from the trust file. */
export interface TrustRoot {
  readonly path: string;
  readonly keys: KeyringEntry[];
  /** `policy retention_floor_days=<N>`; {@link DEFAULT_RETENTION_FLOOR_DAYS} when the file has no such line. */
  readonly retentionFloorDays: number;
}

/**
 * Reads a trust file: one C2SP verifier key (`<name>+<hex keyid>+<base64>`)
 * per line, optionally followed by `notBefore=<ISO-8601>` and/or
 * `notAfter=<ISO-8601>` (key rotation windows), and policy lines
 * `policy <name>=<value>` (see {@link readTrustRoot}). Blank lines and lines
 * starting with `#` are ignored. A missing file yields no keys when `optional`.
 *
 * @throws EvidenceError `MALFORMED_INPUT` naming the line.
 */
export function readTrustFile(path: string, optional = false): KeyringEntry[] {
  if (optional && !existsSync(path)) return [];
  return parseTrustFile(path).keys;
}

/**
 * Reads the pinned trust root (ARCHITECTURE §4; C2SP tlog-policy in spirit):
 * the keys `verify` trusts — and nothing else, never the key found on disk —
 * and the policy floors (`policy retention_floor_days=<N>`).
 *
 * @throws EvidenceError `TRUST_ROOT_MISSING` when the file does not exist; `MALFORMED_INPUT` naming a bad line.
 */
export function readTrustRoot(path: string): TrustRoot {
  if (!existsSync(path)) {
    throw new EvidenceError(
      'TRUST_ROOT_MISSING',
      `no trust file at ${path}: give the copy you kept out of band (--trust <file> or EVIDENCE_TRUST_FILE); the key on disk is never trusted by itself`,
      { path },
    );
  }
  return parseTrustFile(path);
}

function parseTrustFile(path: string): TrustRoot {
  const keys: KeyringEntry[] = [];
  let retentionFloorDays = DEFAULT_RETENTION_FLOOR_DAYS;
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const where = `${path}:${i + 1}`;
      const policy = POLICY_LINE.exec(line);
      if (line.startsWith('policy')) {
        const days = policy?.[1] === 'retention_floor_days' ? Number(policy[2]) : Number.NaN;
        if (!Number.isSafeInteger(days) || days < 1)
          throw new EvidenceError('MALFORMED_INPUT', `${where}: expected policy retention_floor_days=<whole days ≥ 1>`, { path: where });
        retentionFloorDays = days;
        return;
      }
      const [vkey, ...rest] = line.split(/\s+/);
      let entry: { key: ReturnType<typeof parseVerifierKey>; notBefore?: Date; notAfter?: Date };
      try {
        entry = { key: parseVerifierKey(vkey!) };
      } catch (err) {
        throw new EvidenceError('MALFORMED_INPUT', `${where}: not a verifier key (${(err as Error).message})`, { path: where });
      }
      for (const option of rest) {
        const m = /^(notBefore|notAfter)=(.+)$/.exec(option);
        const at = m ? new Date(m[2]!) : null;
        if (!m || !at || Number.isNaN(at.getTime())) {
          throw new EvidenceError('MALFORMED_INPUT', `${where}: expected notBefore=<ISO time> or notAfter=<ISO time>, got ${option}`, { path: where });
        }
        entry[m[1] as 'notBefore' | 'notAfter'] = at;
      }
      keys.push(entry);
    });
  return { path, keys, retentionFloorDays };
}

/**
 * Writes a new trust file pinning `verifierKey` and the retention floor
 * (first start). Refuses to overwrite an existing file.
 *
 * @throws Error (EEXIST, EROFS…) from the filesystem.
 */
export function writeTrustRoot(path: string, verifierKey: string, retentionFloorDays: number, now: Date): void {
  ensureDir(dirname(path));
  const text = [
    `# auditstack evidence trust root, pinned at first start (${now.toISOString()}).`,
    '# `auditstack verify` trusts these keys and this policy, never the key file it finds on disk.',
    '# Keep a copy out of band (another host, a password manager, a printout) and verify with',
    '# `auditstack verify --trust <copy>`: only that copy catches someone who controls this host.',
    `policy retention_floor_days=${retentionFloorDays}`,
    verifierKey,
    '',
  ].join('\n');
  writeFileSync(path, text, { flag: 'wx', mode: 0o644 });
  chmodSync(path, 0o644);
}

/** Appends one key line (an operator reset or a rotation) to an existing trust file. */
export function appendTrustedKey(path: string, verifierKey: string, comment: string): void {
  const current = readFileSync(path, 'utf8');
  writeFileSync(path, `${current.endsWith('\n') || current === '' ? '' : '\n'}# ${comment.replace(/\n/g, ' ')}\n${verifierKey}\n`, { flag: 'a' });
}
