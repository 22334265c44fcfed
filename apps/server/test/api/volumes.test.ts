import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ApiError, KumulusClient } from '@kumulus/api';
import { lxcAttach } from '../../src/drivers/local/lxc.ts';
import { describeEachStore, raw } from '../stores.ts';

describeEachStore(
  'volumes API',
  (get) => {
    test('a volume is made, renamed, attached with its data to one server then another, and deleted once detached', async () => {
      const { client, running, dataDir } = get();
      const sh = async (server: string, script: string) => {
        const r = await lxcAttach(join(dataDir, 'lxc'), server, ['sh', '-c', script]);
        assert.equal(r.code, 0, `${script}: ${r.stderr}`);
        return r.stdout.trim();
      };
      const created = await client.createVolume({ name: 'data', sizeGb: 1, labels: { team: 'web' } });
      assert.equal(created.volume.status.phase, 'Pending');
      assert.equal(created.operation.kind, 'volume.create');
      assert.equal((await client.waitOperation(created.operation.id, 60)).state, 'succeeded');
      const id = created.volume.id;
      let v = await client.getVolume('data');
      assert.equal(v.id, id, 'found by name');
      assert.equal(v.status.phase, 'Available');
      assert.equal(v.spec.format, 'ext4');
      assert.equal(typeof v.status.usedBytes, 'number');
      assert.equal((await running.engine.storage.inspect(id))?.sizeBytes, 1024 ** 3, 'the backend holds 1 GiB');

      v = await client.updateVolume(id, { name: 'files', labels: { team: 'ops' } });
      assert.equal(v.name, 'files');
      assert.deepEqual(v.labels, { team: 'ops' });
      assert.deepEqual((await client.listVolumes()).items.map((x) => x.name), ['files']);

      const a = await client.createServer({ name: 'vol-a', plan: 'nano', image: 'tiny' });
      const b = await client.createServer({ name: 'vol-b', plan: 'nano', image: 'tiny' });
      // Attached while the server is still being made: the volume waits for it.
      let op = await client.waitOperation((await client.attachVolume('files', { server: 'vol-a' })).id, 90);
      assert.equal(op.state, 'succeeded', JSON.stringify(op.error));
      v = await client.getVolume(id);
      assert.equal(v.status.phase, 'Attached');
      assert.deepEqual(v.status.attachment, { server: a.server.id, path: '/mnt/files' }, 'the default path is /mnt/<name>');
      const secret = randomBytes(12).toString('hex');
      await sh(a.server.id, `echo ${secret} > /mnt/files/proof && sync`);

      const refused = await raw(get().url, 'DELETE', `/volumes/${id}`, { token: get().operatorToken, headers: { 'accept-language': 'de' } });
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error.code, 'VOLUME_ATTACHED');
      assert.match(refused.body.error.message, /Hängen Sie es zuerst ab/);
      await assert.rejects(client.attachVolume(id, { server: 'vol-b' }), (e: ApiError) => e.status === 409 && e.code === 'VOLUME_ATTACHED');

      op = await client.waitOperation((await client.detachVolume(id)).id, 60);
      assert.equal(op.state, 'succeeded', JSON.stringify(op.error));
      assert.equal((await client.getVolume(id)).status.phase, 'Available');
      assert.equal(await sh(a.server.id, 'grep -c " /mnt/files " /proc/mounts || true'), '0', 'unmounted in server a');

      await client.waitOperation(b.operation.id, 60);
      op = await client.waitOperation((await client.attachVolume(id, { server: b.server.id, path: '/srv/data' })).id, 60);
      assert.equal(op.state, 'succeeded', JSON.stringify(op.error));
      assert.equal(await sh(b.server.id, 'cat /srv/data/proof'), secret, 'server b reads what server a wrote');

      // A server deleted under its volume leaves the volume detached, and deletable.
      assert.equal((await client.waitOperation((await client.deleteServer(b.server.id)).id, 60)).state, 'succeeded');
      // The server's deletion wakes the volume's reconciler; no detach is asked for.
      for (let i = 0; i < 120 && (await client.getVolume(id)).status.phase !== 'Available'; i++) await sleep(500);
      v = await client.getVolume(id);
      assert.equal(v.status.phase, 'Available');
      assert.equal(v.spec.attachment, null, 'the spec no longer names the deleted server');
      const del = await client.waitOperation((await client.deleteVolume(id)).id, 60);
      assert.equal(del.state, 'succeeded', JSON.stringify(del.error));
      await assert.rejects(client.getVolume(id), (e: ApiError) => e.status === 404 && e.code === 'VOLUME_NOT_FOUND');
      assert.equal(await running.engine.storage.inspect(id), null, 'the backend holds nothing');
      await client.waitOperation((await client.deleteServer(a.server.id)).id, 60);
    });

    test('bad sizes, formats, paths, quota and free space answer 4xx with a stable code and make nothing', async () => {
      const { url, operatorToken: token, client, running } = get();
      const before = (await running.engine.storage.list()).length;
      const cases: [unknown, number, string][] = [
        [{ name: 'z', sizeGb: 0 }, 400, 'VALIDATION_FAILED'],
        [{ name: 'z', sizeGb: 1.5 }, 400, 'VALIDATION_FAILED'],
        [{ name: 'z', sizeGb: '1' }, 400, 'VALIDATION_FAILED'],
        [{ name: 'z' }, 400, 'VALIDATION_FAILED'],
        [{ name: 'z', sizeGb: 1, format: 'btrfs' }, 400, 'VALIDATION_FAILED'],
        [{ name: 'Bad_Name', sizeGb: 1 }, 400, 'VALIDATION_FAILED'],
        [{ name: 'z', sizeGb: 16_384 }, 422, 'STORAGE_FULL'],
        [{ name: 'z', sizeGb: 31 }, 422, 'QUOTA_EXCEEDED'],
      ];
      for (const [body, status, code] of cases) {
        const res = await raw(url, 'POST', '/volumes', { token, body: JSON.stringify(body), headers: { 'accept-language': 'de' } });
        assert.equal(res.status, status, `${JSON.stringify(body)} → ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.code, code);
        assert.ok(res.body.error.message.length > 20);
      }
      const q = await raw(url, 'POST', '/volumes', { token, body: JSON.stringify({ name: 'z', sizeGb: 31 }), headers: { 'accept-language': 'de' } });
      assert.match(q.body.error.message, /Kontingent/);
      const first = await client.createVolume({ name: 'big', sizeGb: 20, format: 'xfs' });
      assert.equal((await client.waitOperation(first.operation.id, 60)).state, 'succeeded');
      await assert.rejects(client.createVolume({ name: 'big', sizeGb: 1 }), (e: ApiError) => e.status === 409 && e.code === 'NAME_TAKEN');
      await assert.rejects(client.createVolume({ name: 'more', sizeGb: 11 }), (e: ApiError) => e.status === 422 && e.code === 'QUOTA_EXCEEDED');

      for (const path of ['relative', '/', '/a/../b', '/mnt/a b']) {
        const res = await raw(url, 'POST', `/volumes/${first.volume.id}/actions/attach`, { token, body: JSON.stringify({ server: 'nowhere', path }) });
        assert.equal(res.status, 400, `${path}: ${JSON.stringify(res.body)}`);
      }
      const res = await raw(url, 'POST', `/volumes/${first.volume.id}/actions/attach`, { token, body: JSON.stringify({ server: 'nowhere' }) });
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'SERVER_NOT_FOUND');
      assert.equal((await running.engine.storage.list()).length, before + 1, 'only the one good volume was made');
      assert.equal((await client.waitOperation((await client.deleteVolume('big')).id, 60)).state, 'succeeded');
    });

    test('a volume grows online while a running server writes to it, a smaller size is refused, and its QoS limit reaches the kernel', async () => {
      const { client, dataDir, url, operatorToken: token } = get();
      const srv = await client.createServer({ name: 'grow-srv', plan: 'nano', image: 'tiny' });
      // xfs grows online with the privileges any host root has (ext4's online resize needs CAP_SYS_RESOURCE).
      const vol = await client.createVolume({ name: 'growing', sizeGb: 1, format: 'xfs' });
      await client.waitOperation(srv.operation.id, 60);
      assert.equal((await client.waitOperation((await client.attachVolume(vol.volume.id, { server: srv.server.id })).id, 60)).state, 'succeeded');
      const df = async () => {
        const r = await lxcAttach(join(dataDir, 'lxc'), srv.server.id, ['sh', '-c', 'echo x >> /mnt/growing/log && df -k /mnt/growing | tail -1']);
        return Number(r.stdout.trim().split(/\s+/)[1]);
      };
      assert.ok((await df()) < 1.1 * 1024 * 1024);
      const op = await client.waitOperation((await client.resizeVolume('growing', { sizeGb: 2 })).id, 60);
      assert.equal(op.state, 'succeeded', JSON.stringify(op.error));
      assert.ok((await df()) > 1.8 * 1024 * 1024, 'the running server sees 2 GB');
      assert.equal((await client.getVolume(vol.volume.id)).spec.sizeGb, 2);
      const res = await raw(url, 'POST', `/volumes/${vol.volume.id}/actions/resize`, { token, body: '{"sizeGb":1}', headers: { 'accept-language': 'de' } });
      assert.equal(res.status, 422);
      assert.equal(res.body.error.code, 'VOLUME_SHRINK');
      assert.match(res.body.error.message, /wachsen nur/);

      // QoS set through the API reaches the kernel: a direct write in the server runs at most at the limit.
      const limited = await client.updateVolume(vol.volume.id, { qos: { writeMBps: 12 } });
      assert.equal(limited.spec.qos?.writeMBps, 12);
      for (let i = 0; i < 120 && (await client.getVolume(vol.volume.id)).status.observedGeneration < limited.generation; i++) await sleep(250);
      const t0 = performance.now();
      const dd = await lxcAttach(join(dataDir, 'lxc'), srv.server.id, ['dd', 'if=/dev/zero', 'of=/mnt/growing/q', 'bs=1M', 'count=24', 'oflag=direct']);
      assert.equal(dd.code, 0, dd.stderr);
      const mibs = 24 / ((performance.now() - t0) / 1000);
      assert.ok(mibs <= 12 * 1.1, `${mibs.toFixed(1)} MiB/s under a 12 MB/s limit`);
      assert.equal((await client.updateVolume(vol.volume.id, { qos: null })).spec.qos, undefined, 'null lifts the limits');

      await client.waitOperation((await client.detachVolume(vol.volume.id)).id, 60);
      await client.waitOperation((await client.deleteVolume(vol.volume.id)).id, 60);
      await client.waitOperation((await client.deleteServer(srv.server.id)).id, 60);
    });

    test('a protected volume refuses deletion with VOLUME_PROTECTED until the protection is lifted', async () => {
      const { client, url, operatorToken: token } = get();
      const made = await client.createVolume({ name: 'keep', sizeGb: 1, protected: true });
      assert.equal(made.volume.protected, true);
      await client.waitOperation(made.operation.id, 60);
      const refused = await raw(url, 'DELETE', `/volumes/${made.volume.id}`, { token, headers: { 'accept-language': 'de' } });
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error.code, 'VOLUME_PROTECTED');
      assert.match(refused.body.error.message, /geschützt/);
      assert.equal((await client.getVolume('keep')).status.phase, 'Available', 'a refused delete changes nothing');
      assert.equal((await client.updateVolume('keep', { protected: false })).protected, false);
      assert.equal((await client.waitOperation((await client.deleteVolume('keep')).id, 60)).state, 'succeeded');
    });

    test("another tenant's volumes and servers read as absent", async () => {
      const { client: a, url } = get();
      const name = `t${randomBytes(3).toString('hex')}`;
      await a.createTenant({ name, admin: { email: `b@${name}.test`, password: 'Tenant-B-Password-1' } });
      const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: `b@${name}.test`, password: 'Tenant-B-Password-1' }) });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const b = new KumulusClient({ baseUrl: url, token: (await raw(url, 'POST', '/tokens', { body: '{"name":"b"}', headers: { cookie, origin: url } })).body.secret });
      const vol = await a.createVolume({ name: 'private', sizeGb: 1 });
      const srv = await a.createServer({ name: 'private-srv', plan: 'nano', image: 'tiny', start: false });
      const mine = await b.createVolume({ name: 'mine', sizeGb: 1 });
      for (const call of [() => b.getVolume(vol.volume.id), () => b.deleteVolume(vol.volume.id), () => b.detachVolume(vol.volume.id), () => b.updateVolume(vol.volume.id, { name: 'x' })]) {
        await assert.rejects(call(), (e: ApiError) => e.status === 404 && e.code === 'VOLUME_NOT_FOUND');
      }
      await assert.rejects(b.attachVolume(mine.volume.id, { server: srv.server.id }), (e: ApiError) => e.status === 404 && e.code === 'SERVER_NOT_FOUND');
      assert.deepEqual((await b.listVolumes()).items.map((v) => v.name), ['mine']);
      for (const c of [a, b]) for (const v of (await c.listVolumes()).items) await c.waitOperation((await c.deleteVolume(v.id)).id, 60);
      await a.waitOperation((await a.deleteServer(srv.server.id)).id, 60);
    });
  },
  { volumeQuotaGb: 30 },
);
