/**
 * A NIC's host link removed behind our back is put back without waiting for a resync: the
 * kernel's link event wakes the server at once (the engine sweep, here an hour away, would
 * too), its NIC is plugged in again with its address, the guest keeps running (same init), and
 * the server says what happened (Drift, NicReplugged). The sweep also finds such a server.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { run } from '../../src/drivers/local/exec.ts';
import { lxcAttach } from '../../src/drivers/local/lxc.ts';
import { linkExists, vethName } from '../../src/drivers/local/network.ts';
import { startTestServer, type TestServer } from '../harness.ts';

describe('NIC link drift', () => {
  let s: TestServer;
  before(async () => {
    // No periodic resync and a sweep an hour away: only the link event can wake the server in time.
    s = await startTestServer({ resyncMs: null, sweepMs: 3_600_000 });
  });
  after(async () => {
    await s?.stop();
  });
  const sh = async (id: string, script: string) => {
    const r = await lxcAttach(join(s.dataDir, 'lxc'), id, ['/bin/sh', '-c', script]);
    return `${r.stdout}${r.stderr}`;
  };

  test('a deleted veth comes back within seconds, the guest still running', async (t) => {
    const c = s.client;
    const net = await c.createNetwork({ name: 'veths', ipv4Cidr: '10.93.0.0/24' });
    assert.equal((await c.waitOperation(net.operation.id, 60)).state, 'succeeded');
    const made = await Promise.all(['vd1', 'vd2'].map((name) => c.createServer({ name, plan: 'nano', image: 'tiny', nics: [{ network: 'veths' }] })));
    for (const m of made) assert.equal((await c.waitOperation(m.operation.id, 60)).state, 'succeeded');
    const [one, two] = made.map((m) => m.server);
    const ip = one!.spec.nics[0]!.ipv4.split('/')[0]!;
    const veth = vethName(one!.spec.nics[0]!.id);
    assert.match(await sh(two!.id, `ping -c 1 -W 2 ${ip}`), /1 packets received/);
    const init = await sh(one!.id, 'cat /proc/1/stat');
    const observed = await s.running.engine.compute.observeAll();
    assert.equal(observed.get(one!.id)?.missingLinks, undefined, 'nothing missing yet');

    const t0 = Date.now();
    await run('ip', ['link', 'del', 'dev', veth]);
    let back = false;
    while (!back && Date.now() - t0 < 20_000) {
      await sleep(200);
      back = (await linkExists(veth)) && /1 packets received/.test(await sh(two!.id, `ping -c 1 -W 1 ${ip}`));
    }
    assert.ok(back, 'the NIC answers again');
    t.diagnostic(`the NIC answered again ${Date.now() - t0} ms after its host link was deleted`);
    assert.ok(Date.now() - t0 < 15_000, `back after ${Date.now() - t0} ms, long before any sweep`);
    assert.equal(await sh(one!.id, 'cat /proc/1/stat'), init, 'no restart: the same init');
    assert.match(await sh(one!.id, 'ip -o addr show'), new RegExp(`${ip.replaceAll('.', '\\.')}/24`), 'with its address');
    const drift = (await c.getServer(one!.id)).status.conditions.find((x) => x.type === 'Drift');
    assert.equal(drift?.reason, 'NicReplugged');
    assert.equal((await c.getServer(one!.id)).status.phase, 'Running');

    // The engine's one look at everything reports such a server, which is what the sweep wakes.
    await run('ip', ['link', 'del', 'dev', vethName(two!.spec.nics[0]!.id)]);
    const seen = (await s.running.engine.compute.observeAll()).get(two!.id);
    // The event may have repaired it already; either it is reported missing or it is back.
    assert.ok(seen?.missingLinks?.includes(vethName(two!.spec.nics[0]!.id)) || (await linkExists(vethName(two!.spec.nics[0]!.id))), JSON.stringify(seen));
    for (let i = 0; i < 100 && !(await linkExists(vethName(two!.spec.nics[0]!.id))); i++) await sleep(200);
    assert.ok(await linkExists(vethName(two!.spec.nics[0]!.id)), 'the second one is back too');
    for (const m of made) await c.waitOperation((await c.deleteServer(m.server.id)).id, 60);
    await c.waitOperation((await c.deleteNetwork('veths')).id, 60);
  });
});
