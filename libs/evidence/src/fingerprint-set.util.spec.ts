import { randomUUID } from 'node:crypto';
import { FingerprintSet } from './fingerprint-set.util';

describe('FingerprintSet', () => {
  it('remembers members across growth and rejects non-members', () => {
    const s = new FingerprintSet(4);
    for (let i = 0; i < 5000; i++) expect(s.add(FingerprintSet.of('run', `r${i}`))).toBe(true);
    expect(s.add(FingerprintSet.of('run', 'r42'))).toBe(false);
    expect(s.size).toBe(5000);
    for (let i = 0; i < 5000; i++) expect(s.has(FingerprintSet.of('run', `r${i}`))).toBe(true);
    expect(s.has(FingerprintSet.of('run', 'r5000'))).toBe(false);
    expect(s.has(FingerprintSet.of('lifecycle', 'r1'))).toBe(false);
  });

  it('addKey/hasKey agree with of() (same fingerprint, no allocation)', () => {
    const s = new FingerprintSet();
    for (let i = 0; i < 2000; i++) s.addKey('tool', `é-${i}`);
    for (let i = 0; i < 2000; i++) {
      expect(s.has(FingerprintSet.of('tool', `é-${i}`))).toBe(true);
      expect(Array.from(FingerprintSet.into(new Uint32Array(4), 'tool', `é-${i}`))).toEqual(Array.from(FingerprintSet.of('tool', `é-${i}`)));
    }
    expect(s.hasKey('tool', 'é-2000')).toBe(false);
  });

  it('keeps (kind, UUID ref) pairs exactly: kinds, case and near-UUIDs never alias', () => {
    const s = new FingerprintSet();
    const ids = Array.from({ length: 3000 }, () => randomUUID());
    for (const id of ids) expect(s.addKey('tool', id)).toBe(true);
    expect(s.addKey('tool', ids[0]!)).toBe(false);
    expect(s.size).toBe(3000);
    for (const id of ids) {
      expect(s.hasKey('tool', id)).toBe(true);
      expect(s.hasKey('lifecycle', id)).toBe(false);
      expect(s.hasKey('tool', id.toUpperCase())).toBe(false);
    }
    expect(s.hasKey('tool', `${ids[0]!.slice(0, 35)}x`)).toBe(false);
    s.addKey('tool', ids[1]!.toUpperCase());
    expect(s.hasKey('tool', ids[1]!.toUpperCase())).toBe(true);
    expect(s.hasKey('never-added', ids[1]!)).toBe(false);
  });

  it('falls back to fingerprints beyond the kinds it tags', () => {
    const s = new FingerprintSet();
    const id = randomUUID();
    for (let k = 0; k < 40; k++) s.addKey(`kind-${k}`, id);
    for (let k = 0; k < 40; k++) expect(s.hasKey(`kind-${k}`, id)).toBe(true);
    expect(s.hasKey('kind-40', id)).toBe(false);
    expect(s.size).toBe(40);
  });
});
