import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ApiError, KumulusClient } from '@kumulus/api';
import { describeEachStore, raw } from '../stores.ts';

describeEachStore('quotas API', (get) => {
  test('an operator sets limits; creates beyond them are refused naming the limit, and nothing is made', async () => {
    const { client, url, operatorToken: token, running } = get();
    const me = await client.me();
    const fresh = await client.quotas();
    assert.equal(fresh.tenantId, me.tenant.id);
    assert.deepEqual(fresh.used, { servers: 0, vcpus: 0, memoryMb: 0, diskGb: 0, volumes: 0, volumeGb: 0, publicIps: 0 });
    assert.equal(fresh.limits.volumeGb, 30, "the serve configuration's volume quota is the default");

    const plan = (await client.listPlans()).items.find((p) => p.name === 'nano')!;
    const set = await client.updateQuotas(me.tenant.id, { servers: 1, volumes: 1, volumeGb: 10 });
    assert.equal(set.limits.servers, 1);
    const first = await client.createServer({ name: 'q-one', plan: 'nano', image: 'tiny', start: false });
    const used = await client.quotas();
    assert.deepEqual([used.used.servers, used.used.vcpus, used.used.memoryMb, used.used.diskGb], [1, plan.vcpus, plan.memoryMb, plan.diskGb]);

    const refused = async (path: string, body: object, quota: string, field: string, word: RegExp) => {
      const res = await raw(url, 'POST', path, { token, body: JSON.stringify(body), headers: { 'accept-language': 'de' } });
      assert.equal(res.status, 422, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'QUOTA_EXCEEDED');
      assert.equal(res.body.error.details?.[0]?.field, field);
      assert.match(res.body.error.message, word, res.body.error.message);
      assert.match(res.body.error.message, /Kontingent/);
      void quota;
    };
    await refused('/servers', { name: 'q-two', plan: 'nano', image: 'tiny', start: false }, 'servers', 'name', /erlaubt 1 Server; 1 sind belegt/);
    await client.updateQuotas(me.tenant.id, { servers: 5, vcpus: plan.vcpus });
    await refused('/servers', { name: 'q-two', plan: 'nano', image: 'tiny', start: false }, 'vcpus', 'plan', /vCPUs/);
    await client.updateQuotas(me.tenant.id, { vcpus: null, memoryMb: plan.memoryMb });
    await assert.rejects(client.createServer({ name: 'q-two', plan: 'nano', image: 'tiny', start: false }), (e: ApiError) => e.code === 'QUOTA_EXCEEDED' && /memory/.test(e.message));
    assert.equal((await client.listServers()).items.length, 1, 'a refused create makes nothing');

    await refused('/volumes', { name: 'qv', sizeGb: 11 }, 'volumeGb', 'sizeGb', /GB Volumes/);
    const vol = await client.createVolume({ name: 'qv', sizeGb: 4 });
    await refused('/volumes', { name: 'qv2', sizeGb: 1 }, 'volumes', 'name', /erlaubt 1 Volumes/);
    await assert.rejects(client.resizeVolume(vol.volume.id, { sizeGb: 11 }), (e: ApiError) => e.code === 'QUOTA_EXCEEDED');
    assert.equal((await running.store.db.selectFrom('volumes').select('id').execute()).length, 1);

    // Below current use: refused naming each field, and the limits stay as they were.
    const res = await raw(url, 'PUT', `/tenants/${me.tenant.id}/quotas`, { token, body: JSON.stringify({ servers: 0, volumeGb: 2, vcpus: 100 }), headers: { 'accept-language': 'de' } });
    assert.equal(res.status, 422);
    assert.equal(res.body.error.code, 'QUOTA_BELOW_USE');
    assert.deepEqual(res.body.error.details.map((x: { field: string }) => x.field), ['servers', 'volumeGb']);
    assert.match(res.body.error.message, /Sie/);
    const after = await client.quotas();
    assert.equal(after.limits.servers, 5);
    assert.equal(after.limits.vcpus, fresh.limits.vcpus);
    const bad = await raw(url, 'PUT', `/tenants/${me.tenant.id}/quotas`, { token, body: JSON.stringify({ servers: -1 }) });
    assert.equal(bad.status, 400);
    // Back to the defaults with null; the change is in the audit log.
    const reset = await client.updateQuotas(me.tenant.id, { servers: null, volumes: null, volumeGb: null, memoryMb: null });
    assert.deepEqual(reset.limits, fresh.limits);
    const audit = await running.store.db.selectFrom('audit_log').select('action').where('action', '=', 'quota.update').execute();
    assert.equal(audit.length, 4, 'each accepted change, not the refused one');
    await client.deleteVolume(vol.volume.id);
    await client.deleteServer(first.server.id);
  });

  test('a tenant sees its own quotas only and cannot set them', async () => {
    const { client: a, url } = get();
    const b0 = await a.createTenant({ name: 'quota-b', admin: { email: 'b@quota-b.test', password: 'Tenant-B-Password-1' } });
    const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'b@quota-b.test', password: 'Tenant-B-Password-1' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const secret: string = (await raw(url, 'POST', '/tokens', { body: '{"name":"b"}', headers: { cookie, origin: url } })).body.secret;
    const b = new KumulusClient({ baseUrl: url, token: secret });
    const me = await a.me();
    assert.equal((await b.quotas()).tenantId, b0.id);
    await assert.rejects(b.quotas({ tenantId: me.tenant.id }), (e: ApiError) => e.status === 404);
    await assert.rejects(b.updateQuotas(b0.id, { servers: 3 }), (e: ApiError) => e.status === 403 && e.code === 'FORBIDDEN');
    // The operator sees and sets tenant B's.
    assert.equal((await a.updateQuotas(b0.id, { servers: 3 })).limits.servers, 3);
    assert.equal((await b.quotas()).limits.servers, 3);
  });
}, { volumeQuotaGb: 30 });
