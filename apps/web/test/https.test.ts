/**
 * The dashboard as a user on another machine opens it: over serve's HTTPS listener with its self-signed
 * certificate (accepted the way a user clicks through the warning), signed in with a Secure session cookie.
 */
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../../server/test/harness.ts';
import { gotoRetrying, launchBrowser } from './support/browser.ts';
import { ensureWebBuild } from './support/web-dist.ts';

describe('dashboard over HTTPS in Chromium', () => {
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    ensureWebBuild();
    server = await startTestServer({ tlsListen: '127.0.0.1:0' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  test('sign in and out over HTTPS; the session cookie is Secure', async () => {
    const url = server.running.tls!.url;
    const ctx = await browser.newContext({ locale: 'en-GB', ignoreHTTPSErrors: true });
    const page = await ctx.newPage();
    const answer = await gotoRetrying(page, `${url}/servers`);
    // TLS, with the certificate serve made for this host.
    const details = await answer?.securityDetails();
    assert.match(details?.protocol ?? '', /^TLS/);
    assert.equal(details?.subjectName, hostname());
    await page.waitForURL(/\/sign-in/);
    await page.getByLabel('Email').fill(server.operatorEmail);
    await page.getByLabel('Password').fill(server.operatorPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/servers$/);
    await page.getByText('No servers yet').waitFor();
    const [cookie] = (await ctx.cookies(url)).filter((c) => c.name === 'kumulus_session');
    assert.ok(cookie, 'the session cookie is set');
    assert.equal(cookie.secure, true);
    assert.equal(cookie.httpOnly, true);
    // Sign-out is a POST with the cookie: the same-origin check holds for the HTTPS origin too.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
    assert.equal((await ctx.cookies(url)).filter((c) => c.name === 'kumulus_session').length, 0);
    await ctx.close();
  });
});

