import { ENTITLEMENTS, hasEntitlement, isEntitlement } from './entitlements';

describe('entitlements', () => {
  it('admin implies every entitlement', () => {
    expect(hasEntitlement(['admin'], ENTITLEMENTS.evidenceRead)).toBe(true);
  });
  it('a token without the entitlement is refused', () => {
    expect(hasEntitlement(['events.read'], ENTITLEMENTS.eventsWrite)).toBe(false);
  });
  it('recognises only known names', () => {
    expect(isEntitlement('events.write')).toBe(true);
    expect(isEntitlement('events.delete')).toBe(false);
  });
});
