/**
 * Per-NIC rate limits and traffic counters with real transfers between two servers on a
 * vSwitch: a limit set live holds the measured rate within 10 % of it, in both directions, and
 * the hourly counters match the bytes that crossed the guest's interface within 1 %.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { Server } from '@kumulus/api';
import { lxcAttach } from '../../src/drivers/local/lxc.ts';
import { vethName } from '../../src/drivers/local/network.ts';
import { ifbName } from '../../src/drivers/local/nic-rate.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { raw } from '../stores.ts';

describe('NIC rate limits and traffic', () => {
  let s: TestServer;
  let a: Server;
  let b: Server;
  before(async () => {
    s = await startTestServer({ trafficEveryMs: 300 });
    const net = await s.client.createNetwork({ name: 'meter', ipv4Cidr: '10.84.0.0/24' });
    assert.equal((await s.client.waitOperation(net.operation.id, 60)).state, 'succeeded');
    const made = await Promise.all(['ta', 'tb'].map((name) => s.client.createServer({ name, plan: 'nano', image: 'tiny', nics: [{ network: 'meter' }] })));
    for (const m of made) assert.equal((await s.client.waitOperation(m.operation.id, 60)).state, 'succeeded');
    a = await s.client.getServer('ta');
    b = await s.client.getServer('tb');
    await listen();
  });
  after(async () => {
    for (const srv of [a, b]) if (srv) await s.client.waitOperation((await s.client.deleteServer(srv.id)).id, 60).catch(() => {});
    await s?.stop();
  });

  const sh = async (id: string, script: string) => {
    const r = await lxcAttach(join(s.dataDir, 'lxc'), id, ['/bin/sh', '-c', script]);
    return `${r.stdout}${r.stderr}`;
  };
  /** A sink on ta that takes one connection after another and throws the bytes away. */
  const listen = () => sh(a.id, "printf '#!/bin/sh\\ncat >/dev/null\\n' >/sink && chmod +x /sink && (nc -ll -p 7100 -e /sink </dev/null >/dev/null 2>&1 &)");
  const ipOf = (srv: Server) => srv.spec.nics[0]!.ipv4.split('/')[0]!;
  const txBytes = (veth: string) => Number(readFileSync(`/sys/class/net/${veth}/statistics/tx_bytes`, 'utf8'));
  /** Streams from b to a and measures, on the host, the rate arriving at a's host link (Mbit/s). */
  const measure = async () => {
    await sh(b.id, `dd if=/dev/zero bs=64k count=4000 2>/dev/null | nc ${ipOf(a)} 7100 >/dev/null 2>&1 &`);
    const veth = vethName(a.spec.nics[0]!.id);
    await sleep(1000); // past TCP's slow start and the bucket's first burst
    const [t0, b0] = [process.hrtime.bigint(), txBytes(veth)];
    await sleep(3000);
    const [t1, b1] = [process.hrtime.bigint(), txBytes(veth)];
    await sh(b.id, 'killall nc 2>/dev/null; true');
    await sleep(300);
    return ((b1 - b0) * 8) / (Number(t1 - t0) / 1e9) / 1e6;
  };
  const limit = async (srv: Server, body: { ingressMbit?: number | null; egressMbit?: number | null }) => {
    const op = await s.client.limitNic(srv.id, srv.spec.nics[0]!.id, body);
    assert.equal((await s.client.waitOperation(op.id, 60)).state, 'succeeded');
  };

  test('a limit out of one server and a limit into the other each hold within 10 %', async (t) => {
    await limit(b, { egressMbit: 16 });
    const bVeth = vethName(b.spec.nics[0]!.id);
    assert.match(execFileSync('tc', ['qdisc', 'show', 'dev', ifbName(bVeth)], { encoding: 'utf8' }), /tbf .*rate 16Mbit/);
    const out = await measure();
    t.diagnostic(`egress limit 16 Mbit/s: measured ${out.toFixed(1)}`);
    assert.ok(Math.abs(out - 16) <= 1.6, `out of tb: ${out.toFixed(1)} Mbit/s for a limit of 16`);

    await limit(b, { egressMbit: null });
    assert.throws(() => execFileSync('ip', ['link', 'show', ifbName(bVeth)], { stdio: 'pipe' }), 'the IFB device is gone with the limit');
    await limit(a, { ingressMbit: 10 });
    const into = await measure();
    t.diagnostic(`ingress limit 10 Mbit/s: measured ${into.toFixed(1)}`);
    assert.ok(Math.abs(into - 10) <= 1, `into ta: ${into.toFixed(1)} Mbit/s for a limit of 10`);
    const nic = (await s.client.listServerNics('ta')).items[0]!;
    assert.equal(nic.ingressMbit, 10);

    // A stop and start keeps the limit: the engine applies it to the new veth.
    assert.equal((await s.client.waitOperation((await s.client.serverAction('ta', 'stop')).id, 60)).state, 'succeeded');
    assert.equal((await s.client.waitOperation((await s.client.serverAction('ta', 'start')).id, 60)).state, 'succeeded');
    assert.match(execFileSync('tc', ['qdisc', 'show', 'dev', vethName(a.spec.nics[0]!.id)], { encoding: 'utf8' }), /tbf .*rate 10Mbit/);
    await listen();
    await limit(a, { ingressMbit: null });
  });

  test('the hourly counters match the bytes that crossed the guest interface within 1 %', async (t) => {
    const total = async () => (await s.client.serverTraffic('ta')).items.reduce((n, h) => n + h.privateInBytes, 0);
    const guestRx = async () => Number((await sh(a.id, 'cat /sys/class/net/eth0/statistics/rx_bytes')).trim());
    /** Waits until two collector passes in a row add nothing. */
    const settled = async () => {
      let last = -1;
      for (let i = 0; i < 60; i++) {
        await sleep(700);
        const now = await total();
        if (now === last) return now;
        last = now;
      }
      throw new Error('the traffic never settled');
    };
    const [t0, r0] = [await settled(), await guestRx()];
    const sent = 8 * 1024 * 1024;
    await sh(b.id, `dd if=/dev/zero bs=64k count=${sent / 65536} 2>/dev/null | nc ${ipOf(a)} 7100 >/dev/null 2>&1 &`);
    for (let last = -1, now = await guestRx(); now !== last; last = now, now = await guestRx()) await sleep(500);
    const [t1, r1] = [await settled(), await guestRx()];
    const counted = t1 - t0;
    const crossed = r1 - r0;
    t.diagnostic(`counted ${counted} bytes; the guest interface saw ${crossed}; payload ${sent}`);
    assert.ok(crossed >= sent, `the guest received at least the payload: ${crossed}`);
    assert.ok(Math.abs(counted - crossed) <= crossed * 0.01, `counted ${counted} bytes, the guest interface saw ${crossed}`);
    const traffic = await s.client.serverTraffic('ta');
    assert.equal(traffic.items.reduce((n, h) => n + h.publicInBytes, 0), 0, 'nothing on the vSwitch counts as public');
    // The graph's series: per NIC, the same bytes as the sums, and the NIC's network named.
    const nic = a.spec.nics[0]!;
    assert.deepEqual(
      traffic.nics.map((n) => [n.nicId, n.network, n.public]),
      [[nic.id, nic.network, false]],
    );
    assert.equal(
      traffic.nics[0]!.items.reduce((n, h) => n + h.inBytes, 0),
      traffic.items.reduce((n, h) => n + h.privateInBytes, 0),
    );
    const lastHour = await s.client.serverTraffic('ta', { hours: 1, nic: nic.id });
    assert.equal(lastHour.items.length, 1, 'one hour asked for, one answered');
    assert.ok(Date.parse(lastHour.since) > Date.now() - 3_600_000);
    const bad = async (query: string, status: number, code: string, field?: string) => {
      const res = await raw(s.url, 'GET', `/servers/ta/traffic?${query}`, { token: s.operatorToken });
      assert.equal(res.status, status, `${query} → ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, code, query);
      if (field) assert.ok(res.body.error.details?.some((d: { field: string }) => d.field === field), `${query} names ${field}: ${JSON.stringify(res.body.error)}`);
    };
    await bad('hours=0', 400, 'VALIDATION_FAILED', 'querystring:hours');
    await bad('hours=745', 400, 'VALIDATION_FAILED', 'querystring:hours');
    await bad('nic=nic_00000000000000000000', 404, 'NIC_NOT_FOUND');
  });

  test("a plan's terms: past the included traffic public NICs are throttled, past the hard limit the server says so", async () => {
    const c = s.client;
    await c.createPlan({ name: 'metered', vcpus: 1, memoryMb: 256, diskGb: 1, priceHourly: { amount: 1, currency: 'EUR' } });
    await c.setPlanTraffic('metered', { nicMbit: null, includedGb: 0, throttleMbit: 10, hardLimitGb: null });
    const made = await c.createServer({ name: 'tm', plan: 'metered', image: 'tiny' });
    assert.equal((await c.waitOperation(made.operation.id, 60)).state, 'succeeded');
    const gateway = made.server.spec.nics[0]!.ipv4.split('.').slice(0, 3).join('.') + '.1';
    await sh(made.server.id, `ping -c 3 -W 1 ${gateway}`); // public traffic past the 0 GB included
    const ifb = ifbName(vethName(made.server.spec.nics[0]!.id));
    const tbfOn = () => {
      try {
        return /tbf .*rate 10Mbit/.test(execFileSync('tc', ['qdisc', 'show', 'dev', ifb], { encoding: 'utf8', stdio: 'pipe' }));
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 60 && !tbfOn(); i++) await sleep(300);
    assert.ok(tbfOn(), 'the public NIC is throttled to 10 Mbit/s out');
    const condition = async () => (await c.getServer('tm')).status.conditions.find((x) => x.type === 'TrafficLimit');
    assert.equal((await condition())?.reason, 'Throttled');
    assert.equal((await condition())?.status, 'False', 'the hard limit is not reached');

    await c.setPlanTraffic('metered', { nicMbit: null, includedGb: 0, throttleMbit: 10, hardLimitGb: 0 });
    await sh(made.server.id, `ping -c 2 -W 1 ${gateway}`);
    for (let i = 0; i < 60 && (await condition())?.reason !== 'HardLimitExceeded'; i++) await sleep(300);
    assert.equal((await condition())?.status, 'True', 'past the hard limit: a condition billing can read');
    assert.equal((await condition())?.reason, 'HardLimitExceeded');
    await c.waitOperation((await c.deleteServer(made.server.id)).id, 60);
    assert.throws(() => execFileSync('ip', ['link', 'show', ifb], { stdio: 'pipe' }), 'no IFB device is left');
  });
});
