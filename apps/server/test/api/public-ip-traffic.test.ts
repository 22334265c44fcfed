/**
 * Public IPs with real packets. A network namespace made here plays the upstream router on a
 * veth made here, whose host end is the pool's uplink: a server with a public IP answers ping
 * and TCP from it, a server without one does not; the address survives a restart (it is in
 * the guest's config); a host route removed behind our back comes back, a leftover one (as a
 * killed control plane leaves it) goes; unassign removes reachability and every route and
 * proxy entry; a public /64 answers on its first address; a server with a public IPv4 sends
 * from it (SNAT), as the router sees it, and one without is masqueraded. The namespace and veth are removed
 * after, and IPv6 forwarding is put back as it was, also when a test fails.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { publicIpApi } from '@kumulus/api';
import { run } from '../../src/drivers/local/exec.ts';
import { lxcAttach } from '../../src/drivers/local/lxc.ts';
import { ROUTE_PROTO } from '../../src/drivers/local/public-ip.ts';
import { startTestServer, type TestServer } from '../harness.ts';

const tag = randomBytes(3).toString('hex');
const ns = `kmt-up-${tag}`;
const uplink = `kmu${tag}`;
const router = `kmr${tag}`;
// TEST-NET-2, a /24 per run: the router holds .1, the host .254, the pool a /28 of it.
const net = `198.51.${100 + (Number.parseInt(tag.slice(0, 2), 16) % 100)}`;
// Documentation IPv6: a /48 per run, the pool a /56 of it.
// Four hex digits with no leading zero, so the text is the same as the kernel and the API write it.
const net6 = `2001:db8:${((Number.parseInt(tag.slice(0, 4), 16) % 0xf000) + 0x1000).toString(16)}`;

describe('public IPs: real packets from an upstream router', () => {
  let s: TestServer;
  // Routing a /64 turns IPv6 forwarding on (the engine's job); the test puts back what it found.
  const FORWARDING6 = '/proc/sys/net/ipv6/conf/all/forwarding';
  let forwarding6 = '';
  before(async () => {
    forwarding6 = await readFile(FORWARDING6, 'utf8');
    await run('ip', ['netns', 'add', ns]);
    await run('ip', ['link', 'add', uplink, 'type', 'veth', 'peer', 'name', router, 'netns', ns]);
    await run('ip', ['addr', 'add', `${net}.254/24`, 'dev', uplink]);
    await run('ip', ['link', 'set', uplink, 'up']);
    await run('ip', ['-n', ns, 'addr', 'add', `${net}.1/24`, 'dev', router]);
    await run('ip', ['-n', ns, 'link', 'set', router, 'up']);
    await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    await run('ip', ['-6', 'addr', 'add', `${net6}::fffe/48`, 'dev', uplink, 'nodad']);
    await run('ip', ['-n', ns, '-6', 'addr', 'add', `${net6}::1/48`, 'dev', router, 'nodad']);
    s = await startTestServer({ sweepMs: 1000 });
  });
  after(async () => {
    await s?.stop();
    await run('ip', ['netns', 'del', ns], { allowFail: true });
    await run('ip', ['link', 'del', uplink], { allowFail: true });
    if (forwarding6) await writeFile(FORWARDING6, forwarding6);
  });

  const inNs = (cmd: string[]) => run('ip', ['netns', 'exec', ns, ...cmd], { allowFail: true });
  const pings = async (address: string) => (await inNs(['busybox', address.includes(':') ? 'ping6' : 'ping', '-c', '1', '-W', '1', address])).code === 0;
  const routes6 = async () => (await run('ip', ['-6', 'route', 'show', 'proto', ROUTE_PROTO])).stdout;
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
  const routesTo = async (address: string) => (await run('ip', ['-4', 'route', 'show', 'proto', ROUTE_PROTO, `${address}/32`])).stdout.trim();
  const proxied = async (address: string) => (await run('ip', ['-4', 'neigh', 'show', 'proxy', 'dev', uplink])).stdout.includes(address);

  test('assign, restart, drift, leftovers and unassign', async () => {
    const c = s.client;
    const api = publicIpApi(c);
    await api.createPool({ name: 'upstream', range: `${net}.16/28`, uplink, cooldownSeconds: 0 });
    const make = async (name: string) => {
      const r = await c.createServer({ name, plan: 'nano', image: 'tiny' });
      assert.equal((await c.waitOperation(r.operation.id, 60)).state, 'succeeded');
      return c.getServer(r.server.id);
    };
    const web = await make('web');
    const other = await make('other');
    const ip = await api.allocate({ name: 'web-ip', server: web.id });
    const spare = await api.allocate({ name: 'spare' });
    assert.equal(ip.address, `${net}.16`);

    assert.ok(await eventually(() => pings(ip.address)), 'the server answers ping on its public IP');
    await sh(web.id, 'nc -l -p 7000 -e /bin/hostname </dev/null >/dev/null 2>&1 &');
    let reply = '';
    for (let i = 0; i < 20 && !reply.includes('web'); i++) reply = (await inNs(['busybox', 'nc', '-w', '2', ip.address, '7000'])).stdout;
    assert.match(reply, /web/, 'and TCP');
    assert.equal(await pings(spare.address), false, 'an unassigned public IP answers nothing');
    assert.equal(await pings(other.spec.nics[0]!.ipv4.split('/')[0]!), false, 'a server without a public IP is not reachable from upstream');
    assert.match(await sh(web.id, 'ip -4 addr show dev eth0'), new RegExp(`${ip.address.replaceAll('.', '\\.')}/32`));

    // A restart keeps it: the address is in the guest's LXC config.
    assert.match(await readFile(join(s.dataDir, 'lxc', web.id, 'config'), 'utf8'), new RegExp(`lxc\\.net\\.0\\.ipv4\\.address = ${ip.address.replaceAll('.', '\\.')}/32`));
    await c.waitOperation((await c.serverAction(web.id, 'stop')).id, 60);
    assert.equal(await pings(ip.address), false, 'a stopped server answers nothing');
    await c.waitOperation((await c.serverAction(web.id, 'start')).id, 60);
    assert.ok(await eventually(() => pings(ip.address)), 'after a restart it answers again');

    // Drift: a route removed behind our back is put back; a leftover one is removed.
    await run('ip', ['route', 'del', `${ip.address}/32`, 'proto', ROUTE_PROTO]);
    assert.equal(await pings(ip.address), false);
    assert.ok(await eventually(async () => (await routesTo(ip.address)) !== '' && (await pings(ip.address))), 'the route is back');
    const defaultBridge = (await run('ip', ['-4', '-o', 'route', 'show', 'proto', ROUTE_PROTO, `${ip.address}/32`])).stdout.match(/dev (\S+)/)?.[1];
    assert.ok(defaultBridge);
    await run('ip', ['route', 'add', `${spare.address}/32`, 'via', web.spec.nics[0]!.ipv4.split('/')[0]!, 'dev', defaultBridge, 'proto', ROUTE_PROTO]);
    await run('ip', ['neigh', 'add', 'proxy', spare.address, 'dev', uplink]);
    assert.ok(await eventually(async () => (await routesTo(spare.address)) === '' && !(await proxied(spare.address))), 'the leftover route and proxy entry are gone');

    // IPv6: the server's own /64, its first address answering from upstream.
    await api.createPool({ name: 'upstream6', range: `${net6}:100::/56`, uplink, cooldownSeconds: 0 });
    const six = await api.allocate({ name: 'web-v6', family: 'ipv6', server: web.id });
    assert.equal(six.address, `${net6}:100::/64`);
    assert.ok(await eventually(() => pings(`${net6}:100::1`)), 'the server answers ping on the first address of its /64');
    assert.match(await sh(web.id, 'ip -6 addr show dev eth0'), new RegExp(`${net6}:100::1/64`));
    assert.match(await readFile(join(s.dataDir, 'lxc', web.id, 'config'), 'utf8'), new RegExp(`lxc\\.net\\.0\\.ipv6\\.address = ${net6}:100::1/64`));
    await api.unassign(six.id);
    assert.ok(await eventually(async () => !(await pings(`${net6}:100::1`)) && !(await routes6()).includes(`${net6}:100::/64`)), 'unassigned, the /64 answers no more and has no route');
    assert.ok(await eventually(async () => !(await sh(web.id, 'ip -6 addr show dev eth0')).includes(`${net6}:100::1`)), 'and left the guest');
    await api.release(six.id);
    await api.deletePool('upstream6');

    // Unassign: no more answers, and nothing left on the host.
    await api.unassign(ip.id);
    assert.ok(await eventually(async () => !(await pings(ip.address))), 'unassigned, it answers no more');
    assert.ok(await eventually(async () => (await routesTo(ip.address)) === '' && !(await proxied(ip.address))), 'its route and proxy entry are gone');
    assert.ok(await eventually(async () => !(await sh(web.id, 'ip -4 addr show dev eth0')).includes(`${ip.address}/32`)), 'and the address left the guest');
    assert.doesNotMatch(await readFile(join(s.dataDir, 'lxc', web.id, 'config'), 'utf8'), /kumulus public-ip/, 'and its config');

    // Moved to the other server, it answers there.
    await api.assign(ip.id, other.id);
    assert.ok(await eventually(() => pings(ip.address)), 'assigned to the other server, it answers again');
    assert.match(await sh(other.id, 'ip -4 addr show dev eth0'), new RegExp(`${ip.address.replaceAll('.', '\\.')}/32`));
    await c.waitOperation((await c.deleteServer(other.id)).id, 60);
    assert.ok(await eventually(async () => (await routesTo(ip.address)) === '' && !(await proxied(ip.address))), 'a deleted server leaves no route');
    assert.equal((await api.get(ip.id)).server, null);
    await c.waitOperation((await c.deleteServer(web.id)).id, 60);
    await api.release(ip.id);
    await api.release(spare.id);
    await api.deletePool('upstream');
  });

  test('a server with a public IPv4 sends from it; one without leaves masqueraded behind the host', async () => {
    const c = s.client;
    const api = publicIpApi(c);
    await api.createPool({ name: 'snat', range: `${net}.32/28`, uplink, cooldownSeconds: 0 });
    const made = await Promise.all(['snat-web', 'snat-other'].map((name) => c.createServer({ name, plan: 'nano', image: 'tiny' })));
    for (const m of made) assert.equal((await c.waitOperation(m.operation.id, 60)).state, 'succeeded');
    const [web, other] = made.map((m) => m.server);
    const ip = await api.allocate({ name: 'snat-ip', server: web!.id });
    // The upstream router counts echo requests by their source address, as it sees them.
    await run('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], {
      input: `table ip probe {\n  chain input {\n    type filter hook input priority 0; policy accept;\n    icmp type echo-request ip saddr ${ip.address} counter\n    icmp type echo-request ip saddr ${net}.254 counter\n  }\n}\n`,
    });
    const seen = async () => {
      const text = (await inNs(['nft', 'list', 'chain', 'ip', 'probe', 'input'])).stdout;
      const count = (src: string) => Number(new RegExp(`ip saddr ${src.replaceAll('.', '\\.')} counter packets (\\d+)`).exec(text)?.[1] ?? Number.NaN);
      return { public: count(ip.address), host: count(`${net}.254`) };
    };
    const pingsUp = async (id: string) => /[1-9] packets received/.test(await sh(id, `ping -c 1 -W 1 ${net}.1`));

    /** One ping from `id` upstream, and which source counters it moved. */
    const pingFrom = async (id: string) => {
      const before = await seen();
      const answered = await pingsUp(id);
      const later = await seen();
      return { answered, public: later.public > before.public, host: later.host > before.host };
    };
    const fromPublic = async () => {
      const r = await pingFrom(web!.id);
      return r.answered && r.public && !r.host;
    };
    // Eventually: the host's public-IP pass fills the SNAT map a moment after the assignment.
    assert.ok(await eventually(fromPublic), `the server with a public IP reaches the upstream router from ${ip.address}`);
    assert.ok(await fromPublic(), 'and again, never from the host');
    const masqueraded = async (id: string) => {
      const r = await pingFrom(id);
      return r.answered && r.host && !r.public;
    };
    assert.ok(await eventually(() => masqueraded(other!.id)), `the server without one leaves masqueraded behind the host's ${net}.254`);

    // Unassigned, the server leaves masqueraded again (once the host's pass has run).
    await api.unassign(ip.id);
    assert.ok(await eventually(() => masqueraded(web!.id)), 'unassigned, it leaves behind the host, no more from the public IP');
    for (const srv of [web!, other!]) await c.waitOperation((await c.deleteServer(srv.id)).id, 60);
    await api.release(ip.id);
    await api.deletePool('snat');
  });
});
