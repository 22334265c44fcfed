// Virtual machines through the Proxmox driver against the schema-checking emulator: a full clone of the node's
// cloud-init template with user, password hash, SSH keys, an ipconfig per NIC and the disk grown; power, resize
// (pending until the next start), rename, NICs, delete with purge; and under 20 % injected faults every
// operation ends done or failed with a reason, and no server ever has two VMs (a clone is found by its name
// before it carries our tags).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FAULT_KINDS } from '@kumulus/pve-emulator';
import { settle } from '../../../test/conformance/compute.ts';
import type { InstanceSpec, NicSpec, TaskRef } from '../types.ts';
import { ownerOf } from './guests.ts';
import { makeProxmoxTestEngine, type ProxmoxTestEngine } from './test-harness.ts';
import { cloneName } from './vms.ts';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKumulusTestKey test@kumulus';
const HASH = '$6$saltsalt$abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ./abcdefghijklmnopqrstuvw';

describe('proxmox driver: virtual machines', () => {
  let t: ProxmoxTestEngine;
  let image = '';
  let seq = 0;
  const nic = (host: number, net = 240): NicSpec => ({ id: `nic_vm${net}x${host}`, link: 'vmbr0', mac: `02:00:0a:${net.toString(16)}:00:${host.toString(16).padStart(2, '0')}`, ipv4: `10.${net}.0.${host}/24`, gateway: `10.${net}.0.1` });
  const spec = (): InstanceSpec => {
    const n = seq++;
    return { id: `srv_vm${n}`, kind: 'vm', hostname: `vm-${n}`, image, vcpus: 1, memoryMb: 512, diskGb: 8, sshKeys: [KEY], rootPasswordHash: HASH, nics: [nic(10 + n)], dns: { nameservers: ['10.240.0.1'], search: ['vms.internal'] } };
  };
  /** Every VM that is the server's, by its tags or (before its config is set) by its clone name. */
  const vmsOf = (id: string) => [...t.emulator.state.guests.values()].filter((g) => g.type === 'qemu' && (ownerOf(g.config.tags) === id || g.config.name === cloneName(id)));
  const vm = (id: string) => {
    const [g, twin] = vmsOf(id);
    assert.ok(g && !twin, `one VM for ${id}`);
    return g;
  };
  const c = () => t.engine.compute;

  before(async () => {
    t = await makeProxmoxTestEngine({ taskMs: 5 });
    image = await t.engine.images.prepare('debian-12-vm');
  });
  after(async () => {
    await t?.cleanup();
  });

  test('a VM is cloned from the template with cloud-init, runs, is resized, renamed, given a NIC and purged', async () => {
    assert.equal(image, 'qemu-template:debian-12-vm');
    assert.ok(c().capabilities.virtualMachines);
    const sp = spec();
    await settle(t.engine, await c().create(sp));
    const g = vm(sp.id);
    assert.notEqual(g.vmid, 9001, 'a clone, not the template');
    assert.equal(t.emulator.state.guests.get(9000 + Number(g.node.slice(3)))?.config.template, '1', 'cloned from the template on its own node');
    assert.equal(g.config.name, sp.hostname);
    assert.equal(g.config.ciuser, 'root');
    assert.equal(g.config.cipassword, HASH, 'the hash, never a plain password');
    assert.equal(decodeURIComponent(g.config.sshkeys ?? ''), KEY);
    assert.equal(g.config.ipconfig0, 'ip=10.240.0.10/24,gw=10.240.0.1');
    assert.equal(g.config.net0, `virtio=${sp.nics[0]!.mac.toUpperCase()},bridge=vmbr0,firewall=1`, "as qemu-server prints it");
    assert.equal(g.config.nameserver, '10.240.0.1');
    assert.match(g.config.scsi0 ?? '', new RegExp(`^local-lvm:vm-${g.vmid}-disk-0,size=8G$`), 'a full clone, grown to the plan');
    assert.match(g.config.ide2 ?? '', new RegExp(`vm-${g.vmid}-cloudinit`));
    assert.equal((await c().inspect(sp.id))?.state, 'stopped');

    await settle(t.engine, await c().start(sp.id));
    assert.equal(vm(sp.id).status, 'running');
    assert.equal(vm(sp.id).firewall?.ipfilter, 1, 'anti-spoofing before the start');
    assert.equal((await c().inspect(sp.id))?.drift, undefined);

    await settle(t.engine, await c().resize(sp.id, { vcpus: 2, memoryMb: 1024, diskGb: 10 }));
    assert.equal(vm(sp.id).pending?.memory, '1024', 'memory waits for the next start, as qemu-server keeps it');
    assert.match(vm(sp.id).config.scsi0 ?? '', /size=10G$/, 'the disk grew live');
    assert.equal((await c().inspect(sp.id))?.drift, undefined, 'what is pending is ours: no drift');

    await settle(t.engine, await c().setHostname(sp.id, 'renamed-vm'));
    assert.equal(vm(sp.id).config.name, 'renamed-vm');
    await settle(t.engine, await c().setNics(sp.id, [...sp.nics, nic(20, 241)]));
    assert.match(vm(sp.id).config.net1 ?? '', /^virtio=02:00:0A:F1:00:14,bridge=vmbr0,firewall=1$/, 'hot-plugged');
    assert.equal(vm(sp.id).pending?.ipconfig1, 'ip=10.241.0.20/24,gw=10.241.0.1', 'its address for cloud-init at the next start');
    assert.equal((await c().inspect(sp.id))?.drift, undefined);

    await settle(t.engine, await c().reboot(sp.id));
    assert.equal(vm(sp.id).config.memory, '1024', 'applied at the restart');
    vm(sp.id).config.cores = '7';
    assert.deepEqual((await c().inspect(sp.id))?.drift, ['cores is 7, Kumulus set 2'], 'a change behind our back is drift');
    await assert.rejects(c().rebuild(sp), /not built yet/);

    const vmid = vm(sp.id).vmid;
    await settle(t.engine, await c().stop(sp.id, { force: true }));
    await settle(t.engine, await c().destroy(sp.id));
    assert.equal(vmsOf(sp.id).length, 0);
    assert.equal([...t.emulator.state.storages.get('local-lvm')!.volumes].filter((v) => v.volid.includes(`vm-${vmid}-`)).length, 0, 'purged with its disks');
    assert.equal(t.emulator.state.guests.get(9001)?.config.template, '1', 'the template stays');
  });

  test('a node marked for storage gets no VM; without a template on a compute node the reason is given', async () => {
    const roles = (t.engine as unknown as { cluster: { roles: Record<string, string> } }).cluster.roles;
    roles.pve1 = 'storage';
    const sp = spec();
    await settle(t.engine, await c().create(sp));
    assert.equal(vm(sp.id).node, 'pve2');
    roles.pve2 = 'edge';
    await assert.rejects(c().create(spec()), /no online compute node with the template/);
    delete roles.pve1;
    delete roles.pve2;
    await settle(t.engine, await c().destroy(sp.id));
  });

  test('under 20 % injected faults 8 VMs are made, started, stopped and purged, done or failed with a reason; no twins', async (tc) => {
    t.emulator.faults.set({ rate: 0.2, kinds: [...FAULT_KINDS], seed: 20261202, hangMs: 2000, nodeDownMs: 150 });
    let most = 0;
    type Outcome = { status: 'done' } | { status: 'failed'; reason: string };
    const converge = async (id: string, want: 'stopped' | 'running' | 'absent', step: () => Promise<TaskRef | null>): Promise<Outcome> => {
      let task: TaskRef | null = null;
      let last = '';
      for (let attempt = 0; attempt < 60; attempt++) {
        most = Math.max(most, vmsOf(id).length);
        try {
          if (task) {
            const s = await c().task(task);
            if (!s.done) {
              await sleep(10);
              continue;
            }
            task = null;
            if (s.error) throw new Error(`task failed: ${s.error}`);
          }
          const seen = await c().inspect(id);
          if ((seen?.state ?? 'absent') === want && !seen?.detail) return { status: 'done' };
          task = await step();
        } catch (err) {
          last = (err as Error).message;
          await sleep(Math.min(200, 5 * 2 ** Math.min(attempt, 5)));
        }
      }
      return { status: 'failed', reason: last || 'did not converge' };
    };
    const specs = Array.from({ length: 8 }, spec);
    const outcomes: Outcome[] = [];
    await Promise.all(
      specs.map(async (sp) => {
        outcomes.push(await converge(sp.id, 'stopped', () => c().create(sp)));
        outcomes.push(await converge(sp.id, 'running', () => c().start(sp.id)));
        outcomes.push(await converge(sp.id, 'stopped', () => c().stop(sp.id, { force: false })));
        outcomes.push(await converge(sp.id, 'absent', () => c().destroy(sp.id)));
      }),
    );
    t.emulator.faults.set({ rate: 0, kinds: [] });
    for (const n of t.emulator.state.nodes.values()) n.online = true;
    tc.diagnostic(`faults injected: ${JSON.stringify(t.emulator.faults.injected)}; failed: ${JSON.stringify(outcomes.filter((o) => o.status === 'failed'))}`);
    for (const o of outcomes) if (o.status === 'failed') assert.ok(o.reason.length > 0, 'a failure says why');
    assert.ok(outcomes.filter((o) => o.status === 'done').length >= 26, JSON.stringify(outcomes));
    assert.equal(most, 1, 'no server ever had two VMs');
    for (const sp of specs) assert.deepEqual(await converge(sp.id, 'absent', () => c().destroy(sp.id)), { status: 'done' });
    for (const sp of specs) assert.equal(vmsOf(sp.id).length, 0);
  });
});
