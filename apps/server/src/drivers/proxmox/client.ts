/**
 * The HTTP client of the Proxmox driver: `/api2/json` with API-token authentication (no CSRF token needed),
 * TLS trusting the cluster's CA or a pinned SHA-256 leaf fingerprint, form-encoded bodies with booleans as
 * 0/1, and failures split into what Proxmox answered (PveApiError) and what never arrived (PveUnreachableError).
 */
import type { TLSSocket } from 'node:tls';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';

/** Where a cluster is and how to talk to it. */
export interface ProxmoxEndpoint {
  /** Base URL of any node, e.g. `https://pve1.example:8006`. */
  url: string;
  /** `user@realm!tokenid`. */
  tokenId: string;
  tokenSecret: string;
  /** SHA-256 fingerprint of the node's certificate (`AA:BB:…`), for self-signed clusters. */
  fingerprint?: string;
  /** PEM of the cluster's CA (`/etc/pve/pve-root-ca.pem`), instead of a pin. */
  ca?: string;
  /** Per-request timeout; PVE's own proxy gives up after 30 s. */
  timeoutMs?: number;
}

/** A failure Proxmox answered: its HTTP status and message, with the per-parameter `errors` of a 400. */
export class PveApiError extends Error {
  override readonly name = 'PveApiError';
  readonly status: number;
  readonly errors?: Record<string, string>;
  constructor(status: number, message: string, errors?: Record<string, string>) {
    super(message);
    this.status = status;
    this.errors = errors;
  }
}

/** A request whose answer never arrived (refused, reset, timed out, certificate refused): its effect is unknown. */
export class PveUnreachableError extends Error {
  override readonly name = 'PveUnreachableError';
}

/** Parameters as the driver writes them; booleans become 0/1 on the wire (the string "true" is a 400). */
export type PveParams = Record<string, string | number | boolean | undefined>;

/** A client of one cluster endpoint. */
export interface PveClient {
  get<T = unknown>(path: string, params?: PveParams): Promise<T>;
  post<T = unknown>(path: string, params?: PveParams): Promise<T>;
  put<T = unknown>(path: string, params?: PveParams): Promise<T>;
  del<T = unknown>(path: string, params?: PveParams): Promise<T>;
  /** Requests sent, for the benchmark's calls-per-operation figure. */
  readonly sent: { count: number };
  close(): Promise<void>;
}

/** Normalizes a fingerprint written with or without colons, in either case, to `AA:BB:…`; null if it is none. */
export function normalizeFingerprint(value: string): string | null {
  const hex = value.trim().replace(/^sha256[:=]?/i, '').replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return null;
  return hex.match(/../g)!.join(':');
}

function encode(params: PveParams | undefined): URLSearchParams {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v === undefined) continue;
    sp.set(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  }
  return sp;
}

function dispatcherFor(ep: ProxmoxEndpoint): Agent {
  if (ep.ca) return new Agent({ connect: { ca: ep.ca } });
  if (!ep.fingerprint) return new Agent();
  const pin = normalizeFingerprint(ep.fingerprint);
  if (!pin) throw new Error(`not a SHA-256 fingerprint: ${ep.fingerprint}`);
  // The pin is checked on the socket itself: Node skips checkServerIdentity when the chain does not verify.
  const base = buildConnector({ rejectUnauthorized: false, maxCachedSessions: 0 });
  return new Agent({
    connect: (opts, callback) =>
      base(opts, (err, socket) => {
        if (err || !socket) return callback(err ?? new Error('no socket'), null);
        const actual = (socket as TLSSocket).getPeerCertificate().fingerprint256;
        if (actual !== pin) {
          socket.destroy();
          return callback(new PveUnreachableError(`the certificate of ${ep.url} has fingerprint ${actual}, not the pinned ${pin}`), null);
        }
        callback(null, socket);
      }),
  });
}

/** Makes a client for one endpoint. */
export function createPveClient(ep: ProxmoxEndpoint): PveClient {
  const dispatcher = dispatcherFor(ep);
  const base = `${ep.url.replace(/\/+$/, '')}/api2/json`;
  const auth = `PVEAPIToken=${ep.tokenId}=${ep.tokenSecret}`;
  const sent = { count: 0 };
  const request = async <T>(method: string, path: string, params?: PveParams): Promise<T> => {
    const body = encode(params);
    const inQuery = method === 'GET' || method === 'DELETE';
    const url = inQuery && [...body.keys()].length > 0 ? `${base}${path}?${body}` : `${base}${path}`;
    sent.count++;
    let res: Awaited<ReturnType<typeof undiciFetch>>;
    let text: string;
    try {
      res = await undiciFetch(url, {
        method,
        dispatcher,
        headers: { authorization: auth, ...(inQuery ? {} : { 'content-type': 'application/x-www-form-urlencoded' }) },
        ...(inQuery ? {} : { body: body.toString() }),
        signal: AbortSignal.timeout(ep.timeoutMs ?? 30_000),
      });
      text = await res.text();
    } catch (err) {
      const cause = (err as Error).cause;
      if (cause instanceof PveUnreachableError) throw cause;
      const why = (cause as NodeJS.ErrnoException | undefined)?.code ?? (err as Error).name ?? String(err);
      throw new PveUnreachableError(`${method} ${path}: no answer from ${ep.url} (${why})`);
    }
    let parsed: { data?: unknown; message?: string; errors?: Record<string, string> } = {};
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      // A proxy's HTML error page: the reason phrase says enough.
    }
    if (!res.ok) {
      const message = (parsed.message ?? res.statusText ?? '').trim() || `HTTP ${res.status}`;
      // A 400 says what was wrong per parameter; the operator reads the message, so it carries them.
      const detail = Object.entries(parsed.errors ?? {}).map(([k, v]) => `${k}: ${String(v).trim()}`);
      throw new PveApiError(res.status, detail.length > 0 ? `${message} ${detail.join('; ')}` : message, parsed.errors);
    }
    return parsed.data as T;
  };
  return {
    get: (p, q) => request('GET', p, q),
    post: (p, q) => request('POST', p, q),
    put: (p, q) => request('PUT', p, q),
    del: (p, q) => request('DELETE', p, q),
    sent,
    close: () => dispatcher.close(),
  };
}

/** Whether a failure may pass by itself: no answer, 5xx (incl. PVE's proxy 595/596), a lock held by a worker. */
export function isTransient(err: unknown): boolean {
  if (err instanceof PveUnreachableError) return true;
  return err instanceof PveApiError && (err.status >= 500 || err.status === 429);
}
