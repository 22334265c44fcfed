// Changing a container after its create, as pve-container does it: live NIC and memory changes, pending ones,
// disk resizes, mount points, snapshots and rollbacks, each answered with PVE's own errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PveEmulator } from '../src/index.ts';
import { type Answer, call } from './client.ts';

describe('pve-emulator: changing a container', () => {
  let emu: PveEmulator;
  let base: { url: string; ca: string };
  let next = 200;
  const ct = (vmid: number, sub = '') => `/nodes/pve1/lxc/${vmid}${sub}`;
  const ok = (a: Answer) => {
    assert.equal(a.status, 200, `${a.status} ${a.reason} ${JSON.stringify(a.body)}`);
    return a.body.data;
  };
  /** Waits for a task and answers its exit status. */
  const done = async (a: Answer): Promise<string> => {
    const upid = ok(a) as string;
    for (;;) {
      const s = (await call(base, 'GET', `/nodes/pve1/tasks/${encodeURIComponent(upid)}/status`)).body.data as { status?: string; exitstatus?: string } | null;
      if (s?.status === 'stopped') return s.exitstatus ?? '';
      await sleep(5);
    }
  };
  const config = async (vmid: number) => ok(await call(base, 'GET', ct(vmid, '/config'))) as Record<string, string>;
  const make = async (running: boolean): Promise<number> => {
    const vmid = next++;
    const form = { vmid: String(vmid), ostemplate: 'local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst', hostname: `c${vmid}`, rootfs: 'local-lvm:1', net0: 'name=eth0,bridge=vmbr0,ip=10.0.0.2/24' };
    assert.equal(await done(await call(base, 'POST', '/nodes/pve1/lxc', { form })), 'OK');
    if (running) assert.equal(await done(await call(base, 'POST', ct(vmid, '/status/start'))), 'OK');
    return vmid;
  };

  before(async () => {
    emu = new PveEmulator({ nodes: 1, taskMs: 5 });
    base = await emu.listen();
    emu.state.storages.set('dirstore', { storage: 'dirstore', type: 'dir', content: ['rootdir', 'images'], total: 2 ** 40, volumes: [] });
  });
  after(async () => {
    await emu?.close();
  });

  test('a running container takes a NIC and memory at once; name servers wait for the next start', async () => {
    const vmid = await make(true);
    ok(await call(base, 'PUT', ct(vmid, '/config'), { form: { net1: 'name=eth1,bridge=vmbr0,ip=10.1.0.2/24', memory: '1024', nameserver: '10.1.0.1' } }));
    const c = await config(vmid);
    assert.equal(c.net1, 'name=eth1,bridge=vmbr0,ip=10.1.0.2/24');
    assert.equal(c.memory, '1024');
    assert.equal(c.nameserver, undefined, 'not hot-pluggable: pending');
    const pending = ok(await call(base, 'GET', ct(vmid, '/pending'))) as { key: string; pending?: string }[];
    assert.equal(pending.find((p) => p.key === 'nameserver')?.pending, '10.1.0.1');
    const bad = await call(base, 'PUT', ct(vmid, '/config'), { form: { net2: 'name=eth2,bridge=vmbr9' } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.errors?.net2 ?? '', /bridge 'vmbr9' does not exist/);
    ok(await call(base, 'PUT', ct(vmid, '/config'), { form: { delete: 'net1' } }));
    assert.equal((await config(vmid)).net1, undefined, 'pulled out live');
    assert.equal(await done(await call(base, 'POST', ct(vmid, '/status/reboot'))), 'OK');
    assert.equal((await config(vmid)).nameserver, '10.1.0.1', 'applied at the start');
  });

  test('a disk grows by a task and never shrinks', async () => {
    const vmid = await make(false);
    const shrink = await call(base, 'PUT', ct(vmid, '/resize'), { form: { disk: 'rootfs', size: '512M' } });
    assert.equal(shrink.status, 500);
    assert.match(shrink.body.message ?? '', /unable to shrink disk size/);
    assert.equal(await done(await call(base, 'PUT', ct(vmid, '/resize'), { form: { disk: 'rootfs', size: '3G' } })), 'OK');
    assert.match((await config(vmid)).rootfs ?? '', /,size=3G$/);
    assert.equal(await done(await call(base, 'PUT', ct(vmid, '/resize'), { form: { disk: 'rootfs', size: '+1G' } })), 'OK');
    assert.match((await config(vmid)).rootfs ?? '', /,size=4G$/);
    const same = await call(base, 'PUT', ct(vmid, '/resize'), { form: { disk: 'rootfs', size: '4G' } });
    assert.match(same.body.message ?? '', /already at specified size/);
    assert.equal((await call(base, 'PUT', ct(vmid, '/resize'), { form: { disk: 'rootfs', size: 'big' } })).status, 400, 'the schema refuses a size that is none');
  });

  test('a mount point is allocated from STORAGE:SIZE and kept as unused when removed', async () => {
    const vmid = await make(false);
    ok(await call(base, 'PUT', ct(vmid, '/config'), { form: { mp0: 'local-lvm:2,mp=/srv/data,backup=1' } }));
    const mp0 = (await config(vmid)).mp0 ?? '';
    assert.match(mp0, /^local-lvm:vm-\d+-disk-1,mp=\/srv\/data,backup=1,size=2G$/);
    ok(await call(base, 'PUT', ct(vmid, '/config'), { form: { delete: 'mp0' } }));
    const c = await config(vmid);
    assert.equal(c.mp0, undefined);
    assert.equal(c.unused0, mp0.split(',')[0]);
    ok(await call(base, 'PUT', ct(vmid, '/config'), { form: { delete: 'unused0' } }));
    assert.ok(!emu.state.storages.get('local-lvm')!.volumes.some((v) => v.volid === c.unused0), 'the volume is freed');
  });

  test('snapshots: taken running, names used once, rolled back with the config, removed', async () => {
    const vmid = await make(true);
    assert.equal(await done(await call(base, 'POST', ct(vmid, '/snapshot'), { form: { snapname: 'one', description: 'first' } })), 'OK');
    assert.equal(await done(await call(base, 'POST', ct(vmid, '/snapshot'), { form: { snapname: 'one' } })), "snapshot name 'one' already used");
    assert.equal((await call(base, 'POST', ct(vmid, '/snapshot'), { form: { snapname: 'current' } })).status, 500, 'a reserved name');
    ok(await call(base, 'PUT', ct(vmid, '/config'), { form: { memory: '2048', mp0: 'local-lvm:1,mp=/later' } }));
    const later = volumeId((await config(vmid)).mp0);
    const list = ok(await call(base, 'GET', ct(vmid, '/snapshot'))) as { name: string; parent?: string }[];
    assert.deepEqual(list.map((s) => s.name), ['one', 'current']);
    assert.equal(list[1]?.parent, 'one');
    assert.equal(await done(await call(base, 'POST', ct(vmid, '/snapshot/one/rollback'), { form: { start: '1' } })), 'OK');
    const c = await config(vmid);
    assert.equal(c.memory, '512', 'the config of the snapshot');
    assert.equal(c.mp0, undefined);
    assert.equal(c.unused0, later, 'a volume added since is kept as unused');
    assert.equal(emu.state.guests.get(vmid)?.status, 'running', 'started again');
    assert.equal(await done(await call(base, 'POST', ct(vmid, '/snapshot/two/rollback'))), "snapshot 'two' does not exist");
    assert.equal(await done(await call(base, 'DELETE', ct(vmid, '/snapshot/one'))), 'OK');
    assert.equal(await done(await call(base, 'DELETE', ct(vmid, '/snapshot/one'))), "snapshot 'one' does not exist");
    assert.deepEqual((ok(await call(base, 'GET', ct(vmid, '/snapshot'))) as { name: string }[]).map((s) => s.name), ['current']);
  });

  test('a snapshot fails when a volume lies on a storage without the snapshot feature, and a locked config is refused', async () => {
    const vmid = await make(true);
    ok(await call(base, 'PUT', ct(vmid, '/config'), { form: { mp0: 'dirstore:1,mp=/mnt/dir' } }));
    assert.equal(await done(await call(base, 'POST', ct(vmid, '/snapshot'), { form: { snapname: 'xx' } })), 'snapshot feature is not available');
    ok(await call(base, 'PUT', ct(vmid, '/config'), { form: { lock: 'backup' } }));
    const put = await call(base, 'PUT', ct(vmid, '/config'), { form: { memory: '256' } });
    assert.match(put.body.message ?? '', /CT is locked \(backup\)/);
    assert.equal(await done(await call(base, 'POST', ct(vmid, '/snapshot'), { form: { snapname: 'yy' } })), 'CT is locked (backup)');
  });

  test('netin and netout count the bytes since the start, per guest', async () => {
    const vmid = await make(true);
    emu.traffic(vmid, 1000, 250);
    const s = ok(await call(base, 'GET', ct(vmid, '/status/current'))) as { netin: number; netout: number };
    assert.deepEqual([s.netin, s.netout], [1000, 250]);
    assert.equal(await done(await call(base, 'POST', ct(vmid, '/status/reboot'))), 'OK');
    const r = ok(await call(base, 'GET', ct(vmid, '/status/current'))) as { netin: number };
    assert.equal(r.netin, 0, 'new veths count from zero');
  });
});

function volumeId(option: string | undefined): string {
  return (option ?? '').split(',')[0] ?? '';
}
