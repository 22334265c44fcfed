/**
 * IPv6 on vSwitches with real packets: a network with a /64 gives each NIC the address SLAAC
 * derives from its MAC (the guest gets the same one again from the network's router
 * advertisements), servers ping6 each other by name through the network's AAAA records, a
 * source address not the NIC's own is dropped, and a server of another tenant on the same
 * prefix reaches none of them. Bad prefixes answer 4xx naming ipv6Cidr.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { type KumulusClient, KumulusClient as Client, type Server } from '@kumulus/api';
import { run } from '../../src/drivers/local/exec.ts';
import { lxcAttach } from '../../src/drivers/local/lxc.ts';
import { slaacAddress } from '../../src/modules/network/cidr6.ts';
import { ipv6ToBigInt } from '../../src/modules/network/public-ranges.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { raw } from '../stores.ts';

describe('vSwitch IPv6', () => {
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
  const up = async (c: KumulusClient, name: string, network: string, ipv4?: string) => {
    const r = await c.createServer({ name, plan: 'nano', image: 'tiny', nics: [{ network, ...(ipv4 ? { ipv4 } : {}) }] });
    assert.equal((await c.waitOperation(r.operation.id, 60)).state, 'succeeded');
    return c.getServer(r.server.id);
  };
  const v6Of = (srv: Server) => srv.spec.nics[0]!.ipv6!.split('/')[0]!;
  /** True when one of a few pings is answered: the first ones may meet an address still in DAD. */
  const pings6 = async (id: string, target: string, tries = 5, extra = '') => {
    for (let i = 0; i < tries; i++) if (/[1-9] packets received/.test(await sh(id, `ping6 ${extra} -c 1 -W 1 ${target}`))) return true;
    return false;
  };
  /** Waits until the kernel holds the ruleset the spec compiles to now (anti-spoofing included). */
  const firewallApplied = async () => {
    for (let i = 0; i < 200; i++) {
      const want = await s.running.compiledFirewall();
      if (want && (await s.running.engine.firewall!.appliedHash()) === want.hash) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the firewall ruleset was not applied');
  };

  test('bad prefixes answer 400 or 409 naming ipv6Cidr, and nothing is made', async () => {
    const { url, operatorToken: token } = s;
    const c = s.client;
    const first = await c.createNetwork({ name: 'v6-taken', ipv4Cidr: '10.75.0.0/24', ipv6Cidr: 'fd00:75:0:0::/64' });
    assert.equal(first.network.ipv6Cidr, 'fd00:75::/64', 'kept in canonical form');
    const cases: [object, number, string][] = [
      [{ name: 'y1', ipv4Cidr: '10.76.0.0/24', ipv6Cidr: 'fd00:76::/48' }, 400, 'VALIDATION_FAILED'],
      [{ name: 'y2', ipv4Cidr: '10.76.0.0/24', ipv6Cidr: 'fd00:76::1/64' }, 400, 'VALIDATION_FAILED'],
      [{ name: 'y3', ipv4Cidr: '10.76.0.0/24', ipv6Cidr: 'fe80::/64' }, 400, 'VALIDATION_FAILED'],
      [{ name: 'y4', ipv4Cidr: '10.76.0.0/24', ipv6Cidr: 'fd00:zz::/64' }, 400, 'VALIDATION_FAILED'],
      [{ name: 'y5', ipv4Cidr: '10.76.0.0/24', ipv6Cidr: 'fd00:75::/64' }, 409, 'SUBNET_OVERLAP'],
    ];
    for (const [body, status, code] of cases) {
      const res = await raw(url, 'POST', '/networks', { token, body: JSON.stringify(body) });
      assert.equal(res.status, status, `${JSON.stringify(body)} → ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, code);
      assert.ok(res.body.error.details?.some((d: { field: string }) => d.field === 'ipv6Cidr'), `names ipv6Cidr: ${JSON.stringify(res.body.error)}`);
    }
    assert.deepEqual((await c.listNetworks()).items.map((n) => n.name), ['v6-taken']);
    assert.equal((await c.waitOperation((await c.deleteNetwork('v6-taken')).id, 60)).state, 'succeeded');
  });

  test('ping6 by name on one vSwitch, SLAAC from its RA, no spoofing, and no way into another tenant on the same prefix', async () => {
    const a = s.client;
    const net = await a.createNetwork({ name: 'lan6', ipv4Cidr: '10.74.0.0/24', ipv6Cidr: 'fd00:74::/64' });
    assert.equal((await a.waitOperation(net.operation.id, 60)).state, 'succeeded');
    const web1 = await up(a, 'web1', 'lan6');
    const web2 = await up(a, 'web2', 'lan6');
    const nic2 = web2.spec.nics[0]!;
    assert.equal(nic2.ipv6, slaacAddress('fd00:74::/64', nic2.mac), 'IPAM gives the address SLAAC derives from the MAC');
    const allocations = (await a.listNetworkAllocations('lan6')).items;
    assert.deepEqual(allocations.find((x) => x.kind === 'service')?.ipv6, 'fd00:74::1');
    assert.equal(allocations.find((x) => x.nicId === nic2.id)?.ipv6, v6Of(web2));
    const [ip1, ip2] = [v6Of(web1), v6Of(web2)];
    assert.notEqual(ip1, ip2);

    assert.match(await sh(web1.id, 'nslookup web2.lan6.internal'), new RegExp(ip2), `web2.lan6.internal has its AAAA record ${ip2}`);
    assert.ok(await pings6(web1.id, 'web2.lan6.internal'), 'ping6 by name');
    assert.ok(await pings6(web2.id, 'web1'), 'ping6 by the short name through the search domain');
    await firewallApplied();
    assert.ok(await pings6(web1.id, ip2), 'through anti-spoofing, the NIC’s own address is let out');

    // Forget the address LXC set and ask for a router advertisement: SLAAC brings the same one back.
    await sh(web2.id, 'ip -6 addr flush dev eth0 scope global; ip link set dev eth0 down; ip link set dev eth0 up');
    // /proc/net/if_inet6: address in 32 hex digits, …, flags; an address SLAAC made lacks IFA_F_PERMANENT (0x80).
    const hex = ipv6ToBigInt(ip2)!.toString(16).padStart(32, '0');
    const slaacMade = (table: string) => table.split('\n').some((l) => l.startsWith(hex) && (Number.parseInt(l.split(/\s+/)[4] ?? '80', 16) & 0x80) === 0);
    let table = '';
    for (let i = 0; i < 100 && !slaacMade(table); i++) {
      await new Promise((r) => setTimeout(r, 100));
      table = await sh(web2.id, 'cat /proc/net/if_inet6');
    }
    assert.ok(slaacMade(table), `SLAAC from the network's RA gives ${ip2}: ${table}`);
    assert.doesNotMatch(await sh(web2.id, 'ip -6 route show default'), /default/, 'router lifetime 0: no default route through a vSwitch that routes nowhere');
    // Stateless DHCPv6 itself: an Information-Request from the guest's interface is answered
    // with the network's name server and its domain (a real client's question, sent by the
    // host's node inside the guest's network namespace, as busybox has no DHCPv6 client).
    const pid = (await run('lxc-info', ['-P', join(s.dataDir, 'lxc'), '-n', web2.id, '-p', '-H'])).stdout.trim();
    const probe = await run('nsenter', ['-t', pid, '-n', process.execPath, fileURLToPath(new URL('../dhcp6-probe.ts', import.meta.url)), 'eth0', nic2.mac], { allowFail: true });
    const reply = JSON.parse(probe.stdout.trim() || '{}') as { type?: number; dnsServers?: string[]; domains?: string[] };
    assert.equal(reply.type, 7, `a DHCPv6 Reply: ${probe.stdout}${probe.stderr}`);
    assert.deepEqual(reply.dnsServers?.map((a) => ipv6ToBigInt(a)), [ipv6ToBigInt('fd00:74::1')], "the vSwitch's service address is the name server");
    assert.ok(reply.domains?.includes('lan6.internal'), `the network's domain is searched: ${JSON.stringify(reply.domains)}`);
    assert.ok(await pings6(web1.id, ip2), 'the SLAAC address answers');

    await sh(web1.id, 'ip -6 addr add fd00:74::bad/64 dev eth0 nodad');
    assert.equal(await pings6(web1.id, ip2, 2, '-I fd00:74::bad'), false, 'a source address not the NIC’s own is dropped');
    await sh(web1.id, 'ip -6 addr del fd00:74::bad/64 dev eth0');

    // A NIC hot-plugged into a running server gets its IPv6 address live too.
    const late = await up(a, 'late', 'default');
    const attached = await a.attachNic(late.id, { network: 'lan6' });
    assert.equal((await a.waitOperation(attached.operation.id, 60)).state, 'succeeded');
    assert.equal(attached.nic.ipv6, slaacAddress('fd00:74::/64', attached.nic.mac));
    assert.ok(await pings6(late.id, 'web2.lan6.internal'), 'the hot-plugged NIC reaches web2 by name');

    // Tenant B: the same subnets, and a server on the IPv4 address web2 has in A's network.
    await a.createTenant({ name: 'v6-b', admin: { email: 'b@v6-b.test', password: 'Tenant-B-Password-1' } });
    const login = await fetch(`${s.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'b@v6-b.test', password: 'Tenant-B-Password-1' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const b = new Client({ baseUrl: s.url, token: (await raw(s.url, 'POST', '/tokens', { body: '{"name":"b"}', headers: { cookie, origin: s.url } })).body.secret });
    const netB = await b.createNetwork({ name: 'lan6', ipv4Cidr: '10.74.0.0/24', ipv6Cidr: 'fd00:74::/64' });
    assert.equal((await b.waitOperation(netB.operation.id, 60)).state, 'succeeded');
    const other = await up(b, 'other', 'lan6', web2.spec.nics[0]!.ipv4.split('/')[0]!);
    const ipB = v6Of(other);
    assert.ok(ipB.startsWith('fd00:74::'));
    await firewallApplied();
    assert.ok(await pings6(other.id, 'fd00:74::1'), "inside B, B's own network service answers");
    assert.equal(await pings6(other.id, ip1, 2), false, "B cannot reach A's web1 on the same prefix");
    assert.equal(await pings6(web1.id, ipB, 2), false, "A cannot reach B's server");
    assert.doesNotMatch(await sh(other.id, 'nslookup web2.lan6.internal'), new RegExp(ip2), "A's names are not in B's DNS");
    for (const [c, srv] of [[a, web1], [a, web2], [a, late], [b, other]] as const) await c.waitOperation((await c.deleteServer(srv.id)).id, 60);
    for (const c of [a, b]) assert.equal((await c.waitOperation((await c.deleteNetwork('lan6')).id, 60)).state, 'succeeded');
  });
});
