import { ChangePassword, ConfirmTotp, FinishKeyRegistration, KeyRegistered, KeyRegistrationOptions, Reauthenticate, RecoveryCodes, SecurityKey, TenantSecurity, TotpSetup, TwoFactorStatus } from '@kumulus/api';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { IdParam, idOf, type RouteDef } from '../../http/route.ts';
import type { Identity } from './service.ts';
import type { RelyingParty } from './webauthn.ts';

/**
 * The WebAuthn relying party of a request: the host name and origin the browser used (the protocol of the
 * connection itself). A key is bound to the host name it was registered at.
 */
export function rpOf(req: FastifyRequest): RelyingParty {
  return { id: req.hostname.replace(/^\[|\]$/g, ''), origin: `${req.protocol}://${req.host}` };
}

/**
 * Second factors, password change and the tenant's security settings. The enrolment routes stay open to a
 * session that must enrol before anything else; the changes to how one signs in carry the current password.
 */
export function securityRoutes(identity: Identity): RouteDef[] {
  const f = identity.factors;
  return [
    { method: 'GET', url: '/auth/2fa', summary: 'Where your second factors stand', tag: 'auth', enrolment: true, responses: { 200: TwoFactorStatus }, handler: (_req, _r, p) => f.status(p) },
    {
      method: 'POST',
      url: '/auth/2fa/totp',
      summary: 'Begin enrolling an authenticator app (current password needed); answers its seed and otpauth URI',
      tag: 'auth',
      enrolment: true,
      body: Reauthenticate,
      errors: ['REAUTH_FAILED', 'ACCOUNT_LOCKED', 'TOTP_ALREADY_ENABLED'],
      responses: { 201: TotpSetup },
      handler: async (req, reply, p) => reply.status(201).send(await f.startTotp(p, (req.body as Reauthenticate).password, req.ip, req.id)),
    },
    {
      method: 'POST',
      url: '/auth/2fa/totp/confirm',
      summary: 'Turn the new authenticator on with its first code; answers 10 recovery codes, shown once',
      tag: 'auth',
      enrolment: true,
      body: ConfirmTotp,
      errors: ['TOTP_NOT_PENDING', 'TOTP_CODE_INVALID'],
      responses: { 200: RecoveryCodes },
      handler: (req, _r, p) => f.confirmTotp(p, (req.body as ConfirmTotp).code, req.id),
    },
    {
      method: 'POST',
      url: '/auth/2fa/totp/remove',
      summary: 'Remove the authenticator app and the recovery codes (current password needed)',
      tag: 'auth',
      enrolment: true,
      body: Reauthenticate,
      errors: ['REAUTH_FAILED', 'ACCOUNT_LOCKED', 'TOTP_NOT_ENABLED'],
      responses: { 204: null },
      handler: async (req, reply, p) => {
        await f.removeTotp(p, (req.body as Reauthenticate).password, req.ip, req.id);
        return reply.status(204).send();
      },
    },
    {
      method: 'POST',
      url: '/auth/2fa/recovery-codes',
      summary: 'Replace the recovery codes with 10 new ones (current password needed)',
      tag: 'auth',
      enrolment: true,
      body: Reauthenticate,
      errors: ['REAUTH_FAILED', 'ACCOUNT_LOCKED', 'TOTP_NOT_ENABLED'],
      responses: { 200: RecoveryCodes },
      handler: (req, _r, p) => f.newRecoveryCodes(p, (req.body as Reauthenticate).password, req.ip, req.id),
    },
    { method: 'GET', url: '/auth/2fa/webauthn', summary: 'Your security keys and passkeys', tag: 'auth', enrolment: true, responses: { 200: Type.Array(SecurityKey) }, handler: (_req, _r, p) => f.webauthn.listKeys(p) },
    {
      method: 'POST',
      url: '/auth/2fa/webauthn/registration',
      summary: 'Begin registering a security key or passkey (current password needed); answers the options for the browser',
      tag: 'auth',
      enrolment: true,
      body: Reauthenticate,
      errors: ['REAUTH_FAILED', 'ACCOUNT_LOCKED'],
      responses: { 200: KeyRegistrationOptions },
      handler: (req, _r, p) => f.webauthn.startRegistration(p, (req.body as Reauthenticate).password, rpOf(req), req.ip),
    },
    {
      method: 'POST',
      url: '/auth/2fa/webauthn',
      summary: "Store the key with the browser's answer; the account's first second factor also gets 10 recovery codes",
      tag: 'auth',
      enrolment: true,
      body: FinishKeyRegistration,
      errors: ['WEBAUTHN_NOT_PENDING', 'WEBAUTHN_REJECTED'],
      responses: { 201: KeyRegistered },
      handler: async (req, reply, p) => reply.status(201).send(await f.webauthn.finishRegistration(p, req.body as FinishKeyRegistration, rpOf(req), req.id)),
    },
    {
      method: 'POST',
      url: '/auth/2fa/webauthn/:id/remove',
      summary: 'Remove a security key (current password needed)',
      tag: 'auth',
      params: IdParam,
      body: Reauthenticate,
      errors: ['REAUTH_FAILED', 'ACCOUNT_LOCKED'],
      responses: { 204: null },
      handler: async (req, reply, p) => {
        await f.webauthn.removeKey(p, idOf(req), (req.body as Reauthenticate).password, req.ip, req.id);
        return reply.status(204).send();
      },
    },
    {
      method: 'POST',
      url: '/auth/password',
      summary: 'Change your password (current password needed); your other sessions end',
      tag: 'auth',
      enrolment: true,
      body: ChangePassword,
      errors: ['REAUTH_FAILED', 'ACCOUNT_LOCKED', 'WEAK_PASSWORD'],
      responses: { 204: null },
      handler: async (req, reply, p) => {
        await identity.changePassword(p, req.body as ChangePassword, req.ip, req.id);
        return reply.status(204).send();
      },
    },
    {
      method: 'GET',
      url: '/tenants/:id/security',
      summary: "A tenant's security settings (your own; operators any)",
      tag: 'tenants',
      enrolment: true,
      params: IdParam,
      responses: { 200: TenantSecurity },
      handler: (req, _r, p) => identity.getTenantSecurity(p, idOf(req)),
    },
    {
      method: 'PUT',
      url: '/tenants/:id/security',
      summary: "Set a tenant's security settings, e.g. a second factor required of every user (its admins, operators)",
      tag: 'tenants',
      params: IdParam,
      body: TenantSecurity,
      errors: ['FORBIDDEN', 'TWO_FACTOR_ENROLMENT_REQUIRED'],
      responses: { 200: TenantSecurity },
      handler: (req, _r, p) => identity.setTenantSecurity(p, idOf(req), req.body as TenantSecurity, req.id),
    },
  ];
}
