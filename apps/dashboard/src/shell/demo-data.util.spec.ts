import { DEMO_ID_PREFIX, DEMO_USER_PREFIX } from '@auditstack/audit-core';
import { DEMO_ID_FIELDS, isDemoRow, isDemoTimelineRow } from './demo-data.util';

describe('isDemoRow', () => {
  it('uses the prefixes of the demo fleet', () => {
    expect(DEMO_ID_PREFIX).toBe('demo-');
    expect(DEMO_USER_PREFIX).toBe('u_demo_');
  });

  it.each(DEMO_ID_FIELDS)('a %s starting with demo- makes the row demo', (field) => {
    expect(isDemoRow({ [field]: 'demo-x' })).toBe(true);
    expect(isDemoRow({ [field]: 'prod-x' })).toBe(false);
    expect(isDemoRow({ [field]: 'Demo-x' })).toBe(false);
    expect(isDemoRow({ [field]: 'x-demo-x' })).toBe(false);
    expect(isDemoRow({ [field]: 'u_demo_x' })).toBe(false);
  });

  it('a user_id starting with u_demo_ makes the row demo, demo- on a user does not', () => {
    expect(isDemoRow({ user_id: 'u_demo_ops' })).toBe(true);
    expect(isDemoRow({ user_id: 'demo-ops' })).toBe(false);
    expect(isDemoRow({ user_id: 'u_ops' })).toBe(false);
  });

  it('ignores other columns, missing and non-string values', () => {
    const real = { engine_id: 'eng-1', user_id: null, product_id: undefined, actor: 'demo-acme', tool: 'demo-search', request_id: 'demo-req-1' };
    expect(isDemoRow(real)).toBe(false);
    expect(isDemoRow({})).toBe(false);
    expect(isDemoRow({ engine_id: 42, workspace_id: ['demo-ws'] })).toBe(false);
    expect(isDemoRow({ ...real, workspace_id: 'demo-ws-support' })).toBe(true);
  });
});

describe('isDemoTimelineRow', () => {
  it('reads the subject and the stored columns', () => {
    expect(isDemoTimelineRow({ subject: { engine_id: 'demo-eng-01' }, details: {} })).toBe(true);
    expect(isDemoTimelineRow({ subject: {}, details: { cluster_id: 'demo-cluster' } })).toBe(true);
    const details: Record<string, unknown> = { engine_id: 'eng-1', actor: 'demo-acme' };
    expect(isDemoTimelineRow({ subject: { engine_id: 'eng-1' }, details })).toBe(false);
  });
});
