/** Table types of second factors (migration 019), kept apart from schema.ts so that file stays small. */

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
  /** The WebAuthn challenge handed out with it, when the user has security keys. */
  webauthn_challenge: string | null;
  created_at: number;
  expires_at: number;
}

/** A WebAuthn security key or passkey: its credential id (`key_id`, base64url), public key and counter. */
export interface WebauthnCredentialsTable {
  id: string;
  key_id: string;
  user_id: string;
  name: string;
  /** COSE public key, base64url. */
  public_key: string;
  counter: number;
  /** JSON array of transports the authenticator named (usb, nfc, internal …). */
  transports: string;
  created_at: number;
  last_used_at: number | null;
}

/** The challenge of a key registration under way (one per user). */
export interface WebauthnRegistrationsTable {
  user_id: string;
  challenge: string;
  expires_at: number;
}

/** A tenant's security settings. */
export interface TenantSecurityTable {
  tenant_id: string;
  two_factor_required: number;
  updated_at: number;
}

/** The tables of migration 019. */
export interface SecurityTables {
  user_totp: UserTotpTable;
  recovery_codes: RecoveryCodesTable;
  login_challenges: LoginChallengesTable;
  webauthn_credentials: WebauthnCredentialsTable;
  webauthn_registrations: WebauthnRegistrationsTable;
  tenant_security: TenantSecurityTable;
}
