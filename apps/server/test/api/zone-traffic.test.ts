/**
 * Zones with real packets: a vSwitch in an IoT zone and the default network in a server zone,
 * routed through the host (the test gives the host an address on the vSwitch, as an operator's
 * router would have). The matrix holds in both directions — the one allowed port from IoT to
 * servers, nothing back — whatever a tenant's own firewall accepts. A public IP pool in a zone
 * puts its addresses there: a server's public address is in the DMZ while its private one, on
 * the same NIC, stays in the zone of its network.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { publicIpApi, type Server } from '@kumulus/api';
import { run } from '../../src/drivers/local/exec.ts';
import { lxcAttach } from '../../src/drivers/local/lxc.ts';
import { startTestServer, type TestServer } from '../harness.ts';

describe('zone traffic', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ firewallResyncMs: 1000 });
  });
  // The pool's uplink: a veth pair of this test (no upstream is needed to route inside the host;
  // this kernel has no dummy links).
  const uplink = `kmz${randomBytes(3).toString('hex')}`;
  after(async () => {
    await s?.stop();
    await run('ip', ['link', 'del', uplink], { allowFail: true });
  });

  const sh = async (id: string, script: string) => {
    const r = await lxcAttach(join(s.dataDir, 'lxc'), id, ['/bin/sh', '-c', script]);
    return `${r.stdout}${r.stderr}`;
  };
  const ipOf = (srv: Server) => srv.spec.nics[0]!.ipv4.split('/')[0]!;
  const applied = async () => {
    for (let i = 0; i < 200; i++) {
      const want = await s.running.compiledFirewall();
      if (want && (await s.running.engine.firewall!.appliedHash()) === want.hash) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the firewall ruleset was not applied');
  };
  const listen = (id: string, port: number) => sh(id, `(while true; do nc -l -p ${port} -e /bin/echo port${port}; done) </dev/null >/dev/null 2>&1 &`);
  const connects = async (from: string, ip: string, port: number) => {
    for (let i = 0; i < 3; i++) {
      const out = await sh(from, `nc -w 2 ${ip} ${port} </dev/null`);
      if (out.includes(`port${port}`)) return true;
      if (!/refused/i.test(out)) return false;
    }
    return false;
  };
  const pings = async (from: string, ip: string) => /[1-9] packets received/.test(await sh(from, `ping -c 2 -W 1 ${ip}`));

  test('the allowed-flows matrix holds in both directions, over a tenant rule that accepts all', async () => {
    const c = s.client;
    const net = await c.createNetwork({ name: 'iot', ipv4Cidr: '10.74.0.0/24' });
    assert.equal((await c.waitOperation(net.operation.id, 60)).state, 'succeeded');
    const made = [await c.createServer({ name: 'sensor', plan: 'nano', image: 'tiny', nics: [{ network: 'iot' }] }), await c.createServer({ name: 'app', plan: 'nano', image: 'tiny' })];
    for (const m of made) assert.equal((await c.waitOperation(m.operation.id, 60)).state, 'succeeded');
    const [sensor, app] = await Promise.all(made.map((m) => c.getServer(m.server.id)));
    const bridge = s.running.engine.network.linkOf(net.network.id);
    const defaultCidr = app!.spec.nics[0]!.ipv4.replace(/\.\d+\/24$/, '.0/24');
    // The host routes between the vSwitch and the default network, as a site router would.
    await run('ip', ['addr', 'add', '10.74.0.254/24', 'dev', bridge]);
    await sh(sensor!.id, `ip route add ${defaultCidr} via 10.74.0.254`);
    for (const port of [7000, 7001]) await listen(app!.id, port);
    await applied();
    assert.ok(await connects(sensor!.id, ipOf(app!), 7000), 'before zones: iot → server on any port');
    assert.ok(await pings(app!.id, ipOf(sensor!)), 'before zones: server → iot');

    const servers = await c.createZone({ name: 'servers', purpose: 'server', networks: ['default'] });
    await c.createZone({ name: 'things', purpose: 'iot-actuators', networks: [net.network.id], flows: [{ to: 'servers', protocol: 'tcp', ports: ['7001'] }] });
    await applied();
    assert.ok(await connects(sensor!.id, ipOf(app!), 7001), 'iot → server: the allowed port');
    assert.equal(await connects(sensor!.id, ipOf(app!), 7000), false, 'iot → server: another port is dropped');
    assert.equal(await pings(sensor!.id, ipOf(app!)), false, 'iot → server: another protocol is dropped');
    assert.equal(await pings(app!.id, ipOf(sensor!)), false, 'server → iot: nothing is allowed');

    await c.createFirewall({ name: 'open', inbound: [{ action: 'accept', protocol: 'any' }], applyTo: [{ type: 'server', server: 'sensor' }] });
    await applied();
    assert.equal(await pings(app!.id, ipOf(sensor!)), false, "a tenant's accept-all does not open what the zones close");

    await c.updateZone(servers.id, { flows: [{ to: 'things', protocol: 'icmp' }] });
    await applied();
    assert.ok(await pings(app!.id, ipOf(sensor!)), 'server → iot once the matrix allows icmp');
    for (const z of ['things', 'servers']) await c.deleteZone(z);
    await applied();
    assert.ok(await connects(sensor!.id, ipOf(app!), 7000), 'no zones: open again');
    await c.removeFirewall('open', [{ type: 'server', server: 'sensor' }]);
    await c.deleteFirewall('open');
    for (const srv of [sensor!, app!]) await c.waitOperation((await c.deleteServer(srv.id)).id, 60);
  });

  test('a public pool in a zone: the public address is in that zone, the private one in its network\'s', async () => {
    const c = s.client;
    await run('ip', ['link', 'add', uplink, 'type', 'veth', 'peer', 'name', `${uplink}p`]);
    await run('ip', ['link', 'set', uplink, 'up']);
    const net = await c.createNetwork({ name: 'office', ipv4Cidr: '10.79.0.0/24' });
    assert.equal((await c.waitOperation(net.operation.id, 60)).state, 'succeeded');
    const made = [await c.createServer({ name: 'desk', plan: 'nano', image: 'tiny', nics: [{ network: 'office' }] }), await c.createServer({ name: 'pub', plan: 'nano', image: 'tiny' })];
    for (const m of made) assert.equal((await c.waitOperation(m.operation.id, 60)).state, 'succeeded');
    const [desk, pub] = await Promise.all(made.map((m) => c.getServer(m.server.id)));
    const api = publicIpApi(c);
    const pool = await api.createPool({ name: 'dmz-pool', range: '198.51.99.16/28', uplink, cooldownSeconds: 0 });
    const ip = await api.allocate({ name: 'pub-ip', server: pub!.id });
    const bridge = s.running.engine.network.linkOf(net.network.id);
    const defaultCidr = pub!.spec.nics[0]!.ipv4.replace(/\.\d+\/24$/, '.0/24');
    await run('ip', ['addr', 'add', '10.79.0.254/24', 'dev', bridge]);
    await sh(desk!.id, `ip route add ${defaultCidr} via 10.79.0.254; ip route add 198.51.99.0/24 via 10.79.0.254`);
    await listen(pub!.id, 7000);
    await applied();
    for (let i = 0; i < 30 && !(await connects(desk!.id, ip.address, 7000)); i++) await new Promise((r) => setTimeout(r, 1000));
    assert.ok(await connects(desk!.id, ip.address, 7000), 'before zones: office → the public address');

    await c.createZone({ name: 'dmz', purpose: 'server', pools: [pool.id] });
    await c.createZone({ name: 'office', purpose: 'office-backup', networks: [net.network.id], flows: [{ to: 'dmz', protocol: 'icmp' }] });
    await applied();
    assert.equal(await connects(desk!.id, ip.address, 7000), false, 'office → DMZ: tcp is not an allowed flow');
    assert.ok(await pings(desk!.id, ip.address), 'office → DMZ: icmp is');
    assert.ok(await connects(desk!.id, ipOf(pub!), 7000), 'the private address of the same NIC is in no zone: not the DMZ');
    await c.updateZone('office', { flows: [{ to: 'dmz', protocol: 'tcp', ports: ['7000'] }] });
    await applied();
    assert.ok(await connects(desk!.id, ip.address, 7000), 'office → DMZ once tcp/7000 is allowed');
    assert.equal(await pings(desk!.id, ip.address), false, 'and icmp no more');
    for (const z of ['office', 'dmz']) await c.deleteZone(z);
    for (const srv of [desk!, pub!]) await c.waitOperation((await c.deleteServer(srv.id)).id, 60);
    await api.release(ip.id);
    await api.deletePool(pool.id);
  });
});
