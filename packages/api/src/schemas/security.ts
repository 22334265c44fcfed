/**
 * Wire schemas of second factors: the two-step sign-in, TOTP enrolment, recovery codes, re-authentication and
 * the tenant's "second factor required" setting.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Me } from '../schemas.ts';

const Timestamp = Type.String({ format: 'date-time' });
/** Options for navigator.credentials (PublicKeyCredential*OptionsJSON), as @simplewebauthn/browser takes them. */
const WebauthnOptions = Type.Record(Type.String(), Type.Unknown(), { description: 'WebAuthn options (JSON form) for the browser' });
/** A WebAuthn answer of the browser (RegistrationResponseJSON / AuthenticationResponseJSON). */
const WebauthnResponse = Type.Record(Type.String(), Type.Unknown(), { description: "the authenticator's answer (JSON form)" });
const Password = Type.String({ maxLength: 256, description: 'your current password (re-authentication)' });

/** The second step a sign-in still needs: present the challenge with a code. */
export const SecondFactorChallenge = Type.Object(
  {
    secondFactor: Type.Object({
      challenge: Type.String({ description: 'short-lived secret to send with the code (POST /auth/login/second-factor)' }),
      methods: Type.Array(Type.Union([Type.Literal('totp'), Type.Literal('webauthn'), Type.Literal('recovery')])),
      expiresAt: Timestamp,
      webauthn: Type.Optional(WebauthnOptions),
    }),
  },
  { $id: 'SecondFactorChallenge' },
);
export type SecondFactorChallenge = Static<typeof SecondFactorChallenge>;

/** What the password step of a sign-in answers: signed in, or a second factor is due. */
export const LoginResult = Type.Union([Me, SecondFactorChallenge]);
export type LoginResult = Static<typeof LoginResult>;

/** The second step of a sign-in: a TOTP code or a recovery code. */
export const SecondFactorLogin = Type.Object(
  {
    challenge: Type.String({ minLength: 1, maxLength: 100 }),
    code: Type.Optional(Type.String({ maxLength: 20, description: 'the 6-digit code of the authenticator app' })),
    recoveryCode: Type.Optional(Type.String({ maxLength: 40, description: 'one of the recovery codes (used up by this)' })),
    webauthn: Type.Optional(WebauthnResponse),
  },
  { additionalProperties: false },
);
export type SecondFactorLogin = Static<typeof SecondFactorLogin>;

/** Where the caller's second factors stand. */
export const TwoFactorStatus = Type.Object(
  {
    totp: Type.Union([
      Type.Object({ enabled: Type.Boolean({ description: 'false while enrolment awaits its first code' }), locked: Type.Boolean(), createdAt: Timestamp }),
      Type.Null(),
    ]),
    securityKeys: Type.Integer({ description: 'WebAuthn security keys and passkeys' }),
    recoveryCodesLeft: Type.Integer(),
    required: Type.Boolean(),
  },
  { $id: 'TwoFactorStatus' },
);
export type TwoFactorStatus = Static<typeof TwoFactorStatus>;

/** A request that changes how the caller signs in; it carries the current password. */
export const Reauthenticate = Type.Object({ password: Password }, { additionalProperties: false });
export type Reauthenticate = Static<typeof Reauthenticate>;

/** A TOTP enrolment begun: the seed as text and as an otpauth:// URI for a QR code. */
export const TotpSetup = Type.Object({
  secret: Type.String({ description: 'base32 seed, to type in where a QR code cannot be scanned' }),
  uri: Type.String({ description: 'otpauth://totp/… URI (RFC 6238, SHA-1, 6 digits, 30 s)' }),
});
export type TotpSetup = Static<typeof TotpSetup>;

/** The first code of a new authenticator, proving it works. */
export const ConfirmTotp = Type.Object({ code: Type.String({ maxLength: 20 }) }, { additionalProperties: false });
export type ConfirmTotp = Static<typeof ConfirmTotp>;

/** Fresh recovery codes, shown this once. */
export const RecoveryCodes = Type.Object({ recoveryCodes: Type.Array(Type.String()) });
export type RecoveryCodes = Static<typeof RecoveryCodes>;

/** A new password, with the current one. */
export const ChangePassword = Type.Object(
  { currentPassword: Password, newPassword: Type.String({ maxLength: 256 }) },
  { additionalProperties: false },
);
export type ChangePassword = Static<typeof ChangePassword>;

/** A tenant's security settings. */
export const TenantSecurity = Type.Object(
  { twoFactorRequired: Type.Boolean({ description: 'every user of the tenant must have a second factor' }) },
  { additionalProperties: false },
);
export type TenantSecurity = Static<typeof TenantSecurity>;

/** A WebAuthn security key or passkey of the caller. */
export const SecurityKey = Type.Object(
  { id: Type.String({ pattern: '^wak_' }), name: Type.String(), createdAt: Timestamp, lastUsedAt: Type.Union([Timestamp, Type.Null()]) },
  { $id: 'SecurityKey' },
);
export type SecurityKey = Static<typeof SecurityKey>;

/** The options a key registration hands to the browser. */
export const KeyRegistrationOptions = Type.Object({ options: WebauthnOptions });
export type KeyRegistrationOptions = Static<typeof KeyRegistrationOptions>;

/** The browser's answer to a key registration, with a name for the key. */
export const FinishKeyRegistration = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 64 }), response: WebauthnResponse },
  { additionalProperties: false },
);
export type FinishKeyRegistration = Static<typeof FinishKeyRegistration>;

/** A registered key; recovery codes when it is the account's first second factor (shown once), else null. */
export const KeyRegistered = Type.Object({ key: SecurityKey, recoveryCodes: Type.Union([Type.Array(Type.String()), Type.Null()]) });
export type KeyRegistered = Static<typeof KeyRegistered>;
