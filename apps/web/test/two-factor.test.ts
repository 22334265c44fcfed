/**
 * Two-factor sign-in in Debian's Chromium against a real control plane: an operator without a second factor is
 * held on the security page until they enrol (QR code, key, first code, recovery codes shown once); afterwards
 * sign-in asks for the authenticator's code after the password, refuses a wrong one, and takes a recovery code
 * instead. The codes are computed from the key the page shows, as an authenticator app would.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { totpCode } from '../../server/src/modules/identity/totp.ts';
import { startTestServer, type TestServer } from '../../server/test/harness.ts';
import { gotoRetrying, launchBrowser, screenshot } from './support/browser.ts';
import { ensureWebBuild } from './support/web-dist.ts';

// The server's clock may run ahead of the wall clock, so the test can move to the authenticator's next step.
let offset = 0;
const clock = () => Date.now() + offset;

describe('two-factor sign-in in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let secret = '';
  let recovery: string[] = [];

  before(async () => {
    ensureWebBuild();
    server = await startTestServer({ clock, requireOperatorTwoFactor: true });
    browser = await launchBrowser();
    const ctx = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    page = await ctx.newPage();
  });
  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  async function passwordStep() {
    await gotoRetrying(page, `${server.url}/servers`);
    await page.getByLabel('Email').fill(server.operatorEmail);
    await page.getByLabel('Password').fill(server.operatorPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  test('an operator without a second factor is held on the security page until they enrol one', async () => {
    await passwordStep();
    await page.waitForURL(/\/security$/);
    await page.getByRole('alert').filter({ hasText: 'Platform operators must sign in with a second factor' }).waitFor();
    await gotoRetrying(page, `${server.url}/servers`);
    await page.waitForURL(/\/security$/);
    await page.getByLabel('Current password').first().fill(server.operatorPassword);
    await page.getByRole('button', { name: 'Set up authenticator app' }).click();
    const qr = page.getByRole('img', { name: 'QR code of the key for your authenticator app' });
    await qr.waitFor();
    assert.ok(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 100), 'the QR code is drawn');
    secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
    assert.match(secret, /^[A-Z2-7]{32}$/);
    await screenshot(page, '2fa-01-enrol');
    await page.getByLabel('Code from the app').fill(totpCode(secret, clock()));
    await page.getByRole('button', { name: 'Turn on' }).click();
    const list = page.getByTestId('recovery-codes');
    await list.waitFor();
    recovery = (await list.locator('li').allTextContents()).map((c) => c.trim());
    assert.equal(recovery.length, 10);
    await screenshot(page, '2fa-02-recovery-codes');
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.getByTestId('totp-state').filter({ hasText: 'On: sign-in asks for a code' }).waitFor();
    await page.getByRole('link', { name: 'Servers', exact: true }).click();
    await page.waitForURL(/\/servers$/);
    await page.getByText('No servers yet').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
  });

  test('sign-in asks for the code after the password, refuses a wrong one and takes the right one', async () => {
    await passwordStep();
    const code = page.getByLabel('One-time code');
    await code.waitFor();
    await screenshot(page, '2fa-03-code-step');
    await code.fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').filter({ hasText: 'The code is wrong, or it was used already' }).waitFor();
    offset += 30_000;
    await code.fill(totpCode(secret, clock()));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(/\/servers$/);
    await page.getByText('No servers yet').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
  });

  test('a recovery code signs in instead, once; the step speaks German too', async () => {
    await passwordStep();
    await page.getByLabel('One-time code').waitFor();
    await page.getByRole('button', { name: 'Use a recovery code' }).click();
    await page.getByLabel('Recovery code').fill(recovery[0]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(/\/servers$/);
    const status = await server.client.request<{ recoveryCodesLeft: number }>('GET', '/auth/2fa');
    assert.equal(status.recoveryCodesLeft, 9, 'the code is used up');
    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByText('9 recovery codes left.').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
    await page.getByLabel('Language').selectOption('de');
    await page.getByLabel('E-Mail').fill(server.operatorEmail);
    await page.getByLabel('Passwort').fill(server.operatorPassword);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.getByLabel('Einmalcode').waitFor();
    await page.getByRole('button', { name: 'Wiederherstellungscode verwenden' }).click();
    await page.getByLabel('Wiederherstellungscode').fill(recovery[0]!);
    await page.getByRole('button', { name: 'Bestätigen' }).click();
    await page.getByRole('alert').filter({ hasText: 'Der Code ist falsch oder wurde schon verwendet' }).waitFor();
  });
});
