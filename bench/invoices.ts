/**
 * Benchmark: issuing a month's invoices for many tenants (numbers, lines, VAT, one transaction
 * each) on SQLite and PostgreSQL, and rendering one invoice as e-invoice XML and as PDF. Uses the
 * billing module on a real store with an injected clock (no engine).
 * Usage: node bench/invoices.ts [--tenants 500] [--stores sqlite,postgres]
 * PostgreSQL needs KUMULUS_TEST_PG_URL (scripts/lib.sh ensure_postgres sets it up).
 */
import { parseArgs } from 'node:util';
import { openInvoiceKit } from '../apps/server/src/modules/billing/invoices/test-kit.ts';

const { values } = parseArgs({ options: { tenants: { type: 'string', default: '500' }, stores: { type: 'string', default: 'sqlite,postgres' } } });
const n = Number(values.tenants);
if (!(n >= 10)) throw new Error('--tenants takes a number of at least 10');

for (const kind of values.stores.split(',') as ('sqlite' | 'postgres')[]) {
  const k = await openInvoiceKit(kind, Date.UTC(2026, 2, 1));
  try {
    // Each tenant runs two servers through March: 2n lines of usage, one price change on the 15th.
    await k.billing.createPrice(k.operator, { plan: 'small', per: 'month', running: '7.30', stopped: '0.73', currency: 'EUR' }, 'bench');
    await k.billing.createPrice(k.operator, { plan: 'small', per: 'month', running: '14.60', stopped: '0.73', currency: 'EUR', effectiveFrom: new Date(Date.UTC(2026, 2, 15)).toISOString() }, 'bench');
    for (let t = 0; t < n; t++) {
      const tenantId = `ten_bench${String(t).padStart(21, '0')}`;
      await k.db.insertInto('tenants').values({ id: tenantId, name: `t${t}`, created_at: k.now() }).execute();
      for (const s of [0, 1]) await k.phase({ serverId: `srv_${t}_${s}`, tenantId, name: `s${s}`, plan: 'small', phase: 'Running' });
    }
    k.setNow(Date.UTC(2026, 3, 1, 1));
    await k.meterAll();
    const t0 = performance.now();
    const issued = await k.issuer.issueAll(Date.UTC(2026, 2, 1));
    const issueMs = performance.now() - t0;
    const id = issued[0]!.id;
    let t1 = performance.now();
    for (let i = 0; i < 20; i++) await k.invoicing.xml(k.operator, id);
    const xmlMs = (performance.now() - t1) / 20;
    t1 = performance.now();
    for (let i = 0; i < 10; i++) await k.invoicing.pdf(k.operator, id);
    const pdfMs = (performance.now() - t1) / 10;
    console.log(
      `${kind}: issued ${issued.length} invoices (${issued.length * 4} lines) in ${issueMs.toFixed(0)} ms (${((issueMs / issued.length) * 1000).toFixed(0)} µs each); ` +
        `e-invoice XML ${xmlMs.toFixed(1)} ms, PDF ${pdfMs.toFixed(1)} ms per document; numbers ${issued[0]!.number} … ${issued[issued.length - 1]!.number}`,
    );
  } finally {
    await k.close();
  }
}
