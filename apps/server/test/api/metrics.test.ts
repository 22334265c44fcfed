/**
 * GET /metrics of a running Kumulus with a real container: refused without the configured
 * credentials, answered with a bearer token and with basic auth, accepted by `promtool check metrics`
 * (Debian's prometheus package), and carrying the server's cgroup and NIC figures under its labels.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Server } from '@kumulus/api';
import { lxcAttach } from '../../src/drivers/local/lxc.ts';
import { startTestServer, type TestServer } from '../harness.ts';

const TOKEN = 'scrape-token-0123456789';
const basic = `Basic ${Buffer.from('prom:scrape-pass').toString('base64')}`;

/** Parses the text format into `name{labels}` → value (the labels as written). */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}
/** The value of the one sample whose name and labels contain every part. */
function value(all: Map<string, number>, name: string, ...parts: string[]): number {
  const hits = [...all].filter(([k]) => k.startsWith(`${name}{`) && parts.every((p) => k.includes(p)));
  assert.equal(hits.length, 1, `${name} ${parts.join(' ')}: ${hits.map(([k]) => k).join(', ') || 'none'}`);
  return hits[0]![1];
}

describe('Prometheus metrics', () => {
  let s: TestServer;
  let srv: Server;
  before(async () => {
    s = await startTestServer({ metrics: { token: TOKEN, basicAuth: { username: 'prom', password: 'scrape-pass' } } });
    await s.client.bookLedger({ tenantId: (await s.client.me()).tenant.id, kind: 'topup', amount: '12.50', currency: 'EUR', reference: 'metrics-test' });
    const made = await s.client.createServer({ name: 'metered', plan: 'nano', image: 'tiny' });
    assert.equal((await s.client.waitOperation(made.operation.id, 120)).state, 'succeeded');
    srv = await s.client.getServer('metered');
  });
  after(async () => {
    if (srv) await s.client.waitOperation((await s.client.deleteServer(srv.id)).id, 60).catch(() => {});
    await s?.stop();
  });
  const scrape = (authorization?: string) => fetch(`${s.url}/metrics`, { headers: authorization ? { authorization } : {} });

  test('only the configured credentials may scrape', async () => {
    for (const auth of [undefined, 'Bearer wrong-token-0123456789', `Basic ${Buffer.from('prom:nope').toString('base64')}`, `Bearer ${s.operatorToken}`]) {
      const res = await scrape(auth);
      assert.equal(res.status, 401, String(auth));
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'UNAUTHENTICATED');
    }
    assert.equal((await scrape(basic)).status, 200);
  });

  test("promtool accepts the output, which holds the control plane's, the host's and the server's figures", async () => {
    // Work the server did: CPU in a shell loop, and packets from the host to its NIC.
    const r = await lxcAttach(join(s.dataDir, 'lxc'), srv.id, ['/bin/sh', '-c', 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; echo done']);
    assert.match(r.stdout, /done/);
    assert.equal(spawnSync('ping', ['-c', '3', '-i', '0.2', srv.spec.nics[0]!.ipv4.split('/')[0]!]).status, 0, 'the server answers pings');
    await s.client.listServers();
    const res = await scrape(`Bearer ${TOKEN}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(check.status, 0, `promtool: ${check.stdout}${check.stderr}`);
    assert.equal(`${check.stdout}${check.stderr}`.trim(), '', 'promtool has nothing to remark');

    const all = samples(text);
    const who = [`server_id="${srv.id}"`, 'server_name="metered"', `tenant_id="${srv.tenantId}"`];
    assert.ok(value(all, 'kumulus_server_cpu_seconds_total', ...who) >= 0.05, 'the loop used CPU');
    assert.ok(value(all, 'kumulus_server_memory_bytes', ...who) > 100_000, 'a busybox guest holds some hundred KB');
    assert.ok(value(all, 'kumulus_server_network_receive_bytes_total', ...who) >= 3 * 84, 'three pings reached the server');
    assert.ok(value(all, 'kumulus_server_network_transmit_bytes_total', ...who) >= 3 * 84, 'and it answered them');
    assert.ok(value(all, 'kumulus_server_disk_read_bytes_total', ...who) >= 0);
    assert.equal(value(all, 'kumulus_server_info', ...who, 'phase="Running"'), 1);
    assert.ok(value(all, 'kumulus_http_requests_total', 'method="GET"', 'route="/api/v1/servers"', 'status_code="200"') >= 1, 'the list was counted by its route pattern');
    assert.ok(value(all, 'kumulus_http_request_duration_seconds_count', 'route="/api/v1/servers/:id"', 'method="GET"', 'status_code="200"') >= 1, 'a lookup by id is one series, not one per id');
    assert.ok(![...all.keys()].some((k) => k.includes(srv.id) && k.startsWith('kumulus_http')), 'no id in a route label');
    assert.ok(value(all, 'kumulus_reconcile_duration_seconds_count', 'kind="server"', 'result="ok"') >= 1);
    assert.ok(value(all, 'kumulus_operations', 'kind="server.create"', 'state="succeeded"') >= 1);
    assert.ok(value(all, 'kumulus_queue_items', 'kind="engine"') === 1, 'the engine sweep waits in the queue');
    assert.ok(value(all, 'kumulus_host_cpu_seconds_total', 'mode="idle"') > 0);
    assert.ok((all.get('kumulus_host_memory_total_bytes') ?? 0) > (all.get('kumulus_host_memory_available_bytes') ?? Infinity));
    assert.ok(value(all, 'kumulus_host_filesystem_size_bytes', `path="${s.dataDir}"`) > 0);
    const hostLinks = [...all.keys()].filter((k) => k.startsWith('kumulus_host_network_receive_bytes_total{'));
    assert.ok(hostLinks.length > 0 && !hostLinks.some((k) => k.includes('device="kv')), `host links without guests' veths: ${hostLinks.join(', ')}`);
    const ledger = await s.client.listLedger({ tenantId: srv.tenantId, limit: 100 });
    const credit = ledger.items.reduce((sum, e) => sum + Number(e.amount.amount), 0);
    assert.ok(ledger.items.some((e) => e.kind === 'topup' && Number(e.amount.amount) === 12.5), `the top-up is booked: ${JSON.stringify(ledger.items.map((e) => [e.kind, e.amount.amount]))}`);
    assert.equal(value(all, 'kumulus_tenant_credit', `tenant_id="${srv.tenantId}"`, 'currency="EUR"'), credit);
  });
});
