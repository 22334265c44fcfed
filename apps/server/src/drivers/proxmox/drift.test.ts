// A guest changed in Proxmox's own GUI shows the change as drift; one deleted there reads as gone, and watch()
// tells about both without being asked.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { settle } from '../../../test/conformance/compute.ts';
import type { InstanceSpec } from '../types.ts';
import { makeProxmoxTestEngine, type ProxmoxTestEngine } from './test-harness.ts';

describe('proxmox driver: drift', () => {
  let t: ProxmoxTestEngine;
  let image = '';
  const spec = (id: string, mac: string): InstanceSpec => ({ id, kind: 'container', hostname: id.replace('_', '-'), image, vcpus: 2, memoryMb: 256, diskGb: 2, sshKeys: [], nics: [{ id: `nic_${id}`, link: 'vmbr0', mac, ipv4: '10.250.2.10/24', gateway: '10.250.2.1' }] });
  before(async () => {
    t = await makeProxmoxTestEngine({ taskMs: 5 });
    image = await t.engine.images.prepare('debian-12');
  });
  after(async () => {
    await t?.cleanup();
  });

  test('a guest as Kumulus made it has no drift; memory and the NIC changed behind our back are reported', async () => {
    const sp = spec('srv_changed', '02:00:0a:fa:02:0a');
    await settle(t.engine, await t.engine.compute.create(sp));
    assert.equal((await t.engine.compute.inspect(sp.id))?.drift, undefined, 'no drift right after create');
    const [g] = t.guestsOf(sp.id);
    g!.config.memory = '1024';
    g!.config.net0 = g!.config.net0!.replace('bridge=vmbr0', 'bridge=vmbr1');
    const drift = (await t.engine.compute.inspect(sp.id))?.drift ?? [];
    assert.ok(drift.includes('memory is 1024, Kumulus set 256'), drift.join('; '));
    assert.ok(drift.some((d) => d.startsWith('net0 is ')), drift.join('; '));
    await settle(t.engine, await t.engine.compute.destroy(sp.id));
  });

  test('a guest deleted behind our back reads as gone, and watch() names it', async () => {
    const sp = spec('srv_deleted', '02:00:0a:fa:02:0b');
    await settle(t.engine, await t.engine.compute.create(sp));
    const seen: string[] = [];
    const unwatch = t.engine.compute.watch((id) => seen.push(id));
    try {
      await sleep(300); // one look, so the watcher knows the guest
      const [g] = t.guestsOf(sp.id);
      t.emulator.state.guests.delete(g!.vmid);
      assert.equal(await t.engine.compute.inspect(sp.id), null);
      assert.ok(!(await t.engine.compute.list()).includes(sp.id));
      while (!seen.includes(sp.id)) await sleep(50);
    } finally {
      unwatch();
    }
  });

  test('a node that goes away leaves its guests out of observeAll and makes inspect fail, never read as gone', async () => {
    const sp = spec('srv_nodeaway', '02:00:0a:fa:02:0c');
    await settle(t.engine, await t.engine.compute.create(sp));
    const [g] = t.guestsOf(sp.id);
    t.emulator.nodeAway(g!.node);
    try {
      assert.ok(!(await t.engine.compute.observeAll()).has(sp.id));
      await assert.rejects(t.engine.compute.inspect(sp.id), /Connection refused/);
    } finally {
      t.emulator.nodeBack(g!.node);
    }
    await settle(t.engine, await t.engine.compute.destroy(sp.id));
  });
});
