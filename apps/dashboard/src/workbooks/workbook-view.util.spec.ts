import { WorkbookSpecSchema } from '@auditstack/audit-core';
import { decodeSegment, NEW_WORKBOOK_TEXT, specSteps, versionParam, workbookOfAction } from './workbook-view.util';

describe('workbook pages', () => {
  it('reads ?v= as a positive integer only', () => {
    expect(versionParam('3')).toBe(3);
    expect([versionParam(undefined), versionParam('0'), versionParam('-1'), versionParam('2.5'), versionParam('1e3'), versionParam('x')]).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it('decodes a route segment once and keeps a malformed one as it came', () => {
    expect(decodeSegment('mail-domain-posture')).toBe('mail-domain-posture');
    expect(decodeSegment('a%20b')).toBe('a b');
    expect(decodeSegment('%E0%A4%A')).toBe('%E0%A4%A');
  });

  it('lists the steps of a stored spec leniently', () => {
    expect(specSteps({ steps: [{ id: 'mx', kind: 'dns', description: 'MX records' }, 'odd'] })).toEqual([
      { index: 0, id: 'mx', kind: 'dns', description: 'MX records' },
      { index: 1, id: '#2', kind: '', description: '' },
    ]);
    expect(specSteps({})).toEqual([]);
  });

  it('finds the workbook a workbook action runs, and its pinned version', () => {
    expect(workbookOfAction({ action_type: 'workbook', config: { workbook: 'mail-domain-posture' } })).toEqual({ name: 'mail-domain-posture', version: null });
    expect(workbookOfAction({ action_type: 'workbook', config: { workbook: 'a', version: 2 } })).toEqual({ name: 'a', version: 2 });
    expect(workbookOfAction({ action_type: 'http', config: { workbook: 'a' } })).toBeNull();
    expect(workbookOfAction({ action_type: 'workbook', config: { workbook: '../admin' } })).toBeNull();
    expect(workbookOfAction({ action_type: 'workbook', config: null })).toBeNull();
  });

  it('the new-workbook starter text is a valid spec', () => {
    expect(WorkbookSpecSchema.safeParse(JSON.parse(NEW_WORKBOOK_TEXT)).success).toBe(true);
  });
});
