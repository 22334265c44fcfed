/**
 * Debian's Chromium driven by playwright-core, headless and quiet: the machine has no
 * network, and without these flags Chromium keeps trying to reach Google's services.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Where the browser tests put their screenshots (gitignored). */
export const SCREENSHOTS = resolve(import.meta.dirname, '../../../../test-artifacts/screenshots');

/** Starts headless Chromium; playwright gives it a fresh temporary profile (user-data-dir). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Saves a full-page screenshot as test-artifacts/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Signs in through the sign-in form and waits for the server list. */
export async function signIn(page: Page, url: string, email: string, password: string): Promise<void> {
  await gotoRetrying(page, `${url}/servers`);
  await page.getByLabel(/^(Email|E-Mail)$/).fill(email);
  await page.getByLabel(/^(Password|Passwort)$/).fill(password);
  // A host interface changing under Chromium (other tests' bridges) can fail the sign-in request itself; the form
  // then shows the error and stays, so send it again.
  for (let attempt = 1; ; attempt++) {
    await page.getByRole('button', { name: /^(Sign in|Anmelden)$/ }).click();
    try {
      await page.waitForURL(/\/servers$/, { timeout: 15_000 });
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

/**
 * Chromium aborts a navigation with ERR_NETWORK_CHANGED when any interface of the host changes, which other
 * test files do all the time (their bridges and veths); that says nothing about the page, so navigate again.
 * Playwright reports it either by name or as the navigation being replaced by Chromium's error page.
 */
export async function gotoRetrying(page: Page, url: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await page.goto(url);
    } catch (err) {
      const networkChanged = /ERR_NETWORK_CHANGED|chrome-error:\/\/chromewebdata/.test(String(err));
      if (attempt >= 5 || !networkChanged) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
