/**
 * Firewalls and anti-spoofing with real packets between containers on a vSwitch: an allow rule
 * opens exactly its port (not the neighbours, not another protocol); a rule by label admits a
 * server while it has the label; a spoofed source address, a spoofed MAC and a forged ARP
 * message go nowhere; the kernel holds exactly the ruleset the spec compiles to, and a NIC's
 * chains go with its server.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Server } from '@kumulus/api';
import { lxcAttach } from '../../src/drivers/local/lxc.ts';
import { startTestServer, type TestServer } from '../harness.ts';

describe('firewall traffic', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ firewallResyncMs: 1000 });
  });
  after(async () => {
    await s?.stop();
  });

  const sh = async (id: string, script: string) => {
    const r = await lxcAttach(join(s.dataDir, 'lxc'), id, ['/bin/sh', '-c', script]);
    return `${r.stdout}${r.stderr}`;
  };
  const ipOf = (srv: Server) => srv.spec.nics[0]!.ipv4.split('/')[0]!;
  /** Waits until the kernel holds the ruleset the spec compiles to now. */
  const applied = async () => {
    for (let i = 0; i < 200; i++) {
      const want = await s.running.compiledFirewall();
      if (want && (await s.running.engine.firewall!.appliedHash()) === want.hash) return want;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the firewall ruleset was not applied');
  };
  /** Starts a TCP listener that answers its port number, once per connection, until the server goes. */
  const listen = (id: string, port: number) => sh(id, `(while true; do nc -l -p ${port} -e /bin/echo port${port}; done) </dev/null >/dev/null 2>&1 &`);
  const connects = async (from: string, ip: string, port: number) => {
    // The listener loop restarts nc between connections: a refused try is retried a few times.
    for (let i = 0; i < 3; i++) {
      const out = await sh(from, `nc -w 2 ${ip} ${port} </dev/null`);
      if (out.includes(`port${port}`)) return true;
      if (!/refused/i.test(out)) return false;
    }
    return false;
  };
  const pings = async (from: string, ip: string, extra = '') => /[1-9] packets received/.test(await sh(from, `ping -c 2 -W 1 ${extra} ${ip}`));

  test('an allow rule opens exactly its port; a rule by label follows the label', async () => {
    const c = s.client;
    const net = await c.createNetwork({ name: 'lan', ipv4Cidr: '10.71.0.0/24' });
    assert.equal((await c.waitOperation(net.operation.id, 60)).state, 'succeeded');
    const made = await Promise.all(['client', 'target'].map((name) => c.createServer({ name, plan: 'nano', image: 'tiny', nics: [{ network: 'lan' }] })));
    for (const m of made) assert.equal((await c.waitOperation(m.operation.id, 60)).state, 'succeeded');
    const [client, target] = await Promise.all(made.map((m) => c.getServer(m.server.id)));
    const ip = ipOf(target!);
    for (const port of [7000, 7001, 7002, 7003]) await listen(target!.id, port);
    await applied();
    // Without a firewall everything is open: the probes below can tell open from closed.
    assert.ok(await pings(client!.id, ip), 'ping before any firewall');
    for (const port of [7000, 7001, 7002]) assert.ok(await connects(client!.id, ip, port), `port ${port} before any firewall`);

    const web = await c.createFirewall({ name: 'web', inbound: [{ action: 'accept', protocol: 'tcp', ports: ['7001'] }], applyTo: [{ type: 'server', server: 'target' }] });
    const rs = await applied();
    assert.match(await s.running.engine.firewall!.ruleset(), new RegExp(`chain fwin_${web.id}`));
    assert.ok(rs.text.includes(`in_${target!.spec.nics[0]!.id}`));
    assert.ok(await connects(client!.id, ip, 7001), 'the named port is open');
    assert.equal(await connects(client!.id, ip, 7000), false, 'the port below is closed');
    assert.equal(await connects(client!.id, ip, 7002), false, 'the port above is closed');
    assert.equal(await pings(client!.id, ip), false, 'another protocol (ICMP) is closed');
    assert.ok(await pings(target!.id, ipOf(client!)), 'outbound stays open, and its replies come back (established)');

    // A second firewall on the same NIC adds to the first: port 7003 from servers labelled role=client.
    await c.createFirewall({ name: 'db', inbound: [{ action: 'accept', protocol: 'tcp', ports: ['7003'], peers: [{ labelSelector: 'role=client' }] }], applyTo: [{ type: 'label_selector', selector: 'tier=db' }] });
    await c.updateServer('target', { labels: { tier: 'db' } });
    await applied();
    assert.equal(await connects(client!.id, ip, 7003), false, 'without the label: closed');
    await c.updateServer('client', { labels: { role: 'client' } });
    await applied();
    assert.ok(await connects(client!.id, ip, 7003), 'with the label: open');
    assert.ok(await connects(client!.id, ip, 7001), 'the first firewall still holds');
    await c.updateServer('client', { labels: {} });
    await applied();
    assert.equal(await connects(client!.id, ip, 7003), false, 'the label gone: closed again');

    await c.removeFirewall('web', [{ type: 'server', server: 'target' }]);
    await applied();
    assert.equal(await connects(client!.id, ip, 7001), false, "without 'web', the db firewall alone guards the NIC");
    await c.updateServer('target', { labels: {} });
    await applied();
    assert.ok(await pings(client!.id, ip), 'no firewall left on the NIC: open again');

    // The NIC's chains go with its server.
    await c.applyFirewall('web', [{ type: 'server', server: 'target' }]);
    await applied();
    assert.match(await s.running.engine.firewall!.ruleset(), new RegExp(target!.spec.nics[0]!.id));
    for (const srv of [client!, target!]) await c.waitOperation((await c.deleteServer(srv.id)).id, 60);
    await applied();
    const left = await s.running.engine.firewall!.ruleset();
    assert.doesNotMatch(left, new RegExp(`${target!.spec.nics[0]!.id}|${client!.spec.nics[0]!.id}`), 'nothing of the gone NICs is left');
    await c.deleteFirewall('web');
    await assert.rejects(c.deleteFirewall('db'), /FIREWALL_IN_USE|applied/, 'a firewall still applied by label is not deleted');
  });

  test('a spoofed source address, a spoofed MAC and a forged ARP message are dropped', async () => {
    const c = s.client;
    const made = await Promise.all(['evil', 'victim', 'peer'].map((name) => c.createServer({ name, plan: 'nano', image: 'tiny', nics: [{ network: 'lan' }] })));
    for (const m of made) assert.equal((await c.waitOperation(m.operation.id, 60)).state, 'succeeded');
    const [evil, victim, peer] = await Promise.all(made.map((m) => c.getServer(m.server.id)));
    await applied();
    const [evilIp, victimIp, peerIp] = [evil!, victim!, peer!].map(ipOf) as [string, string, string];
    const mac = evil!.spec.nics[0]!.mac;

    assert.ok(await pings(evil!.id, victimIp), 'from its own address it is heard');
    await sh(evil!.id, 'ip addr add 10.71.0.200/24 dev eth0');
    assert.equal(await pings(evil!.id, victimIp, '-I 10.71.0.200'), false, 'from an address not its own it is not');
    await sh(evil!.id, 'ip addr del 10.71.0.200/24 dev eth0');

    await sh(evil!.id, 'ip link set dev eth0 address 02:00:00:de:ad:01');
    assert.equal(await pings(evil!.id, victimIp), false, 'with a MAC not its own it is not heard');
    await sh(evil!.id, `ip link set dev eth0 address ${mac}`);
    assert.ok(await pings(evil!.id, victimIp), 'its own MAC back: heard again');

    // An ARP request that names the sender makes the receiver note that sender's MAC: a genuine
    // one is noted, one claiming the peer's address must not be.
    await sh(victim!.id, 'ip neigh flush all');
    await sh(evil!.id, `arping -c 2 -w 3 -s ${evilIp} ${victimIp}`);
    assert.match(await sh(victim!.id, 'cat /proc/net/arp'), new RegExp(`${evilIp.replaceAll('.', '\\.')}\\s+\\S+\\s+\\S+\\s+${mac}`), 'a genuine ARP message is noted');
    await sh(evil!.id, `ip addr add ${peerIp}/32 dev eth0`);
    await sh(evil!.id, `arping -c 2 -w 3 -s ${peerIp} ${victimIp}`);
    await sh(evil!.id, `ip addr del ${peerIp}/32 dev eth0`);
    assert.doesNotMatch(await sh(victim!.id, 'cat /proc/net/arp'), new RegExp(`${peerIp.replaceAll('.', '\\.')}\\s+\\S+\\s+\\S+\\s+${mac}`), "a forged ARP message does not take the peer's address");
    assert.ok(await pings(victim!.id, peerIp), 'the victim still reaches the real peer');
    for (const srv of [evil!, victim!, peer!]) await c.waitOperation((await c.deleteServer(srv.id)).id, 60);
  });
});
