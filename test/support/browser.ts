import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type LaunchOptions, type Page } from 'playwright-core';

/**
 * Flags the system Chromium needs on this closed network: no GPU, no QUIC, and no
 * background calls home (component updates, sync, first-run pages) that would hang or fail.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The repository root: a relative {@link SCREENSHOTS_ENV} is read from here. */
const REPO_ROOT = path.resolve(__dirname, '..', '..');

/**
 * The environment variable naming the folder {@link screenshot} writes to (`npm run screenshots`
 * sets it to `docs/screenshots`). Unset, no file is written: `npm test` leaves the committed
 * screenshots alone.
 */
export const SCREENSHOTS_ENV = 'AUDITSTACK_SCREENSHOTS';

/**
 * The folder {@link screenshot} writes to: `$AUDITSTACK_SCREENSHOTS` resolved against the
 * repository root, or `null` when it is unset or empty.
 */
export function screenshotDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const dir = env[SCREENSHOTS_ENV]?.trim();
  return dir ? path.resolve(REPO_ROOT, dir) : null;
}

/**
 * Launches the system's Chromium through playwright-core (no browser download).
 *
 * Each launch gets a fresh, empty profile: Playwright creates a temporary user data dir
 * for `chromium.launch` and deletes it on `browser.close()`, so no cookie, cache or
 * service worker leaks between tests. Always close the browser in `afterAll`/`finally`.
 *
 * @param options - extra Playwright launch options (e.g. `slowMo`); `args` are appended to {@link CHROMIUM_ARGS}.
 * @defaultValue executable: `$CHROMIUM_PATH`, else `/usr/bin/chromium` (Debian's `chromium` package).
 */
export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const { args = [], ...rest } = options;
  return chromium.launch({
    headless: true,
    ...rest,
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, ...args],
  });
}

/** The eight bytes every PNG file starts with (PNG specification §5.2). */
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Renders a full-page PNG of `page` and checks it is one; saves it as `<name>.png` only when
 * {@link SCREENSHOTS_ENV} names a folder (`npm run screenshots`), so an ordinary test run
 * rewrites no committed file.
 *
 * @param name - file name without extension, kebab-case (`overview`, `project-scorecard`).
 * @returns the absolute path written, or `null` when screenshots are not being saved.
 */
export async function screenshot(page: Page, name: string): Promise<string | null> {
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(name)) {
    throw new Error(`screenshot name must be kebab-case letters and digits (no path or extension), got "${name}"`);
  }
  const png = await page.screenshot({ fullPage: true });
  if (png.length <= PNG_SIGNATURE.length || !png.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) {
    throw new Error(`the screenshot "${name}" is not a PNG (${png.length} bytes)`);
  }
  const dir = screenshotDir();
  if (dir === null) return null;
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await writeFile(file, png);
  return file;
}
