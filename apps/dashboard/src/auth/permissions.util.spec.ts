import { can, isCurrent, navItemsFor } from './permissions.util';

const labels = (entitlements: string[]) => navItemsFor(entitlements).map((item) => item.label);

describe('what a token is offered', () => {
  it('admin sees every page and may write', () => {
    expect(labels(['admin'])).toEqual(['Overview', 'Actions', 'Runs', 'Workbooks', 'Lifecycle', 'Timeline', 'Tools', 'Evidence']);
    expect(can(['admin'], 'actions.write')).toBe(true);
  });

  it('an events.read viewer sees Lifecycle and Timeline only and may not run actions', () => {
    expect(labels(['events.read'])).toEqual(['Lifecycle', 'Timeline']);
    expect(can(['events.read'], 'actions.write')).toBe(false);
  });

  it('actions.read without actions.write reads actions but gets no controls', () => {
    expect(labels(['actions.read'])).toEqual(['Overview', 'Actions', 'Runs', 'Workbooks']);
    expect(can(['actions.read'], 'actions.write')).toBe(false);
  });

  it('either tools entitlement opens Tools', () => {
    expect(labels(['tools.cost.read'])).toEqual(['Tools']);
    expect(labels(['tools.data_gov.read'])).toEqual(['Tools']);
    expect(labels(['evidence.read'])).toEqual(['Evidence']);
    expect(labels([])).toEqual([]);
  });

  it('marks the current page', () => {
    expect(isCurrent('/', '/')).toBe(true);
    expect(isCurrent('/', '/actions')).toBe(false);
    expect(isCurrent('/evidence', '/evidence/verify')).toBe(true);
    expect(isCurrent('/runs', '/runsx')).toBe(false);
  });
});
