// Anti-spoofing on Proxmox VE: every NIC of ours has its firewall on and every container ipfilter and macfilter
// (with ACCEPT policies), set again at a start when changed behind our back; a datacenter firewall that is off
// is reported by the preflight, never switched on.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { settle } from '../../../test/conformance/compute.ts';
import type { InstanceSpec } from '../types.ts';
import { ANTI_SPOOFING } from './firewall.ts';
import { makeProxmoxTestEngine, type ProxmoxTestEngine } from './test-harness.ts';

describe('proxmox driver: anti-spoofing', () => {
  let t: ProxmoxTestEngine;
  let image = '';
  before(async () => {
    t = await makeProxmoxTestEngine({ taskMs: 5 });
    image = await t.engine.images.prepare('debian-12');
  });
  after(async () => {
    await t?.cleanup();
  });

  test('a started server has its NIC firewall and ipfilter on; a change behind our back is undone at the next start', async () => {
    const sp: InstanceSpec = { id: 'srv_spoof', kind: 'container', hostname: 'spoof', image, vcpus: 1, memoryMb: 256, diskGb: 2, sshKeys: [], nics: [{ id: 'nic_spoof', link: 'vmbr0', mac: '02:00:0a:fa:07:0a', ipv4: '10.250.7.10/24', gateway: '10.250.7.1' }] };
    await settle(t.engine, await t.engine.compute.create(sp));
    await settle(t.engine, await t.engine.compute.start(sp.id));
    const [g] = t.guestsOf(sp.id);
    assert.match(g!.config.net0 ?? '', /(^|,)firewall=1(,|$)/);
    for (const [k, v] of Object.entries(ANTI_SPOOFING)) assert.equal(String(g!.firewall?.[k]), String(v), k);
    g!.firewall!.ipfilter = 0;
    await settle(t.engine, await t.engine.compute.stop(sp.id, { force: true }));
    await settle(t.engine, await t.engine.compute.start(sp.id));
    assert.equal(g!.firewall?.ipfilter, 1, 'set again');
    assert.equal((await t.engine.compute.inspect(sp.id))?.drift, undefined);
    await settle(t.engine, await t.engine.compute.destroy(sp.id));
  });

  test('the preflight reports a datacenter firewall that is off and blocks no image; on, nothing is reported', async () => {
    const off = await t.engine.host.preflight();
    assert.deepEqual(off.map((p) => [p.check, p.images]), [['proxmox-firewall', []]]);
    assert.equal(t.emulator.state.firewall.enable, 0, 'Kumulus did not switch it on');
    t.emulator.state.firewall.enable = 1;
    assert.deepEqual(await t.engine.host.preflight(), []);
  });
});
