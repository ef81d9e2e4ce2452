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
});
