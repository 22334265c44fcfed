/** Table types of second factors (migration 020), kept apart from schema.ts so that file stays small. */

/** A user's TOTP authenticator; `confirmed_at` is null until a first code proved the user holds it. */
export interface UserTotpTable {
  user_id: string;
  /** The base32 seed, AES-256-GCM sealed with the key kept outside the store. */
  secret_sealed: string;
  confirmed_at: number | null;
  /** The last 30-second step a code was accepted for; only later steps count, so no code works twice. */
  last_step: number;
  /** Wrong codes in a row; at the limit `locked_at` is set until a recovery code is used. */
  failures: number;
  locked_at: number | null;
  created_at: number;
}

/** A single-use recovery code, stored as the SHA-256 of its normalized text. */
export interface RecoveryCodesTable {
  code_hash: string;
  user_id: string;
  created_at: number;
  used_at: number | null;
}

/** A sign-in whose password was right and whose second factor is still due; the secret is stored hashed. */
export interface LoginChallengesTable {
  id_hash: string;
  user_id: string;
  source: string;
  failures: number;
  created_at: number;
  expires_at: number;
}

/** A tenant's security settings. */
export interface TenantSecurityTable {
  tenant_id: string;
  two_factor_required: number;
  updated_at: number;
}

/** The tables of migration 020. */
export interface SecurityTables {
  user_totp: UserTotpTable;
  recovery_codes: RecoveryCodesTable;
  login_challenges: LoginChallengesTable;
  tenant_security: TenantSecurityTable;
}
