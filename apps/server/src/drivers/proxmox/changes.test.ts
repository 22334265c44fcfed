// A container changed after its create through the Proxmox driver, against the schema-checking emulator: NICs
// plugged in and pulled out live, CPU, memory and disk resized, a rebuild from the template, root passwords,
// and traffic counters; what Kumulus changed itself is never reported as drift.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { settle } from '../../../test/conformance/compute.ts';
import { type InstanceSpec, type NicSpec, PermanentEngineError } from '../types.ts';
import { makeProxmoxTestEngine, type ProxmoxTestEngine } from './test-harness.ts';

describe('proxmox driver: changing a server', () => {
  let t: ProxmoxTestEngine;
  let image = '';
  let seq = 0;
  const nic = (id: string, host: number, net = 250): NicSpec => ({ id: `nic_${id}${host}`, link: 'vmbr0', mac: `02:00:0a:${net.toString(16)}:00:${host.toString(16).padStart(2, '0')}`, ipv4: `10.${net}.0.${host}/24`, gateway: `10.${net}.0.1` });
  const spec = (): InstanceSpec => {
    const id = `srv_chg${seq++}`;
    return { id, kind: 'container', hostname: id.replace('_', '-'), image, vcpus: 1, memoryMb: 256, diskGb: 2, sshKeys: [], rootPasswordHash: '$6$saltsalt$abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ./abcdefghijklmnopqrstuvw', nics: [nic(id, 10 + seq)] };
  };
  const guest = (id: string) => {
    const [g, twin] = t.guestsOf(id);
    assert.ok(g && !twin, `one guest for ${id}`);
    return g;
  };
  const c = () => t.engine.compute;
  const running = async (sp: InstanceSpec) => {
    await settle(t.engine, await c().create(sp));
    await settle(t.engine, await c().start(sp.id));
  };

  before(async () => {
    t = await makeProxmoxTestEngine({ taskMs: 5 });
    image = await t.engine.images.prepare('debian-12');
  });
  after(async () => {
    await t?.cleanup();
  });

  test('a NIC is plugged into a running server and pulled out again, live and without drift', async () => {
    const sp = spec();
    await running(sp);
    const second = nic(sp.id, 20, 251);
    await settle(t.engine, await c().setNics(sp.id, [...sp.nics, second], { nameservers: ['10.251.0.1'], search: ['backend.internal'] }));
    const g = guest(sp.id);
    assert.equal(g.status, 'running', 'no restart');
    assert.match(g.config.net1 ?? '', new RegExp(`^name=eth1,bridge=vmbr0,firewall=1,hwaddr=${second.mac},ip=10.251.0.20/24`));
    assert.equal(g.pending?.nameserver, '10.251.0.1', 'name servers wait for the next start, as PVE keeps them pending');
    assert.equal((await c().inspect(sp.id))?.drift, undefined, 'our own change is no drift');
    const sent = t.engine.client.sent.count;
    await settle(t.engine, await c().setNics(sp.id, [...sp.nics, second], { nameservers: ['10.251.0.1'], search: ['backend.internal'] }));
    assert.ok(t.engine.client.sent.count - sent <= 3, 'a repeat changes nothing (it only looks)');
    await settle(t.engine, await c().setNics(sp.id, sp.nics));
    assert.equal(guest(sp.id).config.net1, undefined, 'pulled out');
    assert.equal((await c().inspect(sp.id))?.drift, undefined);
    await assert.rejects(c().setNics(sp.id, [{ ...second, link: 'vmbr7' }]), /bridge 'vmbr7' does not exist/, 'a bridge the node lacks is refused by PVE');
    await settle(t.engine, await c().destroy(sp.id));
  });

  test('a rename sets the hostname live on a running container, again after a stop; no drift, a repeat sends nothing', async () => {
    const sp = spec();
    await running(sp);
    await settle(t.engine, await c().setHostname(sp.id, 'renamed-web'));
    assert.equal(guest(sp.id).config.hostname, 'renamed-web');
    assert.equal(guest(sp.id).pending?.hostname, undefined, 'applied live, not pending');
    assert.equal(guest(sp.id).status, 'running', 'no restart');
    assert.equal((await c().inspect(sp.id))?.drift, undefined, 'our own rename is no drift');
    const sent = t.engine.client.sent.count;
    await settle(t.engine, await c().setHostname(sp.id, 'renamed-web'));
    assert.ok(t.engine.client.sent.count - sent <= 2, 'a repeat only looks');
    await settle(t.engine, await c().stop(sp.id, { force: true }));
    await settle(t.engine, await c().setHostname(sp.id, 'stopped-web'));
    await settle(t.engine, await c().start(sp.id));
    assert.equal(guest(sp.id).config.hostname, 'stopped-web');
    // Changed behind our back, a rename is drift until Kumulus sets it again.
    guest(sp.id).config.hostname = 'gui-edit';
    assert.deepEqual((await c().inspect(sp.id))?.drift, ['hostname is gui-edit, Kumulus set stopped-web']);
    await settle(t.engine, await c().destroy(sp.id));
  });

  test('CPU and memory change live, the disk grows by a task, a smaller disk is left alone; no drift', async () => {
    const sp = spec();
    await running(sp);
    await settle(t.engine, await c().resize(sp.id, { vcpus: 2, memoryMb: 1024, diskGb: 5 }));
    const g = guest(sp.id);
    assert.equal(g.config.cores, '2');
    assert.equal(g.config.memory, '1024');
    assert.match(g.config.rootfs ?? '', /,size=5G$/);
    assert.equal(g.status, 'running');
    assert.equal((await c().inspect(sp.id))?.drift, undefined);
    assert.equal(await c().resize(sp.id, { vcpus: 2, memoryMb: 1024, diskGb: 3 }), null, 'never shrinks, nothing to wait for');
    assert.match(guest(sp.id).config.rootfs ?? '', /,size=5G$/);
    await settle(t.engine, await c().destroy(sp.id));
  });

  test('a rebuild makes the guest again from the template with the same vmid and the new spec, never a twin', async () => {
    const sp = spec();
    await settle(t.engine, await c().create(sp));
    const vmid = guest(sp.id).vmid;
    guest(sp.id).config.onboot = '1'; // something a fresh guest does not have
    const next = { ...sp, hostname: 'rebuilt', diskGb: 3 };
    await settle(t.engine, await c().rebuild(next));
    const g = guest(sp.id);
    assert.equal(g.vmid, vmid, 'same vmid');
    assert.equal(g.config.hostname, 'rebuilt');
    assert.equal(g.config.onboot, undefined, 'a fresh guest');
    assert.match(g.config.rootfs ?? '', /,size=3G$/);
    assert.equal((await c().inspect(sp.id))?.state, 'stopped');
    assert.equal((await c().inspect(sp.id))?.drift, undefined);

    await settle(t.engine, await t.engine.storage.snapshot({ kind: 'server', id: sp.id }, 'snp_keep'));
    await assert.rejects(c().rebuild(next), (e: Error) => e instanceof PermanentEngineError && /has snapshots \(snp_keep\)/.test(e.message));
    await settle(t.engine, await c().destroy(sp.id));
    await settle(t.engine, await c().rebuild(next));
    assert.equal(guest(sp.id).config.hostname, 'rebuilt', 'a rebuild whose removal ran is finished by making the guest');
    await settle(t.engine, await c().destroy(sp.id));
  });

  test('the root password hash goes into the create; a later change is refused with the reason', async () => {
    const sp = spec();
    const before = t.emulator.calls.get('POST /nodes/{node}/lxc') ?? 0;
    await settle(t.engine, await c().create(sp));
    assert.equal(t.emulator.calls.get('POST /nodes/{node}/lxc'), before + 1, 'the schema took the hash as password (minLength 5, a string)');
    await assert.rejects(c().setRootPassword(sp.id, sp.rootPasswordHash!), (e: Error) => e instanceof PermanentEngineError && /only when it is made/.test(e.message));
    await settle(t.engine, await c().destroy(sp.id));
  });

  test('traffic counters of a one-NIC server are its NIC’s; a restart counts from zero; a multi-NIC server is left out', async () => {
    const a = spec();
    const b = spec();
    await running(a);
    await running(b);
    await settle(t.engine, await c().setNics(b.id, [...b.nics, nic(b.id, 30, 252)]));
    t.emulator.traffic(guest(a.id).vmid, 5000, 1200);
    t.emulator.traffic(guest(b.id).vmid, 7000, 300);
    const ids = [a.nics[0]!.id, b.nics[0]!.id];
    const seen = await t.engine.network.nicCounters(ids);
    assert.deepEqual(seen.get(a.nics[0]!.id), { link: guest(a.id).vmid, inBytes: 5000, outBytes: 1200 });
    assert.equal(seen.has(b.nics[0]!.id), false, 'no share per NIC is known for a guest with two');
    await settle(t.engine, await c().reboot(a.id));
    assert.equal((await t.engine.network.nicCounters(ids)).get(a.nics[0]!.id)?.inBytes, 0);
    await settle(t.engine, await c().stop(a.id, { force: true }));
    assert.equal((await t.engine.network.nicCounters(ids)).has(a.nics[0]!.id), false, 'a stopped server has no counters');
    for (const x of [a, b]) await settle(t.engine, await c().destroy(x.id));
  });
});
