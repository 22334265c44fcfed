// biome-ignore-all lint/performance/useDomNodeTextContent: innerText() here is Playwright's Locator method (the rendered text, as a user reads it), not a DOM node's
/**
 * The monitor pages in Debian's Chromium against a real control plane: a monitor made through the form
 * (a bad one refused with the field named) checks a real HTTP server on loopback, shows Up with its
 * uptime, opens its history, goes Down when the server answers 503, is paused and deleted behind the
 * confirmation; the pages without WCAG 2.1 AA violations (axe-core) and in German too.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
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

let healthy = true;
const site = createServer((_req, res) => void res.writeHead(healthy ? 200 : 503).end(healthy ? 'shop open' : 'closed'));
await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
const sitePort = (site.address() as { port: number }).port;
after(() => new Promise<void>((r) => site.close(() => r())));

describe('monitor pages in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    ensureWebBuild();
    server = await startTestServer();
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 860 } })).newPage();
  });
  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  test('create, watch up and down, history, pause, delete; in German too', async () => {
    await signIn(page, server.url, server.operatorEmail, server.operatorPassword);
    await page.getByRole('link', { name: 'Monitors' }).click();
    await page.waitForURL(/\/monitors$/);
    await page.getByText('You have no monitors yet.').waitFor();
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Create monitor' }) });
    await form.getByLabel('Name', { exact: true }).fill('shop');
    await form.getByLabel('Check', { exact: true }).selectOption('tcp');
    await form.getByLabel('Host or address').fill('127.0.0.1');
    await form.getByRole('button', { name: 'Create monitor' }).click();
    await form.getByText('A TCP monitor needs a port').waitFor();

    await form.getByLabel('Check', { exact: true }).selectOption('http');
    await form.getByLabel('URL').fill(`http://127.0.0.1:${sitePort}/`);
    await form.getByLabel('Keyword in the page (optional)').fill('shop open');
    await form.getByRole('button', { name: 'Create monitor' }).click();
    await page.getByText('Monitor “shop” made; its first check runs now.').waitFor();
    const row = page.locator('tr', { has: page.getByRole('link', { name: 'shop' }) });
    await row.locator('[data-state="up"]').waitFor();
    assert.equal(await row.locator('td').nth(2).innerText(), '100.00 %');
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'monitors');

    // Down: the check after the next poll of the list (the page reloads it) sees the 503.
    healthy = false;
    const id = (await row.getAttribute('data-monitor-id'))!;
    await server.client.request('PATCH', `/monitors/${id}`, { retries: 0 });
    await row.locator('[data-state="down"]').waitFor({ timeout: 30_000 });
    await row.getByRole('link', { name: 'shop' }).click();
    await page.getByRole('heading', { name: /shop/ }).waitFor();
    const history = page.getByRole('table', { name: 'History' });
    await history.getByText('HTTP 503', { exact: false }).first().waitFor();
    assert.ok((await history.locator('tbody tr').count()) >= 2);
    assert.deepEqual(await axeViolations(page), []);

    await page.getByLabel('Language').first().selectOption('de');
    await page.getByRole('table', { name: 'Verlauf' }).getByText('Fehlgeschlagen').first().waitFor();
    await page.getByRole('link', { name: 'Alle Monitore' }).click();
    await page.getByRole('heading', { name: 'Verfügbarkeitsmonitore' }).waitFor();
    const rowDe = page.locator('tr', { has: page.getByRole('link', { name: 'shop' }) });
    await rowDe.getByText('Ausgefallen').waitFor();
    await rowDe.getByRole('button', { name: 'Pausieren: shop' }).click();
    await rowDe.getByText('Pausiert').waitFor();
    await rowDe.getByRole('button', { name: 'Löschen: shop' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Löschen' }).click();
    await page.getByText('Sie haben noch keine Monitore.').waitFor();
    assert.deepEqual((await server.client.request<{ items: unknown[] }>('GET', '/monitors')).items, []);
    healthy = true;
  });
});
