// biome-ignore-all lint/performance/useDomNodeTextContent: innerText() here is Playwright's Locator method (the rendered text, as a user reads it), not a DOM node's
/**
 * The firewall pages in Chromium against a real control plane: a firewall made in the editor
 * with a rule, saved, and applied by label, as the API then shows it; a logged rule added and
 * previewed (what it opens on the labelled server's NIC) before it is saved; the operator's zones page
 * renders the allowed-flows matrix, in English and German.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../../server/test/harness.ts';
import { launchBrowser, screenshot, signIn } from './support/browser.ts';
import { ensureWebBuild } from './support/web-dist.ts';

describe('firewall pages in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  before(async () => {
    ensureWebBuild();
    server = await startTestServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  test('create a firewall, add a rule, save, apply by label', async () => {
    const ctx = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await signIn(page, server.url, server.operatorEmail, server.operatorPassword);
    await page.getByRole('link', { name: 'Firewalls' }).click();
    await page.getByRole('heading', { name: 'Firewalls', level: 1 }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('web');
    await page.getByRole('button', { name: 'Create firewall' }).click();
    await page.getByRole('heading', { name: 'web', level: 2 }).waitFor();
    const inbound = page.locator('.stack', { has: page.getByRole('heading', { name: 'Inbound', level: 3 }) }).last();
    await inbound.getByLabel('Ports').fill('22, 8000-8100');
    await inbound.getByLabel('Peers').fill('10.0.0.0/8 label:role=admin');
    await inbound.getByRole('button', { name: 'Add rule' }).click();
    await page.getByText('accept tcp/22,8000-8100 10.0.0.0/8 label:role=admin').waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    for (let i = 0; i < 50 && (await server.client.getFirewall('web')).inbound.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual((await server.client.getFirewall('web')).inbound, [{ action: 'accept', protocol: 'tcp', ports: ['22', '8000-8100'], peers: [{ cidr: '10.0.0.0/8' }, { labelSelector: 'role=admin' }] }]);

    await page.getByLabel('Apply to').selectOption('label_selector');
    await page.getByLabel(/^Label selector/).fill('tier=db');
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await page.getByText('label selector tier=db').waitFor();
    assert.deepEqual((await server.client.getFirewall('web')).appliedTo, [{ type: 'label_selector', selector: 'tier=db' }]);

    // A server gets the label; a logged rule for 5432 is previewed before it is saved.
    const db = await server.client.createServer({ name: 'pv-db', plan: 'nano', image: 'tiny', start: false, labels: { tier: 'db' } });
    await page.reload();
    await page.getByRole('button', { name: 'web', exact: true }).click();
    const inbound2 = page.locator('.stack', { has: page.getByRole('heading', { name: 'Inbound', level: 3 }) }).last();
    await inbound2.getByLabel('Ports').fill('5432');
    await inbound2.getByLabel('Log', { exact: true }).check();
    await inbound2.getByRole('button', { name: 'Add rule' }).click();
    await page.getByRole('button', { name: 'Preview change' }).click();
    const preview = page.getByTestId('fw-preview');
    await preview.getByText(db.server.spec.nics[0]!.id).waitFor();
    assert.match(await preview.innerText(), /Opens\s+Inbound: accept \(log\) tcp\/5432 \(web\)/);
    assert.equal((await server.client.getFirewall('web')).inbound.length, 1, 'a preview saves nothing');
    await screenshot(page, 'firewall-preview');
    await page.getByRole('button', { name: 'Save' }).click();
    for (let i = 0; i < 50 && (await server.client.getFirewall('web')).inbound.length === 1; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual((await server.client.getFirewall('web')).inbound[1], { action: 'accept', protocol: 'tcp', ports: ['5432'], log: true });
    await screenshot(page, 'firewall-editor');
    await ctx.close();
  });

  test('the zones page renders the matrix, in English and German', async () => {
    const c = server.client;
    await c.createZone({ name: 'servers', purpose: 'server', networks: ['default'] });
    await c.createZone({ name: 'cams', purpose: 'cameras', flows: [{ to: 'servers', protocol: 'tcp', ports: ['554'] }] });
    for (const [locale, title, none] of [['en-GB', 'Zones', 'none'], ['de-DE', 'Zonen', 'keine']] as const) {
      const ctx = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
      const page = await ctx.newPage();
      await signIn(page, server.url, server.operatorEmail, server.operatorPassword);
      await page.goto(`${server.url}/operator/zones`);
      await page.getByRole('heading', { name: title, level: 1 }).waitFor();
      assert.equal((await page.locator('td[data-from="cams"][data-to="servers"]').innerText()).trim(), 'tcp/554');
      assert.equal((await page.locator('td[data-from="servers"][data-to="cams"]').innerText()).trim(), none);
      await screenshot(page, `zones-${locale}`);
      await ctx.close();
    }
  });
});
