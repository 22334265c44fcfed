/**
 * NIC attach and detach survive a killed control plane: after SIGKILL half way and a restart,
 * every attach ends with the NIC plugged into its running server and every detach with the
 * host link gone and the address released; no veth is left on the vSwitch.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, describe, test } from 'node:test';
import type { KumulusClient, Operation } from '@kumulus/api';
import { vethName } from '../src/drivers/local/network.ts';
import { vswitchNames } from '../src/drivers/local/vswitch.ts';
import { crashSandbox } from './child.ts';

const waitAll = (client: KumulusClient, ops: Operation[]) => Promise.all(ops.map((o) => client.waitOperation(o.id, 90)));
const ports = (bridge: string) => execFileSync('ip', ['-o', 'link', 'show', 'master', bridge], { encoding: 'utf8' }).match(/^\d+:\s+([^:@\s]+)/gm)?.map((l) => l.replace(/^\d+:\s+/, '')) ?? [];

describe('NIC hot-plug across a killed control plane', () => {
  const box = crashSandbox('nic-crash', 'kmt_nic_crash_token_0123456789');
  after(() => box.cleanup());

  test('SIGKILL during attaches and during detaches: both converge, nothing is left', async () => {
    let run = await box.start();
    const net = await run.client.createNetwork({ name: 'crashnet', ipv4Cidr: '10.83.0.0/24' });
    const made = await Promise.all([0, 1, 2].map((i) => run.client.createServer({ name: `nc${i}`, plan: 'nano', image: 'tiny' })));
    await waitAll(run.client, [net.operation, ...made.map((m) => m.operation)]);
    const attached = await Promise.all(made.map((m) => run.client.attachNic(m.server.id, { network: 'crashnet' })));
    await new Promise((r) => setTimeout(r, 150)); // some are being plugged in now
    await box.kill();

    run = await box.start();
    const ops = await waitAll(run.client, attached.map((a) => a.operation));
    assert.deepEqual(ops.map((o) => o.state), ['succeeded', 'succeeded', 'succeeded'], JSON.stringify(ops.map((o) => o.error)));
    const bridge = vswitchNames(net.network.id).bridge;
    const service = vswitchNames(net.network.id).hostVeth;
    assert.deepEqual(ports(bridge).sort(), [service, ...attached.map((a) => vethName(a.nic.id))].sort(), 'each NIC plugged in once');
    for (const a of attached) {
      const nics = (await run.client.listServerNics(a.operation.target.id)).items;
      assert.deepEqual(nics.map((n) => n.state), ['attached', 'attached']);
    }

    const detached = await Promise.all(attached.map((a) => run.client.detachNic(a.operation.target.id, a.nic.id)));
    await new Promise((r) => setTimeout(r, 100));
    await box.kill();

    run = await box.start();
    const dels = await waitAll(run.client, detached);
    assert.ok(dels.every((o) => o.state === 'succeeded'), JSON.stringify(dels.map((o) => o.error)));
    assert.deepEqual(ports(bridge), [service], 'no NIC link is left on the vSwitch');
    assert.deepEqual((await run.client.listNetworkAllocations('crashnet')).items.map((a) => a.kind), ['service'], 'every address is released');
    await waitAll(run.client, await Promise.all(made.map((m) => run.client.deleteServer(m.server.id))));
    await run.client.waitOperation((await run.client.deleteNetwork('crashnet')).id, 60);
  });
});
