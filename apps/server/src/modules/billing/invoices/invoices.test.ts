/**
 * A simulated March 2026 invoiced at April's start: totals match amounts computed by hand to the
 * cent (with a price change on the 15th), VAT by country (German 19 %, Austrian reverse charge),
 * gapless numbers under concurrency and a crash, immutability in the store, credit notes, and the
 * e-invoice valid against the CII D16B schema with its totals adding up.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import type { DomainError } from '../../../lib/errors.ts';
import { DEFAULT_INVOICING, loadInvoicingConfig } from './config.ts';
import { composeLines } from './compose.ts';
import { INVOICING_KIND } from './issue.ts';
import { embeddedFiles, openInvoiceKit, XSD, xsdErrors } from './test-kit.ts';
import { DEFAULT_VAT_RULES, vatFor } from './vat.ts';

const at = (day: number, h = 0, m = 0, s = 0) => Date.UTC(2026, 2, day, h, m, s);
const APRIL = Date.UTC(2026, 3, 1);

test('VAT follows the buyer: domestic, EU consumer, EU business with VAT id, outside the EU', () => {
  const r = DEFAULT_VAT_RULES;
  assert.deepEqual(vatFor(r, 'DE', { country: 'DE', business: true, vatId: 'DE1' }), { category: 'S', rateBp: 1900, note: null });
  assert.deepEqual(vatFor(r, 'DE', { country: 'FR', business: false, vatId: null }), { category: 'S', rateBp: 2000, note: null });
  assert.equal(vatFor(r, 'DE', { country: 'FR', business: true, vatId: null }).category, 'S');
  assert.deepEqual(vatFor(r, 'DE', { country: 'AT', business: true, vatId: 'ATU12345678' }), { category: 'AE', rateBp: 0, note: r.notes.reverseCharge });
  assert.deepEqual(vatFor(r, 'DE', { country: 'CH', business: true, vatId: null }), { category: 'O', rateBp: 0, note: r.notes.notSubject });
});

test('a line charged less than its time at its price says it reached the monthly cap', () => {
  const g = { resourceId: 'srv_x', resourceType: 'server', name: 'web', plan: 'small', meter: 'running', priceId: 'prc_x', quantity: 1, firstAt: 0, seconds: 720 * 3600 };
  const hourly = { uc: 1_000_000, unitSeconds: 3600 };
  // 720 h at 1 ct: 7.20 EUR uncapped; capped at 5.00.
  const [full, capped] = [composeLines([{ ...g, amountUc: 720_000_000 }], () => hourly)[0]!, composeLines([{ ...g, amountUc: 500_000_000 }], () => hourly)[0]!];
  assert.doesNotMatch(full.description, /cap/);
  assert.match(capped.description, /monthly cap reached \/ Monatsdeckel erreicht/);
  assert.equal(capped.net_cents, 500);
});

test('invoicing.json in the data dir sets the seller and rates, and a wrong one is refused by name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kum-invoicing-'));
  try {
    assert.equal(loadInvoicingConfig(dir), DEFAULT_INVOICING);
    writeFileSync(join(dir, 'invoicing.json'), JSON.stringify({ seller: { name: 'Wolke GmbH', iban: 'AT61 1904 3002 3457 3201', country: 'AT' }, vat: { rates: { AT: 2000 } }, dueDays: 30 }));
    const c = loadInvoicingConfig(dir);
    assert.deepEqual([c.seller.name, c.seller.iban, c.seller.country, c.vat.rates.AT, c.vat.rates.DE, c.dueDays], ['Wolke GmbH', 'AT611904300234573201', 'AT', 2000, 1900, 30]);
    writeFileSync(join(dir, 'invoicing.json'), JSON.stringify({ seller: { iban: 'AT61 1904 3002 3457 3202' } }));
    assert.throws(() => loadInvoicingConfig(dir), /seller\.iban/);
    writeFileSync(join(dir, 'invoicing.json'), JSON.stringify({ vat: { rates: { DE: 19 } }, seller: {} }).replace('19', '19.5'));
    assert.throws(() => loadInvoicingConfig(dir), /vat\.rates\.DE/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`invoices of a simulated month [${kind}]`, () => {
    let k: Awaited<ReturnType<typeof openInvoiceKit>>;
    before(async () => {
      k = await openInvoiceKit(kind, at(1));
    });
    after(async () => {
      await k?.close();
    });

    /** Moves the clock in three-hour steps to `until`, metering on each. */
    async function runUntil(until: number) {
      for (let t = Math.floor(k.now() / 10_800_000) * 10_800_000 + 10_800_000; t <= until; t += 10_800_000) {
        k.setNow(t);
        await k.meterAll();
      }
      k.setNow(until);
    }

    test('March is invoiced once, per resource and price, to the hand-computed cent', async () => {
      const { billing, operator, tenantA, tenantB } = k;
      await k.invoicing.setProfile(operator, { tenantId: tenantA, name: 'Muster GmbH', street: 'Hauptstraße 5', postcode: '80331', city: 'München', country: 'de', vatId: 'DE 811 907 980', business: true, email: 'buchhaltung@muster.example' }, 'r');
      await k.invoicing.setProfile(operator, { tenantId: tenantB, name: 'Alpen OG', street: 'Ring 1', postcode: '1010', city: 'Wien', country: 'AT', vatId: 'ATU12345678', business: true }, 'r');
      // Bad profiles are refused with the field named.
      await assert.rejects(k.invoicing.setProfile(operator, { tenantId: tenantB, name: 'x', street: 'x', postcode: '1', city: 'x', country: 'Austria', business: true }, 'r'), (e: DomainError) => e.code === 'INVALID_COUNTRY' && e.details[0]?.field === 'country');
      await assert.rejects(k.invoicing.setProfile(operator, { tenantId: tenantB, name: 'x', street: 'x', postcode: '1', city: 'x', country: 'AT', vatId: 'DE123456789', business: true }, 'r'), (e: DomainError) => e.code === 'INVALID_VAT_ID' && e.details[0]?.field === 'vatId');
      await assert.rejects(k.invoicing.setProfile(k.member(tenantB), { name: 'x', street: 'x', postcode: '1', city: 'x', country: 'AT', business: true }, 'r'), (e: DomainError) => e.code === 'FORBIDDEN');

      // 7.30 a month = 1 ct/h running, 0.1 ct/h stopped; from the 15th 2 ct/h running.
      await billing.createPrice(operator, { plan: 'small', per: 'month', running: '7.30', stopped: '0.73', currency: 'EUR' }, 'r1');
      await billing.createPrice(operator, { plan: 'medium', per: 'hour', running: '0.05', stopped: '0.01', currency: 'EUR' }, 'r2');
      await billing.createPrice(operator, { plan: 'small', per: 'month', running: '14.60', stopped: '0.73', currency: 'EUR', effectiveFrom: new Date(at(15)).toISOString() }, 'r3');
      const a = { serverId: 'srv_a', tenantId: tenantA, name: 'web', plan: 'small' };
      const c = { serverId: 'srv_c', tenantId: tenantA, name: 'db', plan: 'medium' };
      const b = { serverId: 'srv_b', tenantId: tenantB, name: 'app', plan: 'even' };
      await runUntil(at(1, 0, 1));
      await k.phase({ ...a, phase: 'Running' });
      await runUntil(at(2));
      await k.phase({ ...c, phase: 'Running' });
      await k.phase({ ...b, phase: 'Running' });
      await runUntil(at(2, 10));
      await k.phase({ ...b, phase: 'Deleted' });
      await runUntil(at(10, 12));
      await k.phase({ ...a, phase: 'Stopped' });
      await runUntil(at(12));
      await k.phase({ ...a, phase: 'Running' });
      await runUntil(at(20, 6, 30, 15));
      await k.phase({ ...a, phase: 'Deleted' });
      await runUntil(at(31, 23));
      // Prices are net; before March is invoiced its VAT is owed already, so the cost monitor takes it off the credit left.
      const uc = (a: { amount: string }) => Math.round(Number(a.amount) * 100_000_000);
      const s = await billing.summary(k.member(tenantA), {});
      assert.equal(s.vat.rate, '19.00');
      assert.equal(uc(s.vat.accrued), Math.round(uc(s.spent) * 0.19));
      assert.equal(uc(s.balance), -uc(s.spent) - uc(s.vat.accrued));
      assert.deepEqual((await billing.summary(k.member(tenantB), {})).vat, { rate: '0.00', accrued: { amount: '0.00000000', cents: 0, currency: 'EUR' } }, 'reverse charge: no VAT');

      // March has not ended: refused with the month named.
      await assert.rejects(k.invoicing.issue(operator, { month: '2026-03' }, 'r'), (e: DomainError) => e.code === 'PERIOD_NOT_ENDED' && e.details[0]?.field === 'month');
      // The monthly job waits for the hour after the month's end; then it invoices March.
      k.setNow(APRIL + 60_000);
      assert.deepEqual(await k.issuer.reconciler('monthly'), { againMs: 3_600_000 - 60_000 });
      assert.equal((await k.db.selectFrom('invoices').select('id').execute()).length, 0);
      k.setNow(APRIL + 3_600_000);
      // The job, an operator and a second issuer at once: one invoice per tenant, numbers 1 and 2 only.
      const [next] = await Promise.all([k.issuer.reconciler('monthly'), k.invoicing.issue(operator, { month: '2026-03' }, 'r'), k.issuer.issueAll(Date.UTC(2026, 2, 1))]);
      assert.deepEqual((await k.db.selectFrom('invoices').select('number').orderBy('number').execute()).map((r) => r.number), ['INV-2026-000001', 'INV-2026-000002']);
      assert.equal((await k.db.selectFrom('invoice_counters').selectAll().where('series', '=', 'INV-2026').executeTakeFirstOrThrow()).last, 2);
      assert.equal(next.againMs, Date.UTC(2026, 4, 1) + 3_600_000 - k.now());
      assert.equal(INVOICING_KIND, 'invoicing');

      const list = await k.invoicing.list(k.member(tenantA), {});
      assert.equal(list.items.length, 1);
      const inv = await k.invoicing.get(k.member(tenantA), list.items[0]!.id);
      assert.equal(inv.number, 'INV-2026-000001');
      // By hand. web (small): ran 820,740 s + 72 h = 1,079,940 s at 1 ct/h = 299.98333 ct → 3.00;
      // stood 36 h at 0.1 ct/h = 3.6 ct → 0.04; ran 455,415 s at 2 ct/h = 253.00833 ct → 2.53.
      // db (medium): 2 March to 1 April = 720 h at 5 ct/h → 36.00. Net 41.57, VAT 19 % 7.8983 → 7.90.
      const lines = inv.lines!.map((l) => [l.description, l.seconds, l.net.amount]);
      assert.deepEqual(lines, [
        ['server db (medium), running / laufend', 2_592_000, '36.00000000'],
        ['server web (small), running / laufend', 1_079_940, '3.00000000'],
        ['server web (small), running / laufend', 455_415, '2.53000000'],
        ['server web (small), stopped / gestoppt', 129_600, '0.04000000'],
      ]);
      assert.deepEqual([inv.net.cents, inv.tax.cents, inv.gross.cents], [4157, 790, 4947]);
      // The invoice's VAT is taken from the credit once, under its number; the reverse-charge one has none.
      const vat = await k.db.selectFrom('ledger_transactions as t').innerJoin('ledger_entries as e', 'e.transaction_id', 't.id').select(['t.tenant_id', 't.reference', 'e.account', 'e.amount_uc']).where('t.kind', '=', 'vat').orderBy('e.account').execute();
      assert.deepEqual(vat.map((v) => [v.tenant_id, v.reference, v.account, Number(v.amount_uc)]), [[tenantA, 'INV-2026-000001', `tenant:${tenantA}`, -790_000_000], [tenantA, 'INV-2026-000001', 'vat', 790_000_000]]);
      // With March invoiced, only April's usage carries VAT not yet taken.
      const aprilSummary = await billing.summary(k.member(tenantA), {});
      assert.equal(uc(aprilSummary.vat.accrued), Math.round(uc(aprilSummary.spent) * 0.19));
      assert.deepEqual(inv.vat, { category: 'S', ratePercent: '19', note: null });
      assert.equal(inv.buyer.vatId, 'DE811907980');

      // The Austrian business: 10 h of even (36 ct/h) = 3.60, reverse charge with its legal note.
      const [invB] = (await k.invoicing.list(operator, { tenantId: tenantB })).items;
      assert.equal(invB?.number, 'INV-2026-000002');
      assert.deepEqual([invB?.net.cents, invB?.tax.cents, invB?.gross.cents, invB?.vat.category, invB?.vat.ratePercent], [360, 0, 360, 'AE', '0']);
      assert.match(invB?.vat.note ?? '', /Reverse charge/);

      // Issuing March again (job or operator) gives the same invoices and takes no number.
      await k.issuer.reconciler('monthly');
      const again = await k.invoicing.issue(operator, { month: '2026-03' }, 'r');
      assert.deepEqual(again.items.map((i) => i.number), ['INV-2026-000001', 'INV-2026-000002']);
      // Another tenant's invoice reads as absent.
      await assert.rejects(k.invoicing.get(k.member(tenantB), inv.id), (e: DomainError) => e.code === 'INVOICE_NOT_FOUND');
    });

    test('the e-invoices validate against the CII D16B schema and their totals add up', async () => {
      for (const inv of (await k.db.selectFrom('invoices').select('id').execute())) {
        const { body } = await k.invoicing.xml(k.operator, inv.id);
        assert.equal(xsdErrors(body, XSD.cii), null);
        checkTotals(body);
      }
      // A broken document is caught by the same check: the validation can fail.
      const broken = (await k.invoicing.xml(k.operator, (await k.db.selectFrom('invoices').select('id').orderBy('number').executeTakeFirstOrThrow()).id)).body.replace(/GrandTotalAmount/g, 'GrandTotal');
      assert.match(xsdErrors(broken, XSD.cii) ?? '', /GrandTotal/);
      const pdf = await k.invoicing.pdf(k.operator, (await k.db.selectFrom('invoices').select('id').orderBy('number').executeTakeFirstOrThrow()).id);
      assert.equal(pdf.body.subarray(0, 5).toString(), '%PDF-');
      assert.ok(pdf.body.length > 5000);
      assert.equal(pdf.name, 'INV-2026-000001.pdf');
      // A ZUGFeRD/Factur-X hybrid: PDF/A-3b, the e-invoice embedded byte for byte as xrechnung.xml
      // (relationship Alternative, listed in the catalog's /AF), the XMP naming it, fonts embedded.
      const first = (await k.db.selectFrom('invoices').select('id').orderBy('number').executeTakeFirstOrThrow()).id;
      const text = pdf.body.toString('latin1');
      assert.match(text.slice(0, 9), /%PDF-1\.7/);
      assert.deepEqual(embeddedFiles(pdf.body), [(await k.invoicing.xml(k.operator, first)).body]);
      assert.match(text, /\/AFRelationship \/Alternative/);
      assert.match(text, /\/F \(xrechnung\.xml\)/);
      assert.match(text, /\/AF \[\d+ 0 R\]/);
      assert.match(text, /\/OutputIntents/);
      assert.match(text, /\/FontFile2/);
      assert.doesNotMatch(text, /\/Encrypt/);
      const xmp = embeddedXmp(pdf.body);
      assert.match(xmp, /<pdfaid:part>3<\/pdfaid:part>/);
      assert.match(xmp, /<pdfaid:conformance>B<\/pdfaid:conformance>/);
      assert.match(xmp, /<fx:DocumentFileName>xrechnung\.xml<\/fx:DocumentFileName>/);
      assert.match(xmp, /<fx:ConformanceLevel>XRECHNUNG<\/fx:ConformanceLevel>/);
      assert.match(xmp, /<pdfaSchema:prefix>fx<\/pdfaSchema:prefix>/);
      new XMLParser().parse(xmp); // the metadata is well-formed XML
    });

    test('credit notes correct an invoice, numbered without gaps under concurrency and a crash', async () => {
      const inv = (await k.invoicing.list(k.operator, { tenantId: k.tenantA })).items[0]!;
      const balance = await k.ledger.balance(k.db, k.tenantA);
      await assert.rejects(k.invoicing.creditNote(k.operator, inv.id, { reason: 'x', amount: '0' }, 'r'), (e: DomainError) => e.code === 'INVALID_AMOUNT' && e.details[0]?.field === 'amount');
      await assert.rejects(k.invoicing.creditNote(k.operator, inv.id, { reason: 'x', amount: '-1.00' }, 'r'), (e: DomainError) => e.code === 'INVALID_AMOUNT');
      await assert.rejects(k.invoicing.creditNote(k.operator, inv.id, { reason: 'x', amount: '1.00', currency: 'USD' }, 'r'), (e: DomainError) => e.code === 'CURRENCY_MISMATCH' && e.details[0]?.field === 'currency');
      await assert.rejects(k.invoicing.creditNote(k.operator, inv.id, { reason: 'x', amount: '41.58' }, 'r'), (e: DomainError) => e.code === 'CREDIT_EXCEEDS_INVOICE');
      await assert.rejects(k.invoicing.creditNote(k.member(k.tenantA), inv.id, { reason: 'x', amount: '1.00' }, 'r'), (e: DomainError) => e.code === 'FORBIDDEN');
      // A crash after the number was taken rolls the number back with everything else.
      k.failOnNumber();
      await assert.rejects(k.invoicing.creditNote(k.operator, inv.id, { reason: 'downtime', amount: '1.00' }, 'r'), /killed after taking a number/);
      const notes = await Promise.all(Array.from({ length: 5 }, (_, i) => k.invoicing.creditNote(k.operator, inv.id, { reason: `downtime ${i}`, amount: '1.00' }, 'r')));
      assert.deepEqual(notes.map((n) => n.number).sort(), ['CN-2026-000001', 'CN-2026-000002', 'CN-2026-000003', 'CN-2026-000004', 'CN-2026-000005']);
      for (const n of notes) assert.deepEqual([n.kind, n.correctsId, n.net.cents, n.tax.cents, n.gross.cents], ['credit_note', inv.id, 100, 19, 119]);
      // Each credit goes back to the tenant's account once, with the VAT the invoice took: 1.19 each.
      assert.equal(await k.ledger.balance(k.db, k.tenantA), balance + 5 * 119_000_000);
      const xml = (await k.invoicing.xml(k.operator, notes[0]!.id)).body;
      assert.equal(xsdErrors(xml, XSD.cii), null);
      assert.match(xml, /<ram:TypeCode>381<\/ram:TypeCode>/);
      assert.match(xml, /<ram:InvoiceReferencedDocument><ram:IssuerAssignedID>INV-2026-000001<\/ram:IssuerAssignedID>/);
      checkTotals(xml);
      // The rest of the invoice can still be credited whole, then nothing more.
      await k.invoicing.creditNote(k.operator, inv.id, { reason: 'rest' }, 'r');
      await assert.rejects(k.invoicing.creditNote(k.operator, inv.id, { reason: 'more', amount: '0.01' }, 'r'), (e: DomainError) => e.code === 'CREDIT_EXCEEDS_INVOICE');
    });

    test('the store refuses to change or delete an issued invoice or its lines', async () => {
      await assert.rejects(k.db.updateTable('invoices').set({ net_cents: 1 }).execute(), /immutable/);
      await assert.rejects(k.db.deleteFrom('invoices').execute(), /immutable/);
      await assert.rejects(k.db.updateTable('invoice_lines').set({ net_cents: 1 }).execute(), /immutable/);
      await assert.rejects(k.db.deleteFrom('invoice_lines').execute(), /immutable/);
    });
  });
}

