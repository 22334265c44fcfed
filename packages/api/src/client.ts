/**
 * The typed Kumulus API client used by the CLI, the dashboard and the tests.
 * It speaks fetch, so it runs in Node and in browsers alike.
 */
import type { AttachVolume, CreateVolume, ResizeVolume, UpdateVolume, Volume, VolumeWithOperation } from './schemas/storage.ts';
import type {
  CreatedToken,
  CreatePlan,
  CreateSshKey,
  CreateServer,
  CreateTenant,
  CreateToken,
  CreateUser,
  ErrorBody,
  Host,
  Image,
  ListQuery,
  Me,
  Operation,
  Page,
  Plan,
  Server,
  ServerAction,
  ServerWithOperation,
  SshKey,
  Tenant,
  Token,
  UpdateSshKey,
  UpdateTenant,
  User,
} from './schemas.ts';
import type { Allocation, CreateNetwork, Network, NetworkWithOperation, UpdateNetwork } from './networks.ts';
import type { ChangeProtection, PasswordReset } from './schemas/server-actions.ts';
import type { CreatedWebhook, CreateWebhook, Webhook, WebhookDelivery } from './schemas/webhooks.ts';
import type { BillingSummary, CreateLedgerTransaction, CreatePrice, LedgerEntry, Price } from './schemas/billing.ts';

/** An error answer of the API, with its stable code and HTTP status. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string;
  readonly details: { field: string; message: string }[];
  constructor(status: number, body: ErrorBody['error']) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code;
    this.requestId = body.requestId;
    this.details = body.details ?? [];
  }
}

/** How to reach and authenticate against a Kumulus API. */
export interface ClientOptions {
  /** Base URL such as `http://127.0.0.1:8080`; empty in the browser for the same origin. */
  baseUrl?: string;
  /** API token (`kmt_…`); without it the browser's session cookie is used. */
  token?: string;
  /** Preferred language of error messages (`de` or `en`). */
  language?: string;
  fetch?: typeof fetch;
}

/** Options of one request. */
export interface RequestOptions {
  idempotencyKey?: string;
  signal?: AbortSignal;
}

type Query = Record<string, string | number | boolean | undefined>;

/** A client of the Kumulus REST API under `/api/v1`. */
export class KumulusClient {
  readonly #base: string;
  readonly #token: string | undefined;
  readonly #language: string | undefined;
  readonly #fetch: typeof fetch;

