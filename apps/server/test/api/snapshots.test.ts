import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiError } from '@kumulus/api';
import { lxcAttach } from '../../src/drivers/local/lxc.ts';
import { describeEachStore, raw } from '../stores.ts';

describeEachStore(
  'snapshots API',
  (get) => {
    const sh = async (server: string, script: string) => {
      const r = await lxcAttach(join(get().dataDir, 'lxc'), server, ['sh', '-c', script]);
      assert.equal(r.code, 0, `${script}: ${r.stderr}`);
      return r.stdout.trim();
    };
    const fill = (path: string) => `head -c 2097152 /dev/urandom > ${path} && sync && sha256sum ${path} | cut -d' ' -f1`;

    test('a server is snapshotted while it runs, rolled back behind a typed confirmation to the exact bytes, limited by its plan, cloned into a volume', async () => {
      const { client, url, operatorToken: token, running } = get();
      const srv = await client.createServer({ name: 'snap-srv', plan: 'nano', image: 'tiny' });
      assert.equal((await client.waitOperation(srv.operation.id, 90)).state, 'succeeded');
      const id = srv.server.id;
      const before = await sh(id, fill('/root/data'));

      const made = await client.createSnapshot('servers', 'snap-srv', { name: 'before', description: 'before the upgrade' });
      assert.equal(made.operation.kind, 'snapshot.create');
      assert.equal((await client.waitOperation(made.operation.id, 60)).state, 'succeeded');
      const snap = await client.getSnapshot('servers', id, 'before');
      assert.equal(snap.status.phase, 'Ready');
      assert.equal(snap.description, 'before the upgrade');
      assert.deepEqual(snap.target, { type: 'server', id });
      assert.equal(snap.status.sizeBytes, 2 * 1024 ** 3, 'the nano plan’s 2 GB disk');
      assert.ok(snap.status.usedBytes! > 2 * 1024 * 1024 && snap.status.usedBytes! < snap.status.sizeBytes!, `used ${snap.status.usedBytes}`);
      assert.ok(snap.status.takenAt);
      assert.equal(await sh(id, 'echo alive'), 'alive', 'thawed after the snapshot');
      await assert.rejects(client.createSnapshot('servers', id, { name: 'before' }), (e: ApiError) => e.status === 409 && e.code === 'NAME_TAKEN');

      await sh(id, 'echo changed > /root/data && sync');
      const wrong = await raw(url, 'POST', `/servers/${id}/snapshots/before/actions/rollback`, { token, body: '{"confirm":"befor"}', headers: { 'accept-language': 'de' } });
      assert.equal(wrong.status, 422);
      assert.equal(wrong.body.error.code, 'SNAPSHOT_CONFIRMATION');
      assert.match(wrong.body.error.message, /Bestätigung/);
      assert.equal(await sh(id, 'cat /root/data'), 'changed', 'a refused rollback changes nothing');
      const op = await client.waitOperation((await client.rollbackSnapshot('servers', id, 'before', { confirm: 'before' })).id, 120);
      assert.equal(op.state, 'succeeded', JSON.stringify(op.error));
      assert.equal(op.kind, 'snapshot.rollback');
      for (let i = 0; i < 120 && (await client.getServer(id)).status.phase !== 'Running'; i++) await sleep(250);
      assert.equal((await client.getServer(id)).status.phase, 'Running', 'started again after the rollback');
      assert.equal(await sh(id, "sha256sum /root/data | cut -d' ' -f1"), before, 'the exact bytes of the snapshot');

      // The nano plan keeps 3 snapshots.
      for (const name of ['two', 'three']) assert.equal((await client.waitOperation((await client.createSnapshot('servers', id, { name })).operation.id, 60)).state, 'succeeded');
      const full = await raw(url, 'POST', `/servers/${id}/snapshots`, { token, body: '{"name":"four"}' });
      assert.equal(full.status, 422);
      assert.equal(full.body.error.code, 'SNAPSHOT_LIMIT');
      assert.deepEqual((await client.listSnapshots('servers', id)).items.map((s) => s.name).sort(), ['before', 'three', 'two']);

      // A clone of the root disk is a volume holding the disk's filesystem (the guest's changes under delta/).
      const clone = await client.cloneSnapshot('servers', id, 'before', { name: 'root-copy' });
      assert.equal((await client.waitOperation(clone.operation.id, 60)).state, 'succeeded');
      assert.equal((await client.getVolume('root-copy')).spec.sizeGb, 2);
      assert.equal((await client.waitOperation((await client.attachVolume('root-copy', { server: id })).id, 60)).state, 'succeeded');
      assert.equal(await sh(id, "sha256sum /mnt/root-copy/delta/root/data | cut -d' ' -f1"), before);
      await client.waitOperation((await client.detachVolume('root-copy')).id, 60);
      await client.waitOperation((await client.deleteVolume('root-copy')).id, 60);

      assert.equal((await client.waitOperation((await client.deleteSnapshot('servers', id, 'two')).id, 60)).state, 'succeeded');
      await assert.rejects(client.getSnapshot('servers', id, 'two'), (e: ApiError) => e.status === 404 && e.code === 'SNAPSHOT_NOT_FOUND');
      assert.equal((await running.engine.storage.listSnapshots({ kind: 'server', id })).length, 2);

      // A deleted server takes its snapshots with it.
      assert.equal((await client.waitOperation((await client.deleteServer(id)).id, 90)).state, 'succeeded');
      for (let i = 0; i < 120 && (await running.engine.storage.listSnapshots({ kind: 'server', id })).length > 0; i++) await sleep(250);
      assert.deepEqual(await running.engine.storage.listSnapshots({ kind: 'server', id }), []);
    });

    test('a server snapshot becomes a new server: its files, with its own name, address and machine identity', async () => {
      const { client, url, operatorToken: token } = get();
      const srv = await client.createServer({ name: 'orig', plan: 'nano', image: 'tiny' });
      assert.equal((await client.waitOperation(srv.operation.id, 90)).state, 'succeeded');
      const id = srv.server.id;
      const sum = await sh(id, fill('/root/data'));
      // What a first boot makes a machine's own, as a systemd guest would have it.
      await sh(id, 'echo 0123456789abcdef0123456789abcdef > /etc/machine-id && mkdir -p /etc/ssh && echo secret > /etc/ssh/ssh_host_ed25519_key && sync');
      assert.equal((await client.waitOperation((await client.createSnapshot('servers', id, { name: 'golden' })).operation.id, 60)).state, 'succeeded');

      const taken = await raw(url, 'POST', `/servers/${id}/snapshots/golden/actions/clone-server`, { token, body: '{"name":"orig"}' });
      assert.equal(taken.status, 409);
      assert.equal(taken.body.error.code, 'NAME_TAKEN');
      const made = await client.cloneSnapshotToServer(id, 'golden', { name: 'copy' });
      assert.equal((await client.waitOperation(made.operation.id, 120)).state, 'succeeded');
      const copy = await client.getServer('copy');
      assert.equal(copy.status.phase, 'Running');
      assert.deepEqual(copy.spec.source, { server: id, snapshot: (await client.getSnapshot('servers', id, 'golden')).id });
      assert.equal(copy.spec.image, 'tiny');
      assert.equal(copy.spec.plan, 'nano');
      assert.notEqual(copy.spec.nics[0]!.ipv4, srv.server.spec.nics[0]!.ipv4, 'an address of its own');
      assert.equal(await sh(copy.id, "sha256sum /root/data | cut -d' ' -f1"), sum, 'the snapshot’s files');
      assert.equal(await sh(copy.id, 'hostname && cat /etc/hostname'), 'copy\ncopy');
      assert.equal(await sh(copy.id, 'cat /etc/machine-id 2>/dev/null; ls /etc/ssh 2>/dev/null | grep -c ssh_host_ || true'), '0', 'no machine id or host key of the original');
      await sh(copy.id, 'echo mine > /root/data && sync');
      assert.equal(await sh(id, "sha256sum /root/data | cut -d' ' -f1"), sum, 'the original is not touched by the copy');

      // The copy outlives the original and its snapshots.
      assert.equal((await client.waitOperation((await client.deleteServer(id)).id, 90)).state, 'succeeded');
      assert.equal(await sh(copy.id, 'cat /root/data'), 'mine');
      assert.equal((await client.waitOperation((await client.deleteServer(copy.id)).id, 90)).state, 'succeeded');
    });

    test('a volume attached to a running server is rolled back under it; unknown snapshots and volumes answer 404', async () => {
      const { client } = get();
      const srv = await client.createServer({ name: 'vsnap-srv', plan: 'nano', image: 'tiny' });
      const vol = await client.createVolume({ name: 'vsnap', sizeGb: 1 });
      await client.waitOperation(srv.operation.id, 90);
      assert.equal((await client.waitOperation((await client.attachVolume('vsnap', { server: 'vsnap-srv' })).id, 90)).state, 'succeeded');
      const sum = await sh(srv.server.id, fill('/mnt/vsnap/blob'));
      const made = await client.createSnapshot('volumes', 'vsnap', { name: 'good' });
      assert.equal((await client.waitOperation(made.operation.id, 60)).state, 'succeeded');
      await sh(srv.server.id, 'rm /mnt/vsnap/blob && sync');
      const op = await client.waitOperation((await client.rollbackSnapshot('volumes', vol.volume.id, made.snapshot.id, { confirm: 'good' })).id, 120);
      assert.equal(op.state, 'succeeded', JSON.stringify(op.error));
      for (let i = 0; i < 120 && (await client.getServer(srv.server.id)).status.phase !== 'Running'; i++) await sleep(250);
      assert.equal(await sh(srv.server.id, "sha256sum /mnt/vsnap/blob | cut -d' ' -f1"), sum);
      await assert.rejects(client.getSnapshot('volumes', 'vsnap', 'nope'), (e: ApiError) => e.status === 404 && e.code === 'SNAPSHOT_NOT_FOUND');
      await assert.rejects(client.listSnapshots('volumes', 'vol_doesnotexist00000000'), (e: ApiError) => e.status === 404 && e.code === 'VOLUME_NOT_FOUND');

      await client.waitOperation((await client.detachVolume('vsnap')).id, 60);
      await client.waitOperation((await client.deleteVolume('vsnap')).id, 60);
      for (let i = 0; i < 120 && (await get().running.store.db.selectFrom('snapshots').select('id').where('target_id', '=', vol.volume.id).execute()).length > 0; i++) await sleep(250);
      assert.deepEqual(await get().running.store.db.selectFrom('snapshots').select('id').where('target_id', '=', vol.volume.id).execute(), [], 'the volume took its snapshots');
      await client.waitOperation((await client.deleteServer(srv.server.id)).id, 90);
    });
  },
  { volumeQuotaGb: 30 },
);
