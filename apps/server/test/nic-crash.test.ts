/**
 * NIC attach and detach survive a killed control plane: after SIGKILL half way and a restart,
 * every attach ends with the NIC plugged into its running server and every detach with the
 * host link gone and the address released; no veth is left on the vSwitch.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { KumulusClient, Operation } from '@kumulus/api';
import { createLocalEngine } from '../src/drivers/local/index.ts';
import { vethName } from '../src/drivers/local/network.ts';
import { vswitchNames } from '../src/drivers/local/vswitch.ts';
import { engineNames } from './harness.ts';
import { exited, startChild } from './child.ts';

const TOKEN = 'kmt_nic_crash_token_0123456789';

const waitAll = (client: KumulusClient, ops: Operation[]) => Promise.all(ops.map((o) => client.waitOperation(o.id, 90)));
const ports = (bridge: string) => execFileSync('ip', ['-o', 'link', 'show', 'master', bridge], { encoding: 'utf8' }).match(/^\d+:\s+([^:@\s]+)/gm)?.map((l) => l.replace(/^\d+:\s+/, '')) ?? [];

describe('NIC hot-plug across a killed control plane', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kumulus-nic-crash-'));
  const names = engineNames();
  const engine = createLocalEngine({ lxcPath: join(dataDir, 'lxc'), bridge: names.bridge, nftTable: names.nftTable });
  let child: ChildProcess | undefined;

  after(async () => {
    child?.kill('SIGKILL');
    if (child) await exited(child);
    for (const id of await engine.compute.list()) await engine.compute.destroy(id);
    for (const id of await engine.network.listNetworks()) await engine.network.removeNetwork(id);
    await engine.network.removeDefault();
    await engine.firewall?.remove();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('SIGKILL during attaches and during detaches: both converge, nothing is left', async () => {
    const opts = { dataDir, listen: '127.0.0.1:0', bridge: names.bridge, nftTable: names.nftTable, network: names.network, bootstrapToken: TOKEN, prepareImages: ['tiny'], sweepMs: 2000 };
    let run = await startChild(opts);
    child = run.child;
    const net = await run.client.createNetwork({ name: 'crashnet', ipv4Cidr: '10.83.0.0/24' });
    const made = await Promise.all([0, 1, 2].map((i) => run.client.createServer({ name: `nc${i}`, plan: 'nano', image: 'tiny' })));
    await waitAll(run.client, [net.operation, ...made.map((m) => m.operation)]);
    const attached = await Promise.all(made.map((m) => run.client.attachNic(m.server.id, { network: 'crashnet' })));
    await new Promise((r) => setTimeout(r, 150)); // some are being plugged in now
    child.kill('SIGKILL');
    await exited(child);

    run = await startChild(opts);
    child = run.child;
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
    child.kill('SIGKILL');
    await exited(child);

    run = await startChild(opts);
    child = run.child;
    const dels = await waitAll(run.client, detached);
    assert.ok(dels.every((o) => o.state === 'succeeded'), JSON.stringify(dels.map((o) => o.error)));
    assert.deepEqual(ports(bridge), [service], 'no NIC link is left on the vSwitch');
    assert.deepEqual((await run.client.listNetworkAllocations('crashnet')).items.map((a) => a.kind), ['service'], 'every address is released');
    await waitAll(run.client, await Promise.all(made.map((m) => run.client.deleteServer(m.server.id))));
    await run.client.waitOperation((await run.client.deleteNetwork('crashnet')).id, 60);
  });
});
