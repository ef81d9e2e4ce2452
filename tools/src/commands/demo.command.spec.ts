import { demoAtFirstStart } from './demo.command';

describe('demoAtFirstStart', () => {
  it('unset: the demo fleet goes into the embedded database only, never into a DATABASE_URL one', () => {
    expect(demoAtFirstStart({}, true)).toBe(true);
    expect(demoAtFirstStart({ AUDITSTACK_DEMO: '' }, true)).toBe(true);
    expect(demoAtFirstStart({}, false)).toBe(false);
  });

  it('AUDITSTACK_DEMO=0 never, 1 always; anything else is a usage error (exit 2)', () => {
    expect(demoAtFirstStart({ AUDITSTACK_DEMO: '0' }, true)).toBe(false);
    expect(demoAtFirstStart({ AUDITSTACK_DEMO: '1' }, false)).toBe(true);
    expect(() => demoAtFirstStart({ AUDITSTACK_DEMO: 'yes' }, true)).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});
