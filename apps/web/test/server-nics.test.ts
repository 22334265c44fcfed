/**
 * The NICs section of the server page in Debian's Chromium against a real control plane:
 * attach a NIC on a network picked from the list, see it attached with its address, detach it
 * behind the dashboard's own confirmation; the traffic graph draws the hours the collector booked
 * from real packets, per NIC and in total.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KumulusClient } from '@kumulus/api';
import { lxcAttach } from '../../server/src/drivers/local/lxc.ts';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../server/test/harness.ts';
import { raw } from '../../server/test/stores.ts';
import { launchBrowser, screenshot, signIn } from './support/browser.ts';
import { ensureWebBuild } from './support/web-dist.ts';

const PASSWORD = 'Correct-Horse-Battery-9';

describe('server NICs in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let tenant: KumulusClient;

  before(async () => {
    ensureWebBuild();
    server = await startTestServer({ trafficEveryMs: 300 });
    await server.client.createTenant({ name: 'nicco', admin: { email: 'admin@nicco.test', password: PASSWORD } });
    const login = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@nicco.test', password: PASSWORD }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const token = (await raw(server.url, 'POST', '/tokens', { body: '{"name":"t"}', headers: { cookie, origin: server.url } })).body.secret;
    tenant = new KumulusClient({ baseUrl: server.url, token });
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } })).newPage();
    page.on('dialog', (d) => void d.dismiss());
  });
  after(async () => {
    await browser?.close().catch(() => {});
    for (const s of (await tenant?.listServers().catch(() => null))?.items ?? []) await tenant.waitOperation((await tenant.deleteServer(s.id)).id, 60).catch(() => {});
    await server?.stop();
  });

  test('attach a NIC on a picked network, then detach it after confirming', async () => {
    const net = await tenant.createNetwork({ name: 'backend', ipv4Cidr: '10.82.0.0/24' });
    assert.equal((await tenant.waitOperation(net.operation.id, 60)).state, 'succeeded');
    const made = await tenant.createServer({ name: 'nic-web', plan: 'nano', image: 'tiny', start: false });
    assert.equal((await tenant.waitOperation(made.operation.id, 60)).state, 'succeeded');

    await signIn(page, server.url, 'admin@nicco.test', PASSWORD);
    await page.goto(`${server.url}/servers/${made.server.id}`);
    const section = page.getByTestId('server-nics');
    await section.getByTestId('nic-row').first().waitFor();
    await section.getByLabel('Network', { exact: true }).selectOption({ label: 'backend' });
    await section.getByRole('button', { name: 'Attach NIC' }).click();
    const row = section.getByRole('row', { name: /backend/ });
    await row.getByText('Attached').waitFor({ timeout: 60_000 });
    await row.getByText(/^10\.82\.0\.\d+\/24$/).waitFor();
    await screenshot(page, 'nics-attached');

    await row.getByRole('button', { name: 'Detach' }).click();
    await page.getByRole('dialog', { name: 'Detach this NIC?' }).getByRole('button', { name: 'Detach' }).click();
    await row.waitFor({ state: 'detached', timeout: 60_000 });
    assert.deepEqual((await tenant.listServerNics(made.server.id)).items.map((n) => n.network), ['default']);
  });

  test('the traffic graph shows the hours booked from real packets, for all NICs and for one', async () => {
    const made = await tenant.createServer({ name: 'nic-talk', plan: 'nano', image: 'tiny' });
    assert.equal((await tenant.waitOperation(made.operation.id, 60)).state, 'succeeded');
    const nic = made.server.spec.nics[0]!;
    const gateway = nic.ipv4.split('.').slice(0, 3).join('.') + '.1';
    await lxcAttach(join(server.dataDir, 'lxc'), made.server.id, ['/bin/sh', '-c', `ping -c 5 -s 1000 -W 1 ${gateway}`]);
    let booked = 0;
    for (let i = 0; i < 60 && booked === 0; i++) {
      await sleep(500);
      booked = (await tenant.serverTraffic(made.server.id, { hours: 24 })).items.reduce((n, h) => n + h.publicOutBytes, 0);
    }
    assert.ok(booked >= 5000, `the pings were booked: ${booked}`);

    await page.goto(`${server.url}/servers/${made.server.id}`);
    const card = page.getByTestId('server-traffic');
    await card.getByTestId('traffic-bar').first().waitFor({ timeout: 30_000 });
    const title = await card.getByTestId('traffic-chart').locator('title').first().textContent();
    assert.match(title ?? '', /^Traffic per hour: .+ in, .+ out$/);
    assert.match(await card.textContent() ?? '', /out of the server \(\d/);
    await card.getByLabel('NIC').selectOption({ label: `default · ${nic.ipv4}` });
    const bars = await card.getByTestId('traffic-bar').count();
    assert.ok(bars >= 1 && bars <= 2, `the hour (or two) of traffic on that NIC: ${bars}`);
    await card.getByLabel('Period').selectOption({ label: 'last 7 days' });
    await card.getByTestId('traffic-bar').first().waitFor();
    await screenshot(page, 'server-traffic');
  });
});
