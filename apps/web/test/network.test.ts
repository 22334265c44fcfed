// biome-ignore-all lint/performance/useDomNodeTextContent: innerText() here is Playwright's Locator method (the rendered text, as a user reads it), not a DOM node's
/**
 * The network pages in Debian's Chromium against a real control plane: a network made and
 * opened (its servers' addresses listed), an IP pool defined by the operator (on an uplink that
 * does not exist, so no host interface is touched), a public IP allocated, assigned to a server,
 * unassigned and released behind the dashboard's own confirmation, the network deleted; each
 * page without WCAG 2.1 AA violations (axe-core) and in German too.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../server/test/harness.ts';
import { gotoRetrying, launchBrowser, screenshot, signIn } from './support/browser.ts';
import { ensureWebBuild } from './support/web-dist.ts';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
  });
}

describe('network pages in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const nativeDialogs: string[] = [];

  before(async () => {
    ensureWebBuild();
    server = await startTestServer();
    browser = await launchBrowser();
    const ctx = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 860 } });
    page = await ctx.newPage();
    page.on('dialog', (d) => {
      nativeDialogs.push(d.message());
      void d.dismiss();
    });
  });
  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  test('networks: create, open with its allocations, refuse bad input, delete', async () => {
    await signIn(page, server.url, server.operatorEmail, server.operatorPassword);
    await page.getByRole('link', { name: 'Networks' }).click();
    await page.waitForURL(/\/networks$/);
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Create network' }) });
    await form.getByLabel('Name').fill('web-lan');
    await form.getByLabel('IPv4 range').fill('8.8.8.0/24');
    await form.getByRole('button', { name: 'Create network' }).click();
    await form.getByText('RFC 1918', { exact: false }).waitFor();
    await form.getByLabel('IPv4 range').fill('10.93.0.0/24');
    await form.getByLabel('IPv6 prefix').fill('fd00:93::/48');
    await form.getByRole('button', { name: 'Create network' }).click();
    await form.getByText('SLAAC needs a /64', { exact: false }).waitFor();
    await form.getByLabel('IPv6 prefix').fill('fd00:93::/64');
    await form.getByRole('button', { name: 'Create network' }).click();
    const row = page.locator('tr', { hasText: 'web-lan' });
    await row.getByText('Ready').waitFor({ timeout: 60_000 });
    assert.deepEqual(await axeViolations(page), [], 'networks page');

    const made = await server.client.createServer({ name: 'lan-web', plan: 'nano', image: 'tiny', nics: [{ network: 'web-lan', ipv4: '10.93.0.9' }] });
    await server.client.waitOperation(made.operation.id, 60);
    await row.getByRole('link', { name: 'web-lan' }).click();
    await page.getByRole('heading', { name: 'Addresses on this network' }).waitFor();
    await page.locator('tr', { hasText: '10.93.0.9' }).getByRole('link', { name: 'lan-web' }).waitFor();
    assert.match(await page.locator('main').innerText(), /web-lan\.internal/);
    assert.match(await page.locator('main').innerText(), /fd00:93::\/64/, 'the IPv6 prefix is shown');
    const v6 = (await server.client.getServer(made.server.id)).spec.nics[0]!.ipv6!.split('/')[0]!;
    await page.locator('tr', { hasText: v6 }).getByRole('link', { name: 'lan-web' }).waitFor();
    assert.deepEqual(await axeViolations(page), [], 'network detail');
    await screenshot(page, 'network-detail');

    await server.client.waitOperation((await server.client.deleteServer(made.server.id)).id, 60);
    await page.getByRole('link', { name: 'All networks' }).click();
    await page.getByRole('button', { name: 'Delete: web-lan' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Delete network' }).click();
    await page.locator('tr', { hasText: 'web-lan' }).waitFor({ state: 'detached', timeout: 60_000 });
  });

  test('IP pools and public IPs: define, allocate, assign, unassign, release', async () => {
    await page.getByRole('link', { name: 'IP pools' }).click();
    await page.waitForURL(/\/operator\/ip-pools$/);
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Create pool' }) });
    await form.getByLabel('Name').fill('web-pool');
    await form.getByLabel('Range').fill('192.168.5.0/24');
    await form.getByLabel('Uplink interface').fill('kmtnoup2');
    await form.getByRole('button', { name: 'Create pool' }).click();
    await form.getByText('which is private', { exact: false }).waitFor();
    await form.getByLabel('Range').fill('203.0.113.64/30');
    await form.getByRole('button', { name: 'Create pool' }).click();
    await page.locator('tr', { hasText: 'web-pool' }).getByText('0 / 4').waitFor();
    assert.deepEqual(await axeViolations(page), [], 'IP pools page');

    const made = await server.client.createServer({ name: 'pip-web', plan: 'nano', image: 'tiny' });
    await server.client.waitOperation(made.operation.id, 60);
    await page.getByRole('link', { name: 'Public IPs' }).click();
    await page.waitForURL(/\/public-ips$/);
    const alloc = page.locator('form', { has: page.getByRole('heading', { name: 'Allocate public IP' }) });
    await alloc.getByLabel('Name').fill('front');
    await alloc.getByRole('button', { name: 'Allocate public IP' }).click();
    await page.getByText('Public IP 203.0.113.64 is yours.').waitFor();
    const row = page.locator('tr[data-public-ip="203.0.113.64"]');
    await row.getByLabel('Assign front to').selectOption({ label: 'pip-web' });
    await row.getByRole('button', { name: 'Assign: front' }).click();
    await row.getByRole('link', { name: 'pip-web' }).waitFor();
    assert.equal((await server.client.request<{ server: string }>('GET', '/public-ips/front')).server, made.server.id);
    assert.deepEqual(await axeViolations(page), [], 'public IPs page');
    await screenshot(page, 'public-ips');

    await page.getByRole('button', { name: 'Release: 203.0.113.64' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Release address' }).click();
    await page.getByText('Unassign it first', { exact: false }).waitFor();
    await row.getByRole('button', { name: 'Unassign: front' }).click();
    await row.getByRole('button', { name: 'Assign: front' }).waitFor();
    await page.getByRole('button', { name: 'Release: 203.0.113.64' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Release address' }).click();
    await page.getByText('You hold no public IPs.').waitFor();

    await page.getByLabel('Language').first().selectOption('de');
    await page.getByRole('heading', { name: 'Öffentliche IPs' }).waitFor();
    await gotoRetrying(page, `${server.url}/operator/ip-pools`);
    await page.getByRole('button', { name: 'Löschen: web-pool' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Pool löschen' }).click();
    await page.getByText('Es sind keine IP-Pools eingerichtet', { exact: false }).waitFor();
    await page.getByLabel('Sprache').first().selectOption('en');
    await server.client.waitOperation((await server.client.deleteServer(made.server.id)).id, 60);
    assert.deepEqual(nativeDialogs, [], 'no native browser dialog');
  });
});
