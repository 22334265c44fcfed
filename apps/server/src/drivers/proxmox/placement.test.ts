// Placement: with two nodes, one marked for storage only, every instance lands on the compute node; a node that
// is gone gets none either, and with no compute node left the create says why.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { settle } from '../../../test/conformance/compute.ts';
import type { InstanceSpec } from '../types.ts';
import { makeProxmoxTestEngine, type ProxmoxTestEngine } from './test-harness.ts';

describe('proxmox placement', () => {
  let t: ProxmoxTestEngine;
  let image = '';
  const spec = (i: number): InstanceSpec => ({ id: `srv_place${i}`, kind: 'container', hostname: `place-${i}`, image, vcpus: 1, memoryMb: 512, diskGb: 1, sshKeys: [], nics: [] });
  before(async () => {
    t = await makeProxmoxTestEngine({ nodes: 2 }, { roles: { pve2: 'storage' } });
    image = await t.engine.images.prepare('debian-12');
  });
  after(async () => {
    await t?.cleanup();
  });

  test('a node marked for storage only gets no compute placements', async () => {
    for (let i = 0; i < 6; i++) {
      const sp = spec(i);
      await settle(t.engine, await t.engine.compute.create(sp));
      await settle(t.engine, await t.engine.compute.start(sp.id));
    }
    const nodes = [...t.emulator.state.guests.values()].filter((g) => g.config.template !== '1').map((g) => g.node);
    assert.equal(nodes.length, 6);
    assert.deepEqual([...new Set(nodes)], ['pve1']);
  });

  test('with the compute node gone, a create fails saying which nodes are left', async () => {
    t.emulator.nodeAway('pve1');
    try {
      await assert.rejects(t.engine.compute.create(spec(99)), /no online compute node .* pve2 \(storage\)/);
    } finally {
      t.emulator.nodeBack('pve1');
    }
  });
});
