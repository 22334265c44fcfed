/**
 * `kumulus billing` against a real control plane: the cost monitor and the ledger, in both languages.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { BillingSummary, LedgerEntry } from '@kumulus/api';
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
});
