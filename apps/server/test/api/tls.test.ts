/**
 * HTTPS as serve offers it to other machines, over real TLS on loopback: a certificate made on first start and
 * kept, the operator's own one when it is put in place, Secure session cookies, and plain HTTP kept on loopback.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { type AddressInfo, createServer } from 'node:net';
import { once } from 'node:events';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { connect, type TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { engineNames, startTestServer, type TestServer } from '../harness.ts';

const run = promisify(execFile);

interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  fingerprint: string;
}

/** One HTTPS request that trusts only `ca` (so the chain and the name are really checked). */
function httpsRequest(url: string, opts: { ca: string; servername?: string; method?: string; body?: string }): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const headers = opts.body === undefined ? {} : { 'content-type': 'application/json' };
    const req = request(url, { method: opts.method ?? 'GET', ca: opts.ca, servername: opts.servername, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, fingerprint: (res.socket as TLSSocket).getPeerCertificate().fingerprint256 }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

async function opensslFingerprint(file: string): Promise<string> {
  const { stdout } = await run('openssl', ['x509', '-in', file, '-noout', '-fingerprint', '-sha256']);
  return stdout.trim().replace(/^.*=/, '');
}

describe('HTTPS listener', { timeout: 180_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kumulus-tls-'));
  const names = engineNames();
  const engineOpts = { dataDir, bridge: names.bridge, nftTable: names.nftTable, network: names.network, tlsListen: '127.0.0.1:0' };
  let server: TestServer | undefined;
  after(async () => {
    await server?.stop();
    // Starts with `keep` leave the bridge and table for the next one; the last start takes them away.
    await run('ip', ['link', 'del', names.bridge]).catch(() => {});
    await run('nft', ['delete', 'table', 'inet', names.nftTable]).catch(() => {});
    for (const family of ['inet', 'bridge']) await run('nft', ['delete', 'table', family, `${names.nftTable}_fw`]).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('first start makes a certificate for the host and its addresses; HTTPS answers with it', async () => {
    server = await startTestServer({ ...engineOpts, keep: true });
    const tls = server.running.tls;
    assert.ok(tls, 'an HTTPS listener');
    assert.equal(tls.generated, true);
    assert.equal(statSync(join(dataDir, 'tls')).mode & 0o777, 0o700);
    assert.equal(statSync(join(dataDir, 'tls', 'key.pem')).mode & 0o777, 0o600);
    const cert = readFileSync(join(dataDir, 'tls', 'cert.pem'), 'utf8');
    assert.equal(tls.fingerprint, await opensslFingerprint(join(dataDir, 'tls', 'cert.pem')));
    assert.match(tls.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    // Trusting only this certificate, both the address (IP SAN) and the host name (DNS SAN) verify.
    const health = await httpsRequest(`${tls.url}/healthz`, { ca: cert });
    assert.equal(health.status, 200);
    assert.equal(JSON.parse(health.body).status, 'ok');
    assert.equal(health.fingerprint, tls.fingerprint);
    assert.equal((await httpsRequest(`${tls.url}/healthz`, { ca: cert, servername: hostname() })).status, 200);
    await assert.rejects(httpsRequest(`${tls.url}/healthz`, { ca: cert, servername: 'not-this-host.example' }), /ERR_TLS_CERT_ALTNAME_INVALID|does not match/);
    // Plain HTTP stays on loopback beside it.
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  });

  test('the session cookie is Secure over HTTPS and not over loopback HTTP', async () => {
    assert.ok(server?.running.tls);
    const cert = readFileSync(join(dataDir, 'tls', 'cert.pem'), 'utf8');
    const body = JSON.stringify({ email: server.operatorEmail, password: server.operatorPassword });
    const overTls = await httpsRequest(`${server.running.tls.url}/api/v1/auth/login`, { ca: cert, method: 'POST', body });
    assert.equal(overTls.status, 200, overTls.body);
    const secureCookie = String(overTls.headers['set-cookie']);
    assert.match(secureCookie, /kumulus_session=kms_/);
    assert.match(secureCookie, /;\s*Secure/i);
    const overHttp = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(overHttp.status, 200);
    const plainCookie = overHttp.headers.get('set-cookie') ?? '';
    assert.match(plainCookie, /kumulus_session=kms_/);
    assert.doesNotMatch(plainCookie, /Secure/i);
  });

  test('the console WebSocket upgrade reaches its route over HTTPS too', async () => {
    const tls = server?.running.tls;
    assert.ok(tls);
    const { port } = new URL(tls.url);
    // A raw upgrade: an HTTPS server without the hand-over to the app would just drop the socket.
    const head = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: Number(port), ca: readFileSync(join(dataDir, 'tls', 'cert.pem'), 'utf8') }, () => {
        socket.write(
          `GET /api/v1/servers/srv_nothere/console HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${server?.operatorToken}\r\n` +
            'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
        );
      });
      let data = '';
      socket.setEncoding('utf8').on('data', (d: string) => {
        data += d;
        if (data.includes('\r\n')) {
          socket.destroy();
          resolve(data.split('\r\n')[0] ?? '');
        }
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(data.split('\r\n')[0] ?? ''));
    });
    assert.match(head, /^HTTP\/1\.1 404/, 'the console route answered: no such server');
  });

  test('a port in use stops serve with a clear message and leaves the data dir free', async () => {
    const busy = createServer().listen(0, '127.0.0.1');
    await once(busy, 'listening');
    const port = (busy.address() as AddressInfo).port;
    try {
      await server?.stop();
      server = undefined;
      await assert.rejects(startTestServer({ ...engineOpts, keep: true, tlsListen: `127.0.0.1:${port}` }), /HTTPS on 127\.0\.0\.1 port \d+: the port is in use/);
      // The failed start stopped what it had started and released the data dir (a leaked worker would also keep
      // this test process from ever ending).
      assert.equal(existsSync(join(dataDir, 'kumulus.pid')), false, 'the data dir lock is released');
      server = await startTestServer({ ...engineOpts, keep: true });
    } finally {
      busy.close();
    }
  });

  test('a restart keeps the certificate; the operator’s own one is served once put in place', async () => {
    const first = server?.running.tls?.fingerprint;
    await server?.stop();
    server = await startTestServer({ ...engineOpts, keep: true });
    assert.equal(server.running.tls?.generated, false);
    assert.equal(server.running.tls?.fingerprint, first);
    await server.stop();

    // The operator's certificate: another key, their own names.
    const own = mkdtempSync(join(tmpdir(), 'kumulus-own-cert-'));
    try {
      await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', '/CN=kumulus.example', '-addext', 'subjectAltName=DNS:kumulus.example,IP:127.0.0.1', '-keyout', join(own, 'key.pem'), '-out', join(own, 'cert.pem')]);
      writeFileSync(join(dataDir, 'tls', 'cert.pem'), readFileSync(join(own, 'cert.pem')));
      writeFileSync(join(dataDir, 'tls', 'key.pem'), readFileSync(join(own, 'key.pem')), { mode: 0o644 });
      server = await startTestServer({ ...engineOpts, keep: true });
      const tls = server.running.tls;
      assert.equal(tls?.generated, false);
      assert.equal(tls?.fingerprint, await opensslFingerprint(join(own, 'cert.pem')));
      assert.notEqual(tls?.fingerprint, first);
      assert.equal(statSync(join(dataDir, 'tls', 'key.pem')).mode & 0o777, 0o600, 'a key copied in with a looser mode is made 0600');
      const health = await httpsRequest(`${tls?.url}/healthz`, { ca: readFileSync(join(own, 'cert.pem'), 'utf8'), servername: 'kumulus.example' });
      assert.equal(health.status, 200);
      await server.stop();
      server = undefined;

      // A key of another certificate, and a certificate without its key, stop serve with what to do.
      await run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', join(dataDir, 'tls', 'key.pem')]);
      await assert.rejects(startTestServer({ ...engineOpts, keep: true }), /does not belong to the certificate/);
      rmSync(join(dataDir, 'tls', 'key.pem'));
      await assert.rejects(startTestServer({ ...engineOpts, keep: true }), /key\.pem is missing.*remove both/);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  test('plain HTTP on an address other machines reach is refused unless allowed explicitly', async () => {
    await assert.rejects(startTestServer({ ...engineOpts, keep: true, tlsListen: undefined, listen: '0.0.0.0:0' }), /plain HTTP on 0\.0\.0\.0:0 .*--insecure-http/);
    await assert.rejects(startTestServer({ ...engineOpts, keep: true, tlsListen: undefined, listen: ':0' }), /plain HTTP on :0/);
  });
});
