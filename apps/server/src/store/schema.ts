/**
 * Table types of the store, shared by SQLite and PostgreSQL. Times are epoch milliseconds,
 * flags are 0/1 integers and structured values are JSON text, so both engines read alike.
 */


export interface TenantsTable {
  id: string;
  name: string;
  created_at: number;
}

export interface UsersTable {
  id: string;
  tenant_id: string;
  email: string;
  name: string;
  role: 'operator' | 'admin' | 'member';
  password_hash: string;
  created_at: number;
}

export interface SessionsTable {
  /** SHA-256 of the cookie value; the value itself is never stored. */
  id_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
}

export interface ApiTokensTable {
  id: string;
  tenant_id: string;
  user_id: string;
  name: string;
  prefix: string;
  secret_hash: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface LoginAttemptsTable {
  /** `account:<email>` or `source:<address>`. */
  key: string;
  failures: number;
  locked_until: number;
  updated_at: number;
}

export interface AuditLogTable {
  id: string;
  at: number;
  tenant_id: string | null;
  actor_id: string | null;
  action: string;
  target_type: string;
  target_id: string;
  request_id: string;
  detail: string;
}

export interface PlansTable {
  id: string;
  name: string;
  description: string;
  vcpus: number;
  memory_mb: number;
  disk_gb: number;
  price_hour_minor: number;
  currency: string;
  created_at: number;
}

export interface ImagesTable {
  id: string;
  name: string;
  os: string;
  kind: 'container' | 'vm';
  status: 'available' | 'preparing' | 'ready' | 'failed' | 'unavailable';
  message: string;
  created_at: number;
}

export interface ServersTable {
  id: string;
  tenant_id: string;
  name: string;
  generation: number;
  /** JSON of the desired state (ServerSpec plus private fields such as the password hash). */
  spec: string;
  /** JSON of the observed state (ServerStatus plus the engine task being waited on). */
  status: string;
  deletion_requested_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface VolumesTable {
  id: string;
  tenant_id: string;
  name: string;
  /** JSON object of the tenant's labels. */
  labels: string;
  /** The spec's size, as a column so quotas sum it in SQL. */
  size_gb: number;
  generation: number;
  /** JSON of the desired state (VolumeSpec). */
  spec: string;
  /** JSON of the observed state (VolumeStatus). */
  status: string;
  deletion_requested_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface SshKeysTable {
  id: string;
  tenant_id: string;
  name: string;
  /** One line: type, base64 and comment. */
  public_key: string;
  fingerprint: string;
  created_at: number;
}

export interface IpAllocationsTable {
  network: string;
  address: string;
  server_id: string;
  nic_id: string;
}

/** Per network, the lowest address that may never have been handed out (IPAM's cursor). */
export interface IpCursorsTable {
  network: string;
  next_fresh: number;
}

/** A vSwitch: a tenant-private network. `status` is JSON of { phase, message, observedGeneration }. */
export interface NetworksTable {
  id: string;
  tenant_id: string;
  name: string;
  ipv4_cidr: string;
  /** Announced as router over DHCP; null for none. */
  gateway: string | null;
  /** The network's own address, held by its DHCP/DNS service (the gateway when there is one). */
  dns_server: string;
  dns_domain: string;
  generation: number;
  status: string;
  deletion_requested_at: number | null;
  created_at: number;
  updated_at: number;
}

/** The last release of an address: it is handed out again only after a cool-down. */
export interface IpReleasesTable {
  network: string;
  address: string;
  released_at: number;
}

export interface OperationsTable {
  id: string;
  tenant_id: string;
  user_id: string | null;
  kind: string;
  target_type: string;
  target_id: string;
  /** The target's generation this operation waits to see converged. */
  target_generation: number;
  state: 'pending' | 'running' | 'succeeded' | 'failed';
  progress: number;
  step: string;
  error: string | null;
  request_id: string;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

export interface IdempotencyKeysTable {
  principal: string;
  key: string;
  fingerprint: string;
  status_code: number;
  body: string;
  created_at: number;
}

export interface ReconcileQueueTable {
  kind: string;
  id: string;
  next_at: number;
  attempts: number;
  last_error: string | null;
  lease_owner: string | null;
  lease_until: number | null;
}

export interface PricesTable {
  id: string;
  plan: string;
  /** Micro-cents per `per` while running and while stopped, as the operator entered them. */
  running_uc: number;
  stopped_uc: number;
  per: 'hour' | 'month';
  currency: string;
  effective_from: number;
  created_at: number;
}

export interface ServerPhaseLogTable {
  server_id: string;
  /** 1, 2, … per server, in the order the phases were committed. */
  seq: number;
  tenant_id: string;
  server_name: string;
  plan: string;
  /** A server phase, or `Deleted` once the row is gone. */
  phase: string;
  at: number;
}

export interface MetersTable {
  resource_id: string;
  tenant_id: string;
  resource_type: string;
  last_seq: number;
  /** Whole-second time up to which usage is recorded; null before the first pass. */
  metered_until: number | null;
  /** 1 once the resource is gone and metered to its end. */
  closed: number;
}

export interface UsageRecordsTable {
  /** Deterministic idempotency key: resource id and the interval's start. */
  key: string;
  tenant_id: string;
  resource_type: string;
  resource_id: string;
  resource_name: string;
  plan: string;
  meter: 'running' | 'stopped';
  start_at: number;
  end_at: number;
  seconds: number;
  price_id: string | null;
  amount_uc: number;
  transaction_id: string | null;
}

export interface LedgerTransactionsTable {
  id: string;
  tenant_id: string;
  kind: 'topup' | 'charge' | 'refund' | 'goodwill';
  /** Unique per kind: the payment reference of a top-up, the usage key of a charge. */
  reference: string;
  description: string;
  actor_id: string | null;
  at: number;
}

export interface LedgerEntriesTable {
  id: string;
  transaction_id: string;
  tenant_id: string;
  /** `tenant:<id>` (the tenant's credit), `bank`, `revenue` or `goodwill`. */
  account: string;
  /** Signed micro-cents; the entries of one transaction sum to zero. */
  amount_uc: number;
  currency: string;
  at: number;
}

/** A registered webhook: where lifecycle events of a tenant (or every tenant) are sent. */
export interface WebhooksTable {
  id: string;
  tenant_id: string;
  /** 1: an operator's webhook for the events of every tenant. */
  all_tenants: number;
  url: string;
  /** JSON array of event names. */
  events: string;
  /** The HMAC key deliveries are signed with. */
  secret: string;
  last_seq: number;
  created_at: number;
}

/** One event to deliver to one webhook, in seq order. */
export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  seq: number;
  event: string;
  payload: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  finished_at: number | null;
}

/** Every table of the store. */
export interface Database {
  tenants: TenantsTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  login_attempts: LoginAttemptsTable;
  audit_log: AuditLogTable;
  plans: PlansTable;
  images: ImagesTable;
  servers: ServersTable;
  ssh_keys: SshKeysTable;
  volumes: VolumesTable;
  ip_allocations: IpAllocationsTable;
  ip_releases: IpReleasesTable;
  networks: NetworksTable;
  ip_cursors: IpCursorsTable;
  operations: OperationsTable;
  idempotency_keys: IdempotencyKeysTable;
  reconcile_queue: ReconcileQueueTable;
  prices: PricesTable;
  server_phase_log: ServerPhaseLogTable;
  meters: MetersTable;
  usage_records: UsageRecordsTable;
  ledger_transactions: LedgerTransactionsTable;
  ledger_entries: LedgerEntriesTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
}
