/**
 * The console against a real unprivileged LXC container: the guest's login prompt on its
 * console, a login with the root password, a resize the guest sees, one client at a time,
 * the root shell for admins only, 401/404/403 before any upgrade, and a fresh attach after
 * a reboot. Auth and the server lookup are stubbed here; the API tests cover the real ones.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect as connectTcp } from 'node:net';
import { after, before, describe, test } from 'node:test';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { makeLocalTestEngine, type LocalTestEngine } from '../../drivers/local/test-harness.ts';
import { DomainError } from '../../lib/errors.ts';
import { hashPassword } from '../../lib/sha512-crypt.ts';
import type { Principal } from '../identity/principal.ts';
import { registerConsoleRoutes } from './routes.ts';

const principal = (tenantId: string, role: Principal['role'] = 'member'): Principal => ({ userId: 'usr_x', tenantId, role, email: 'a@b.c', via: 'token', credentialId: 'tok_x' });
const ROOT_PASSWORD = 'Console-Root-Pass-42';
/** Busybox ash asks the terminal for the cursor position (ESC [6n) right after its prompt. */
const SHELL_PROMPT = new RegExp(`# (${String.fromCharCode(27)}\\[6n)?$`);

/** The HTTP status a WebSocket handshake is answered with (101 when it upgrades). */
function handshakeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  // A raw socket: Node's HTTP client reports a refused upgrade as a hang-up, not a status.
  const u = new URL(url);
  const lines = [
    `GET ${u.pathname}${u.search} HTTP/1.1`,
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
  /** Output from this point on, to wait for what a command prints and not what came before. */
  let mark = 0;
  return {
    ws,
    opened,
    closed,
    events,
    output: () => out,
    send: (data: string) => ws.send(JSON.stringify({ type: 'input', data })),
    resize: (cols: number, rows: number) => ws.send(JSON.stringify({ type: 'resize', cols, rows })),
    markNow: () => {
      mark = out.length;
    },
    async waitFor(re: RegExp, ms = 15_000) {
      const deadline = Date.now() + ms;
      while (!re.test(out.slice(mark))) {
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
      rootPasswordHash: hashPassword(ROOT_PASSWORD),
      nics: [{ id: `nic_${id.slice(4)}`, link, mac: '02:00:0a:fb:00:0a', ipv4: `${t.net.prefix}.10/24`, gateway: t.net.gateway }],
    });
    await t.engine.compute.start(id);
    app = Fastify();
    app.setErrorHandler((err, _req, reply) => {
      const code = err instanceof DomainError ? err.code : 'INTERNAL';
      const status: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, SERVER_NOT_FOUND: 404, VALIDATION_FAILED: 400 };
      reply.code(status[code] ?? 500).send({ error: { code } });
    });
    await app.register(websocket);
    registerConsoleRoutes(app, {
      authenticate: (req) => {
        const auth = req.headers.authorization;
        if (auth === 'Bearer good') return principal('ten_a');
        if (auth === 'Bearer admin') return principal('ten_a', 'admin');
        if (auth === 'Bearer other') return principal('ten_b', 'admin');
        return null;
      },
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

  /** Logs in on the console as root, from wherever the getty is. */
  async function login(c: ReturnType<typeof connect>) {
    // The getty printed its prompt before we came; Enter makes it ask again, as on any console.
    c.send('\r');
    await c.waitFor(/login: $/);
    c.send('root\r');
    await c.waitFor(/Password: $/);
    c.send(`${ROOT_PASSWORD}\r`);
    await c.waitFor(SHELL_PROMPT);
  }

  test('the console is the guest’s own: a login prompt, and root only after the password', async () => {
    const c = connect(`${base}/api/v1/servers/${id}/console`, 'good');
    await c.opened;
    c.send('\r');
    await c.waitFor(/login: $/);
    assert.doesNotMatch(c.output(), SHELL_PROMPT, 'no shell before a login');
    // A wrong password is refused by the guest's login.
    c.send('root\r');
    await c.waitFor(/Password: $/);
    c.markNow();
    c.send('not-the-password\r');
    await c.waitFor(/incorrect|login: $/i, 20_000);
    c.markNow();
    await login(c);
    c.markNow();
    c.send('tty; hostname\r');
    await c.waitFor(new RegExp(`/dev/console\\s+${hostname}`));
    // Logging out leaves the console at the login prompt for whoever comes next.
    c.markNow();
    c.send('exit\r');
    await c.waitFor(/login: $/);
    c.ws.close();
    await c.closed;
  });

  test('one client holds the console at a time; the next one is told it is busy', async () => {
    const first = connect(`${base}/api/v1/servers/${id}/console`, 'good');
    await first.opened;
    first.send('\r');
    await first.waitFor(/login: $/);
    const second = connect(`${base}/api/v1/servers/${id}/console`, 'good');
    await second.opened;
    assert.equal(await second.closed, 4429);
    assert.ok(second.events.some((e) => e.type === 'busy'));
    first.ws.close();
    await first.closed;
    // Once the first has let go, the console is free again.
    const third = connect(`${base}/api/v1/servers/${id}/console`, 'good');
    await third.opened;
    third.send('\r');
    await third.waitFor(/login: $/);
    third.ws.close();
    await third.closed;
  });

  test('a root shell without login is for admins only (refused to members before any upgrade), and sees the terminal size', async () => {
    const url = `${base.replace('ws:', 'http:')}/api/v1/servers/${id}/console`;
    assert.equal(await handshakeStatus(`${url}?mode=shell`, { authorization: 'Bearer good' }), 403);
    assert.equal(await handshakeStatus(`${url}?mode=shell`, { authorization: 'Bearer other' }), 404, 'a foreign server stays not found');
    assert.equal(await handshakeStatus(`${url}?mode=root`, { authorization: 'Bearer admin' }), 400);
    const refused = connect(`${base}/api/v1/servers/${id}/console?mode=shell`, 'good');
    await assert.rejects(refused.opened);
    const c = connect(`${base}/api/v1/servers/${id}/console?mode=shell`, 'admin');
    await c.opened;
    c.resize(101, 33);
    await c.waitFor(/# /);
    c.send('hostname\n');
    await c.waitFor(new RegExp(hostname));
    c.resize(120, 40);
    await new Promise((r) => setTimeout(r, 300));
    c.send('stty size\n');
    await c.waitFor(/40 120/);
    assert.ok(c.events.some((e) => e.type === 'attached' && (e as { mode?: string }).mode === 'shell'));
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

  test('after a reboot a new connection gets the console again', async () => {
    const c = connect(`${base}/api/v1/servers/${id}/console`, 'good');
    await c.opened;
    await login(c);
    c.send('echo before-$((20+1))\r');
    await c.waitFor(/before-21/);
    await t.engine.compute.reboot(id);
    // The old session ends with the guest's init; the client's reconnect is a new socket.
    assert.equal(await c.closed, 1000);
    const again = connect(`${base}/api/v1/servers/${id}/console`, 'good');
    await again.opened;
    await new Promise((r) => setTimeout(r, 500));
    await login(again);
    again.send('echo after-$((40+2))\r');
    await again.waitFor(/after-42/, 40_000);
    again.ws.close();
    await again.closed;
  });
});
