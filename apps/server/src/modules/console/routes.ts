/**
 * The console WebSocket: `GET /api/v1/servers/{id}/console` upgraded to a WebSocket that
 * carries the server's own console, where its getty asks for a login (see protocol.ts for the
 * frames). `?mode=shell` asks for a root shell without a login instead, which only tenant
 * admins and operators may open: console access alone must not make a team member root.
 *
 * Authentication, the tenant check and the mode's permission run in preValidation, before the
 * upgrade: an unauthenticated caller gets 401, a foreign or unknown server 404 and a member
 * asking for a shell 403, as plain HTTP answers through the app's one error handler, and no
 * socket is ever opened for them.
 */
import type {} from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { lxcWait } from '../../drivers/local/lxc.ts';
import { DomainError } from '../../lib/errors.ts';
import { type Principal, requireRole } from '../identity/principal.ts';
import { type AttachPty, attachPty, type ConsoleMode } from './attach-pty.ts';
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
/** Close code when another client holds the guest's console (LXC allows one at a time). */
const CLOSE_CONSOLE_BUSY = 4429;
/**
 * A console that ends this soon with an error was never attached: most often the previous
 * session's lxc-console (a reload, a reconnect) has not let go yet, so it is tried again.
 */
const BUSY_WINDOW_MS = 1500;
const BUSY_RETRIES = 4;

interface Target {
  id: string;
  mode: ConsoleMode;
}

const targets = new WeakMap<FastifyRequest, Target>();

/** The mode a handshake asks for; anything but the two known words is a bad request. */
function modeOf(req: FastifyRequest): ConsoleMode {
  const mode = (req.query as Record<string, unknown> | undefined)?.mode;
  if (mode === undefined || mode === 'console') return 'console';
  if (mode === 'shell') return 'shell';
  throw new DomainError('VALIDATION_FAILED', { summary: 'mode must be console or shell' }, [{ field: 'mode', message: 'use console (the default) or shell' }]);
}

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
  app.get<{ Params: { id: string }; Querystring: { mode?: string } }>(
    '/api/v1/servers/:id/console',
    {
      websocket: true,
      preValidation: async (req) => {
        const p = await deps.authenticate(req);
        if (!p) throw new DomainError('UNAUTHENTICATED');
        checkOrigin(req, p);
        const mode = modeOf(req);
        const server = await deps.servers.get(p, req.params.id);
        // After the lookup, so a foreign server stays a 404 whatever the mode.
        if (mode === 'shell') requireRole(p, 'admin', 'open a root shell without login');
        targets.set(req, { id: server.id, mode });
      },
    },
    (socket: Socket, req) => {
      const target = targets.get(req);
      if (!target) return socket.close(1011, 'no target');
      void runSession(socket, target, deps);
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
async function runSession(socket: Socket, { id, mode }: Target, deps: ConsoleDeps): Promise<void> {
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

  let attempts = 0;
  const start = () => {
    const startedAt = Date.now();
    const session = attachPty({ mode, lxcPath: deps.lxcPath, name: id, ...size });
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
    session.onExit(async (code) => {
      if (closed) return;
      const quickFailure = mode === 'console' && code !== 0 && Date.now() - startedAt < BUSY_WINDOW_MS;
      if (quickFailure && (await lxcWait(deps.lxcPath, id, 'RUNNING', 0))) {
        if (attempts++ < BUSY_RETRIES) {
          setTimeout(() => !closed && start(), 300 * attempts);
          return;
        }
        send({ type: 'busy' });
        if (socket.readyState === socket.OPEN) socket.close(CLOSE_CONSOLE_BUSY, 'console in use');
        return;
      }
      send({ type: 'exit', code });
      if (socket.readyState === socket.OPEN) socket.close(1000, 'session ended');
    });
    for (const d of pending.splice(0)) session.write(d);
  };
  send({ type: 'attached', mode });
  start();
}
