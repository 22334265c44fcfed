// biome-ignore-all lint/performance/useDomNodeTextContent: innerText() here is Playwright's Locator method (the rendered text, as a user reads it), not a DOM node's
/**
 * Lists the API pages, sorts and selects, in Debian's Chromium against a real control plane:
 * the SSH keys page asks for page/per_page/sort (seen in its requests), shows where the page sits
 * and steps through pages; a label selector is applied by the API; labels of networks and keys
 * are shown and edited, and a refused label is said naming the key — in English and German.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../server/test/harness.ts';
import { newSshPublicKey } from '../../server/test/ssh-key.ts';
import { gotoRetrying, launchBrowser, screenshot, signIn } from './support/browser.ts';
import { ensureWebBuild } from './support/web-dist.ts';

describe('lists paged and selected by the API, labels edited, in Chromium', () => {
  let server: TestServer;
  let browser: Browser;

  /** The first line of each row header, once they read `want` (or after 10 s, what they read). */
  const rowsRead = async (page: Page, selector: string, want: string[]) => {
    let got: string[] = [];
    for (let i = 0; i < 100; i++) {
      got = (await page.locator(`${selector} th[scope="row"]`).allInnerTexts()).map((x) => x.trim().split('\n')[0]!.trim());
      if (JSON.stringify(got) === JSON.stringify(want)) return got;
      await page.waitForTimeout(100);
    }
    return got;
  };
  const names = (n: number) => Array.from({ length: n }, (_, i) => `key-${String(i + 1).padStart(2, '0')}`);

  before(async () => {
    ensureWebBuild();
    server = await startTestServer();
    // 30 keys: more than the 25 a page holds by default.
    for (const [i, name] of names(30).entries()) await server.client.createSshKey({ name, publicKey: newSshPublicKey(name), labels: i % 3 === 0 ? { team: 'web' } : { team: 'db' } });
    await server.client.createNetwork({ name: 'lan-a', ipv4Cidr: '10.86.0.0/24', labels: { env: 'prod' } });
    await server.client.createNetwork({ name: 'lan-b', ipv4Cidr: '10.86.1.0/24' });
    await server.client.createFirewall({ name: 'fw-edge', labels: { role: 'edge' } });
    await server.client.createFirewall({ name: 'fw-core', labels: { role: 'core' } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  test('SSH keys: pages, sort and selector go to the API; labels are edited in place', async () => {
    const ctx = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    const asked: URLSearchParams[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname === '/api/v1/ssh-keys' && r.method() === 'GET') asked.push(u.searchParams);
    });
    try {
      await signIn(page, server.url, server.operatorEmail, server.operatorPassword);
      await gotoRetrying(page, `${server.url}/ssh-keys`);
      const rows = (want: string[]) => rowsRead(page, 'tr[data-key-id]', want);
      assert.deepEqual(await rows(names(25)), names(25), 'the first 25, as the API lists them');
      assert.equal(await page.getByTestId('list-where').innerText(), 'Page 1 of 2 · 30 entries');
      assert.equal(asked.at(-1)?.get('per_page'), '25', 'the page asked for 25');
      await page.getByRole('button', { name: 'Next page' }).click();
      assert.deepEqual(await rows(names(30).slice(25)), names(30).slice(25));
      assert.equal(asked.at(-1)?.get('page'), '2');
      await page.getByRole('button', { name: 'Name', exact: true }).click();
      await page.getByRole('button', { name: 'Name', exact: true }).click();
      assert.deepEqual(await rows(names(30).reverse().slice(0, 25)), names(30).reverse().slice(0, 25), 'a new sort starts at page 1');
      assert.equal(asked.at(-1)?.get('sort'), 'name:desc', 'the API sorts');
      await page.getByTestId('list-per-page').selectOption('10');
      assert.deepEqual(await rows(names(30).reverse().slice(0, 10)), names(30).reverse().slice(0, 10));
      assert.equal(await page.getByTestId('list-where').innerText(), 'Page 1 of 3 · 30 entries');

      await page.getByTestId('list-selector').fill('team=web');
      await page.getByTestId('list-selector').press('Enter');
      const web = names(30).filter((_, i) => i % 3 === 0).reverse();
      assert.deepEqual(await rows(web), web, 'the API keeps what the selector matches');
      assert.equal(asked.at(-1)?.get('label_selector'), 'team=web');
      assert.equal(await page.getByTestId('list-where').innerText(), 'Page 1 of 1 · 10 entries');
      await page.getByTestId('list-selector').fill('team in web');
      await page.getByRole('button', { name: 'Apply selector' }).click();
      await page.getByRole('alert').filter({ hasText: /label_selector|selector/i }).first().waitFor();
      await page.getByTestId('list-selector').fill('team=nobody');
      await page.getByTestId('list-selector').press('Enter');
      await page.getByText('Nothing matches “team=nobody”.').waitFor();
      await page.getByTestId('list-selector').fill('team=web');
      await page.getByTestId('list-selector').press('Enter');
      await rows(web);

      await page.getByRole('button', { name: 'Edit labels: key-28' }).click();
      await page.getByLabel('Labels: key-28').fill('team=web, owner=ops, laptop');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.locator('tr', { hasText: 'key-28' }).getByText('owner=ops').waitFor();
      assert.deepEqual((await server.client.getSshKey('key-28')).labels, { team: 'web', owner: 'ops', laptop: '' });
      await screenshot(page, 'ssh-keys-paged');
    } finally {
      await ctx.close();
    }
  });

  test('networks show and edit labels; a refused label names its key (German)', async () => {
    const ctx = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    try {
      await signIn(page, server.url, server.operatorEmail, server.operatorPassword);
      await gotoRetrying(page, `${server.url}/networks`);
      const rows = (want: string[]) => rowsRead(page, 'tr[data-network-id]', want);
      const lanA = page.locator('tr', { hasText: 'lan-a' });
      await lanA.getByText('env=prod').waitFor();
      await page.getByRole('button', { name: 'Labels bearbeiten: lan-b' }).click();
      await page.getByLabel('Labels: lan-b').fill('-bad=x');
      await page.getByRole('button', { name: 'Speichern' }).click();
      const refusal = page.getByRole('alert').filter({ hasText: '-bad' });
      await refusal.waitFor();
      assert.match(await refusal.innerText(), /Schlüssel/, 'said in German, naming the key');
      await page.getByLabel('Labels: lan-b').fill('env=test');
      await page.getByRole('button', { name: 'Speichern' }).click();
      await page.locator('tr', { hasText: 'lan-b' }).getByText('env=test').waitFor();
      assert.deepEqual((await server.client.getNetwork('lan-b')).labels, { env: 'test' });
      await page.getByTestId('list-selector').fill('env=prod');
      await page.getByRole('button', { name: 'Selektor anwenden' }).click();
      assert.deepEqual(await rows(['lan-a']), ['lan-a']);
      assert.equal(await page.getByTestId('list-where').innerText(), 'Seite 1 von 1 · 1 Eintrag');
      await screenshot(page, 'networks-labels-de');
    } finally {
      await ctx.close();
    }
  });

  test('firewalls: sorted by the API, selected by label, labels edited', async () => {
    const ctx = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    try {
      await signIn(page, server.url, server.operatorEmail, server.operatorPassword);
      await gotoRetrying(page, `${server.url}/firewalls`);
      const rows = (want: string[]) => rowsRead(page, 'table[aria-label="Firewalls"] tbody tr', want);
      assert.deepEqual(await rows(['fw-core', 'fw-edge']), ['fw-core', 'fw-edge'], 'by name');
      await page.getByRole('button', { name: 'Name', exact: true }).click();
      assert.deepEqual(await rows(['fw-edge', 'fw-core']), ['fw-edge', 'fw-core']);
      await page.getByTestId('list-selector').fill('role=edge');
      await page.getByTestId('list-selector').press('Enter');
      assert.deepEqual(await rows(['fw-edge']), ['fw-edge']);
      await page.getByRole('button', { name: 'Edit labels: fw-edge' }).click();
      await page.getByLabel('Labels: fw-edge').fill('role=edge, zone=dmz');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('zone=dmz').waitFor();
      assert.deepEqual((await server.client.getFirewall('fw-edge')).labels, { role: 'edge', zone: 'dmz' });
    } finally {
      await ctx.close();
    }
  });
});
