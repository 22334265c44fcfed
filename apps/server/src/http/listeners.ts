/**
 * The sockets the app answers on: plain HTTP and HTTPS servers side by side, all handing requests (and the
 * console's WebSocket upgrades) to one Fastify app, so both see the same routes, sessions and state.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** One address to listen on; `host` undefined means every address of the host, IPv4 and IPv6. */
export interface ListenSpec {
  host: string | undefined;
  port: number;
  tls?: { cert: string; key: string };
}

/** A socket that is listening. */
export interface Listener {
  /** `http://127.0.0.1:8080` or `https://[::]:8443`: the address bound, not necessarily one to browse to. */
  url: string;
  secure: boolean;
  port: number;
  /** Whether it listens on every address rather than one. */
  everyAddress: boolean;
}

/** Listeners that are up, and how to stop them. */
export interface Listeners {
  listeners: Listener[];
  /** Stops accepting at once and resolves when the last connection has ended. */
  close(): Promise<void>;
}

/**
 * `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (every address) as a ListenSpec without TLS; throws on anything else.
 */
export function parseListen(listen: string): ListenSpec {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(listen);
  const port = Number(m?.[3]);
  if (!m || port > 65535) throw new Error(`listen address ${listen}: expected HOST:PORT, [IPv6]:PORT or :PORT (every address), e.g. 127.0.0.1:8080`);
  const host = m[1] ?? m[2];
  return { host: host === '' || host === '*' ? undefined : host, port };
}

/** Starts every listener after the app is ready; if one cannot bind, those already up are closed again. */
export async function startListeners(app: FastifyInstance, specs: ListenSpec[]): Promise<Listeners> {
  await app.ready();
  // Fastify's own server never listens; its timeouts carry over so that both kinds behave as it would.
  const { keepAliveTimeout, connectionTimeout } = app.initialConfig;
  const servers: Server[] = [];
  const listeners: Listener[] = [];
  const close = () => Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => {});
  try {
    for (const spec of specs) {
      const server: Server = spec.tls ? createHttpsServer({ cert: spec.tls.cert, key: spec.tls.key }, app.routing) : createHttpServer(app.routing);
      server.keepAliveTimeout = keepAliveTimeout ?? 72_000;
      // Long-polls (/operations/…/wait) may take minutes; Fastify sets no request timeout either.
      server.requestTimeout = 0;
      server.timeout = connectionTimeout ?? 0;
      // @fastify/websocket takes upgrades from fastify.server; hand it ours, it only looks at the arguments.
      server.on('upgrade', (req, socket, head) => app.server.emit('upgrade', req, socket, head));
      await new Promise<void>((resolve, reject) => {
        server.once('error', (err: NodeJS.ErrnoException) => {
          const where = `${spec.tls ? 'HTTPS' : 'HTTP'} on ${spec.host ?? 'every address'} port ${spec.port}`;
          reject(new Error(err.code === 'EADDRINUSE' ? `${where}: the port is in use by another program; choose another listen address` : `${where}: ${err.message}`, { cause: err }));
        });
        server.listen({ host: spec.host, port: spec.port }, () => {
          server.removeAllListeners('error');
          resolve();
        });
      });
      servers.push(server);
      const address = server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      listeners.push({ url: `${spec.tls ? 'https' : 'http'}://${host}:${address.port}`, secure: !!spec.tls, port: address.port, everyAddress: spec.host === undefined });
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { listeners, close };
}
