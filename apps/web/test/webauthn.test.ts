/**
 * Security keys (WebAuthn) in Debian's Chromium with its DevTools virtual authenticator (a software CTAP2 key):
 * register one on the security page, then sign in with the password and the key; the key's signature counter
 * moves on. WebAuthn needs a host name, not an IP address, as relying party, so the browser uses localhost.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../server/test/harness.ts';
import { gotoRetrying, launchBrowser, screenshot } from './support/browser.ts';
import { ensureWebBuild } from './support/web-dist.ts';

/** The parts of the API's answers this test reads. */
interface Answer {
  secondFactor: { methods: string[]; challenge: string; webauthn: { rpId: string } };
  error: { code: string };
}

const email = 'keys@webauthn.test';
const password = 'Keys-Password-4242';

describe('security keys in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let url = '';

  before(async () => {
    ensureWebBuild();
    server = await startTestServer();
    url = server.url.replace('127.0.0.1', 'localhost');
    await server.client.createTenant({ name: 'webauthn', admin: { email, password } });
    browser = await launchBrowser();
    const ctx = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
    page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
  });
  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  async function passwordStep() {
    await gotoRetrying(page, `${url}/servers`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  test('register a security key on the security page; the first factor brings recovery codes', async () => {
    await passwordStep();
    await page.waitForURL(/\/servers$/);
    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByLabel('Name of the key').fill('YubiKey (virtual)');
    await page.locator('input[name=key-password]').fill(password);
    await page.getByRole('button', { name: 'Add security key' }).click();
    await page.getByTestId('recovery-codes').waitFor();
    assert.equal(await page.getByTestId('recovery-codes').locator('li').count(), 10);
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.getByTestId('security-keys').getByText('YubiKey (virtual)').waitFor();
    await screenshot(page, '2fa-04-security-keys');
    const row = await server.running.store.db.selectFrom('webauthn_credentials').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.name, 'YubiKey (virtual)');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
  });

  test('the password step offers the key; a forged answer is refused', async () => {
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${url}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as Answer };
    };
    const first = await post('/auth/login', { email, password });
    assert.deepEqual(first.body.secondFactor.methods, ['webauthn', 'recovery']);
    assert.equal(first.body.secondFactor.webauthn.rpId, 'localhost');
    const key = await server.running.store.db.selectFrom('webauthn_credentials').select('key_id').executeTakeFirstOrThrow();
    const forged = await post('/auth/login/second-factor', {
      challenge: first.body.secondFactor.challenge,
      webauthn: { id: key.key_id, rawId: key.key_id, type: 'public-key', response: { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'AAAA' }, clientExtensionResults: {} },
    });
    assert.equal(forged.status, 401);
    assert.equal(forged.body.error.code, 'SECOND_FACTOR_INVALID');
  });

  test('sign in with the password, then the key', async () => {
    const before = await server.running.store.db.selectFrom('webauthn_credentials').select(['counter', 'last_used_at']).executeTakeFirstOrThrow();
    await passwordStep();
    const useKey = page.getByRole('button', { name: 'Use your security key or passkey' });
    await useKey.waitFor();
    await screenshot(page, '2fa-05-key-step');
    await useKey.click();
    await page.waitForURL(/\/servers$/);
    await page.getByText('No servers yet').waitFor();
    const afterSignIn = await server.running.store.db.selectFrom('webauthn_credentials').select(['counter', 'last_used_at']).executeTakeFirstOrThrow();
    assert.ok(Number(afterSignIn.counter) > Number(before.counter), 'the signature counter moved on');
    assert.ok(afterSignIn.last_used_at, 'last use is recorded');
    const methods = await server.running.store.db.selectFrom('audit_log').select('detail').where('action', '=', 'auth.login').execute();
    assert.ok(methods.some((m) => JSON.parse(m.detail).method === 'webauthn'));
  });
});
