// biome-ignore-all lint/performance/useDomNodeTextContent: innerText() here is Playwright's Locator method (the rendered text, as a user reads it), not a DOM node's
/**
 * The server page's power, protection, resize, rebuild and password card in Debian's Chromium
 * against a real control plane with real LXC, in English and German.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../server/test/harness.ts';
import { launchBrowser, screenshot, signIn } from './support/browser.ts';
import { ensureWebBuild } from './support/web-dist.ts';

describe('server life in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let id = '';

  /** Waits until every operation of the server has ended and answers the last one. */
  const settled = async (kind: string) => {
    for (;;) {
      const ops = (await server.client.listOperations({ target: id, kind, limit: 1, order: 'desc' })).items;
      if (ops[0]) return server.client.waitOperation(ops[0].id, 90);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  before(async () => {
    ensureWebBuild();
    server = await startTestServer();
    const c = await server.client.createServer({ name: 'life-web', plan: 'nano', image: 'tiny' });
    id = c.server.id;
    await server.client.waitOperation(c.operation.id, 60);
    browser = await launchBrowser();
    ctx = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 1200 } });
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    page = await ctx.newPage();
    await signIn(page, server.url, server.operatorEmail, server.operatorPassword);
    await page.goto(`${server.url}/servers/${id}`);
    await page.getByRole('heading', { name: 'Power, size and rebuild' }).waitFor();
  });
  after(async () => {
    await server?.client.changeServerProtection(id, { delete: false, rebuild: false }).catch(() => {});
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  test('protection toggles are saved and a protected rebuild is not offered', async () => {
    await page.getByLabel('Protect from deletion').check();
    await page.getByText('Protection saved.').waitFor();
    assert.deepEqual((await server.client.getServer(id)).protection, { delete: true, rebuild: false });
    await page.getByLabel('Protect from rebuild').check();
    await page.getByText('Rebuild protection is on').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Rebuild…' }).getAttribute('aria-disabled'), 'true');
    await page.getByLabel('Protect from rebuild').uncheck();
    await page.getByLabel('Protect from deletion').uncheck();
    await page.getByText('Rebuild protection is on').waitFor({ state: 'detached' });
    assert.deepEqual((await server.client.getServer(id)).protection, { delete: false, rebuild: false });
  });

  test('resize with the plan picker; a plan with a smaller disk cannot be picked', async () => {
    const picker = page.getByLabel('New plan');
    await picker.selectOption('small');
    await page.getByRole('button', { name: 'Resize', exact: true }).click();
    await page.getByText('Resize to small requested.').waitFor();
    assert.equal((await settled('server.resize')).state, 'succeeded');
    assert.equal((await server.client.getServer(id)).spec.plan, 'small');
    await page.getByText(/^small\b/).first().waitFor();
    // nano has 2 GB of disk, small 10: nano is now offered only as disabled.
    assert.equal(await picker.locator('option[value="nano"]').isDisabled(), true);
    assert.match(await picker.locator('option[value="nano"]').innerText(), /only grows/);
  });

  test('reset password shows the new one once, with copy', async () => {
    await page.getByRole('button', { name: 'Reset root password' }).click();
    const box = page.getByTestId('new-password');
    await box.waitFor();
    const pw = (await box.locator('code').innerText()).trim();
    assert.equal(pw.length, 20);
    await box.getByRole('button', { name: 'Copy password' }).click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), pw);
    assert.equal((await settled('server.reset-password')).state, 'succeeded');
    await screenshot(page, '30-server-life');
    await box.getByRole('button', { name: 'Close' }).click();
    await box.waitFor({ state: 'detached' });
    assert.equal(await page.getByText(pw).count(), 0, 'gone once closed');
  });

  test('rebuild waits for the typed name, then runs', async () => {
    const before = await server.client.getServer(id);
    await page.getByRole('button', { name: 'Rebuild…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    const confirm = dialog.getByRole('button', { name: 'Rebuild…' });
    assert.equal(await confirm.isDisabled(), true, 'not before the name is typed');
    await dialog.getByLabel(/Type/).fill('life-web');
    await confirm.click();
    await page.getByText('Rebuild from tiny requested.').waitFor();
    assert.equal((await settled('server.rebuild')).state, 'succeeded');
    assert.equal((await server.client.getServer(id)).spec.nics[0]!.ipv4, before.spec.nics[0]!.ipv4);
  });

  test('power off and shut down are two buttons; German labels', async () => {
    await page.getByRole('button', { name: 'Power off' }).click();
    assert.equal((await settled('server.poweroff')).state, 'succeeded');
    assert.equal((await server.client.getServer(id)).status.phase, 'Stopped');
    const de = await browser.newContext({ locale: 'de-DE' });
    try {
      const p = await de.newPage();
      await signIn(p, server.url, server.operatorEmail, server.operatorPassword);
      await p.goto(`${server.url}/servers/${id}`);
      await p.getByRole('heading', { name: 'Strom, Größe und Neuaufsetzen' }).waitFor();
      for (const label of ['Herunterfahren', 'Hart ausschalten', 'Root-Passwort zurücksetzen', 'Neu aufsetzen…']) await p.getByRole('button', { name: label }).first().waitFor();
      await p.getByLabel('Vor dem Löschen schützen').waitFor();
    } finally {
      await de.close();
    }
  });
});
