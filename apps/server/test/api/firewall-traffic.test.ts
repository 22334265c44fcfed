/**
 * Firewalls and anti-spoofing with real packets between containers on a vSwitch: an allow rule
 * opens exactly its port (not the neighbours, not another protocol); a rule by label admits a
 * server while it has the label; a spoofed source address, a spoofed MAC and a forged ARP
 * message go nowhere; the kernel holds exactly the ruleset the spec compiles to, and a NIC's
 * chains go with its server. What was dropped (and what a rule with `log` let in) shows in the
 * NIC's firewall log, with source, destination, port and rule; a rule by server follows that
 * server's address change, and the server's old address, taken by another, is let in no more.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ApiError, FirewallLogEntry, Server } from '@kumulus/api';
import { lxcAttach } from '../../src/drivers/local/lxc.ts';
import { startTestServer, type TestServer } from '../harness.ts';

describe('firewall traffic', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ firewallResyncMs: 1000, addressCooldownMs: 0 });
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
  /** Waits for an entry of a NIC's firewall log that `want` accepts (the collector stores every half second). */
  const logged = async (server: string, nic: string, want: (e: FirewallLogEntry) => boolean) => {
    let items: FirewallLogEntry[] = [];
    for (let i = 0; i < 100; i++) {
      items = (await s.client.nicFirewallLog(server, nic)).items;
      const hit = items.find(want);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no such entry in the firewall log: ${JSON.stringify(items)}`);
  };

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

    const web = await c.createFirewall({ name: 'web', inbound: [{ action: 'accept', protocol: 'tcp', ports: ['7001'], log: true }], applyTo: [{ type: 'server', server: 'target' }] });
    const rs = await applied();
    assert.match(await s.running.engine.firewall!.ruleset(), new RegExp(`chain fwin_${web.id}`));
    assert.ok(rs.text.includes(`in_${target!.spec.nics[0]!.id}`));
    assert.ok(await connects(client!.id, ip, 7001), 'the named port is open');
    assert.equal(await connects(client!.id, ip, 7000), false, 'the port below is closed');
    assert.equal(await connects(client!.id, ip, 7002), false, 'the port above is closed');
    assert.equal(await pings(client!.id, ip), false, 'another protocol (ICMP) is closed');
    assert.ok(await pings(target!.id, ipOf(client!)), 'outbound stays open, and its replies come back (established)');
    // The tenant sees what was dropped at the NIC, and what the logged rule let in.
    const nic = target!.spec.nics[0]!.id;
    const drop = await logged(target!.id, nic, (e) => e.reason === 'default-deny' && e.destinationPort === 7000);
    assert.deepEqual([drop.direction, drop.action, drop.protocol, drop.source, drop.destination], ['in', 'drop', 'tcp', ipOf(client!), ip]);
    const hit = await logged(target!.id, nic, (e) => e.reason === 'rule' && e.destinationPort === 7001);
    assert.deepEqual([hit.action, hit.firewall, hit.rule, hit.source], ['accept', web.id, 0, ipOf(client!)]);
    assert.ok(!(await c.nicFirewallLog(target!.id, nic)).items.some((e) => e.destinationPort === 7002 && e.reason === 'rule'), 'only the logged rule logs');
    await assert.rejects(c.nicFirewallLog(target!.id, client!.spec.nics[0]!.id), (e: ApiError) => e.status === 404 && e.code === 'NIC_NOT_FOUND', "another server's NIC is not this server's");

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
    const spoofed = await logged(evil!.id, evil!.spec.nics[0]!.id, (e) => e.reason === 'anti-spoofing' && e.source === '10.71.0.200');
    assert.deepEqual([spoofed.direction, spoofed.action, spoofed.protocol, spoofed.destination], ['out', 'drop', 'icmp', victimIp]);
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

  test("a rule by server follows that server's address change", async () => {
    const c = s.client;
    const make = async (name: string, nics: { network: string; ipv4?: string }[]) => {
      const m = await c.createServer({ name, plan: 'nano', image: 'tiny', nics });
      assert.equal((await c.waitOperation(m.operation.id, 60)).state, 'succeeded');
      return c.getServer(m.server.id);
    };
    const peer = await make('peer-src', [{ network: 'default' }, { network: 'lan', ipv4: '10.71.0.50' }]);
    const dst = await make('peer-dst', [{ network: 'lan' }]);
    await listen(dst.id, 7005);
    await c.createFirewall({ name: 'by-server', inbound: [{ action: 'accept', protocol: 'tcp', ports: ['7005'], peers: [{ server: 'peer-src' }] }], applyTo: [{ type: 'server', server: 'peer-dst' }] });
    await applied();
    assert.ok(await connects(peer.id, ipOf(dst), 7005), 'the referenced server is let in from its address');

    // Its address on the vSwitch changes: a new NIC with another address, the old one given up.
    const old = peer.spec.nics.find((n) => n.network !== 'default')!;
    assert.equal((await c.waitOperation((await c.detachNic(peer.id, old.id)).id, 60)).state, 'succeeded');
    await applied();
    assert.doesNotMatch(await s.running.engine.firewall!.ruleset(), new RegExp(old.id), 'nothing of the detached NIC is left');
    const moved = await c.attachNic(peer.id, { network: 'lan', ipv4: '10.71.0.60' });
    assert.equal((await c.waitOperation(moved.operation.id, 60)).state, 'succeeded');
    // Another server takes the old address.
    const squatter = await make('squatter', [{ network: 'lan', ipv4: '10.71.0.50' }]);
    const rs = await applied();
    // The set the reference compiles to holds the server's addresses now, and nothing else.
    const sets = [...rs.text.matchAll(/set (r_\w+) \{[^}]*?elements = \{ ([^}]*) \}/g)].map((m) => m[2]!.split(', '));
    const ref = sets.find((e) => e.includes('10.71.0.60'));
    assert.ok(ref, `the new address is in the reference's set: ${JSON.stringify(sets)}`);
    assert.ok(!ref.includes('10.71.0.50'), 'nothing points at the old address');
    assert.ok(await connects(peer.id, ipOf(dst), 7005), 'the server is let in from its new address');
    assert.equal(await connects(squatter.id, ipOf(dst), 7005), false, 'the old address, now another server, is not');
    for (const srv of [peer, dst, squatter]) await c.waitOperation((await c.deleteServer(srv.id)).id, 60);
    await c.deleteFirewall('by-server');
  });
});
