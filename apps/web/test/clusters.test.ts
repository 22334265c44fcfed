/**
 * The clusters page in Debian's Chromium against a real control plane and the Proxmox VE emulator (every
 * request checked against the official schema): a token without the privileges is refused with them named, a
 * good one registers the cluster with its nodes, a node is marked for storage, the check sees a node go away,
 * and the registration is removed behind the confirmation, in German; no WCAG 2.1 AA violations (axe-core).
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { clusterApi } from '@kumulus/api';
import { DEFAULT_TOKEN, PveEmulator } from '@kumulus/pve-emulator';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../server/test/harness.ts';
import { launchBrowser, screenshot, signIn } from './support/browser.ts';
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

describe('clusters page in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let emu: PveEmulator;
  let url = '';
  let fingerprint = '';
  const weak = { id: 'weak@pve!web', secret: 'weak-secret-0123456789', privileges: { '/': ['VM.Audit', 'Sys.Audit'] } };

  before(async () => {
    ensureWebBuild();
    emu = new PveEmulator({ nodes: 2, taskMs: 10, tokens: [DEFAULT_TOKEN, weak] });
    ({ url, fingerprint } = await emu.listen());
    server = await startTestServer();
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } })).newPage();
  });
  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
    await emu?.close();
  });

  test('refused with the privileges named, registered with its nodes, a node role set, removed in German', async () => {
    await signIn(page, server.url, server.operatorEmail, server.operatorPassword);
    await page.getByRole('link', { name: 'Clusters' }).click();
    await page.getByRole('heading', { name: 'Proxmox VE clusters' }).waitFor();
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Register a cluster' }) });
    await form.getByLabel('Name', { exact: true }).fill('lab');
    await form.getByLabel('URL of any node').fill(url);
    await form.getByLabel('API token').fill(weak.id);
    await form.getByLabel('Token secret').fill(weak.secret);
    await form.getByLabel('Certificate fingerprint (SHA-256)').fill(fingerprint);
    await form.getByRole('button', { name: 'Check and register' }).click();
    await form.getByText(/the token lacks these privileges on \/: .*VM\.PowerMgmt/).waitFor();
    assert.deepEqual(await clusterApi(server.client).list(), []);

    await form.getByLabel('API token').fill(DEFAULT_TOKEN.id);
    await form.getByLabel('Token secret').fill(DEFAULT_TOKEN.secret);
    await form.getByRole('button', { name: 'Check and register' }).click();
    await page.getByText('Cluster lab is registered. Restart kumulus serve to drive it').waitFor();
    const card = page.locator('[data-cluster="lab"]');
    await card.getByText('Connection, token and privileges are fine.').waitFor();
    await card.locator('tr[data-node="pve2"]').waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'clusters');

    await card.getByLabel('Role of pve2').selectOption('storage');
    for (let i = 0; i < 50 && (await clusterApi(server.client).get('lab')).nodes[1]!.role !== 'storage'; i++) await page.waitForTimeout(100);
    assert.deepEqual((await clusterApi(server.client).get('lab')).nodes.map((n) => n.role), ['compute', 'storage']);

    emu.state.nodes.get('pve1')!.online = false;
    await card.getByRole('button', { name: 'Check now' }).click();
    await card.locator('tr[data-node="pve1"]').getByText('no', { exact: true }).waitFor();
    emu.state.nodes.get('pve1')!.online = true;

    await page.getByLabel('Language').first().selectOption('de');
    await page.getByRole('heading', { name: 'Proxmox-VE-Cluster' }).waitFor();
    await card.getByText('wird ab dem nächsten Start von kumulus serve betrieben').waitFor();
    assert.equal(await card.getByLabel('Rolle von pve2').inputValue(), 'storage');
    await card.getByRole('button', { name: 'Entfernen' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cluster entfernen' }).click();
    await page.getByRole('heading', { name: 'Cluster registrieren' }).waitFor();
    assert.deepEqual(await clusterApi(server.client).list(), []);
    assert.deepEqual(await axeViolations(page), []);
  });
});
