/**
 * `kumulus billing` against a real control plane: the cost monitor and the ledger, in both languages.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { BillingSummary, LedgerEntry, Price } from '@kumulus/api';
import { json, runCli } from './run-cli.ts';
import { type CliTestServer, startCliTestServer } from './test-server.ts';

describe('kumulus billing', { timeout: 300_000 }, () => {
  let ts: CliTestServer;
  const reference = `CLI-${randomBytes(4).toString('hex')}`;
  before(async () => {
    ts = await startCliTestServer();
    const me = await ts.client.me();
    await ts.client.bookLedger({ tenantId: me.tenant.id, kind: 'topup', amount: '12.34', currency: 'EUR', reference });
  });
  after(async () => {
    await ts?.stop();
  });

  test('summary shows the credit, in JSON as the API answers it and as a table in German', async () => {
    const s = json<BillingSummary>(await runCli(['billing', 'summary', '-o', 'json'], { env: ts.env }));
    assert.equal(s.balance.amount, '12.34000000');
    const de = await runCli(['billing', 'summary'], { env: { ...ts.env, KUMULUS_LANG: 'de' } });
    assert.equal(de.code, 0, de.stderr);
    assert.match(de.stdout, /Guthaben:\s+12,34 EUR/);
  });

  test('ledger lists the top-up with its reference; a foreign tenant is not found (exit 3)', async () => {
    const entries = json<LedgerEntry[]>(await runCli(['billing', 'ledger', '-o', 'json'], { env: ts.env }));
    assert.ok(entries.some((e) => e.kind === 'topup' && e.reference === reference && e.amount.cents === 1234));
    const table = await runCli(['billing', 'ledger'], { env: ts.env });
    assert.match(table.stdout, new RegExp(`${reference}\\s+12\\.34 EUR`));
    const missing = await runCli(['billing', 'summary', '--tenant', 'ten_00000000000000000000000000'], { env: ts.env });
    assert.equal(missing.code, 3, missing.stderr);
  });

  test('set-price sets a price per GB of volume and per address; prices lists them; a plan on a product is refused naming the field', async () => {
    const p = json<Price>(await runCli(['billing', 'set-price', '--kind', 'volume', '--per', 'month', '--running', '0.04', '-o', 'json'], { env: ts.env }));
    assert.equal(p.kind, 'volume');
    assert.equal(p.plan, null);
    assert.equal(p.running, '0.04000000');
    const ip = await runCli(['billing', 'set-price', '--kind', 'public-ipv4', '--per', 'hour', '--running', '0.001', '--monthly-cap', '0.50'], { env: ts.env });
    assert.equal(ip.code, 0, ip.stderr);
    assert.match(ip.stdout, /0\.50000000 EUR/);
    const list = await runCli(['billing', 'prices'], { env: { ...ts.env, KUMULUS_LANG: 'de' } });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /ART\s+TARIF\s+JE\s+LAUFEND/);
    assert.match(list.stdout, /volume\s+-\s+month\s+0\.04000000/);
    assert.match(list.stdout, /MONATSDECKEL/);
    assert.match(list.stdout, /public-ipv4\s+-\s+hour\s+0\.00100000\s+-\s+0\.50000000/);
    const zeroCap = await runCli(['billing', 'set-price', '--kind', 'public-ipv6', '--per', 'hour', '--running', '0.001', '--monthly-cap', '0'], { env: ts.env });
    assert.notEqual(zeroCap.code, 0);
    assert.match(zeroCap.stderr, /monthlyCap/);
    const bad = await runCli(['billing', 'set-price', '--kind', 'snapshot', '--plan', 'nano', '--per', 'month', '--running', '0.02'], { env: { ...ts.env, KUMULUS_LANG: 'de' } });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /plan/);
    assert.match(bad.stderr, /nur für Server/);
    const noDate = await runCli(['billing', 'set-price', '--kind', 'volume', '--per', 'month', '--running', '0.05', '--from', 'tomorrow'], { env: ts.env });
    assert.equal(noDate.code, 2, noDate.stderr);
  });
});
