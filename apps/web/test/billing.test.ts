// biome-ignore-all lint/performance/useDomNodeTextContent: innerText() here is Playwright's Locator method (the rendered text, as a user reads it), not a DOM node's
/**
 * The billing pages in Debian's Chromium against a real control plane: the tenant's credit,
 * payment reference, cost chart with forecast and quotas; the operator's list of balances and
 * suspensions, and a top-up booked through its form; the same page in German.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { paymentReference } from '../../server/src/modules/billing/payments/reference.ts';
import { startTestServer, type TestServer } from '../../server/test/harness.ts';
import { gotoRetrying, launchBrowser, screenshot, signIn } from './support/browser.ts';
import { ensureWebBuild } from './support/web-dist.ts';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core's WCAG 2.1 A/AA violations on the page as it is now. */
async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
  });
}

describe('billing pages in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let tenantId = '';

  before(async () => {
    ensureWebBuild();
    server = await startTestServer({ meterEveryMs: 500 });
    const op = server.client;
    tenantId = (await op.me()).tenant.id;
    await op.createPrice({ plan: 'nano', per: 'hour', running: '0.36', stopped: '0', currency: 'EUR' });
    await op.bookLedger({ tenantId, kind: 'topup', amount: '10.00', currency: 'EUR', reference: 'WEB-TOPUP-1' });
    const s = await op.createServer({ name: 'billed', plan: 'nano', image: 'tiny' });
    assert.equal((await op.waitOperation(s.operation.id, 120)).state, 'succeeded');
    // A tenant in suspension, as dunning leaves it, for the operator's list.
    const broke = await op.createTenant({ name: 'broke' });
    const now = Date.now();
    await server.running.store.db.insertInto('dunning_states').values({ tenant_id: broke.id, state: 'suspended', warned_seconds: null, suspended_at: now, final_warned_at: null, resume_servers: '[]', updated_at: now }).execute();
    browser = await launchBrowser();
    const ctx = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
    page = await ctx.newPage();
    await signIn(page, server.url, server.operatorEmail, server.operatorPassword);
  });
  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  test('the tenant sees its credit, how to top up, the month with its forecast and its quotas', async () => {
    await page.getByRole('link', { name: 'Billing', exact: true }).click();
    await page.getByRole('heading', { name: 'Billing', level: 1 }).waitFor();
    const balance = await page.getByTestId('balance').innerText();
    assert.match(balance, /€\s?9\.\d\d|€10\.00/, balance);
    // Prices are net: the VAT the invoices will add is set aside from the credit and said so.
    assert.match(await page.getByTestId('vat-note').innerText(), /19\.00 % VAT/);
    const reference = await page.getByTestId('payment-reference').innerText();
    // The one reference of the tenant: what invoices name and what a bank statement import matches.
    assert.equal(reference, paymentReference(tenantId));
    await page.getByTestId('cost-chart').waitFor();
    const title = await page.locator('#cost-chart-title').textContent();
    assert.match(title ?? '', /expected by its end/);
    assert.ok(await page.getByTestId('forecast-line').count(), 'the forecast is drawn');
    const forecast = await page.getByTestId('forecast').innerText();
    assert.match(forecast, /€/);
    assert.notEqual(forecast, '€0.00', 'a running server makes a forecast');
    const quotas = await page.getByTestId('quotas').innerText();
    assert.match(quotas, /Servers\s+1 of 100/);
    assert.deepEqual(await axeViolations(page), [], 'billing page');
    await screenshot(page, 'billing-tenant');
  });

  test('the operator sees balances and suspensions and books a top-up', async () => {
    await page.getByRole('link', { name: 'Credit & suspensions' }).click();
    const table = page.getByTestId('standings');
    await table.waitFor();
    assert.equal(await table.locator('tr[data-tenant="broke"]').getAttribute('data-state'), 'suspended');
    assert.match(await table.locator('tr[data-tenant="broke"]').innerText(), /suspended/);
    await page.getByLabel('Tenant', { exact: true }).selectOption(tenantId);
    await page.getByLabel('Amount (EUR)').fill('5,00');
    await page.getByLabel('Bank reference of the transfer').fill('WEB-TOPUP-2');
    await page.getByRole('button', { name: 'Book top-up' }).click();
    await page.getByRole('status').filter({ hasText: '€5.00 booked' }).waitFor();
    // The same reference again is refused with the API's reason, next to the field.
    await page.getByLabel('Amount (EUR)').fill('5,00');
    await page.getByLabel('Bank reference of the transfer').fill('WEB-TOPUP-2');
    await page.getByRole('button', { name: 'Book top-up' }).click();
    await page.getByRole('alert').first().waitFor();
    const ledger = await server.client.listLedger({ tenantId });
    assert.equal(ledger.items.filter((e) => e.reference === 'WEB-TOPUP-2').length, 1);
    // The price list: a price per GB of volume, set from now on, shows up in the list and in the API.
    await page.getByLabel('Priced').selectOption('volume');
    await page.getByLabel('Price (running, or per GB / address)').fill('0,04');
    await page.getByLabel('Monthly cap per resource (optional)').fill('2,50');
    await page.getByRole('button', { name: 'Set price' }).click();
    await page.getByRole('status').filter({ hasText: 'Price for Volume set from' }).waitFor();
    await page.getByTestId('prices').locator('tr[data-kind="volume"]').filter({ hasText: '2.50000000 EUR' }).first().waitFor();
    assert.ok((await server.client.listPrices()).items.some((p) => p.kind === 'volume' && p.running === '0.04000000' && p.monthlyCap === '2.50000000'));
    assert.deepEqual(await axeViolations(page), [], 'operator billing page');
    await screenshot(page, 'billing-operator');
  });

  test('in German', async () => {
    await gotoRetrying(page, `${server.url}/billing`);
    await page.getByLabel('Language').first().selectOption('de');
    await page.getByRole('heading', { name: 'Abrechnung', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Kostenmonitor' }).waitFor();
    assert.match(await page.getByTestId('quotas').innerText(), /Server\s+1 von 100/);
    // The cost lines name each resource's kind in German too.
    await page.getByRole('columnheader', { name: 'Art', exact: true }).first().waitFor();
    assert.match(await page.getByRole('row').filter({ hasText: 'laufend' }).first().innerText(), /Server/);
  });
});
