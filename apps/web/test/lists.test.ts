// biome-ignore-all lint/performance/useDomNodeTextContent: innerText() here is Playwright's Locator method (the rendered text, as a user reads it), not a DOM node's
/**
 * Sorting and filtering lists in Debian's Chromium against a real control plane: the servers list
 * sorts by a column header, narrows by status and by a label selector the API applies (and says
 * where a bad one is wrong), and the shared resource list (SSH keys here) sorts, filters and
 * deletes behind its confirmation, in English and German.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../server/test/harness.ts';
import { newSshPublicKey } from '../../server/test/ssh-key.ts';
import { gotoRetrying, launchBrowser, screenshot, signIn } from './support/browser.ts';
import { ensureWebBuild } from './support/web-dist.ts';

describe('list sorting and filters in Chromium', () => {
  let server: TestServer;
  let browser: Browser;

  /** The names in the rows of a list, top to bottom, once they read `want`. */
  const rowsRead = async (page: Page, selector: string, want: string[]) => {
    let got: string[] = [];
    for (let i = 0; i < 100; i++) {
      got = (await page.locator(`${selector} th[scope="row"]`).allInnerTexts()).map((x) => x.trim().split('\n')[0]!.trim());
      if (JSON.stringify(got) === JSON.stringify(want)) return got;
      await page.waitForTimeout(100);
    }
    return got;
  };

  before(async () => {
    ensureWebBuild();
    server = await startTestServer();
    const made = [];
    for (const [name, env] of [['web-b', 'prod'], ['db-c', 'test'], ['web-a', 'prod']] as const) made.push(await server.client.createServer({ name, plan: 'nano', image: 'tiny', start: false, labels: { env } }));
    for (const m of made) await server.client.waitOperation(m.operation.id, 60);
    for (const name of ['bravo', 'alpha', 'charlie']) await server.client.createSshKey({ name, publicKey: newSshPublicKey(name) });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  test('the servers list sorts by header, filters by status and by label selector', async () => {
    const ctx = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    try {
      const asked: URLSearchParams[] = [];
      page.on('request', (r) => {
        const u = new URL(r.url());
        if (u.pathname === '/api/v1/servers' && r.method() === 'GET') asked.push(u.searchParams);
      });
      await signIn(page, server.url, server.operatorEmail, server.operatorPassword);
      const rows = (want: string[]) => rowsRead(page, '[data-testid="server-row"]', want);
      assert.deepEqual(await rows(['db-c', 'web-a', 'web-b']), ['db-c', 'web-a', 'web-b'], 'by name at first');
      const nameHeader = page.locator('th', { has: page.getByRole('button', { name: 'Name', exact: true }) });
      assert.equal(await nameHeader.getAttribute('aria-sort'), 'ascending');
      await page.getByRole('button', { name: 'Name', exact: true }).click();
      assert.deepEqual(await rows(['web-b', 'web-a', 'db-c']), ['web-b', 'web-a', 'db-c'], 'a click turns it round');
      assert.equal(await nameHeader.getAttribute('aria-sort'), 'descending');
      await page.getByRole('button', { name: 'Created' }).click();
      assert.deepEqual(await rows(['web-b', 'db-c', 'web-a']), ['web-b', 'db-c', 'web-a'], 'oldest first by created');

      await page.getByTestId('server-selector').fill('env=prod');
      await page.getByTestId('server-selector').press('Enter');
      assert.deepEqual(await rows(['web-b', 'web-a']), ['web-b', 'web-a'], 'the API keeps what the selector matches');
      await page.getByTestId('list-status').selectOption('Running');
      await page.getByText('No server matches').waitFor();
      await page.getByTestId('list-status').selectOption('Stopped');
      assert.deepEqual(await rows(['web-b', 'web-a']), ['web-b', 'web-a']);
      const last = asked.at(-1)!;
      assert.deepEqual([last.get('status'), last.get('label_selector'), last.get('sort'), last.get('page'), last.get('per_page')], ['Stopped', 'env=prod', 'created:asc', '1', '25'], 'the API filters, selects, sorts and pages');
      assert.equal(await page.getByTestId('list-where').innerText(), 'Page 1 of 1 · 2 entries');

      await page.getByTestId('server-selector').fill('env=prod tier');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.getByText(/does not parse at position 10/).waitFor();
      await page.getByTestId('server-selector').fill('');
      await page.getByTestId('server-selector').press('Enter');
      assert.deepEqual(await rows(['web-b', 'db-c', 'web-a']), ['web-b', 'db-c', 'web-a'], 'an empty selector shows all again');
      await screenshot(page, 'server-list-sorted');

      // The operators' host view lists every server placed on the host.
      await gotoRetrying(page, `${server.url}/operator/hosts`);
      assert.deepEqual(await rowsRead(page, 'tr[data-host-server]', ['db-c', 'web-a', 'web-b']), ['db-c', 'web-a', 'web-b']);
    } finally {
      await ctx.close();
    }
  });

  test('the shared list sorts, filters and deletes behind its confirmation, in German too', async () => {
    const ctx = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    try {
      await signIn(page, server.url, server.operatorEmail, server.operatorPassword);
      await gotoRetrying(page, `${server.url}/ssh-keys`);
      const rows = (want: string[]) => rowsRead(page, 'tr[data-key-id]', want);
      assert.deepEqual(await rows(['bravo', 'alpha', 'charlie']), ['bravo', 'alpha', 'charlie'], 'unsorted: as the API lists them');
      await page.getByRole('button', { name: 'Name', exact: true }).click();
      assert.deepEqual(await rows(['alpha', 'bravo', 'charlie']), ['alpha', 'bravo', 'charlie']);
      await page.getByRole('button', { name: 'Name', exact: true }).click();
      assert.deepEqual(await rows(['charlie', 'bravo', 'alpha']), ['charlie', 'bravo', 'alpha']);
      await page.getByLabel('Filtern').fill('AV');
      assert.deepEqual(await rows(['bravo']), ['bravo'], 'the filter ignores case');
      await page.getByLabel('Filtern').fill('zzz');
      await page.getByText('Nichts passt zu „zzz“.').waitFor();
      await page.getByLabel('Filtern').fill('');
      await page.getByRole('button', { name: 'Löschen: alpha' }).click();
      await page.getByRole('dialog').getByText('SSH-Schlüssel „alpha“ löschen?').waitFor();
      await page.getByRole('button', { name: 'Schlüssel löschen' }).click();
      assert.deepEqual(await rows(['charlie', 'bravo']), ['charlie', 'bravo'], 'deleted after the confirmation');
      assert.deepEqual((await server.client.all((q) => server.client.listSshKeys(q), { sort: 'name' })).map((k) => k.name), ['bravo', 'charlie']);
    } finally {
      await ctx.close();
    }
  });
});