/** EN 16931 business rules on the totals: BR-CO-10 (sum of lines), BR-CO-13/15 (basis, grand total), BR-CO-17 (VAT = basis × rate). */
function checkTotals(xml: string) {
  const doc = new XMLParser({ removeNSPrefix: true, isArray: (name) => name === 'IncludedSupplyChainTradeLineItem' }).parse(xml);
  const tx = doc.CrossIndustryInvoice.SupplyChainTradeTransaction;
  const cents = (v: unknown) => Math.round(Number(typeof v === 'object' && v !== null ? (v as { '#text': unknown })['#text'] : v) * 100);
  const lines = tx.IncludedSupplyChainTradeLineItem.map((l: { SpecifiedLineTradeSettlement: { SpecifiedTradeSettlementLineMonetarySummation: { LineTotalAmount: unknown } } }) => cents(l.SpecifiedLineTradeSettlement.SpecifiedTradeSettlementLineMonetarySummation.LineTotalAmount));
  const sum = tx.ApplicableHeaderTradeSettlement.SpecifiedTradeSettlementHeaderMonetarySummation;
  const tax = tx.ApplicableHeaderTradeSettlement.ApplicableTradeTax;
  assert.equal(cents(sum.LineTotalAmount), lines.reduce((x: number, y: number) => x + y, 0));
  assert.equal(cents(sum.TaxBasisTotalAmount), cents(sum.LineTotalAmount));
  assert.equal(cents(tax.BasisAmount), cents(sum.TaxBasisTotalAmount));
  assert.equal(cents(tax.CalculatedAmount), Math.round((cents(tax.BasisAmount) * Number(tax.RateApplicablePercent)) / 100));
  assert.equal(cents(sum.TaxTotalAmount), cents(tax.CalculatedAmount));
  assert.equal(cents(sum.GrandTotalAmount), cents(sum.TaxBasisTotalAmount) + cents(sum.TaxTotalAmount));
  assert.equal(cents(sum.DuePayableAmount), cents(sum.GrandTotalAmount));
  if (tax.CategoryCode === 'AE') assert.ok(tax.ExemptionReason, 'BR-AE-10: a reverse-charge invoice states why');
}

/** The XMP metadata stream of a PDF (pdfkit writes it uncompressed, as PDF/A requires). */
function embeddedXmp(pdf: Buffer): string {
  const text = pdf.toString('utf8');
  const start = text.indexOf('<?xpacket begin');
  const end = text.indexOf('<?xpacket end', start);
  assert.ok(start >= 0 && end > start, 'the PDF has XMP metadata');
  return text.slice(start, text.indexOf('?>', end) + 2);
}
