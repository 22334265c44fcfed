/**
 * A vSwitch converges to its spec: DHCP hands out the reserved address, a bridge and dnsmasq
 * removed behind our back come back with the NICs plugged in again, a deleted server's name
 * leaves DNS, and a vSwitch no network row claims (left by a crash) is swept away.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from '../../src/drivers/local/exec.ts';
import { pidAlive } from '../../src/drivers/local/lock.ts';
import { lxcAttach } from '../../src/drivers/local/lxc.ts';
import { linkExists } from '../../src/drivers/local/network.ts';
import { createNetworkSweep } from '../../src/modules/network/network-reconciler.ts';
import { startTestServer, type TestServer } from '../harness.ts';

describe('vSwitch drift and leftovers', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ resyncMs: 1000 });
  });
  after(async () => {
    await s?.stop();
  });

  const sh = async (id: string, script: string) => {
    const r = await lxcAttach(join(s.dataDir, 'lxc'), id, ['/bin/sh', '-c', script]);
    return `${r.stdout}${r.stderr}`;
  };
  /** Repeats `probe` (up to ~30 s, one try a second) until it answers true. */
  const eventually = async (probe: () => Promise<boolean>) => {
    for (let i = 0; i < 30; i++) {
      if (await probe()) return true;
      await sleep(1000);
    }
    return probe();
  };

  test('DHCP, drift repair and names of deleted servers', async () => {
    const c = s.client;
    const net = await c.createNetwork({ name: 'drift', ipv4Cidr: '10.71.0.0/24' });
    await c.waitOperation(net.operation.id, 60);
    const make = async (name: string) => {
      const r = await c.createServer({ name, plan: 'nano', image: 'tiny', nics: [{ network: 'drift' }] });
      assert.equal((await c.waitOperation(r.operation.id, 60)).state, 'succeeded');
      return c.getServer(r.server.id);
    };
    const web1 = await make('web1');
    const ip1 = web1.spec.nics[0]!.ipv4.split('/')[0]!;
    // busybox udhcpc asks once (-n -q) and leaves the interface alone (-s /bin/true).
    assert.match(await sh(web1.id, 'udhcpc -i eth0 -n -q -t 3 -s /bin/true 2>&1'), new RegExp(`lease of ${ip1.replaceAll('.', '\\.')} obtained`), 'DHCP hands out the reserved address');

    const bridge = s.running.engine.network.linkOf(net.network.id);
    const pidFile = join(s.dataDir, 'net', net.network.id, 'dnsmasq.pid');
    const oldPid = Number((await readFile(pidFile, 'utf8')).trim());
    process.kill(oldPid, 'SIGKILL');
    await run('ip', ['link', 'del', 'dev', bridge]);
    assert.ok(await eventually(async () => (await linkExists(bridge)) && pidAlive(Number((await readFile(pidFile, 'utf8').catch(() => '0')).trim()))), 'the bridge and dnsmasq are back');
    assert.ok(await eventually(async () => (await sh(web1.id, `ping -c 1 -W 1 ${net.network.dnsServer}`)).includes('1 packets received')), 'web1 is plugged in again');
    assert.ok((await sh(web1.id, 'nslookup web1.drift.internal')).includes(ip1), 'names are served again');

    const web2 = await make('web2');
    const ip2 = web2.spec.nics[0]!.ipv4.split('/')[0]!;
    assert.ok(await eventually(async () => (await sh(web1.id, 'nslookup web2.drift.internal')).includes(ip2)), 'a new server is named');
    await c.waitOperation((await c.deleteServer(web2.id)).id, 60);
    assert.ok(await eventually(async () => !(await sh(web1.id, 'nslookup web2.drift.internal')).includes(ip2)), 'a deleted server is not named any more');
    await c.waitOperation((await c.deleteServer(web1.id)).id, 60);
    await c.waitOperation((await c.deleteNetwork(net.network.id)).id, 60);
  });

  test('a vSwitch no network row claims is swept away', async () => {
    const engine = s.running.engine;
    const id = 'net_leftoverfromacrash0001';
    await engine.network.ensureNetwork({ id, cidr: '10.72.0.0/24', serviceAddress: '10.72.0.1', gateway: null, domain: 'gone.internal', hosts: [] });
    assert.ok(await linkExists(engine.network.linkOf(id)));
    await createNetworkSweep({ db: s.running.store.db, engine, everyMs: 60_000 })('sweep', 0);
    assert.equal(await linkExists(engine.network.linkOf(id)), false, 'its bridge is gone');
    assert.ok(!(await engine.network.listNetworks()).includes(id), 'and its state');
    assert.ok(!(await run('ip', ['netns', 'list'])).stdout.includes(`kumulus-${id}`), 'and its namespace');
  });
});
