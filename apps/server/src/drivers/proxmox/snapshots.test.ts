// Snapshots of a server's container through the Proxmox driver, against the schema-checking emulator: taken
// running and idempotent, rolled back with the server running again and its Kumulus options kept, removed, and
// PVE's refusals (no snapshot feature on a storage, a locked guest) passed on with their reasons.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { settle } from '../../../test/conformance/compute.ts';
import { type InstanceSpec, PermanentEngineError } from '../types.ts';
import { makeProxmoxTestEngine, type ProxmoxTestEngine } from './test-harness.ts';

describe('proxmox driver: snapshots', () => {
  let t: ProxmoxTestEngine;
  let image = '';
  let seq = 0;
  const spec = (): InstanceSpec => {
    const id = `srv_snap${seq++}`;
    return { id, kind: 'container', hostname: id.replace('_', '-'), image, vcpus: 1, memoryMb: 256, diskGb: 2, sshKeys: [], nics: [{ id: `nic_snap${seq}`, link: 'vmbr0', mac: `02:00:0a:fa:05:${(seq + 16).toString(16)}`, ipv4: `10.250.5.${seq + 10}/24`, gateway: '10.250.5.1' }] };
  };
  const guest = (id: string) => t.guestsOf(id)[0]!;
  const st = () => t.engine.storage;
  const running = async () => {
    const sp = spec();
    await settle(t.engine, await t.engine.compute.create(sp));
    await settle(t.engine, await t.engine.compute.start(sp.id));
    return sp;
  };

  before(async () => {
    t = await makeProxmoxTestEngine({ taskMs: 5 });
    image = await t.engine.images.prepare('debian-12');
    t.emulator.state.storages.set('dirstore', { storage: 'dirstore', type: 'dir', content: ['rootdir', 'images'], total: 2 ** 40, volumes: [] });
  });
  after(async () => {
    await t?.cleanup();
  });

  test('a running server is snapshotted, resized, rolled back: it runs again, and keeps what Kumulus set since', async () => {
    assert.equal(st().capabilities.snapshots, true);
    const sp = await running();
    const target = { kind: 'server' as const, id: sp.id };
    await settle(t.engine, await st().snapshot(target, 'snp_one'));
    assert.equal(await st().snapshot(target, 'snp_one'), null, 'taking one that exists changes nothing');
    await settle(t.engine, await st().snapshot(target, 'snp_two'));
    assert.deepEqual((await st().listSnapshots(target)).sort(), ['snp_one', 'snp_two']);
    const seen = await st().inspectSnapshot(target, 'snp_one');
    assert.equal(seen?.sizeBytes, 2 * 1024 ** 3);
    assert.ok(seen && Math.abs(seen.takenAt - Date.now()) < 120_000, JSON.stringify(seen));
    assert.equal(await st().inspectSnapshot(target, 'snp_none'), null);

    await settle(t.engine, await t.engine.compute.resize(sp.id, { vcpus: 2, memoryMb: 512, diskGb: 2 }));
    await settle(t.engine, await st().rollback(target, 'snp_one'));
    const g = guest(sp.id);
    assert.equal(g.status, 'running', 'started again after the rollback');
    assert.equal(g.config.parent, 'snp_one', 'PVE rolled the guest back');
    assert.equal(g.config.cores, '2', 'the size Kumulus set after the snapshot stays');
    assert.equal(g.config.memory, '512');
    assert.equal((await t.engine.compute.inspect(sp.id))?.drift, undefined, 'no drift');

    for (const id of ['snp_one', 'snp_two']) {
      await settle(t.engine, await st().removeSnapshot(target, id));
      assert.equal(await st().removeSnapshot(target, id), null, 'absent is success');
    }
    assert.deepEqual(await st().listSnapshots(target), []);
    await settle(t.engine, await t.engine.compute.destroy(sp.id));
    assert.deepEqual(await st().listSnapshots(target), [], 'a server that is gone has none');
  });

  test('a stopped server is rolled back and stays stopped', async () => {
    const sp = spec();
    await settle(t.engine, await t.engine.compute.create(sp));
    const target = { kind: 'server' as const, id: sp.id };
    await settle(t.engine, await st().snapshot(target, 'snp_cold'));
    await settle(t.engine, await st().rollback(target, 'snp_cold'));
    assert.equal(guest(sp.id).status, 'stopped');
    await assert.rejects(st().rollback(target, 'snp_gone'), (e: Error) => e instanceof PermanentEngineError && /no snapshot snp_gone/.test(e.message));
    await settle(t.engine, await t.engine.compute.destroy(sp.id));
  });

  test('PVE’s refusals come through with their reasons: a storage without snapshots, a locked guest, volumes', async () => {
    const sp = await running();
    const target = { kind: 'server' as const, id: sp.id };
    // An operator added a mount point on a directory storage in Proxmox's GUI.
    guest(sp.id).config.mp0 = `dirstore:vm-${guest(sp.id).vmid}-disk-1,mp=/srv/dir,size=1G`;
    await assert.rejects(async () => settle(t.engine, await st().snapshot(target, 'snp_dir')), /snapshot feature is not available/);
    delete guest(sp.id).config.mp0;
    guest(sp.id).config.lock = 'backup';
    await assert.rejects(st().snapshot(target, 'snp_locked'), /is locked \(backup\)/);
    delete guest(sp.id).config.lock;
    await assert.rejects(st().snapshot({ kind: 'volume', id: 'vol_x' }, 'snp_v'), PermanentEngineError);
    await assert.rejects(st().limitRootDisk(sp.id, { writeBytesPerSec: 1 << 20 }), /no I\/O limits/);
    assert.equal(await st().limitRootDisk(sp.id, {}), null, 'no limits is what a guest has');
    await settle(t.engine, await t.engine.compute.destroy(sp.id));
  });
});
