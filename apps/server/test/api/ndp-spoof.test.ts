/**
 * Anti-spoofing of IPv6 neighbour discovery with real packets: a server on an IPv6 vSwitch
 * forges a neighbour advertisement from its own address and MAC that claims a peer's address
 * (the IPv6 form of a forged ARP reply). It is dropped at the bridge, so the victim keeps the
 * peer's MAC; the same advertisement for the forger's own address goes through.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Server } from '@kumulus/api';
import { run } from '../../src/drivers/local/exec.ts';
import { lxcAttach, lxcInfo } from '../../src/drivers/local/lxc.ts';
import { startTestServer, type TestServer } from '../harness.ts';

// An unsolicited NA with the override flag and a target link-layer address option, sent from
// `src` to `dst`; the kernel fills in the checksum of a raw ICMPv6 socket.
const FORGE_NA = `
import socket, struct, sys
src, dst, target, mac = sys.argv[1:5]
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
s.bind((src, 0))
na = struct.pack('!BBHI', 136, 0, 0, 0x20000000) + socket.inet_pton(socket.AF_INET6, target) + bytes([2, 1]) + bytes.fromhex(mac.replace(':', ''))
for _ in range(3):
    s.sendto(na, (dst, 0))
`;

describe('NDP anti-spoofing', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ firewallResyncMs: 1000 });
  });
  after(async () => {
    await s?.stop();
  });
  const lxcPath = () => join(s.dataDir, 'lxc');
  const sh = async (id: string, script: string) => {
    const r = await lxcAttach(lxcPath(), id, ['/bin/sh', '-c', script]);
    return `${r.stdout}${r.stderr}`;
  };
  const v6Of = (srv: Server) => srv.spec.nics[0]!.ipv6!.split('/')[0]!;
  const pings6 = async (id: string, target: string) => {
    for (let i = 0; i < 5; i++) if (/[1-9] packets received/.test(await sh(id, `ping6 -c 1 -W 1 ${target}`))) return true;
    return false;
  };
  /** The MAC the victim holds for an address, or '' when none. */
  const neighbour = async (id: string, addr: string) => /lladdr (\S+)/.exec(await sh(id, `ip -6 neigh show ${addr}`))?.[1] ?? '';
  /** Sends the forged NA from inside the forger's network namespace. */
  const forge = async (id: string, src: string, dst: string, target: string, mac: string) => {
    const pid = (await lxcInfo(lxcPath(), id))!.pid!;
    await run('nsenter', ['-t', String(pid), '-n', 'python3', '-c', FORGE_NA, src, dst, target, mac]);
  };

  test('a neighbour advertisement for an address not its own is dropped', async () => {
    const c = s.client;
    const net = await c.createNetwork({ name: 'ndp6', ipv4Cidr: '10.78.0.0/24', ipv6Cidr: 'fd00:78::/64' });
    assert.equal((await c.waitOperation(net.operation.id, 60)).state, 'succeeded');
    const made = await Promise.all(['forger', 'victim', 'peer'].map((name) => c.createServer({ name, plan: 'nano', image: 'tiny', nics: [{ network: 'ndp6' }] })));
    for (const m of made) assert.equal((await c.waitOperation(m.operation.id, 60)).state, 'succeeded');
    const [forger, victim, peer] = (await Promise.all(made.map((m) => c.getServer(m.server.id)))) as [Server, Server, Server];
    for (let i = 0; i < 200; i++) {
      const want = await s.running.compiledFirewall();
      if (want && (await s.running.engine.firewall!.appliedHash()) === want.hash) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const forgerMac = forger.spec.nics[0]!.mac;
    assert.ok(await pings6(victim.id, v6Of(peer)), 'the victim reaches the peer');
    assert.ok(await pings6(victim.id, v6Of(forger)), 'and the forger');
    assert.equal(await neighbour(victim.id, v6Of(peer)), peer.spec.nics[0]!.mac, "the victim holds the peer's MAC");

    await forge(forger.id, v6Of(forger), v6Of(victim), v6Of(peer), forgerMac);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await neighbour(victim.id, v6Of(peer)), peer.spec.nics[0]!.mac, "a forged advertisement does not take the peer's address");
    assert.ok(await pings6(victim.id, v6Of(peer)), 'the victim still reaches the real peer');

    // The same advertisement for the forger's own address is let through (and the victim learns it):
    // what is dropped above is the claim, not the way it was sent.
    await sh(victim.id, `ip -6 neigh del ${v6Of(forger)} dev eth0`);
    await forge(forger.id, v6Of(forger), v6Of(victim), v6Of(forger), forgerMac);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(await pings6(victim.id, v6Of(forger)), 'its own address is reachable');
    assert.equal(await neighbour(victim.id, v6Of(forger)), forgerMac);
    for (const srv of [forger, victim, peer]) await c.waitOperation((await c.deleteServer(srv.id)).id, 60);
  });
});
