/**
 * The typed Kumulus API client used by the CLI, the dashboard and the tests.
 * It speaks fetch, so it runs in Node and in browsers alike.
 */
import type { CloneSnapshot, CreateSnapshot, RollbackSnapshot, Snapshot, SnapshotWithOperation, UpdateSnapshot } from './schemas/snapshots.ts';
import type { AttachVolume, CreateVolume, ResizeVolume, ServerDiskQos, SetServerDiskQos, UpdateVolume, Volume, VolumeWithOperation } from './schemas/storage.ts';
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
  LabelledListQuery,
  StatusListQuery,
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
  UpdateServer,
  UpdateSshKey,
  UpdateTenant,
  User,
} from './schemas.ts';
import type { AttachNic, LimitNic, NicWithOperation, PlanTraffic, ServerNicList, ServerTraffic, TrafficQuery } from './schemas/network.ts';
import type { Allocation, CreateNetwork, Network, NetworkWithOperation, UpdateNetwork } from './networks.ts';
import type { CreateFirewall, CreateZone, Firewall, FirewallLog, FirewallPreview, FirewallPreviewRequest, FirewallTarget, UpdateFirewall, UpdateZone, Zone } from './schemas/firewall.ts';
import type { BillingSummary, CreateLedgerTransaction, CreatePrice, LedgerEntry, Notice, Price, Quotas, TenantStanding, UpdateQuotas } from './schemas/billing.ts';
import type { BankLine, BillingProfile, CreateCreditNote, DebitExport, ExportDebits, Invoice, IssueInvoices, Mandate, SetBillingProfile, SetMandate, StatementImport } from './schemas/invoices.ts';
import type { ChangeProtection, PasswordReset } from './schemas/server-actions.ts';
import type { AuditEntry, AuditQuery } from './schemas/audit.ts';
import type { CreatedWebhook, CreateWebhook, Webhook, WebhookDelivery } from './schemas/webhooks.ts';
import type { LoginResult } from './schemas/security.ts';

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
/** Which kind of resource a snapshot belongs to, as the path names it. */
export type SnapshotOwner = 'servers' | 'volumes';

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

  /** Fetches a document (PDF, XML) as bytes; throws ApiError on 4xx/5xx. */
  async download(path: string): Promise<Uint8Array> {
    const headers: Record<string, string> = { accept: '*/*' };
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    if (this.#language) headers['accept-language'] = this.#language;
    const res = await this.#fetch(new URL(this.#base + '/api/v1' + path, this.#base ? undefined : (globalThis as { location?: { href: string } }).location?.href), { headers, credentials: 'same-origin' });
    if (!res.ok) {
      const err = ((await res.json().catch(() => undefined)) as ErrorBody | undefined)?.error;
      throw new ApiError(res.status, err ?? { code: 'HTTP_' + res.status, message: res.statusText, requestId: '' });
    }
    return new Uint8Array(await res.arrayBuffer());
  }

  /** Follows `nextCursor` (or, for a sorted list, `meta.pagination.nextPage`) until the list ends. */
  async all<T>(list: (q: ListQuery) => Promise<Page<T>>, q: ListQuery = {}): Promise<T[]> {
    const out: T[] = [];
    let next: ListQuery | null = q.sort || q.page || q.per_page ? { ...q, page: 1, per_page: 500 } : { ...q, limit: 500 };
    while (next) {
      const page: Page<T> = await list(next);
      out.push(...page.items);
      const nextPage = page.meta?.pagination.nextPage;
      next = nextPage ? { ...next, page: nextPage } : page.nextCursor ? { ...next, cursor: page.nextCursor } : null;
    }
    return out;
  }

  /** The password step of a sign-in: signed in (Me), or a second factor is due (see securityApi). */
  login(email: string, password: string) {
    return this.request<LoginResult>('POST', '/auth/login', { email, password });
  }
  logout() {
    return this.request<void>('POST', '/auth/logout');
  }
  me() {
    return this.request<Me>('GET', '/auth/me');
  }

  /** Servers of your tenant; operators may pass `tenant: 'all'` or a tenant's id. */
  listServers(q: StatusListQuery & { tenant?: string; node?: string } = {}) {
    return this.request<Page<Server>>('GET', '/servers', undefined, q);
  }
  getServer(id: string) {
    return this.request<Server>('GET', `/servers/${encodeURIComponent(id)}`);
  }
  createServer(body: CreateServer, opts?: RequestOptions) {
    return this.request<ServerWithOperation>('POST', '/servers', body, undefined, opts);
  }
  /** Replaces a server's labels. */
  updateServer(id: string, body: UpdateServer) {
    return this.request<Server>('PATCH', `/servers/${encodeURIComponent(id)}`, body);
  }
  serverAction(id: string, action: ServerAction, opts?: RequestOptions) {
    return this.request<Operation>('POST', `/servers/${encodeURIComponent(id)}/actions/${action}`, {}, undefined, opts);
  }
  deleteServer(id: string) {
    return this.request<Operation>('DELETE', `/servers/${encodeURIComponent(id)}`);
  }
  listServerNics(server: string, q: ListQuery = {}) {
    return this.request<ServerNicList>('GET', `/servers/${encodeURIComponent(server)}/nics`, undefined, q);
  }
  attachNic(server: string, body: AttachNic, opts?: RequestOptions) {
    return this.request<NicWithOperation>('POST', `/servers/${encodeURIComponent(server)}/nics`, body, undefined, opts);
  }
  limitNic(server: string, nicId: string, body: LimitNic) {
    return this.request<Operation>('PATCH', `/servers/${encodeURIComponent(server)}/nics/${encodeURIComponent(nicId)}`, body);
  }
  getPlanTraffic(plan: string) {
    return this.request<PlanTraffic>('GET', `/plans/${encodeURIComponent(plan)}/traffic`);
  }
  setPlanTraffic(plan: string, body: PlanTraffic) {
    return this.request<PlanTraffic>('PUT', `/plans/${encodeURIComponent(plan)}/traffic`, body);
  }
  serverTraffic(server: string, query: TrafficQuery = {}) {
    return this.request<ServerTraffic>('GET', `/servers/${encodeURIComponent(server)}/traffic`, undefined, query);
  }
  detachNic(server: string, nicId: string) {
    return this.request<Operation>('DELETE', `/servers/${encodeURIComponent(server)}/nics/${encodeURIComponent(nicId)}`);
  }

  listFirewalls(q: LabelledListQuery = {}) {
    return this.request<Page<Firewall>>('GET', '/firewalls', undefined, q);
  }
  getFirewall(id: string) {
    return this.request<Firewall>('GET', `/firewalls/${encodeURIComponent(id)}`);
  }
  createFirewall(body: CreateFirewall) {
    return this.request<Firewall>('POST', '/firewalls', body);
  }
  updateFirewall(id: string, body: UpdateFirewall) {
    return this.request<Firewall>('PATCH', `/firewalls/${encodeURIComponent(id)}`, body);
  }
  /** Applies a firewall to servers, NICs or a label selector. */
  applyFirewall(id: string, applyTo: FirewallTarget[]) {
    return this.request<Firewall>('POST', `/firewalls/${encodeURIComponent(id)}/actions/apply-to`, { applyTo });
  }
  removeFirewall(id: string, applyTo: FirewallTarget[]) {
    return this.request<Firewall>('POST', `/firewalls/${encodeURIComponent(id)}/actions/remove-from`, { applyTo });
  }
  /** What a change of a firewall (or a new one) would open and close, per NIC, without making it. */
  previewFirewall(body: FirewallPreviewRequest) {
    return this.request<FirewallPreview>('POST', '/firewalls/preview', body);
  }
  /** The last packets a NIC's firewall dropped (and those of rules with `log`), newest first. */
  nicFirewallLog(server: string, nic: string) {
    return this.request<FirewallLog>('GET', `/servers/${encodeURIComponent(server)}/nics/${encodeURIComponent(nic)}/firewall-log`);
  }
  deleteFirewall(id: string) {
    return this.request<void>('DELETE', `/firewalls/${encodeURIComponent(id)}`);
  }

  /** Zones and their allowed flows (operators). */
  listZones(q: ListQuery = {}) {
    return this.request<Page<Zone>>('GET', '/zones', undefined, q);
  }
  getZone(id: string) {
    return this.request<Zone>('GET', `/zones/${encodeURIComponent(id)}`);
  }
  createZone(body: CreateZone) {
    return this.request<Zone>('POST', '/zones', body);
  }
  updateZone(id: string, body: UpdateZone) {
    return this.request<Zone>('PATCH', `/zones/${encodeURIComponent(id)}`, body);
  }
  deleteZone(id: string) {
    return this.request<void>('DELETE', `/zones/${encodeURIComponent(id)}`);
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

  listVolumes(q: StatusListQuery = {}) {
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

  getServerDiskQos(id: string) {
    return this.request<ServerDiskQos>('GET', `/servers/${encodeURIComponent(id)}/disk-qos`);
  }
  setServerDiskQos(id: string, body: SetServerDiskQos, opts?: RequestOptions) {
    return this.request<Operation>('PUT', `/servers/${encodeURIComponent(id)}/disk-qos`, body, undefined, opts);
  }

  /** Snapshots of a server's root disk (`servers`) or of a volume (`volumes`). */
  listSnapshots(of: SnapshotOwner, id: string, q: StatusListQuery = {}) {
    return this.request<Page<Snapshot>>('GET', `/${of}/${encodeURIComponent(id)}/snapshots`, undefined, q);
  }
  /** Changes a snapshot's description and/or replaces its labels. */
  updateSnapshot(of: SnapshotOwner, id: string, snapshot: string, body: UpdateSnapshot) {
    return this.request<Snapshot>('PATCH', `/${of}/${encodeURIComponent(id)}/snapshots/${encodeURIComponent(snapshot)}`, body);
  }
  getSnapshot(of: SnapshotOwner, id: string, snapshot: string) {
    return this.request<Snapshot>('GET', `/${of}/${encodeURIComponent(id)}/snapshots/${encodeURIComponent(snapshot)}`);
  }
  createSnapshot(of: SnapshotOwner, id: string, body: CreateSnapshot, opts?: RequestOptions) {
    return this.request<SnapshotWithOperation>('POST', `/${of}/${encodeURIComponent(id)}/snapshots`, body, undefined, opts);
  }
  rollbackSnapshot(of: SnapshotOwner, id: string, snapshot: string, body: RollbackSnapshot, opts?: RequestOptions) {
    return this.request<Operation>('POST', `/${of}/${encodeURIComponent(id)}/snapshots/${encodeURIComponent(snapshot)}/actions/rollback`, body, undefined, opts);
  }
  cloneSnapshot(of: SnapshotOwner, id: string, snapshot: string, body: CloneSnapshot, opts?: RequestOptions) {
    return this.request<VolumeWithOperation>('POST', `/${of}/${encodeURIComponent(id)}/snapshots/${encodeURIComponent(snapshot)}/actions/clone`, body, undefined, opts);
  }
  /** A new server from a server snapshot (same image and plan, the snapshot's files). */
  cloneSnapshotToServer(id: string, snapshot: string, body: CloneSnapshot, opts?: RequestOptions) {
    return this.request<ServerWithOperation>('POST', `/servers/${encodeURIComponent(id)}/snapshots/${encodeURIComponent(snapshot)}/actions/clone-server`, body, undefined, opts);
  }
  deleteSnapshot(of: SnapshotOwner, id: string, snapshot: string) {
    return this.request<Operation>('DELETE', `/${of}/${encodeURIComponent(id)}/snapshots/${encodeURIComponent(snapshot)}`);
  }

  listSshKeys(q: LabelledListQuery = {}) {
    return this.request<Page<SshKey>>('GET', '/ssh-keys', undefined, q);
  }
  getSshKey(id: string) {
    return this.request<SshKey>('GET', `/ssh-keys/${encodeURIComponent(id)}`);
  }
  createSshKey(body: CreateSshKey) {
    return this.request<SshKey>('POST', '/ssh-keys', body);
  }
  renameSshKey(id: string, name: string) {
    return this.updateSshKey(id, { name });
  }
  /** Renames a saved key and/or replaces its labels. */
  updateSshKey(id: string, body: UpdateSshKey) {
    return this.request<SshKey>('PATCH', `/ssh-keys/${encodeURIComponent(id)}`, body);
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
  listPrices(q: ListQuery = {}) {
    return this.request<Page<Price>>('GET', '/prices', undefined, q);
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
  /** A tenant's quota limits and use (operators may name another tenant). */
  quotas(q: { tenantId?: string } = {}) {
    return this.request<Quotas>('GET', '/quotas', undefined, q);
  }
  /** Sets a tenant's quota limits (operators). */
  updateQuotas(tenantId: string, body: UpdateQuotas) {
    return this.request<Quotas>('PUT', `/tenants/${encodeURIComponent(tenantId)}/quotas`, body);
  }
  /** The caller's tenant's dunning standing and payment reference (operators may name another). */
  standing(q: { tenantId?: string } = {}) {
    return this.request<TenantStanding>('GET', '/billing/standing', undefined, q);
  }
  /** Every tenant's balance and dunning standing (operators). */
  listStandings(q: ListQuery = {}) {
    return this.request<Page<TenantStanding>>('GET', '/billing/standings', undefined, q);
  }
  /** The caller's tenant's in-app notices, newest first. */
  listNotices() {
    return this.request<Page<Notice>>('GET', '/notices');
  }
  /** A tenant's invoices and credit notes. */
  listInvoices(q: ListQuery & { tenantId?: string } = {}) {
    return this.request<Page<Invoice>>('GET', '/billing/invoices', undefined, q);
  }
  /** One invoice with its lines. */
  getInvoice(id: string) {
    return this.request<Invoice>('GET', `/billing/invoices/${encodeURIComponent(id)}`);
  }
  /** One invoice as PDF or as EN 16931 e-invoice XML. */
  invoiceDocument(id: string, format: 'pdf' | 'xml') {
    return this.download(`/billing/invoices/${encodeURIComponent(id)}/${format}`);
  }
  /** Issues the invoices of an ended month (operators). */
  issueInvoices(body: IssueInvoices) {
    return this.request<Page<Invoice>>('POST', '/billing/invoices', body);
  }
  /** Corrects an invoice by a credit note (operators). */
  createCreditNote(id: string, body: CreateCreditNote) {
    return this.request<Invoice>('POST', `/billing/invoices/${encodeURIComponent(id)}/credit-notes`, body);
  }
  /** A tenant's billing address, VAT status and payment reference. */
  billingProfile(q: { tenantId?: string } = {}) {
    return this.request<BillingProfile>('GET', '/billing/profile', undefined, q);
  }
  /** Sets a tenant's billing address, country and VAT id. */
  setBillingProfile(body: SetBillingProfile) {
    return this.request<BillingProfile>('PUT', '/billing/profile', body);
  }
  /** Imports a camt.053 bank statement (operators). */
  importStatement(xml: string) {
    return this.request<StatementImport>('POST', '/billing/statements', { xml });
  }
  /** Imported bank lines: those no tenant matched, or all (operators). */
  listBankLines(q: ListQuery & { status?: 'unmatched' | 'all' } = {}) {
    return this.request<Page<BankLine>>('GET', '/billing/bank-lines', undefined, q);
  }
  /** Books an unmatched bank line to a tenant by hand (operators). */
  bookBankLine(id: string, tenantId: string) {
    return this.request<BankLine>('POST', `/billing/bank-lines/${encodeURIComponent(id)}/book`, { tenantId });
  }
  /** A tenant's SEPA mandate, or null. */
  mandate(q: { tenantId?: string } = {}) {
    return this.request<Mandate | null>('GET', '/billing/mandate', undefined, q);
  }
  /** Records a tenant's SEPA mandate. */
  setMandate(body: SetMandate) {
    return this.request<Mandate>('PUT', '/billing/mandate', body);
  }
  /** Exports the direct debits due as pain.008 (operators). */
  exportDebits(body: ExportDebits = {}) {
    return this.request<DebitExport>('POST', '/billing/debits/export', body);
  }

  listImages(q: ListQuery = {}) {
    return this.request<Page<Image>>('GET', '/images', undefined, q);
  }

  /** The audit log: your tenant's lines, or (operators) `tenant: 'all'` or one tenant's. */
  listAudit(q: AuditQuery = {}) {
    return this.request<Page<AuditEntry>>('GET', '/audit', undefined, q);
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
  listHosts(q: ListQuery = {}) {
    return this.request<Page<Host>>('GET', '/hosts', undefined, q);
  }

  listNetworks(q: LabelledListQuery = {}) {
    return this.request<Page<Network>>('GET', '/networks', undefined, q);
  }
  getNetwork(id: string) {
    return this.request<Network>('GET', `/networks/${encodeURIComponent(id)}`);
  }
  createNetwork(body: CreateNetwork, opts?: RequestOptions) {
    return this.request<NetworkWithOperation>('POST', '/networks', body, undefined, opts);
  }
  renameNetwork(id: string, name: string) {
    return this.updateNetwork(id, { name });
  }
  /** Renames a network and/or replaces its labels. */
  updateNetwork(id: string, body: UpdateNetwork) {
    return this.request<Network>('PATCH', `/networks/${encodeURIComponent(id)}`, body);
  }
  deleteNetwork(id: string) {
    return this.request<Operation>('DELETE', `/networks/${encodeURIComponent(id)}`);
  }
  listNetworkAllocations(id: string, q: ListQuery = {}) {
    return this.request<Page<Allocation>>('GET', `/networks/${encodeURIComponent(id)}/allocations`, undefined, q);
  }
}
