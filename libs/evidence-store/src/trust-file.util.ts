import { existsSync, readFileSync } from 'node:fs';
import { EvidenceError, type KeyringEntry, parseVerifierKey } from '@auditstack/evidence';

/**
 * Reads a trust file: one C2SP verifier key (`<name>+<hex keyid>+<base64>`)
 * per line, optionally followed by `notBefore=<ISO-8601>` and/or
 * `notAfter=<ISO-8601>` (key rotation windows). Blank lines and lines starting
 * with `#` are ignored. A missing file yields no keys when `optional`.
 *
 * @throws EvidenceError `MALFORMED_INPUT` naming the line.
 */
export function readTrustFile(path: string, optional = false): KeyringEntry[] {
  if (optional && !existsSync(path)) return [];
  const out: KeyringEntry[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const [vkey, ...rest] = line.split(/\s+/);
      const where = `${path}:${i + 1}`;
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
      out.push(entry);
    });
  return out;
}
