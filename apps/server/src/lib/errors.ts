/**
 * The closed set of domain errors. Domain code throws these; the HTTP layer maps them to
 * status codes and localized messages in exactly one place (http/errors.ts).
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  JSON_TOO_DEEP: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  SERVER_NOT_FOUND: 404,
  OPERATION_NOT_FOUND: 404,
  NETWORK_NOT_FOUND: 404,
  VOLUME_NOT_FOUND: 404,
  NIC_NOT_FOUND: 404,
  IP_POOL_NOT_FOUND: 404,
  PUBLIC_IP_NOT_FOUND: 404,
  FIREWALL_NOT_FOUND: 404,
  ZONE_NOT_FOUND: 404,
  LABEL_SELECTOR_INVALID: 400,
  SORT_KEY_INVALID: 400,
  FIREWALL_IN_USE: 409,
  NETWORK_IN_ZONE: 409,
  POOL_IN_ZONE: 409,
  WEBHOOK_NOT_FOUND: 404,
  PLAN_NOT_FOUND: 422,
  IMAGE_NOT_FOUND: 422,
  SSH_KEY_NOT_FOUND: 422,
  CONFLICT: 409,
  NAME_TAKEN: 409,
  SERVER_BUSY: 409,
  SSH_KEY_EXISTS: 409,
  SERVER_PROTECTED: 409,
  SHUTDOWN_TIMEOUT: 409,
  TENANT_NOT_EMPTY: 409,
  TENANT_IS_OWN: 409,
  NETWORK_IN_USE: 409,
  SUBNET_OVERLAP: 409,
  ADDRESS_TAKEN: 409,
  NIC_ON_NETWORK: 409,
  LAST_NIC: 409,
  DUPLICATE_REFERENCE: 409,
  POOL_OVERLAP: 409,
  POOL_IN_USE: 409,
  PUBLIC_IP_ASSIGNED: 409,
  NO_PUBLIC_NIC: 409,
  NO_IP_POOL: 422,
  POOL_MODE_UNSUPPORTED: 422,
  PRICE_IN_PAST: 422,
  CURRENCY_MISMATCH: 422,
  INVALID_AMOUNT: 422,
  INVOICE_NOT_FOUND: 404,
  BANK_LINE_NOT_FOUND: 404,
  PERIOD_NOT_ENDED: 422,
  USAGE_NOT_SETTLED: 409,
  CREDIT_EXCEEDS_INVOICE: 422,
  INVALID_COUNTRY: 422,
  INVALID_VAT_ID: 422,
  INVALID_IBAN: 422,
  INVALID_MANDATE: 422,
  NOT_CAMT053: 422,
  BANK_LINE_BOOKED: 409,
  VOLUME_ATTACHED: 409,
  VOLUME_BUSY: 409,
  VOLUME_PROTECTED: 409,
  VOLUME_ON_OTHER_HOST: 409,
  QUOTA_EXCEEDED: 422,
  QUOTA_BELOW_USE: 422,
  TENANT_SUSPENDED: 402,
  STORAGE_FULL: 422,
  VOLUME_SHRINK: 422,
  SNAPSHOT_NOT_FOUND: 404,
  SNAPSHOT_BUSY: 409,
  SNAPSHOT_BACKUP_RUNNING: 409,
  SNAPSHOT_LIMIT: 422,
  SNAPSHOT_CONFIRMATION: 422,
  SNAPSHOTS_UNSUPPORTED: 422,
  SERVER_DISK_SHRINK: 422,
  BACKUP_TARGET_NOT_FOUND: 404,
  BACKUP_NOT_FOUND: 404,
  BACKUP_SCHEDULE_NOT_FOUND: 404,
  BACKUP_TARGET_REQUIRED: 422,
  BACKUP_TARGET_INVALID: 422,
  BACKUP_TARGET_IN_USE: 409,
  BACKUP_BUSY: 409,
  BACKUP_PROTECTED: 409,
  BACKUP_CONFIRMATION: 422,
  BACKUPS_UNSUPPORTED: 422,
  SCHEDULE_INVALID: 422,
  RETENTION_INVALID: 422,
  WEBHOOK_URL_REFUSED: 422,
  MONITOR_NOT_FOUND: 404,
  MONITOR_TARGET_INVALID: 422,
  MONITOR_TARGET_REFUSED: 422,
  RESIZE_NEEDS_STOP: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  WEAK_PASSWORD: 422,
  INVALID_SSH_KEY: 422,
  UNSUPPORTED_KIND: 422,
  ACCOUNT_LOCKED: 429,
  TWO_FACTOR_ENROLMENT_REQUIRED: 403,
  SECOND_FACTOR_INVALID: 401,
  SECOND_FACTOR_LOCKED: 423,
  SIGN_IN_CHALLENGE_INVALID: 401,
  REAUTH_FAILED: 403,
  TOTP_ALREADY_ENABLED: 409,
  TOTP_NOT_PENDING: 409,
  TOTP_NOT_ENABLED: 409,
  TOTP_CODE_INVALID: 422,
  WEBAUTHN_NOT_PENDING: 409,
  WEBAUTHN_REJECTED: 422,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NO_ADDRESS_LEFT: 503,
  HOST_NOT_READY: 503,
  ENGINE_ERROR: 502,
  PROXMOX_UNREACHABLE: 502,
  PROXMOX_TOKEN_REFUSED: 422,
  PROXMOX_PRIVILEGES_MISSING: 422,
  CLUSTER_NOT_FOUND: 404,
  CLUSTER_NODE_NOT_FOUND: 404,
  CLUSTER_EXISTS: 409,
  CLUSTER_SWITCH_BLOCKED: 409,
  CLUSTER_IN_USE: 409,
  SECRET_KEY_INVALID: 500,
  INTERNAL: 500,
} as const;

/** A stable error code. */
export type ErrorCode = keyof typeof ERROR_STATUS;

/** A text in each language Kumulus speaks, for message parameters and field messages built in code. */
export interface Localized {
  en: string;
  de: string;
}

/** A parameter of an error's message: a value shown as it is, or a text in each language. */
export type MessageParam = string | number | Localized;

/** One field that failed validation. */
export interface FieldError {
  field: string;
  message: string | Localized;
}

/** An expected failure with a stable code and parameters for its localized message. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly params: Record<string, MessageParam>;
  readonly details: FieldError[];
  /** Seconds the caller should wait before trying again, where that is known. */
  retryAfter?: number;
  constructor(code: ErrorCode, params: Record<string, MessageParam> = {}, details: FieldError[] = []) {
    super(`${code} ${JSON.stringify(params)}`);
    this.name = 'DomainError';
    this.code = code;
    this.params = params;
    this.details = details;
  }
}

/** Shorthand for the "not found" error of a kind of resource. */
export function notFound(kind: 'server' | 'operation' | 'token' | 'user' | 'tenant' | 'plan' | 'ssh-key', id: string): DomainError {
  if (kind === 'server') return new DomainError('SERVER_NOT_FOUND', { id });
  if (kind === 'operation') return new DomainError('OPERATION_NOT_FOUND', { id });
  return new DomainError('NOT_FOUND', { kind, id });
}
