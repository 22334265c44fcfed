/**
 * The control plane killed during metering loses and doubles nothing: a meter process is killed
 * with SIGKILL at random moments of its sweep over 2,000 servers, again and again, on a SQLite file
 * and on PostgreSQL; afterwards one pass completes, and every server's usage tiles its running
 * time exactly once, each charge is in the ledger once, and the books balance.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openKit } from '../src/modules/billing/test-kit.ts';
import { createPgDatabase } from './harness.ts';

const CHILD = join(import.meta.dirname, 'fixtures', 'meter-child.ts');
const SERVERS = 2000;
const HOUR = 3_600_000;
const start = Date.UTC(2026, 4, 1);

/** Runs one meter process to `now`, killed `killMs` after it is ready; answers whether it finished first. */
async function meterProcess(url: string, now: number, killMs: number): Promise<boolean> {
  const child = spawn(process.execPath, [CHILD, url, String(now)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      if (out.includes('ready')) resolve();
    });
    child.on('exit', (code) => (out.includes('ready') ? resolve() : reject(new Error(`meter process exited with ${code} before it was ready`))));
  });
  await sleep(killMs);
  child.kill('SIGKILL');
  await exited;
  return out.includes('done');
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`metering killed mid-pass [${kind}]`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'kum-meter-crash-'));
    let dropPg: (() => Promise<void>) | undefined;
    after(async () => {
      await dropPg?.();
      rmSync(dir, { recursive: true, force: true });
    });

    test('SIGKILL at random moments of a sweep loses and doubles no second', async () => {
      let url = `sqlite:${join(dir, 'meter.db')}`;
      if (kind === 'postgres') {
        const pg = await createPgDatabase();
        url = pg.url;
        dropPg = pg.drop;
      }
      const k = await openKit(kind, start, { url, seed: true });
      try {
        await k.billing.createPrice(k.operator, { plan: 'small', per: 'hour', running: '0.0036', stopped: '0.00036', currency: 'EUR' }, 'p');
        for (let i = 0; i < SERVERS; i++) await k.phase({ serverId: `srv_${String(i).padStart(5, '0')}`, tenantId: i % 2 ? k.tenantA : k.tenantB, name: `s${i}`, plan: 'small', phase: 'Running' });
        // Every third server stops at 05:00: two prices in the tiling.
        k.setNow(start + 5 * HOUR + 321);
        for (let i = 0; i < SERVERS; i += 3) await k.phase({ serverId: `srv_${String(i).padStart(5, '0')}`, tenantId: i % 2 ? k.tenantA : k.tenantB, name: `s${i}`, plan: 'small', phase: 'Stopped' });
        let killed = 0;
        for (let round = 1; round <= 8; round++) {
          const finished = await meterProcess(url, start + round * HOUR + round * 7, 5 + Math.floor(Math.random() * 120));
          if (!finished) killed++;
        }
        assert.ok(killed >= 3, `only ${killed} of 8 meter processes were killed before they finished`);
        const end = start + 9 * HOUR;
        k.setNow(end);
        await k.meterAll();

        const usage = await k.db.selectFrom('usage_records').select(['resource_id', 'start_at', 'end_at', 'seconds', 'meter', 'amount_uc', 'transaction_id']).orderBy('resource_id').orderBy('start_at').execute();
        const byServer = new Map<string, typeof usage>();
        for (const u of usage) byServer.set(u.resource_id, [...(byServer.get(u.resource_id) ?? []), u]);
        assert.equal(byServer.size, SERVERS);
        for (const [id, rows] of byServer) {
          // From the first Running second to the last pass, every second exactly once.
          assert.equal(Number(rows[0]!.start_at), start, id);
          for (let i = 1; i < rows.length; i++) assert.equal(Number(rows[i]!.start_at), Number(rows[i - 1]!.end_at), `${id}: a gap or an overlap`);
          assert.equal(Number(rows[rows.length - 1]!.end_at), end, id);
          assert.equal(rows.reduce((a, r) => a + Number(r.seconds), 0), 9 * 3600, id);
        }
        // 0.0036 EUR an hour is 100 µct a second running, 10 stopped: 9 h running, or 5 h running and 4 h stopped.
        const stopped = Math.ceil(SERVERS / 3);
        const expected = (SERVERS - stopped) * 9 * 3600 * 100 + stopped * (5 * 3600 * 100 + 4 * 3600 * 10);
        const charged = usage.reduce((a, u) => a + Number(u.amount_uc), 0);
        const ledgerSum = await k.db.selectFrom('ledger_entries').select((eb) => eb.fn.sum<string | number>('amount_uc').as('s')).where('account', 'like', 'tenant:%').executeTakeFirstOrThrow();
        assert.equal(charged, expected);
        assert.equal(-Number(ledgerSum.s), charged, 'the tenants were charged exactly what the usage records say');
        const tx = await k.db.selectFrom('ledger_transactions').select((eb) => eb.fn.countAll<string | number>().as('n')).where('kind', '=', 'charge').executeTakeFirstOrThrow();
        assert.equal(Number(tx.n), usage.filter((u) => u.transaction_id !== null).length, 'one charge per usage record that costs money');
        const unbalanced = await k.db.selectFrom('ledger_entries').select('transaction_id').groupBy('transaction_id').having((eb) => eb.fn.sum('amount_uc'), '!=', 0).execute();
        assert.deepEqual(unbalanced, []);
      } finally {
        await k.close();
      }
    });
  });
}
