/**
 * The emulator: an HTTPS server for `/api2/json` that authenticates API tokens, checks every request against
 * the official schema (and answers 400 with PVE's `errors` map when it does not fit), runs the handlers on a
 * stateful cluster, and injects faults on demand.
 */
import { appendFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeCertificate } from './certificate.ts';
import { PveHttpError } from './errors.ts';
import { FaultInjector, type FaultConfig } from './faults.ts';
import { guestHandlers } from './api-guests.ts';
import { clusterHandlers, type Durations, type Handler, type HandlerContext } from './handlers.ts';
import { type ApiSchema, defaultSchemaFile, loadSchema, type MethodSchema } from './schema.ts';
import { type ClusterState, makeCluster } from './state.ts';
import { TaskRunner } from './tasks.ts';
import { EmulatorGap } from './formats.ts';
import { type ParamValue, validateParams } from './validate.ts';

/** An API token the emulator accepts, with the privileges its ACL grants (path → privilege names). */
export interface EmuToken {
  /** `user@realm!tokenid`. */
  id: string;
  secret: string;
  privileges: Record<string, string[]>;
}

/** Every privilege of the Administrator role, as `pveum role list` shows it (the ones Kumulus may ask for). */
export const ADMIN_PRIVILEGES = [
  'Datastore.Allocate', 'Datastore.AllocateSpace', 'Datastore.AllocateTemplate', 'Datastore.Audit',
  'SDN.Allocate', 'SDN.Audit', 'SDN.Use', 'Sys.Audit', 'Sys.Modify', 'VM.Allocate', 'VM.Audit', 'VM.Backup',
  'VM.Clone', 'VM.Config.CDROM', 'VM.Config.CPU', 'VM.Config.Cloudinit', 'VM.Config.Disk', 'VM.Config.HWType',
  'VM.Config.Memory', 'VM.Config.Network', 'VM.Config.Options', 'VM.Console', 'VM.Migrate', 'VM.PowerMgmt',
  'VM.Snapshot', 'VM.Snapshot.Rollback',
];

/** Emulator settings; everything has a default fit for tests. */
export interface EmulatorOptions {
  nodes?: number;
  tokens?: EmuToken[];
  /** Task durations in ms: one number for all, or by kind. */
  taskMs?: number | Partial<Durations>;
  faults?: FaultConfig;
  /** Delay before a 401, as PVE waits about 3 s to slow down guessing. */
  authFailDelayMs?: number;
  /** Schema file; the shared reference by default. */
  schemaFile?: string;
  /** JSON lines `{method, path, params}` of every request. */
  logRequests?: string;
  now?: () => number;
}

/** Every `METHOD /template` the emulator serves: what the schema extract keeps. */
export const EMULATED_ROUTES = Object.keys({ ...clusterHandlers, ...guestHandlers }).sort();

/** The default token of tests and `npm run pve-emulator`. */
export const DEFAULT_TOKEN: EmuToken = { id: 'kumulus@pve!kumulus', secret: '00000000-0000-4000-8000-000000000000', privileges: { '/': ADMIN_PRIVILEGES } };

const MUTATING = new Set(['POST', 'PUT', 'DELETE']);

/** A running emulator. */
export class PveEmulator {
  readonly state: ClusterState;
  readonly faults: FaultInjector;
  readonly schema: ApiSchema;
  /** Requests answered, by `METHOD template`, for benchmarks and tests that count calls. */
  readonly calls = new Map<string, number>();
  private readonly tasks: TaskRunner;
  private readonly handlers: Record<string, Handler> = { ...clusterHandlers, ...guestHandlers };
  private readonly tokens: EmuToken[];
  private readonly durations: Durations;
  private readonly now: () => number;
  private server: Server | null = null;
  private nodeTimers = new Set<NodeJS.Timeout>();

  private readonly opts: EmulatorOptions;

  constructor(opts: EmulatorOptions = {}) {
    this.opts = opts;
    const file = opts.schemaFile ?? defaultSchemaFile();
    if (!file) throw new Error('the Proxmox VE API schema was not found: set PVE_API_SCHEMA to pve-api-schema-9.1.3.json (shared/reference/)');
    this.schema = loadSchema(file);
    this.state = makeCluster(opts.nodes ?? 1);
    this.now = opts.now ?? Date.now;
    this.tasks = new TaskRunner(this.state, this.now);
    this.faults = new FaultInjector(opts.faults);
    this.tokens = opts.tokens ?? [DEFAULT_TOKEN];
    const t = opts.taskMs ?? 0;
    this.durations = typeof t === 'number' ? { create: t, start: t, stop: t, destroy: t, change: t } : { create: 0, start: 0, stop: 0, destroy: 0, change: 0, ...t };
  }