  constructor(opts: ClientOptions = {}) {
    this.#base = (opts.baseUrl ?? '').replace(/\/$/, '');
    this.#token = opts.token;
    this.#language = opts.language;
    this.#fetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** Sends one request and decodes the JSON answer; throws ApiError on 4xx/5xx. */
  async request<T>(method: string, path: string, body?: unknown, query?: Query, opts: RequestOptions = {}): Promise<T> {
    const url = new URL(this.#base + '/api/v1' + path, this.#base ? undefined : (globalThis as { location?: { href: string } }).location?.href);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    if (this.#language) headers['accept-language'] = this.#language;
    if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
    const res = await this.#fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal: opts.signal,
    });
    const text = await res.text();
    const data = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      const err = (data as ErrorBody | undefined)?.error;
      throw new ApiError(res.status, err ?? { code: 'HTTP_' + res.status, message: res.statusText, requestId: '' });
    }
    return data as T;
  }

  /** Follows `nextCursor` until the list ends. */
  async all<T>(list: (q: ListQuery) => Promise<Page<T>>): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | undefined;
    do {
      const page = await list({ cursor, limit: 500 });
      out.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return out;
  }

  login(email: string, password: string) {
    return this.request<Me>('POST', '/auth/login', { email, password });
  }
  logout() {
    return this.request<void>('POST', '/auth/logout');
  }
  me() {
    return this.request<Me>('GET', '/auth/me');
  }

  /** Servers of your tenant; operators may pass `tenant: 'all'` or a tenant's id. */
  listServers(q: ListQuery & { tenant?: string } = {}) {
    return this.request<Page<Server>>('GET', '/servers', undefined, q);
  }
  getServer(id: string) {
    return this.request<Server>('GET', `/servers/${encodeURIComponent(id)}`);
  }
  createServer(body: CreateServer, opts?: RequestOptions) {
    return this.request<ServerWithOperation>('POST', '/servers', body, undefined, opts);
  }
  serverAction(id: string, action: ServerAction, opts?: RequestOptions) {
    return this.request<Operation>('POST', `/servers/${encodeURIComponent(id)}/actions/${action}`, {}, undefined, opts);
  }
  deleteServer(id: string) {
    return this.request<Operation>('DELETE', `/servers/${encodeURIComponent(id)}`);
  }
  /** Sets or lifts delete/rebuild protection; a flag left out stays as it is. */
  changeServerProtection(id: string, body: ChangeProtection) {
    return this.request<Server>('POST', `/servers/${encodeURIComponent(id)}/actions/change-protection`, body);
  }
  /** Asks the guest to shut down; the operation fails if it is still up after `timeoutSeconds`. */
  shutdownServer(id: string, timeoutSeconds?: number, opts?: RequestOptions) {
    return this.request<Operation>('POST', `/servers/${encodeURIComponent(id)}/actions/shutdown`, timeoutSeconds ? { timeoutSeconds } : {}, undefined, opts);
  }
  /** Moves the server to another plan (CPU and memory live; the disk only grows). */
  resizeServer(id: string, plan: string, opts?: RequestOptions) {
    return this.request<Operation>('POST', `/servers/${encodeURIComponent(id)}/actions/resize`, { plan }, undefined, opts);
  }
  /** A fresh root filesystem from `image`; id, name, addresses and keys stay. */
  rebuildServer(id: string, image: string, opts?: RequestOptions) {
    return this.request<Operation>('POST', `/servers/${encodeURIComponent(id)}/actions/rebuild`, { image }, undefined, opts);
  }
  /** Registers a URL for lifecycle events; the signing secret is in this answer only. */
  createWebhook(body: CreateWebhook) {
    return this.request<CreatedWebhook>('POST', '/webhooks', body);
  }
  listWebhooks(q: ListQuery = {}) {
    return this.request<Page<Webhook>>('GET', '/webhooks', undefined, q);
  }
  deleteWebhook(id: string) {
    return this.request<void>('DELETE', `/webhooks/${encodeURIComponent(id)}`);
  }
  /** The delivery log of a webhook, in the order the events are sent. */
  listWebhookDeliveries(id: string, q: ListQuery = {}) {
    return this.request<Page<WebhookDelivery>>('GET', `/webhooks/${encodeURIComponent(id)}/deliveries`, undefined, q);
  }
  /** A new generated root password, answered this once. */
  resetServerPassword(id: string, opts?: RequestOptions) {
    return this.request<PasswordReset>('POST', `/servers/${encodeURIComponent(id)}/actions/reset-password`, {}, undefined, opts);
  }

  listVolumes(q: ListQuery = {}) {
    return this.request<Page<Volume>>('GET', '/volumes', undefined, q);
  }
  getVolume(id: string) {
    return this.request<Volume>('GET', `/volumes/${encodeURIComponent(id)}`);
  }
  createVolume(body: CreateVolume, opts?: RequestOptions) {
    return this.request<VolumeWithOperation>('POST', '/volumes', body, undefined, opts);
  }
  updateVolume(id: string, body: UpdateVolume) {
    return this.request<Volume>('PATCH', `/volumes/${encodeURIComponent(id)}`, body);
  }
  attachVolume(id: string, body: AttachVolume, opts?: RequestOptions) {
    return this.request<Operation>('POST', `/volumes/${encodeURIComponent(id)}/actions/attach`, body, undefined, opts);
  }
  resizeVolume(id: string, body: ResizeVolume, opts?: RequestOptions) {
    return this.request<Operation>('POST', `/volumes/${encodeURIComponent(id)}/actions/resize`, body, undefined, opts);
  }
  detachVolume(id: string, opts?: RequestOptions) {
    return this.request<Operation>('POST', `/volumes/${encodeURIComponent(id)}/actions/detach`, {}, undefined, opts);
  }
  deleteVolume(id: string) {
    return this.request<Operation>('DELETE', `/volumes/${encodeURIComponent(id)}`);
  }

  listSshKeys(q: ListQuery = {}) {
    return this.request<Page<SshKey>>('GET', '/ssh-keys', undefined, q);
  }
  getSshKey(id: string) {
    return this.request<SshKey>('GET', `/ssh-keys/${encodeURIComponent(id)}`);
  }
  createSshKey(body: CreateSshKey) {
    return this.request<SshKey>('POST', '/ssh-keys', body);
  }
  renameSshKey(id: string, name: string) {
    return this.request<SshKey>('PATCH', `/ssh-keys/${encodeURIComponent(id)}`, { name } satisfies UpdateSshKey);
  }
  deleteSshKey(id: string) {
    return this.request<void>('DELETE', `/ssh-keys/${encodeURIComponent(id)}`);
  }

  listPlans(q: ListQuery = {}) {
    return this.request<Page<Plan>>('GET', '/plans', undefined, q);
  }
  createPlan(body: CreatePlan) {
    return this.request<Plan>('POST', '/plans', body);
  }
  listPrices() {
    return this.request<Page<Price>>('GET', '/prices');
  }
  createPrice(body: CreatePrice) {
    return this.request<Price>('POST', '/prices', body);
  }
  /** A tenant's credit account line by line (operators may name another tenant). */
  listLedger(q: ListQuery & { tenantId?: string } = {}) {
    return this.request<Page<LedgerEntry>>('GET', '/billing/ledger', undefined, q);
  }
  /** Books a top-up, refund or goodwill credit (operators). */
  bookLedger(body: CreateLedgerTransaction) {
    return this.request<LedgerEntry>('POST', '/billing/ledger', body);
  }
  /** The cost monitor: credit, spent this month, forecast, when the credit runs out. */
  billingSummary(q: { tenantId?: string } = {}) {
    return this.request<BillingSummary>('GET', '/billing/summary', undefined, q);
  }

  listImages(q: ListQuery = {}) {
    return this.request<Page<Image>>('GET', '/images', undefined, q);
  }

  listOperations(q: ListQuery & { scope?: 'tenant' | 'all'; state?: string; target?: string; kind?: string } = {}) {
    return this.request<Page<Operation>>('GET', '/operations', undefined, q);
  }
  getOperation(id: string) {
    return this.request<Operation>('GET', `/operations/${encodeURIComponent(id)}`);
  }
  /** Long-polls until the operation ends or `timeoutSeconds` pass; answers its latest state. */
  waitOperation(id: string, timeoutSeconds = 30, opts: RequestOptions = {}) {
    return this.request<Operation>('GET', `/operations/${encodeURIComponent(id)}/wait`, undefined, { timeout: timeoutSeconds }, opts);
  }

  listTenants(q: ListQuery = {}) {
    return this.request<Page<Tenant>>('GET', '/tenants', undefined, q);
  }
  createTenant(body: CreateTenant) {
    return this.request<Tenant>('POST', '/tenants', body);
  }
  renameTenant(id: string, body: UpdateTenant) {
    return this.request<Tenant>('PATCH', `/tenants/${encodeURIComponent(id)}`, body);
  }
  /** Deletes a tenant with its users, tokens and keys; refused (409) while it has servers. */
  deleteTenant(id: string) {
    return this.request<void>('DELETE', `/tenants/${encodeURIComponent(id)}`);
  }
  listUsers(q: ListQuery = {}) {
    return this.request<Page<User>>('GET', '/users', undefined, q);
  }
  createUser(body: CreateUser) {
    return this.request<User>('POST', '/users', body);
  }
  listTokens(q: ListQuery = {}) {
    return this.request<Page<Token>>('GET', '/tokens', undefined, q);
  }
  createToken(body: CreateToken) {
    return this.request<CreatedToken>('POST', '/tokens', body);
  }
  revokeToken(id: string) {
    return this.request<void>('DELETE', `/tokens/${encodeURIComponent(id)}`);
  }
  listHosts() {
    return this.request<Page<Host>>('GET', '/hosts');
  }

  listNetworks(q: ListQuery = {}) {
    return this.request<Page<Network>>('GET', '/networks', undefined, q);
  }
  getNetwork(id: string) {
    return this.request<Network>('GET', `/networks/${encodeURIComponent(id)}`);
  }
  createNetwork(body: CreateNetwork, opts?: RequestOptions) {
    return this.request<NetworkWithOperation>('POST', '/networks', body, undefined, opts);
  }
  renameNetwork(id: string, name: string) {
    return this.request<Network>('PATCH', `/networks/${encodeURIComponent(id)}`, { name } satisfies UpdateNetwork);
  }
  deleteNetwork(id: string) {
    return this.request<Operation>('DELETE', `/networks/${encodeURIComponent(id)}`);
  }
  listNetworkAllocations(id: string) {
    return this.request<{ items: Allocation[] }>('GET', `/networks/${encodeURIComponent(id)}/allocations`);
  }
}
