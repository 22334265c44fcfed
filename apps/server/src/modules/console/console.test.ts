/**
 * The console against a real unprivileged LXC container: a shell that answers `hostname`,
 * a resize the guest sees, 401/404 before any upgrade, and a fresh attach after a reboot.
 * Auth and the server lookup are stubbed here; the API tests cover the real ones.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect as connectTcp } from 'node:net';
import { after, before, describe, test } from 'node:test';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { makeLocalTestEngine, type LocalTestEngine } from '../../drivers/local/test-harness.ts';
import { DomainError } from '../../lib/errors.ts';
import type { Principal } from '../identity/principal.ts';
import { registerConsoleRoutes } from './routes.ts';

const principal = (tenantId: string): Principal => ({ userId: 'usr_x', tenantId, role: 'member', email: 'a@b.c', via: 'token', credentialId: 'tok_x' });

/** The HTTP status a WebSocket handshake is answered with (101 when it upgrades). */
function handshakeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  // A raw socket: Node's HTTP client reports a refused upgrade as a hang-up, not a status.
  const u = new URL(url);
  const lines = [
    `GET ${u.pathname} HTTP/1.1`,
    `Host: ${u.host}`,
    'Connection: Upgrade',
    'Upgrade: websocket',
    'Sec-WebSocket-Version: 13',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return new Promise((resolve, reject) => {
    const sock = connectTcp(Number(u.port), u.hostname, () => sock.write(lines.join('\r\n') + '\r\n\r\n'));
    sock.once('data', (d) => {
      sock.destroy();
      resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(d.toString())?.[1] ?? 0));
    });
    sock.on('error', reject);
  });
}

/** A console client that collects output as text. */
function connect(url: string, token: string) {
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
  ws.binaryType = 'arraybuffer';
  let out = '';
  const events: { type: string }[] = [];
  ws.onmessage = (ev) => {
    if (typeof ev.data === 'string') events.push(JSON.parse(ev.data));
    else out += new TextDecoder().decode(ev.data as ArrayBuffer);
  };
  const opened = new Promise<void>((res, rej) => {
    ws.onopen = () => res();
    ws.onerror = () => rej(new Error('websocket failed'));
  });
  const closed = new Promise<number>((res) => {
    ws.onclose = (ev) => res(ev.code);
  });
  return {
    ws,
    opened,
    closed,
    events,
    output: () => out,
    send: (data: string) => ws.send(JSON.stringify({ type: 'input', data })),
    resize: (cols: number, rows: number) => ws.send(JSON.stringify({ type: 'resize', cols, rows })),
    async waitFor(re: RegExp, ms = 15_000) {
      const deadline = Date.now() + ms;
      while (!re.test(out)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; got:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

describe('console over WebSocket', () => {
  let t: LocalTestEngine;
  let app: FastifyInstance;
  let base = '';
  const id = `srv_cons${randomBytes(8).toString('hex')}`;
  const hostname = `cons-${randomBytes(2).toString('hex')}`;

  before(async () => {
    t = await makeLocalTestEngine();
    const link = await t.engine.network.ensureDefault(t.net);
    const image = await t.engine.images.prepare('tiny');
    await t.engine.compute.create({
      id,
      kind: 'container',
      hostname,
      image,
      vcpus: 1,
      memoryMb: 128,
      diskGb: 1,
      sshKeys: [],
      nics: [{ id: `nic_${id.slice(4)}`, link, mac: '02:00:0a:fb:00:0a', ipv4: `${t.net.prefix}.10/24`, gateway: t.net.gateway }],
    });
    await t.engine.compute.start(id);
    app = Fastify();
    app.setErrorHandler((err, _req, reply) => {
      const code = err instanceof DomainError ? err.code : 'INTERNAL';
      reply.code(code === 'UNAUTHENTICATED' ? 401 : code === 'SERVER_NOT_FOUND' ? 404 : 500).send({ error: { code } });
    });
    await app.register(websocket);
    registerConsoleRoutes(app, {
      authenticate: (req) => (req.headers.authorization === 'Bearer good' ? principal('ten_a') : req.headers.authorization === 'Bearer other' ? principal('ten_b') : null),
      servers: {
        async get(p, sid) {
          if (p.tenantId !== 'ten_a' || sid !== id) throw new DomainError('SERVER_NOT_FOUND', { id: sid });
          return { id, status: { phase: 'Running' } };
        },
      },
      lxcPath: t.lxcPath,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    base = `ws://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  after(async () => {
    await app?.close();
    await t?.cleanup();
  });

  test('a shell answers hostname and sees the terminal size', async () => {
    const c = connect(`${base}/api/v1/servers/${id}/console`, 'good');
    await c.opened;
    c.resize(101, 33);
    await c.waitFor(/# /);
    c.send('hostname\n');
    await c.waitFor(new RegExp(hostname));
    c.resize(120, 40);
    await new Promise((r) => setTimeout(r, 300));
    c.send('stty size\n');
    await c.waitFor(/40 120/);
    c.ws.close();
    await c.closed;
  });

  test('no credentials and a foreign tenant get no socket', async () => {
    const url = `${base.replace('ws:', 'http:')}/api/v1/servers/${id}/console`;
    assert.equal(await handshakeStatus(url), 401);
    assert.equal(await handshakeStatus(url, { authorization: 'Bearer other' }), 404);
    assert.equal(await handshakeStatus(url.replace(id, 'srv_doesnotexist000000000000')), 401);
    assert.equal(await handshakeStatus(url, { authorization: 'Bearer good' }), 101);
    const c = connect(`${base}/api/v1/servers/${id}/console`, 'other');
    await assert.rejects(c.opened);
  });

  test('after a reboot a new connection gets a shell again', async () => {
    const c = connect(`${base}/api/v1/servers/${id}/console`, 'good');
    await c.opened;
    await c.waitFor(/# /);
    c.send('echo before-$((20+1))\n');
    await c.waitFor(/before-21/);
    await t.engine.compute.reboot(id);
    // The old session ends with the guest's init; the client's reconnect is a new socket.
    assert.equal(await c.closed, 1000);
    const again = connect(`${base}/api/v1/servers/${id}/console`, 'good');
    await again.opened;
    await again.waitFor(/# /, 40_000);
    again.send('echo after-$((40+2))\n');
    await again.waitFor(/after-42/, 40_000);
    again.ws.close();
    await again.closed;
  });
});
