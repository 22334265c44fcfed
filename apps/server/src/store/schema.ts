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
  operations: OperationsTable;
  idempotency_keys: IdempotencyKeysTable;
  reconcile_queue: ReconcileQueueTable;
}
