import { tokenExceedsCreator } from './api-token.repository';

describe('tokenExceedsCreator', () => {
  const admin = { entitlements: ['admin'], workspaceId: null };
  const ws1Admin = { entitlements: ['admin'], workspaceId: 'ws-1' };
  const reader = { entitlements: ['events.read', 'evidence.read'], workspaceId: null };

  it('lets an unscoped admin create anything', () => {
    expect(tokenExceedsCreator(admin, { entitlements: ['admin'], workspaceId: null })).toBeNull();
    expect(tokenExceedsCreator(admin, { entitlements: ['events.write'], workspaceId: 'ws-9' })).toBeNull();
  });

  it('keeps a scoped admin inside its workspace (no unscoped token, none for another workspace)', () => {
    expect(tokenExceedsCreator(ws1Admin, { entitlements: ['admin'], workspaceId: 'ws-1' })).toBeNull();
    expect(tokenExceedsCreator(ws1Admin, { entitlements: ['events.read'], workspaceId: null })).toMatch(/^workspace_id: .*unscoped/);
    expect(tokenExceedsCreator(ws1Admin, { entitlements: ['events.read'], workspaceId: 'ws-2' })).toMatch(/^workspace_id: .*ws-2/);
  });

  it('refuses entitlements the creator does not hold, and unknown ones', () => {
    expect(tokenExceedsCreator(reader, { entitlements: ['events.read'], workspaceId: null })).toBeNull();
    expect(tokenExceedsCreator(reader, { entitlements: ['events.read', 'admin'], workspaceId: null })).toBe(
      'entitlements: the creating token does not hold admin',
    );
    expect(tokenExceedsCreator(reader, { entitlements: ['events.write'], workspaceId: null })).toMatch(/events\.write/);
    expect(tokenExceedsCreator(admin, { entitlements: ['root'], workspaceId: null })).toMatch(/root/);
  });
});
