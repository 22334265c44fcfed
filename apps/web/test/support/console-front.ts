/**
 * Until `serve()` registers the console route itself, the browser tests put this front in
 * front of the test server: it serves the console WebSocket with the real console module
 * (authenticating with the browser's cookie against the real API) and forwards every
 * other request unchanged. When the server answers the console handshake itself, the test
 * talks to it directly and this is not used.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { DomainError } from '../../../server/src/lib/errors.ts';
import type { Principal } from '../../../server/src/modules/identity/principal.ts';
import { registerConsoleRoutes } from '../../../server/src/modules/console/routes.ts';

/** The status the server answers an unauthenticated console handshake with (401 = route exists). */
export function consoleHandshakeStatus(base: string): Promise<number> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(u.port), u.hostname, () =>
      sock.write(
        `GET /api/v1/servers/srv_probe0000000000000000000/console HTTP/1.1\r\nHost: ${u.host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`,
      ),
    );
    sock.once('data', (d) => {
      sock.destroy();
      resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(d.toString())?.[1] ?? 0));
    });
    sock.on('error', reject);
  });
}

async function asCaller(upstream: string, req: FastifyRequest, path: string): Promise<Response> {
  return fetch(upstream + path, { headers: { cookie: req.headers.cookie ?? '', authorization: req.headers.authorization ?? '' } });
}

/** Starts the front on a free port; answers its URL and a stop function. */
export async function startConsoleFront(upstream: string, lxcPath: string): Promise<{ url: string; stop(): Promise<void> }> {
  const app: FastifyInstance = Fastify();
  app.setErrorHandler((err, _req, reply) => {
    const code = err instanceof DomainError ? err.code : 'INTERNAL';
    reply.code(code === 'UNAUTHENTICATED' ? 401 : code === 'SERVER_NOT_FOUND' ? 404 : code === 'FORBIDDEN' ? 403 : 500).send({ error: { code, message: code, requestId: '' } });
  });
  await app.register(websocket);
  // servers.get gets only the principal; remember whose request made it, to ask as them.
  const requestOf = new WeakMap<Principal, FastifyRequest>();
  registerConsoleRoutes(app, {
    async authenticate(req) {
      const res = await asCaller(upstream, req, '/api/v1/auth/me');
      if (!res.ok) return null;
      const me = (await res.json()) as { user: { id: string; role: Principal['role']; email: string }; tenant: { id: string } };
      const via = req.headers.authorization ? 'token' : 'session';
      const p: Principal = { userId: me.user.id, tenantId: me.tenant.id, role: me.user.role, email: me.user.email, via, credentialId: 'front' };
      requestOf.set(p, req);
      return p;
    },
    servers: {
      // Asked with the caller's own cookie, so the real API does the tenant check.
      async get(p, id) {
        const res = await asCaller(upstream, requestOf.get(p)!, `/api/v1/servers/${encodeURIComponent(id)}`);
        if (res.status === 404) throw new DomainError('SERVER_NOT_FOUND', { id });
        if (!res.ok) throw new Error(`GET server ${id}: ${res.status}`);
        return (await res.json()) as { id: string; status: { phase: string } };
      },
    },
    lxcPath,
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.all('/*', async (req, reply) => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers.set(k, v);
    const res = await fetch(upstream + req.url, {
      method: req.method,
      headers,
      body: req.method === 'GET' || req.method === 'HEAD' || !req.body ? undefined : new Uint8Array(req.body as Buffer),
      redirect: 'manual',
    });
    reply.code(res.status);
    res.headers.forEach((v, k) => {
      if (k !== 'content-encoding' && k !== 'content-length' && k !== 'transfer-encoding' && k !== 'set-cookie') reply.header(k, v);
    });
    const cookies = res.headers.getSetCookie();
    if (cookies.length) reply.header('set-cookie', cookies);
    return reply.send(Buffer.from(await res.arrayBuffer()));
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { url: `http://127.0.0.1:${port}`, stop: () => app.close() };
}
