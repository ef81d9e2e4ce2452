import path from 'node:path';
import { screenshotDir, SCREENSHOTS_ENV } from './browser';

const ROOT = path.resolve(__dirname, '..', '..');

describe('screenshotDir: screenshots are saved only when a command asks', () => {
  it('writes nowhere when AUDITSTACK_SCREENSHOTS is unset or blank (npm test rewrites no committed PNG)', () => {
    expect(screenshotDir({})).toBeNull();
    expect(screenshotDir({ [SCREENSHOTS_ENV]: '' })).toBeNull();
    expect(screenshotDir({ [SCREENSHOTS_ENV]: '   ' })).toBeNull();
  });

  it('reads a relative folder from the repository root, whatever the working directory', () => {
    expect(screenshotDir({ [SCREENSHOTS_ENV]: 'docs/screenshots' })).toBe(path.join(ROOT, 'docs', 'screenshots'));
  });

  it('keeps an absolute folder as given', () => {
    expect(screenshotDir({ [SCREENSHOTS_ENV]: '/tmp/shots' })).toBe('/tmp/shots');
  });
});
