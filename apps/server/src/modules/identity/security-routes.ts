import { ChangePassword, ConfirmTotp, Reauthenticate, RecoveryCodes, TenantSecurity, TotpSetup, TwoFactorStatus } from '@kumulus/api';
import { IdParam, idOf, type RouteDef } from '../../http/route.ts';
import type { Identity } from './service.ts';

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
