/**
 * Invoices through the API on a control plane with an injected clock: a month of metered usage
 * is issued by an operator, listed and read by the tenant as JSON, PDF and e-invoice XML (valid
 * against the CII schema), corrected by a credit note; bad input is a 4xx naming the field.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiError } from '@kumulus/api';
import { XSD, xsdErrors } from '../../src/modules/billing/invoices/test-kit.ts';
import { describeEachStore, raw } from '../stores.ts';

let now = Date.UTC(2026, 2, 31, 12);
const clock = () => now;

describeEachStore(
  'invoices API',
  (get) => {
    test('an ended month is invoiced, read as JSON, PDF and XML, and corrected by a credit note', async () => {
      const { client, running, url, operatorToken: token } = get();
      const me = await client.me();
      const tenantId = me.tenant.id;
      now = Date.UTC(2026, 2, 31, 12);
      const db = running.store.db;
      // Ten hours of a running nano server at the end of March, as the server reconciler records it.
      const serverId = `srv_${running.store.dialect}invoiceapi00000000`;
      await db.insertInto('meters').values({ resource_id: serverId, tenant_id: tenantId, resource_type: 'server', last_seq: 1, metered_until: null, closed: 0 }).execute();
      await db.insertInto('server_phase_log').values({ server_id: serverId, seq: 1, tenant_id: tenantId, server_name: 'billed', plan: 'nano', phase: 'Running', at: Date.UTC(2026, 2, 31, 14) }).execute();
      const plan = await db.selectFrom('plans').select('price_hour_minor').where('name', '=', 'nano').executeTakeFirstOrThrow();

      const profile = await client.setBillingProfile({ name: 'Muster GmbH', street: 'Hauptstraße 5', postcode: '80331', city: 'München', country: 'DE', vatId: 'DE811907980', business: true });
      assert.match(profile.paymentReference, /^RF\d\dKUM[0-9A-Z]{16}$/);
      await assert.rejects(client.issueInvoices({ month: '2026-03' }), (e: ApiError) => e.status === 422 && e.code === 'PERIOD_NOT_ENDED' && e.details[0]?.field === 'month');
      now = Date.UTC(2026, 3, 1, 0, 30);
      const issued = await client.issueInvoices({ month: '2026-03', tenantId });
      assert.equal(issued.items.length, 1);
      const inv = await client.getInvoice(issued.items[0]!.id);
      // 31 March 14:00 to 1 April 00:00 is 10 h at the plan's hourly price.
      assert.equal(inv.net.cents, 10 * Number(plan.price_hour_minor));
      assert.equal(inv.tax.cents, Math.round(inv.net.cents * 0.19));
      assert.equal((await client.listInvoices()).items[0]?.number, inv.number);

      const pdf = await client.invoiceDocument(inv.id, 'pdf');
      assert.equal(Buffer.from(pdf.subarray(0, 5)).toString(), '%PDF-');
      const xml = Buffer.from(await client.invoiceDocument(inv.id, 'xml')).toString();
      assert.equal(xsdErrors(xml, XSD.cii), null);
      assert.match(xml, new RegExp(`<ram:ID>${inv.number}</ram:ID>`));

      const note = await client.createCreditNote(inv.id, { reason: 'goodwill for downtime', amount: '0.01' });
      assert.equal(note.kind, 'credit_note');
      assert.equal(note.correctsId, inv.id);

      // Bad input: a 4xx naming the field; an unknown invoice is a 404.
      const bad: [string, string, object | undefined, number, string, string?][] = [
        ['PUT', '/billing/profile', { name: 'x', street: 'x', postcode: '1', city: 'x', country: 'DEU', business: false }, 422, 'INVALID_COUNTRY', 'country'],
        ['PUT', '/billing/profile', { name: 'x', street: 'x', postcode: '1', city: 'x', country: 'Germany', business: false }, 400, 'VALIDATION_FAILED', 'country'],
        ['PUT', '/billing/profile', { name: 'x', street: 'x', postcode: '1', city: 'x', country: 'DE', vatId: 'FR123', business: true }, 422, 'INVALID_VAT_ID', 'vatId'],
        ['POST', `/billing/invoices/${inv.id}/credit-notes`, { reason: 'x', amount: '0' }, 422, 'INVALID_AMOUNT', 'amount'],
        ['POST', `/billing/invoices/${inv.id}/credit-notes`, { reason: 'x', amount: '-1.00' }, 422, 'INVALID_AMOUNT', 'amount'],
        ['POST', `/billing/invoices/${inv.id}/credit-notes`, { reason: 'x', amount: '1.00', currency: 'USD' }, 422, 'CURRENCY_MISMATCH', 'currency'],
        ['POST', '/billing/invoices', { month: '2026-13' }, 400, 'VALIDATION_FAILED', 'month'],
        ['GET', '/billing/invoices/inv_00000000000000000000000000', undefined, 404, 'INVOICE_NOT_FOUND'],
        ['GET', '/billing/invoices/inv_00000000000000000000000000/pdf', undefined, 404, 'INVOICE_NOT_FOUND'],
      ];
      for (const [method, path, body, status, code, field] of bad) {
        const res = await raw(url, method, path, { token, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'accept-language': 'de' } });
        assert.equal(res.status, status, `${method} ${path}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.code, code);
        if (field) assert.ok(JSON.stringify(res.body.error.details).includes(field), `${code} names ${field}: ${JSON.stringify(res.body.error)}`);
      }
    });

    test('a bank statement books by payment reference once; a mandate exports as pain.008; bad input is a 4xx naming the field', async () => {
      const { client, url, operatorToken: token } = get();
      const { paymentReference } = await client.billingProfile();
      // Usage goes on being metered meanwhile, so the bank's top-ups are counted on their own ledger lines.
      const bankTopups = async () => (await client.listLedger()).items.filter((e) => e.kind === 'topup' && e.reference.startsWith('bank:')).reduce((x, e) => x + e.amount.cents, 0);
      const line = (ref: string, amount: string, remittance: string) =>
        `<Ntry><Amt Ccy="EUR">${amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-04-01</Dt></BookgDt><AcctSvcrRef>${ref}</AcctSvcrRef><NtryDtls><TxDtls><RmtInf><Ustrd>${remittance}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>`;
      const xml = `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>API-1</MsgId></GrpHdr><Stmt><Id>API-1</Id>${line('API-B1', '30.00', paymentReference)}${line('API-B2', '7.00', 'no reference')}</Stmt></BkToCstmrStmt></Document>`;
      const first = await client.importStatement(xml);
      assert.deepEqual([first.booked.length, first.unmatched.length, first.duplicates.length], [1, 1, 0]);
      const again = await client.importStatement(xml);
      assert.deepEqual([again.booked.length, again.unmatched.length, again.duplicates.length], [0, 0, 2]);
      assert.equal(await bankTopups(), 3000);
      const [waiting] = (await client.listBankLines()).items;
      assert.equal(waiting?.bankReference, 'API-B2');
      await client.bookBankLine(waiting!.id, (await client.me()).tenant.id);
      assert.equal(await bankTopups(), 3700);

      await client.setMandate({ mandateId: 'API-M-1', signedOn: '2026-03-01', iban: 'DE89370400440532013000', holder: 'Muster GmbH', amount: '500.00' });
      const debits = await client.exportDebits({ collectionDate: '2026-04-03' });
      assert.equal(debits.count, 1);
      assert.equal(xsdErrors(debits.xml!, XSD.pain008), null);

      const bad: [string, string, object, number, string, string][] = [
        ['POST', '/billing/statements', { xml: '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"/>' }, 422, 'NOT_CAMT053', 'xml'],
        ['PUT', '/billing/mandate', { mandateId: 'M', signedOn: '2026-03-01', iban: 'DE00370400440532013000', holder: 'x', amount: '5.00' }, 422, 'INVALID_IBAN', 'iban'],
        ['PUT', '/billing/mandate', { mandateId: 'M', signedOn: '2026-03-01', iban: 'DE89370400440532013000', holder: 'x', amount: '0' }, 422, 'INVALID_AMOUNT', 'amount'],
        ['POST', `/billing/bank-lines/${waiting!.id}/book`, { tenantId: (await client.me()).tenant.id }, 409, 'BANK_LINE_BOOKED', ''],
      ];
      for (const [method, path, body, status, code, field] of bad) {
        const res = await raw(url, method, path, { token, body: JSON.stringify(body) });
        assert.equal(res.status, status, `${method} ${path}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.code, code);
        if (field) assert.ok(JSON.stringify(res.body.error.details).includes(field), `${code} names ${field}`);
      }
    });
  },
  { clock },
);
