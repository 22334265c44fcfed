/**
 * The full dunning path on a real control plane, with a clock the test moves and a real SMTP
 * server on loopback catching the e-mails: warning → suspension → top-up → resumption (the servers
 * that ran run again), and warning → suspension → final warning → deletion after the grace period.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { type ApiError, KumulusClient } from '@kumulus/api';
import { startSmtpCatcher } from '../smtp.ts';
import { describeEachStore, raw } from '../stores.ts';

const catcher = await startSmtpCatcher('Kumulus <billing@kumulus.test>');
after(catcher.close);
const caught = catcher.mails;

// The control plane's clock: the wall clock plus whatever the test has skipped ahead.
let skipped = 0;
const clock = () => Date.now() + skipped;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Polls until `probe` answers something truthy (the reconcilers run every few hundred ms here). */
async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, tries = 300): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gave up waiting for ${what}`);
}

const mailTo = (email: string, notice: string) => until(`a ${notice} mail to ${email}`, async () => caught.find((m) => m.to.includes(email) && m.notice === notice));

/** A new tenant with an admin, signed in with a token of its own. */
async function tenantClient(url: string, operator: KumulusClient, name: string) {
  const email = `admin@${name}.test`;
  const tenant = await operator.createTenant({ name, admin: { email, password: 'Dunning-Tenant-Pass-1' } });
  const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'Dunning-Tenant-Pass-1' }) });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const secret: string = (await raw(url, 'POST', '/tokens', { body: '{"name":"t"}', headers: { cookie, origin: url } })).body.secret;
  return { tenant, email, token: secret, client: new KumulusClient({ baseUrl: url, token: secret }) };
}

describeEachStore(
  'dunning',
  (get) => {
    test('warning → suspension → top-up → resumption: what ran runs again, what was stopped stays stopped', async () => {
      const { client: op, url, running } = get();
      const store = running.store.dialect;
      // 3.60 EUR an hour is a tenth of a cent a second: 1.00 EUR lasts about 1,000 seconds.
      await op.createPrice({ plan: 'nano', per: 'hour', running: '3.60', stopped: '0', currency: 'EUR' }).catch((e: ApiError) => assert.equal(e.code, 'CONFLICT'));
      const t = await tenantClient(url, op, `dun-a-${store}`);
      await op.bookLedger({ tenantId: t.tenant.id, kind: 'topup', amount: '1.00', currency: 'EUR', reference: `DUN-A1-${store}` });
      const keep = await t.client.createServer({ name: 'keep', plan: 'nano', image: 'tiny' });
      const idle = await t.client.createServer({ name: 'idle', plan: 'nano', image: 'tiny', start: false });
      assert.equal((await t.client.waitOperation(keep.operation.id, 120)).state, 'succeeded');
      assert.equal((await t.client.waitOperation(idle.operation.id, 120)).state, 'succeeded');

      // Under an hour of credit: the first warning, by mail and in the app, with the payment reference.
      const first = await mailTo(t.email, 'credit-low');
      const standing = await t.client.standing();
      assert.equal(standing.state, 'warned');
      assert.ok(first.text.includes(standing.paymentReference), 'the mail names the payment reference');
      const notices = await t.client.listNotices();
      assert.equal(notices.items[0]?.kind, 'credit-low');
      assert.match(notices.items[0]!.message, new RegExp(standing.paymentReference));
      // Under ten minutes: the second threshold warns once more.
      skipped += 500_000;
      await until('the second warning', async () => caught.filter((m) => m.to.includes(t.email) && m.notice === 'credit-low').length >= 2);

      // At zero: suspended, the running server stopped through its desired state.
      skipped += 600_000;
      await mailTo(t.email, 'suspended');
      await until('keep stopped', async () => (await t.client.getServer(keep.server.id)).status.phase === 'Stopped');
      assert.equal((await t.client.standing()).state, 'suspended');
      // No new resources, no starts; reading and exporting still work.
      const refused = await raw(url, 'POST', '/servers', { token: t.token, body: JSON.stringify({ name: 'more', plan: 'nano', image: 'tiny', start: false }), headers: { 'accept-language': 'de' } });
      assert.equal(refused.status, 402);
      assert.equal(refused.body.error.code, 'TENANT_SUSPENDED');
      assert.match(refused.body.error.message, /Sie/);
      await assert.rejects(t.client.serverAction(idle.server.id, 'start'), (e: ApiError) => e.status === 402);
      await assert.rejects(t.client.createVolume({ name: 'v', sizeGb: 1 }), (e: ApiError) => e.code === 'TENANT_SUSPENDED');
      assert.equal((await t.client.listServers()).items.length, 2);
      assert.ok((await t.client.listLedger()).items.length > 0);
      assert.ok((await t.client.billingSummary()).balance.cents <= 0);

      // A top-up lifts the suspension and starts exactly what was running.
      await op.bookLedger({ tenantId: t.tenant.id, kind: 'topup', amount: '20.00', currency: 'EUR', reference: `DUN-A2-${store}` });
      await mailTo(t.email, 'resumed');
      await until('keep running again', async () => (await t.client.getServer(keep.server.id)).status.phase === 'Running');
      assert.equal((await t.client.getServer(idle.server.id)).spec.powerState, 'stopped');
      assert.equal((await t.client.standing()).state, 'good');
      const actions = (await running.store.db.selectFrom('audit_log').select('action').where('target_id', '=', t.tenant.id).where('action', 'like', 'dunning.%').orderBy('at').execute()).map((a) => a.action);
      assert.deepEqual(actions, ['dunning.warn', 'dunning.warn', 'dunning.suspend', 'dunning.resume', 'dunning.restarted']);
      const stops = await running.store.db.selectFrom('audit_log').select('action').where('target_id', '=', keep.server.id).where('action', 'in', ['server.stop', 'server.start']).execute();
      assert.deepEqual(stops.map((s) => s.action).sort(), ['server.start', 'server.stop']);
      // Nothing more to warn about; the tenant stops paying for its servers before the test ends.
      for (const s of [keep, idle]) await t.client.deleteServer(s.server.id);
    });

    test('warning → suspension → final warning → deletion after the grace period, data kept until then', async () => {
      const { client: op, url, running } = get();
      const store = running.store.dialect;
      await op.createPrice({ plan: 'nano', per: 'hour', running: '3.60', stopped: '0', currency: 'EUR' }).catch((e: ApiError) => assert.equal(e.code, 'CONFLICT'));
      const t = await tenantClient(url, op, `dun-b-${store}`);
      await op.bookLedger({ tenantId: t.tenant.id, kind: 'topup', amount: '0.50', currency: 'EUR', reference: `DUN-B1-${store}` });
      const doomed = await t.client.createServer({ name: 'doomed', plan: 'nano', image: 'tiny' });
      const vol = await t.client.createVolume({ name: 'data', sizeGb: 1 });
      assert.equal((await t.client.waitOperation(doomed.operation.id, 120)).state, 'succeeded');
      assert.equal((await t.client.waitOperation(vol.operation.id, 120)).state, 'succeeded');
      await mailTo(t.email, 'credit-low');

      skipped += 1_000_000;
      await mailTo(t.email, 'suspended');
      await until('doomed stopped', async () => (await t.client.getServer(doomed.server.id)).status.phase === 'Stopped');
      const suspendedAt = Date.parse((await t.client.standing()).suspendedAt!);

      // A day before the grace period ends: the final warning; everything is still there.
      skipped += DAY + 60_000;
      const final = await mailTo(t.email, 'final-warning');
      assert.ok(final.text.includes((await t.client.standing()).paymentReference));
      assert.equal((await t.client.listNotices()).items[0]?.kind, 'final-warning');
      assert.equal((await t.client.getServer(doomed.server.id)).status.phase, 'Stopped');
      assert.equal((await t.client.listVolumes()).items.length, 1);

      // Past the grace period: servers and volumes deleted, the tenant and its books kept.
      skipped = Math.max(skipped, suspendedAt + 2 * DAY + 60_000 - Date.now());
      await mailTo(t.email, 'deleted');
      await until('the server gone', async () => (await t.client.listServers()).items.length === 0);
      await until('the volume gone', async () => (await t.client.listVolumes()).items.length === 0);
      assert.equal((await t.client.standing()).state, 'closed');
      assert.ok((await t.client.listLedger()).items.length > 0);
      assert.equal((await running.engine.compute.list()).filter((id) => id === doomed.server.id).length, 0);
      const actions = (await running.store.db.selectFrom('audit_log').select('action').where('target_id', '=', t.tenant.id).where('action', 'like', 'dunning.%').orderBy('at').execute()).map((a) => a.action);
      assert.deepEqual(actions, ['dunning.warn', 'dunning.suspend', 'dunning.final-warning', 'dunning.delete']);
    });
  },
  {
    clock,
    meterEveryMs: 500,
    smtp: catcher.smtp,
    dunning: { warnAtSeconds: [3600, 600], graceMs: 2 * DAY, finalWarningMs: DAY, everyMs: 300 },
  },
);
