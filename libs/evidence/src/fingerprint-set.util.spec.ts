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
});
