/**
 * Uptime monitors against real targets on loopback: an HTTP server that goes down and comes back
 * (one alert and one recovery, caught by a real SMTP server and a webhook receiver), a redirect and a
 * missing keyword, a TLS server whose self-signed certificate ends in 10 days, an open and a closed TCP
 * port, ping, a monitor pointing at a real server by reference, a tenant refused a private target, and
 * a restart of the control plane that the schedule survives. The control plane's clock is skipped ahead
 * to make the next check due; no assertion depends on how long anything takes.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer as createTlsServer } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { KumulusClient, type Monitor, monitorApi } from '@kumulus/api';
import { createPgDatabase, engineNames, startTestServer, type TestServer } from '../harness.ts';
import { startSmtpCatcher } from '../smtp.ts';
import { raw, STORES } from '../stores.ts';

const catcher = await startSmtpCatcher('Kumulus <monitor@kumulus.test>');
const mails = catcher.mails;
const hooks: { event: string; data: Record<string, unknown> }[] = [];
let healthy = true;
const web: HttpServer = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/hook') {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      hooks.push(JSON.parse(body));
      res.end();
    });
    return;
  }
  if (req.url === '/moved') return void res.writeHead(302, { location: '/health' }).end();
  if (req.url === '/loop') return void res.writeHead(302, { location: '/loop' }).end();
  res.writeHead(healthy ? 200 : 503, { 'content-type': 'text/plain' }).end(healthy ? 'all good' : 'maintenance');
});
const certDir = mkdtempSync(join(tmpdir(), 'kumulus-monitor-tls-'));
// A certificate that ends in 10 days, as a forgotten renewal leaves one.
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '10', '-subj', '/CN=localhost', '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem')], { stdio: 'ignore' });
const tlsServer = createTlsServer({ key: readFileSync(join(certDir, 'key.pem')), cert: readFileSync(join(certDir, 'cert.pem')) }, (socket) => socket.end());
const listen = (srv: { listen(port: number, host: string, cb: () => void): unknown; address(): unknown }) =>
  new Promise<number>((resolve) => srv.listen(0, '127.0.0.1', () => resolve((srv.address() as { port: number }).port)));
const [webPort, tlsPort] = [await listen(web), await listen(tlsServer)];
// A port that was free a moment ago and is closed now.
const probe = createTcpServer();
const closedPort = await listen(probe);
await new Promise<void>((r) => probe.close(() => r()));
after(async () => {
  await catcher.close();
  web.closeAllConnections();
  await new Promise<void>((r) => web.close(() => r()));
  await new Promise<void>((r) => tlsServer.close(() => r()));
  rmSync(certDir, { recursive: true, force: true });
});

let skipped = 0;
const clock = () => Date.now() + skipped;

for (const store of STORES) describe(`uptime monitors [${store}]`, () => {
  let s: TestServer;
  let m: ReturnType<typeof monitorApi>;
  // Fixed names, so a restart drives the same bridge and table and the last stop removes them.
  const names = engineNames();
  // One database for every start, so that a restart finds the monitors again.
  let pg: Awaited<ReturnType<typeof createPgDatabase>> | null = null;
  const options = () => ({
    storeUrl: pg?.url,
    bridge: names.bridge,
    nftTable: names.nftTable,
    network: names.network,
    clock,
    webhooksAllowPrivateUrls: true,
    smtp: catcher.smtp,
  });
  before(async () => {
    if (store === 'postgres') pg = await createPgDatabase();
    mails.length = 0;
    hooks.length = 0;
    s = await startTestServer({ ...options(), keep: true });
    m = monitorApi(s.client);
    await s.client.createWebhook({ url: `http://127.0.0.1:${webPort}/hook`, events: ['monitor.down', 'monitor.up', 'monitor.certificate_expiring'] });
  });
  after(async () => {
    await s?.running.close();
    // The kept data dir and engine objects go with a last start-and-stop that does not keep them.
    if (s) await (await startTestServer({ ...options(), dataDir: s.dataDir })).stop();
    await pg?.drop();
  });

  /** Waits until the monitor has been checked after `since` (ms) and answers it. */
  async function checkedAfter(id: string, since: number): Promise<Monitor> {
    for (;;) {
      const mon = await m.get(id);
      if (mon.status.lastCheckedAt && Date.parse(mon.status.lastCheckedAt) > since) return mon;
      await sleep(100);
    }
  }
  /** Makes every monitor's next check due (a minute passes on the control plane's clock) and waits for this one's. */
  async function nextCheck(id: string): Promise<Monitor> {
    const before = Date.parse((await m.get(id)).status.lastCheckedAt ?? '1970-01-01');
    skipped += 61_000;
    return checkedAfter(id, before);
  }
  const until = async (what: () => boolean) => {
    while (!what()) await sleep(100);
  };

  test('an HTTP outage is one alert and one recovery, by mail and webhook, with history and uptime', async () => {
    const created = await m.create({ name: 'web', type: 'http', url: `http://127.0.0.1:${webPort}/moved`, keyword: 'all good', retries: 1, emails: ['ops@kumulus.test'] });
    assert.equal(created.status.state, 'pending');
    let mon = await checkedAfter(created.id, 0);
    assert.equal(mon.status.state, 'up');
    assert.match(mon.status.lastMessage ?? '', /^HTTP 200 after 1 redirect to http:\/\/127\.0\.0\.1:\d+\/health in \d+ ms$/);
    assert.equal(mon.status.uptime24h, 100);

    healthy = false;
    mon = await nextCheck(created.id);
    assert.equal(mon.status.state, 'up', 'one failure is tolerated (retries: 1)');
    assert.equal(mon.status.failuresInRow, 1);
    mon = await nextCheck(created.id);
    assert.equal(mon.status.state, 'down');
    assert.equal(mon.status.lastMessage, 'HTTP 503 after 1 redirect to http://127.0.0.1:' + webPort + '/health');
    await until(() => mails.some((x) => x.notice === 'monitor.down'));
    await until(() => hooks.some((h) => h.event === 'monitor.down'));
    mon = await nextCheck(created.id);
    assert.equal(mon.status.state, 'down');

    healthy = true;
    mon = await nextCheck(created.id);
    assert.equal(mon.status.state, 'up');
    await until(() => mails.some((x) => x.notice === 'monitor.up') && hooks.some((h) => h.event === 'monitor.up'));
    const outbox = await s.running.store.db.selectFrom('mail_outbox').select(['kind', 'subject']).where('kind', 'like', 'monitor.%').orderBy('created_at').execute();
    assert.deepEqual(outbox.map((r) => r.kind), ['monitor.down', 'monitor.up'], 'the check while down wrote nothing');
    assert.deepEqual(outbox.map((r) => r.subject), ['AUSGEFALLEN: web / DOWN: web', 'Wieder erreichbar: web / UP again: web']);
    const ours = mails.filter((x) => x.notice.startsWith('monitor.') && x.notice !== 'monitor.certificate_expiring');
    assert.deepEqual(ours.map((x) => x.notice), ['monitor.down', 'monitor.up'], 'one message per outage and one per recovery');
    assert.deepEqual(ours[0]!.to, ['ops@kumulus.test']);
    assert.deepEqual(hooks.filter((h) => h.event !== 'monitor.certificate_expiring').map((h) => h.event), ['monitor.down', 'monitor.up']);
    assert.equal((hooks[0]!.data.monitor as { id: string }).id, created.id);

    // ok, fail, fail, fail, ok
    const history = await m.results(created.id, { order: 'desc' });
    assert.deepEqual(history.items.map((r) => r.ok), [true, false, false, false, true]);
    assert.equal(mon.status.uptime24h, 40);
    assert.equal(mon.status.uptime30d, 40);
    await m.update(created.id, { paused: true });
  });

  test('a missing keyword, too many redirects and a wrong status are down, with the reason', async () => {
    const kw = await m.create({ name: 'kw', type: 'http', url: `http://127.0.0.1:${webPort}/health`, keyword: 'nope' });
    assert.match((await checkedAfter(kw.id, 0)).status.lastMessage ?? '', /HTTP 200, but the keyword "nope" is missing/);
    const loop = await m.create({ name: 'loop', type: 'http', url: `http://127.0.0.1:${webPort}/loop`, maxRedirects: 2 });
    assert.equal((await checkedAfter(loop.id, 0)).status.lastMessage, 'more than 2 redirects (last to /loop)');
    const status = await m.create({ name: 'status', type: 'http', url: `http://127.0.0.1:${webPort}/moved`, maxRedirects: 0, expectStatus: [302] });
    const st = await checkedAfter(status.id, 0);
    assert.equal(st.status.lastMessage, 'more than 0 redirects (last to /health)', 'a redirect not followed is still a redirect');
    for (const id of [kw.id, loop.id, status.id]) await m.delete(id);
  });

  test('TCP: an open port is up, a closed one down; ping to loopback is up', async () => {
    const open = await m.create({ name: 'tcp-open', type: 'tcp', host: '127.0.0.1', port: webPort });
    const closed = await m.create({ name: 'tcp-closed', type: 'tcp', host: '127.0.0.1', port: closedPort, emails: ['ops@kumulus.test'] });
    const ping = await m.create({ name: 'ping', type: 'ping', host: '127.0.0.1' });
    assert.equal((await checkedAfter(open.id, 0)).status.state, 'up');
    const c = await checkedAfter(closed.id, 0);
    assert.equal(c.status.state, 'down', 'retries 0: the first failure alerts');
    assert.equal(c.status.lastMessage, `port ${closedPort}: ECONNREFUSED`);
    const p = await checkedAfter(ping.id, 0);
    assert.equal(p.status.state, 'up');
    assert.match(p.status.lastMessage ?? '', /^echo reply in [\d.]+ ms$/);
    for (const id of [open.id, closed.id, ping.id]) await m.delete(id);
  });

  test('a certificate ending in 10 days warns once at the 14-day threshold; untrusted is down unless allowed', async () => {
    const before = mails.length;
    const tls = await m.create({ name: 'cert', type: 'tls', host: '127.0.0.1', port: tlsPort, ignoreTlsErrors: true, emails: ['ops@kumulus.test'] });
    let mon = await checkedAfter(tls.id, 0);
    assert.equal(mon.status.state, 'up');
    assert.match(mon.status.lastMessage ?? '', /^certificate valid until \d{4}-\d\d-\d\d \(9 days left\)$/);
    const ends = new Date(execFileSync('openssl', ['x509', '-noout', '-enddate', '-in', join(certDir, 'cert.pem')], { encoding: 'utf8' }).split('=')[1]!.trim());
    assert.equal(mon.status.certificateExpiresAt, ends.toISOString());
    await until(() => hooks.some((h) => h.event === 'monitor.certificate_expiring'));
    mon = await nextCheck(tls.id);
    assert.equal(mon.status.state, 'up');
    const outbox = await s.running.store.db.selectFrom('mail_outbox').select(['kind', 'subject']).where('kind', '=', 'monitor.certificate_expiring').execute();
    assert.equal(outbox.length, 1, 'the second check wrote no second warning');
    assert.equal(outbox[0]!.subject, 'Zertifikat läuft in 9 Tagen ab: cert / Certificate expires in 9 days: cert');
    await until(() => mails.slice(before).some((x) => x.notice === 'monitor.certificate_expiring'));
    assert.deepEqual(mails.slice(before).find((x) => x.notice === 'monitor.certificate_expiring')!.to, ['ops@kumulus.test']);
    const hook = hooks.filter((h) => h.event === 'monitor.certificate_expiring');
    assert.equal(hook.length, 1);
    assert.equal(hook[0]!.data.threshold, 14);

    const strict = await m.create({ name: 'cert-strict', type: 'tls', host: '127.0.0.1', port: tlsPort });
    const st = await checkedAfter(strict.id, 0);
    assert.equal(st.status.state, 'down');
    assert.match(st.status.lastMessage ?? '', /^the certificate is not trusted: /);
    for (const id of [tls.id, strict.id]) await m.delete(id);
  });

  test("a monitor points at a server by reference and checks the server's address", async () => {
    const made = await s.client.createServer({ name: 'watched', plan: 'nano', image: 'tiny' });
    assert.equal((await s.client.waitOperation(made.operation.id, 120)).state, 'succeeded');
    const srv = await s.client.getServer('watched');
    const mon = await m.create({ name: 'srv-ping', type: 'ping', server: 'watched' });
    assert.equal(mon.settings.server, srv.id, 'kept as the id, not a copied address');
    const checked = await checkedAfter(mon.id, 0);
    assert.equal(checked.status.target, srv.spec.nics[0]!.ipv4.split('/')[0]);
    assert.equal(checked.status.state, 'up');
    assert.equal((await s.client.waitOperation((await s.client.deleteServer(srv.id)).id, 60)).state, 'succeeded');
    const gone = await nextCheck(mon.id);
    assert.equal(gone.status.state, 'down');
    assert.equal(gone.status.lastMessage, `the server ${srv.id} no longer exists`);
    await m.delete(mon.id);
  });

  test('bad input is refused with a stable code and nothing is made', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ name: 'x', type: 'tcp', host: '127.0.0.1' }, 'MONITOR_TARGET_INVALID', 'port'],
      [{ name: 'x', type: 'http', url: 'http://a.example/', server: 'watched' }, 'MONITOR_TARGET_INVALID', 'url'],
      [{ name: 'x', type: 'ping', host: 'a.example', port: 80 }, 'MONITOR_TARGET_INVALID', 'port'],
      [{ name: 'x', type: 'http', url: 'http://a.example/', intervalSeconds: 20, timeoutSeconds: 30 }, 'MONITOR_TARGET_INVALID', 'timeoutSeconds'],
      [{ name: 'x', type: 'ping', server: 'no-such-server' }, 'SERVER_NOT_FOUND', ''],
    ];
    for (const [body, code, field] of cases) {
      const res = await raw(s.url, 'POST', '/monitors', { token: s.operatorToken, body: JSON.stringify(body) });
      assert.equal(res.body.error?.code, code, JSON.stringify(res.body));
      if (field) assert.equal(res.body.error.details[0].field, field);
    }
    // A tenant may not point a monitor at a private address of the operator's network (SSRF) …
    await s.client.createTenant({ name: 'tenant-m', admin: { email: 'm@tenant-m.test', password: 'Tenant-M-Password-1' } });
    const login = await fetch(`${s.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'm@tenant-m.test', password: 'Tenant-M-Password-1' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const token = (await raw(s.url, 'POST', '/tokens', { body: '{"name":"m"}', headers: { cookie, origin: s.url } })).body.secret as string;
    const refused = await raw(s.url, 'POST', '/monitors', { token, body: JSON.stringify({ name: 'lan', type: 'tcp', host: '10.0.0.1', port: 22 }) });
    assert.equal(refused.status, 422);
    assert.equal(refused.body.error.code, 'MONITOR_TARGET_REFUSED');
    const de = await raw(s.url, 'POST', '/monitors', { token, body: JSON.stringify({ name: 'lan', type: 'tcp', host: '10.0.0.1', port: 22 }), headers: { 'accept-language': 'de' } });
    assert.match(de.body.error.message, /Loopback- oder private Adresse/);
    // … and sees none of the operator's monitors.
    assert.deepEqual((await monitorApi(new KumulusClient({ baseUrl: s.url, token })).list()).items, []);
  });

  test('the schedule lives in the store: after a restart the next checks come without being asked', async () => {
    const mon = await m.create({ name: 'after-restart', type: 'tcp', host: '127.0.0.1', port: webPort });
    await checkedAfter(mon.id, 0);
    await s.running.close();
    s = await startTestServer({ ...options(), dataDir: s.dataDir, keep: true });
    m = monitorApi(s.client);
    const again = await nextCheck(mon.id);
    assert.equal(again.status.state, 'up');
    assert.equal((await m.results(mon.id)).items.length, 2);
  });
});
