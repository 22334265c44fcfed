/**
 * The console WebSocket: `GET /api/v1/servers/{id}/console` upgraded to a WebSocket that
 * carries a shell inside the server's container (see protocol.ts for the frames).
 *
 * Authentication and the tenant check run in preValidation, before the upgrade: an
 * unauthenticated caller gets 401 and a foreign or unknown server 404 as plain HTTP answers
 * through the app's one error handler, and no socket is ever opened for them.
 */
import type {} from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { lxcWait } from '../../drivers/local/lxc.ts';
import { DomainError } from '../../lib/errors.ts';
import type { Principal } from '../identity/principal.ts';
import { type AttachPty, attachPty } from './attach-pty.ts';
import { parseClientMessage, type ServerEvent } from './protocol.ts';

/** What the console needs from the rest of the control plane. */
export interface ConsoleDeps {
  /** The request's principal from its session cookie or bearer token, null when neither is valid. */
  authenticate(request: FastifyRequest): Promise<Principal | null> | Principal | null;
  /** One server of the principal's tenant; throws a not-found domain error for any other. */
  servers: { get(p: Principal, id: string): Promise<{ id: string; status: { phase: string } }> };
  /** The lxcPath the local engine keeps its containers in (named by server id). */
  lxcPath: string;
  /** How long to wait for a starting or rebooting container before giving up (seconds). */
  waitRunningS?: number;
}

/** Larger input frames are dropped: a paste this big is a mistake, not a command. */
const MAX_INPUT = 1_048_576;
/** Policy-violation close code, sent when a session's server vanishes under it. */
const CLOSE_NOT_RUNNING = 4409;

const targets = new WeakMap<FastifyRequest, string>();

/** A cookie rides along with cross-site WebSocket handshakes too; only our own pages may use it. */
function checkOrigin(req: FastifyRequest, p: Principal): void {
  if (p.via !== 'session') return;
  const origin = req.headers.origin;
  if (!origin) return;
  let host = '';
  try {
    host = new URL(origin).host;
  } catch {}
  if (host !== req.headers.host) {
    throw new DomainError('FORBIDDEN', { role: p.role, action: { en: 'open a console from another site', de: 'eine Konsole von einer anderen Website aus öffnen' } });
  }
}

/** Registers the console route; @fastify/websocket must already be registered on `app`. */
export function registerConsoleRoutes(app: FastifyInstance, deps: ConsoleDeps): void {
  app.get<{ Params: { id: string } }>(
    '/api/v1/servers/:id/console',
    {
      websocket: true,
      preValidation: async (req) => {
        const p = await deps.authenticate(req);
        if (!p) throw new DomainError('UNAUTHENTICATED');
        checkOrigin(req, p);
        const server = await deps.servers.get(p, req.params.id);
        targets.set(req, server.id);
      },
    },
    (socket: Socket, req) => {
      const id = targets.get(req);
      if (!id) return socket.close(1011, 'no target');
      void runSession(socket, id, deps);
    },
  );
}

/** The part of a `ws` WebSocket the session uses (typed here: the project has no @types/ws). */
interface Socket {
  readonly OPEN: number;
  readonly readyState: number;
  send(data: string | Buffer, opts?: { binary: boolean }): void;
  close(code?: number, reason?: string): void;
  on(event: 'message', fn: (raw: Buffer, isBinary: boolean) => void): void;
  on(event: 'close', fn: () => void): void;
}

/** Bridges one socket to one attach session, until either side ends. */
async function runSession(socket: Socket, id: string, deps: ConsoleDeps): Promise<void> {
  const send = (e: ServerEvent) => socket.readyState === socket.OPEN && socket.send(JSON.stringify(e));
  let size = { cols: 80, rows: 24 };
  let pty: AttachPty | null = null;
  let closed = false;
  const pending: string[] = [];

  socket.on('message', (raw, isBinary) => {
    if (isBinary) return;
    const text = raw.toString();
    if (text.length > MAX_INPUT) return;
    const msg = parseClientMessage(text);
    if (!msg) return;
    if (msg.type === 'resize') {
      size = { cols: msg.cols, rows: msg.rows };
      void pty?.resize(msg.cols, msg.rows);
    } else if (pty) pty.write(msg.data);
    else pending.push(msg.data);
  });
  socket.on('close', () => {
    closed = true;
    pty?.kill();
  });

  // After a reboot the client reconnects at once; give the container time to come back.
  if (!(await lxcWait(deps.lxcPath, id, 'RUNNING', 0))) {
    send({ type: 'waiting', state: 'STOPPED' });
    const up = await lxcWait(deps.lxcPath, id, 'RUNNING', deps.waitRunningS ?? 30);
    if (!up) return socket.close(CLOSE_NOT_RUNNING, 'server not running');
  }
  if (closed) return;

  const session = attachPty({ lxcPath: deps.lxcPath, name: id, ...size });
  pty = session;
  let sized = false;
  session.onData((chunk) => {
    // The first output proves the pty exists; re-apply a resize that raced its creation.
    if (!sized) {
      sized = true;
      void session.resize(size.cols, size.rows);
    }
    if (socket.readyState === socket.OPEN) socket.send(chunk, { binary: true });
  });
  session.onExit((code) => {
    send({ type: 'exit', code });
    if (socket.readyState === socket.OPEN) socket.close(1000, 'session ended');
  });
  send({ type: 'attached' });
  for (const d of pending.splice(0)) session.write(d);
}
