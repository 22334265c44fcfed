/**
 * Real packets on vSwitches: two servers of one tenant reach each other by address (ICMP and
 * TCP) and by name through the network's dnsmasq; a server of another tenant on the same
 * subnet reaches neither, nor do they reach it.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type KumulusClient, KumulusClient as Client } from '@kumulus/api';
import { lxcAttach } from '../../src/drivers/local/lxc.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { raw } from '../stores.ts';

describe('vSwitch traffic', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
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

  test('same network: by address and by name; another tenant on the same subnet: never', async () => {
    const a = s.client;
    const net = await a.createNetwork({ name: 'lan', ipv4Cidr: '10.70.0.0/24' });
    assert.equal((await a.waitOperation(net.operation.id, 60)).state, 'succeeded');
    const web1 = await up(a, 'web1', 'lan');
    const web2 = await up(a, 'web2', 'lan');
    const ip2 = web2.spec.nics[0]!.ipv4.split('/')[0]!;

    assert.match(await sh(web1.id, `ping -c 1 -W 2 ${ip2}`), /1 packets received/, 'ICMP by address');
    await sh(web2.id, 'nc -l -p 7000 -e /bin/hostname </dev/null >/dev/null 2>&1 &');
    // nc -w bounds the wait; a few tries cover the listener starting.
    let reply = '';
    for (let i = 0; i < 20 && !reply.includes('web2'); i++) reply = await sh(web1.id, `nc -w 2 ${ip2} 7000 </dev/null`);
    assert.match(reply, /web2/, 'TCP by address');
    const resolved = await sh(web1.id, 'nslookup web2.lan.internal');
    assert.ok(resolved.includes(ip2), `web2.lan.internal resolves to ${ip2}: ${resolved}`);
    assert.ok((await sh(web1.id, 'nslookup web2')).includes(ip2), 'the short name through the search domain');
    assert.match(await sh(web1.id, 'ping -c 1 -W 2 web2.lan.internal'), /1 packets received/, 'ICMP by name');
    assert.match(await sh(web1.id, 'cat /etc/resolv.conf'), /nameserver 10\.70\.0\.1/);

    // Tenant B: the same subnet, a server on the address web2 has in A's network, and one more.
    await a.createTenant({ name: 'traffic-b', admin: { email: 'b@traffic-b.test', password: 'Tenant-B-Password-1' } });
    const login = await fetch(`${s.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'b@traffic-b.test', password: 'Tenant-B-Password-1' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const b = new Client({ baseUrl: s.url, token: (await raw(s.url, 'POST', '/tokens', { body: '{"name":"b"}', headers: { cookie, origin: s.url } })).body.secret });
    const netB = await b.createNetwork({ name: 'lan', ipv4Cidr: '10.70.0.0/24' });
    assert.equal((await b.waitOperation(netB.operation.id, 60)).state, 'succeeded');
    const other = await up(b, 'other', 'lan', '10.70.0.50');
    const twin = await up(b, 'twin', 'lan', ip2);
    const ip1 = web1.spec.nics[0]!.ipv4.split('/')[0]!;

    assert.doesNotMatch(await sh(other.id, `ping -c 2 -W 1 ${ip1}`), /[12] packets received/, "B cannot reach A's web1");
    assert.doesNotMatch(await sh(web1.id, 'ping -c 2 -W 1 10.70.0.50'), /[12] packets received/, "A cannot reach B's server");
    assert.doesNotMatch(await sh(other.id, `nc -w 2 ${ip2} 7000 </dev/null`), /web2/, "B's TCP to A's address meets B's own twin, not web2");
    assert.doesNotMatch(await sh(other.id, 'nslookup web2.lan.internal'), new RegExp(ip2.replaceAll('.', '\\.')), "A's names are not in B's DNS");
    assert.match(await sh(other.id, `ping -c 1 -W 2 ${ip2}`), /1 packets received/, 'inside B, its own twin answers');
    assert.ok((await sh(other.id, 'nslookup twin.lan.internal')).includes(ip2), "B's own names resolve in B");
    for (const [c, srv] of [[a, web1], [a, web2], [b, other], [b, twin]] as const) await c.waitOperation((await c.deleteServer(srv.id)).id, 60);
  });

  test("a network's gateway is the default route only for servers not on the default network", async () => {
    const c = s.client;
    const net = await c.createNetwork({ name: 'routed', ipv4Cidr: '10.73.0.0/24', gateway: '10.73.0.254' });
    assert.equal((await c.waitOperation(net.operation.id, 60)).state, 'succeeded');
    const both = await c.createServer({ name: 'both', plan: 'nano', image: 'tiny', nics: [{ network: 'routed' }, { network: 'default' }] });
    const only = await c.createServer({ name: 'only', plan: 'nano', image: 'tiny', nics: [{ network: 'routed' }] });
    for (const r of [both, only]) assert.equal((await c.waitOperation(r.operation.id, 60)).state, 'succeeded');
    // The test server's default network is a /24 whose first address is the gateway.
    const defaultGateway = (await c.getServer('both')).spec.nics[1]!.ipv4.split('.').slice(0, 3).join('.');
    assert.match(await sh(both.server.id, 'ip route show default'), new RegExp(`default via ${defaultGateway}\\.1 dev eth1`), 'the NATed default network keeps the default route');
    assert.match(await sh(only.server.id, 'ip route show default'), /default via 10\.73\.0\.254 dev eth0/);
    assert.match(await sh(only.server.id, 'ping -c 1 -W 2 10.73.0.254'), /1 packets received/, 'the gateway address answers');
    for (const r of [both, only]) await c.waitOperation((await c.deleteServer(r.server.id)).id, 60);
    await c.waitOperation((await c.deleteNetwork('routed')).id, 60);
  });
});
