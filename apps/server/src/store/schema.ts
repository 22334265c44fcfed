/**
 * Table types of the store, shared by SQLite and PostgreSQL. Times are epoch milliseconds,
 * flags are 0/1 integers and structured values are JSON text, so both engines read alike.
 */
import type { IpPoolsTable, PublicIpReleasesTable, PublicIpsTable } from './schema-public-ips.ts';
import type { BackupTables } from './schema-backups.ts';
import type { InvoicingTables } from './schema-invoicing.ts';
import type { SecurityTables } from './schema-security.ts';
import type { MonitoringTables } from './schema-monitors.ts';

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
  /** How many snapshots one server of this plan may keep. */
  snapshot_limit?: number;
  /** JSON of the root-disk QoS its servers get (DiskQos); null for none. */
  disk_qos?: string | null;
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
  /** JSON object of the tenant's labels (what label selectors match). */
  labels: string;
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
  /** 1 while deletion is refused (migration 011; absent on rows written before it). */
  protected?: number;
  generation: number;
  /** JSON of the desired state (VolumeSpec). */
  spec: string;
  /** JSON of the observed state (VolumeStatus). */
  status: string;
  deletion_requested_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface SnapshotsTable {
  id: string;
  tenant_id: string;
  /** `server` or `volume`: what the snapshot is of. */
  target_type: 'server' | 'volume';
  target_id: string;
  name: string;
  description: string;
  /** JSON object of labels. */
  labels: string;
  generation: number;
  /** JSON of the desired state (SnapshotSpec). */
  spec: string;
  /** JSON of the observed state (SnapshotStatus). */
  status: string;
  deletion_requested_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface ServerDisksTable {
  /** `dsk_` and the server id's suffix. */
  id: string;
  server_id: string;
  tenant_id: string;
  /** JSON of the server's own root-disk QoS (VolumeQos); null: the plan's. */
  qos: string | null;
  generation: number;
  /** JSON: the limits last applied and the generation they came from. */
  status: string;
  updated_at: number;
}

export interface SshKeysTable {
  id: string;
  tenant_id: string;
  name: string;
  /** One line: type, base64 and comment. */
  public_key: string;
  fingerprint: string;
  /** JSON object of labels. */
  labels: string;
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
  /** The /64 announced for SLAAC (migration 021); null: IPv4 only. */
  ipv6_cidr: string | null;
  /** Labels as JSON text (migration 022), matched by `label_selector`. */
  labels: string;
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
  /** The most one resource is charged in a calendar month under this price, in micro-cents; null for no cap (migration 033). */
  cap_uc: number | null;
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
  /** As what the usage was billed: a lifecycle meter's running, stopped or held, or traffic (bytes beyond a plan's included amount). */
  meter: 'running' | 'stopped' | 'held' | 'traffic';
  start_at: number;
  end_at: number;
  seconds: number;
  price_id: string | null;
  amount_uc: number;
  transaction_id: string | null;
  /** Units billed per second: bytes for storage, 1 for a server or address (migration 020; null before it). */
  quantity?: number | null;
}

/** One committed lifecycle change of a volume, snapshot or public IP (migration 020). */
export interface ResourcePhaseLogTable {
  resource_id: string;
  seq: number;
  tenant_id: string;
  /** The meter kind (meter-kinds.ts): volume, snapshot, public-ip. */
  kind: string;
  name: string;
  /** The price list's product the usage is priced by (`@volume` …). */
  product: string;
  /** Units billed per second in this phase: bytes for storage, 1 for an address. */
  quantity: number;
  /** The kind's phase, or `Deleted` once the resource is gone. */
  phase: string;
  at: number;
}

export interface LedgerTransactionsTable {
  id: string;
  tenant_id: string;
  /** `vat` takes an issued invoice's VAT from the credit, `vat_refund` gives a credit note's back. */
  kind: 'topup' | 'charge' | 'refund' | 'goodwill' | 'vat' | 'vat_refund';
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

/** A tenant's limits; null means the configured default. */
export interface TenantQuotasTable {
  tenant_id: string;
  servers: number | null;
  vcpus: number | null;
  memory_mb: number | null;
  disk_gb: number | null;
  volumes: number | null;
  volume_gb: number | null;
  public_ips: number | null;
  updated_at: number;
}

/** Where a tenant stands in dunning: good, warned, suspended or closed (resources deleted). */
export interface DunningStatesTable {
  tenant_id: string;
  state: 'good' | 'warned' | 'suspended' | 'closed';
  /** The smallest warning threshold (seconds of credit left) already warned about. */
  warned_seconds: number | null;
  suspended_at: number | null;
  final_warned_at: number | null;
  /** JSON list of the server ids that were running when the tenant was suspended, to start again. */
  resume_servers: string;
  updated_at: number;
}

/** An in-app notice to a tenant; `params` is JSON for its localized text. */
export interface NoticesTable {
  id: string;
  tenant_id: string;
  kind: string;
  params: string;
  created_at: number;
}

/** An e-mail to send, written with the step that causes it and marked once the SMTP server took it. */
export interface MailOutboxTable {
  id: string;
  tenant_id: string;
  /** The notice it carries (`credit-low`, `suspended` …), also sent as the X-Kumulus-Notice header. */
  kind: string;
  /** JSON list of addresses. */
  recipients: string;
  subject: string;
  body: string;
  created_at: number;
  sent_at: number | null;
  attempts: number;
  last_error: string | null;
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
/** The last kernel reading of a NIC's byte counters (migration 008). */
export interface NicCountersTable {
  nic_id: string;
  server_id: string;
  /** The link's ifindex: another one means the link was made again and counts from 0. */
  link: number;
  in_bytes: number;
  out_bytes: number;
}

/** Bytes of one NIC in one hour (migration 008); `public` 1 for the NATed default network. */
export interface NicTrafficTable {
  nic_id: string;
  hour: number;
  server_id: string;
  public: number;
  in_bytes: number;
  out_bytes: number;
}

/** A plan's network terms (migration 016); null is none. */
export interface PlanTrafficTable {
  plan_id: string;
  nic_mbit: number | null;
  included_gb: number | null;
  throttle_mbit: number | null;
  hard_limit_gb: number | null;
}

/** A server against its plan's traffic terms in a month (`YYYY-MM`, UTC): ok, throttled or blocked. */
export interface TrafficStateTable {
  server_id: string;
  month: string;
  state: string;
  public_out_bytes: number;
}

export interface Database extends InvoicingTables, SecurityTables, MonitoringTables, BackupTables {
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
  snapshots: SnapshotsTable;
  server_disks: ServerDisksTable;
  ip_allocations: IpAllocationsTable;
  ip_releases: IpReleasesTable;
  networks: NetworksTable;
  ip_cursors: IpCursorsTable;
  operations: OperationsTable;
  idempotency_keys: IdempotencyKeysTable;
  reconcile_queue: ReconcileQueueTable;
  prices: PricesTable;
  server_phase_log: ServerPhaseLogTable;
  resource_phase_log: ResourcePhaseLogTable;
  meters: MetersTable;
  usage_records: UsageRecordsTable;
  ledger_transactions: LedgerTransactionsTable;
  ledger_entries: LedgerEntriesTable;
  proxmox_clusters: ProxmoxClustersTable;
  nic_counters: NicCountersTable;
  nic_traffic: NicTrafficTable;
  plan_traffic: PlanTrafficTable;
  traffic_state: TrafficStateTable;
  ip_pools: IpPoolsTable;
  public_ips: PublicIpsTable;
  public_ip_releases: PublicIpReleasesTable;
  firewalls: FirewallsTable;
  zones: ZonesTable;
  firewall_log: FirewallLogTable;
  tenant_quotas: TenantQuotasTable;
  dunning_states: DunningStatesTable;
  notices: NoticesTable;
  mail_outbox: MailOutboxTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

/** A registered Proxmox VE cluster; the token secret is AES-256-GCM sealed with the key outside the store. */
export interface ProxmoxClustersTable {
  id: string;
  url: string;
  token_id: string;
  token_secret_sealed: string;
  fingerprint: string | null;
  ca: string | null;
  /** The operator's name for it (`default` when registered by `kumulus serve --proxmox-url`). */
  name: string;
  /** JSON: the nodes found at the last check, each with its role and labels. */
  nodes: string;
  /** JSON: the last connection check (when, and the problems found). */
  health: string;
  created_at: number;
  updated_at: number;
}

/** A tenant's firewall: a named rule set and what it is applied to (JSON). */
export interface FirewallsTable {
  id: string;
  tenant_id: string;
  name: string;
  labels: string;
  rules: string;
  applied_to: string;
  generation: number;
  created_at: number;
  updated_at: number;
}

/** An operator's zone: its networks and the flows it may send to other zones (JSON). */
export interface ZonesTable {
  id: string;
  name: string;
  purpose: string;
  networks: string;
  /** JSON: ids of the public IP pools in the zone. */
  pools: string;
  flows: string;
  created_at: number;
  updated_at: number;
}

/** A packet a NIC's firewall logged (its last drops, and what rules with `log` matched); 100 kept per NIC. */
export interface FirewallLogTable {
  id: string;
  tenant_id: string;
  server_id: string;
  nic_id: string;
  at: number;
  direction: 'in' | 'out';
  action: 'accept' | 'drop' | 'reject';
  reason: 'rule' | 'default-deny' | 'anti-spoofing' | 'zone';
  firewall_id: string | null;
  rule_index: number | null;
  protocol: string;
  source: string;
  destination: string;
  source_port: number | null;
  destination_port: number | null;
}
