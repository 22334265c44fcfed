/**
 * `kumulus billing invoices|invoice|import-camt|export-debits` against a real control plane: last
 * month's usage invoiced, listed, shown in German and downloaded as a valid e-invoice; a bank
 * statement imported twice books once; a file that is no statement exits 4 naming the field.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Invoice, StatementImport } from '@kumulus/api';
import { XSD, xsdErrors } from '../../server/src/modules/billing/invoices/test-kit.ts';
import { json, runCli } from './run-cli.ts';
import { type CliTestServer, startCliTestServer } from './test-server.ts';

describe('kumulus billing invoices and paying in', { timeout: 300_000 }, () => {
  let ts: CliTestServer;
  let dir: string;
  let number: string;
  before(async () => {
    ts = await startCliTestServer();
    dir = mkdtempSync(join(tmpdir(), 'kumulus-cli-invoices-'));
    const me = await ts.client.me();
    // Last month's usage as the meter books it: 100 hours of a server at 2 ct/h.
    const now = new Date();
    const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1);
    await ts.running.store.db
      .insertInto('usage_records')
      .values({ key: 'srv_cli:1', tenant_id: me.tenant.id, resource_type: 'server', resource_id: 'srv_cli', resource_name: 'cli', plan: 'nano', meter: 'running', start_at: start, end_at: start + 360_000_000, seconds: 360_000, price_id: null, amount_uc: 200_000_000, transaction_id: null })
      .execute();
    const issued = await ts.client.issueInvoices({ month: new Date(start).toISOString().slice(0, 7), tenantId: me.tenant.id });
    number = issued.items[0]!.number;
  });
  after(async () => {
    await ts?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('invoices are listed, shown in German and downloaded as PDF and valid XML', async () => {
    const list = json<Invoice[]>(await runCli(['billing', 'invoices', '-o', 'json'], { env: ts.env }));
    assert.deepEqual(list.map((i) => [i.number, i.net.cents, i.tax.cents]), [[number, 200, 38]]);
    const table = await runCli(['billing', 'invoices'], { env: ts.env });
    assert.match(table.stdout, new RegExp(`${number}\\s+invoice\\s+\\d{4}-\\d{2}\\s+2\\.00 EUR\\s+0\\.38 EUR\\s+2\\.38 EUR`));
    const de = await runCli(['billing', 'invoice', 'show', number], { env: { ...ts.env, KUMULUS_LANG: 'de' } });
    assert.equal(de.code, 0, de.stderr);
    assert.match(de.stdout, /Gesamt:\s+2,38 EUR/);
    const xmlFile = join(dir, 'inv.xml');
    const dl = await runCli(['billing', 'invoice', 'download', number, '--format', 'xml', '--file', xmlFile], { env: ts.env });
    assert.equal(dl.code, 0, dl.stderr);
    assert.equal(xsdErrors(readFileSync(xmlFile, 'utf8'), XSD.cii), null);
    const pdfFile = join(dir, 'inv.pdf');
    assert.equal((await runCli(['billing', 'invoice', 'download', list[0]!.id, '--file', pdfFile], { env: ts.env })).code, 0);
    assert.equal(readFileSync(pdfFile).subarray(0, 5).toString(), '%PDF-');
    const missing = await runCli(['billing', 'invoice', 'show', 'INV-1999-000001'], { env: ts.env });
    assert.equal(missing.code, 3, missing.stderr);
    const badFormat = await runCli(['billing', 'invoice', 'download', number, '--format', 'doc'], { env: ts.env });
    assert.equal(badFormat.code, 2);
  });

  test('import-camt books a transfer by payment reference once; a non-statement exits 4', async () => {
    const { paymentReference } = await ts.client.billingProfile();
    const file = join(dir, 'statement.xml');
    writeFileSync(
      file,
      `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>CLI-1</MsgId></GrpHdr><Stmt><Id>CLI-1</Id><Ntry><Amt Ccy="EUR">15.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-04-01</Dt></BookgDt><AcctSvcrRef>CLI-B1</AcctSvcrRef><NtryDtls><TxDtls><RmtInf><Ustrd>${paymentReference}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry></Stmt></BkToCstmrStmt></Document>`,
    );
    const first = json<StatementImport>(await runCli(['billing', 'import-camt', file, '-o', 'json'], { env: ts.env }));
    assert.equal(first.booked.length, 1);
    const again = await runCli(['billing', 'import-camt', file], { env: { ...ts.env, KUMULUS_LANG: 'de' } });
    assert.match(again.stdout, /0 gebucht, 0 nicht zugeordnet, 1 bereits importiert/);
    writeFileSync(file, '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.02"/>');
    const bad = await runCli(['billing', 'import-camt', file], { env: ts.env });
    assert.equal(bad.code, 4, bad.stderr);
    assert.match(bad.stderr, /camt\.053/);
    const debits = await runCli(['billing', 'export-debits'], { env: ts.env });
    assert.equal(debits.code, 0, debits.stderr);
    assert.match(debits.stdout, /no direct debit is due/);
  });
});