  /** Listens (HTTPS, a self-signed certificate) and answers the base URL and the certificate's SHA-256 fingerprint. */
  async listen(host = '127.0.0.1', port = 0): Promise<{ url: string; fingerprint: string; ca: string }> {
    const cert = await makeCertificate(host);
    this.state.fingerprint = cert.fingerprint;
    this.server = createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
      this.handle(req, res).catch((err) => {
        if (!res.headersSent) this.send(res, 500, { data: null, message: String(err) }, String(err));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    const addr = this.server.address() as AddressInfo;
    const h = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    return { url: `https://${h}:${addr.port}`, fingerprint: cert.fingerprint, ca: cert.cert };
  }

  /** Stops listening, drops open connections and ends pending tasks. */
  async close(): Promise<void> {
    this.tasks.stop();
    for (const t of this.nodeTimers) clearTimeout(t);
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }

  /** Takes a node away (its API answers 595 and its tasks stall) for `ms`, or until `nodeBack`. */
  nodeAway(name: string, ms?: number): void {
    const n = this.state.nodes.get(name);
    if (!n) throw new Error(`no node ${name}`);
    n.online = false;
    if (ms !== undefined) {
      const t = setTimeout(() => {
        this.nodeTimers.delete(t);
        n.online = true;
      }, ms);
      t.unref();
      this.nodeTimers.add(t);
    }
  }

  /** Lets bytes flow into (`inBytes`) and out of a running guest, as its veths would count them. */
  traffic(vmid: number, inBytes: number, outBytes: number): void {
    const g = this.state.guests.get(vmid);
    if (g?.status !== 'running') throw new Error(`guest ${vmid} is not running`);
    g.netin = (g.netin ?? 0) + inBytes;
    g.netout = (g.netout ?? 0) + outBytes;
  }

  /** Brings a node back. */
  nodeBack(name: string): void {
    const n = this.state.nodes.get(name);
    if (n) n.online = true;
  }

  private send(res: ServerResponse, status: number, body: unknown, reason?: string): void {
    const text = JSON.stringify(body);
    // PVE puts the message into the reason phrase too; a reason phrase is one line of Latin-1.
    if (reason) res.statusMessage = reason.replace(/\n/g, ' ').replace(/[^\x20-\x7e]/g, '?').trim().slice(0, 200);
    res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private fail(res: ServerResponse, err: PveHttpError): void {
    const message = err.message.endsWith('\n') ? err.message : `${err.message}\n`;
    this.send(res, err.status, { data: null, message, ...(err.errors ? { errors: err.errors } : {}) }, err.message);
  }

  private authenticate(req: IncomingMessage): EmuToken | null {
    const h = req.headers.authorization ?? '';
    const m = /^PVEAPIToken=([^!]+![^=]+)=(.+)$/.exec(h);
    if (!m) return null;
    return this.tokens.find((t) => t.id === m[1] && t.secret === m[2]) ?? null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://emulator');
    const method = req.method ?? 'GET';
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    if (!url.pathname.startsWith('/api2/json/') && url.pathname !== '/api2/json') {
      return this.fail(res, new PveHttpError(501, `Unsupported format '${url.pathname.split('/')[2] ?? ''}'`));
    }
    const path = url.pathname.slice('/api2/json'.length).replace(/\/+$/, '') || '/';
    const token = this.authenticate(req);
    if (!token) {
      await sleep(this.opts.authFailDelayMs ?? 0);
      return this.fail(res, new PveHttpError(401, 'Authentication failed!'));
    }
    // Body and query as PVE merges them: form or JSON body, query parameters win.
    let params: Record<string, ParamValue> = {};
    if (raw.length > 0) {
      if (method === 'GET' || method === 'DELETE') return this.fail(res, new PveHttpError(501, `Unexpected content for method '${method}'`));
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      if (type === 'application/json') {
        try {
          params = JSON.parse(raw) as Record<string, ParamValue>;
        } catch {
          return this.fail(res, new PveHttpError(400, 'Parameter verification failed.', { _root: 'invalid JSON body' }));
        }
      } else if (type === 'application/x-www-form-urlencoded' || type === '') {
        params = formParams(new URLSearchParams(raw));
      } else return this.fail(res, new PveHttpError(415, `Unsupported content type '${type}'`));
    }
    Object.assign(params, formParams(url.searchParams));
    if (this.opts.logRequests) appendFileSync(this.opts.logRequests, `${JSON.stringify({ method, path, params })}\n`);
    const found = this.schema.match(path);
    const info: MethodSchema | undefined = found?.route.methods[method];
    if (!found || !info) return this.fail(res, new PveHttpError(501, `Method '${method} ${path}' not implemented`));
    const template = found.route.template;
    this.calls.set(`${method} ${template}`, (this.calls.get(`${method} ${template}`) ?? 0) + 1);
    if (info.allowtoken === 0) return this.fail(res, new PveHttpError(403, 'Permission check failed (API tokens are not allowed)'));
    for (const [k, v] of Object.entries(found.vars)) params[k] = v;
    const family = template.includes('/lxc') ? 'lxc' : template.includes('/qemu') ? 'qemu' : 'other';
    let errors: Record<string, string>;
    try {
      errors = validateParams(info, params, family);
    } catch (err) {
      if (err instanceof EmulatorGap) return this.fail(res, new PveHttpError(501, `emulator: ${err.message}`));
      throw err;
    }
    if (Object.keys(errors).length > 0) return this.fail(res, new PveHttpError(400, 'Parameter verification failed.', errors));
    const missing = missingPrivileges(info, found.vars, token.privileges);
    if (missing) return this.fail(res, new PveHttpError(403, `Permission check failed (${missing})`));
    const handler = this.handlers[`${method} ${template}`];
    if (!handler) return this.fail(res, new PveHttpError(501, `emulator: '${method} ${template}' is valid for Proxmox VE but not emulated`));
    const nodeName = found.vars.node;
    const node = nodeName ? this.state.nodes.get(nodeName) : undefined;
    if (node && !node.online) return this.fail(res, new PveHttpError(595, 'Connection refused'));
    const fault = this.faults.pick({ method, mutating: MUTATING.has(method), template });
    if (fault === 'error500') return this.fail(res, new PveHttpError(500, MUTATING.has(method) ? 'got no worker upid - start worker failed' : 'unable to read data - got timeout'));
    if (fault === 'error595') return this.fail(res, new PveHttpError(595, 'No route to host'));
    if (fault === 'error596') return this.fail(res, new PveHttpError(596, 'Connection timed out'));
    if (fault === 'nodedown' && nodeName) {
      this.nodeAway(nodeName, this.faults.config.nodeDownMs ?? 2000);
      return this.fail(res, new PveHttpError(595, 'Connection refused'));
    }
    const ctx: HandlerContext = {
      params,
      vars: found.vars,
      state: this.state,
      tokenId: token.id,
      privileges: token.privileges,
      durations: this.durations,
      now: this.now,
      task: (plan) =>
        this.tasks.start({
          ...plan,
          node: nodeName ?? '',
          user: token.id,
          ...(fault === 'taskfail' ? { failWith: 'injected fault: command failed: exit code 1' } : {}),
          ...(fault === 'nosuchtask' ? { hiddenPolls: 2 } : {}),
        }),
      taskStatus: (n, upid) => this.tasks.status(n, upid),
    };
    let data: unknown;
    try {
      data = handler(ctx);
    } catch (err) {
      if (err instanceof PveHttpError) return this.fail(res, err);
      throw err;
    }
    if (fault === 'collision' && typeof data === 'string') {
      // Someone else takes the id between our nextid and our create.
      const vmid = Number(data);
      this.state.guests.set(vmid, { vmid, type: 'lxc', node: [...this.state.nodes.keys()][0]!, config: { hostname: `foreign-${vmid}`, memory: '256' }, status: 'stopped' });
    }
    if (fault === 'timeout') {
      await sleep(this.faults.config.hangMs ?? 5000);
      req.socket.destroy();
      return;
    }
    if (fault === 'lost') {
      req.socket.destroy();
      return;
    }
    this.send(res, 200, { data: data ?? null });
  }
}

function formParams(sp: URLSearchParams): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [k, v] of sp) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/**
 * The privileges a token lacks for a method whose schema says `check => ['perm', PATH, [PRIVS], 'any', 1]`;
 * privileges on a path propagate to everything below it. Other checks (and/or, user-only) are not judged.
 */
function missingPrivileges(info: MethodSchema, vars: Record<string, string>, held: Record<string, string[]>): string | null {
  const check = info.permissions?.check;
  if (!Array.isArray(check) || check[0] !== 'perm') return null;
  const path = String(check[1]).replace(/\{([^}]+)\}/g, (_m, v: string) => vars[v] ?? '');
  const wanted = (check[2] as string[]) ?? [];
  const any = check[3] === 'any';
  const have = new Set<string>();
  for (const [p, privs] of Object.entries(held)) {
    if (p === '/' || path === p || path.startsWith(`${p}/`)) for (const x of privs) have.add(x);
  }
  const lacking = wanted.filter((w) => !have.has(w));
  if (any ? lacking.length < wanted.length : lacking.length === 0) return null;
  return `${path}, ${lacking.join(any ? '|' : ', ')}`;
}
