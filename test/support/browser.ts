import { mkdir } from 'node:fs/promises';
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

/** Where {@link screenshot} writes: `<repo>/docs/screenshots`. */
export const SCREENSHOT_DIR = path.resolve(__dirname, '..', '..', 'docs', 'screenshots');

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

/**
 * Saves a full-page PNG of `page` to `docs/screenshots/<name>.png`, creating the folder.
 *
 * @param name - file name without extension, kebab-case (`overview`, `project-scorecard`).
 * @returns the absolute path written.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(name)) {
    throw new Error(`screenshot name must be kebab-case letters and digits (no path or extension), got "${name}"`);
  }
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
