/**
 * The invoices page in Chromium: last month's invoice is listed with its totals in German, its
 * PDF and e-invoice links download the documents, and the page has no WCAG 2.1 AA violations.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../../server/test/harness.ts';
import { launchBrowser, signIn } from './support/browser.ts';
import { ensureWebBuild } from './support/web-dist.ts';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

describe('invoices page in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let number = '';

  before(async () => {
    ensureWebBuild();
    server = await startTestServer();
    const me = await server.client.me();
    const now = new Date();
    const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1);
    // Last month's usage as the meter books it: 50 hours at 4 ct/h = 2.00 EUR net.
    await server.running.store.db
      .insertInto('usage_records')
      .values({ key: 'srv_web:1', tenant_id: me.tenant.id, resource_type: 'server', resource_id: 'srv_web', resource_name: 'web', plan: 'nano', meter: 'running', start_at: start, end_at: start + 180_000_000, seconds: 180_000, price_id: null, amount_uc: 200_000_000, transaction_id: null })
      .execute();
    number = (await server.client.issueInvoices({ month: new Date(start).toISOString().slice(0, 7) })).items[0]!.number;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  test('lists the invoice in German with working PDF and XML links, without accessibility violations', async () => {
    const ctx = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 860 } });
    try {
      const page = await ctx.newPage();
      await signIn(page, server.url, server.operatorEmail, server.operatorPassword);
      await page.getByRole('link', { name: 'Rechnungen' }).click();
      await page.getByRole('heading', { name: 'Rechnungen' }).waitFor();
      const row = page.getByRole('row', { name: new RegExp(number) });
      await row.waitFor();
      assert.match((await row.textContent()) ?? "", /2,38\s*€/);
      const { paymentReference } = await server.client.billingProfile();
      assert.ok(((await page.locator("main").textContent()) ?? "").includes(paymentReference));
      for (const [name, type] of [[`PDF von ${number}`, 'application/pdf'], [`XML-E-Rechnung von ${number}`, 'application/xml']] as const) {
        const href = await page.getByRole('link', { name }).getAttribute('href');
        const res = await page.request.get(`${server.url}${href}`);
        assert.equal(res.status(), 200);
        assert.ok(res.headers()['content-type']?.startsWith(type), res.headers()['content-type']);
      }
      await page.addScriptTag({ path: AXE });
      const violations = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
        const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
        return r.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
      });
      assert.deepEqual(violations, []);
    } finally {
      await ctx.close();
    }
  });
});
