/**
 * Typed calls for second factors, re-authentication and the tenant's security settings, over a KumulusClient; a
 * module of its own so the client's main file does not grow with every domain.
 */
import type { KumulusClient } from './client.ts';
import type { Me } from './schemas.ts';
import type { FinishKeyRegistration, KeyRegistered, KeyRegistrationOptions, LoginResult, RecoveryCodes, SecurityKey, SecondFactorChallenge, SecondFactorLogin, TenantSecurity, TotpSetup, TwoFactorStatus } from './schemas/security.ts';

const at = (id: string) => encodeURIComponent(id);

/** True when a sign-in's password step answered that a second factor is due. */
export function needsSecondFactor(r: LoginResult): r is SecondFactorChallenge {
  return 'secondFactor' in r;
}

/** The second-factor calls of the API, bound to one client. */
export function securityApi(c: KumulusClient) {
  return {
    loginSecondFactor: (body: SecondFactorLogin) => c.request<Me>('POST', '/auth/login/second-factor', body),
    status: () => c.request<TwoFactorStatus>('GET', '/auth/2fa'),
    startTotp: (password: string) => c.request<TotpSetup>('POST', '/auth/2fa/totp', { password }),
    confirmTotp: (code: string) => c.request<RecoveryCodes>('POST', '/auth/2fa/totp/confirm', { code }),
    removeTotp: (password: string) => c.request<void>('POST', '/auth/2fa/totp/remove', { password }),
    newRecoveryCodes: (password: string) => c.request<RecoveryCodes>('POST', '/auth/2fa/recovery-codes', { password }),
    changePassword: (currentPassword: string, newPassword: string) => c.request<void>('POST', '/auth/password', { currentPassword, newPassword }),
    listKeys: () => c.request<SecurityKey[]>('GET', '/auth/2fa/webauthn'),
    startKeyRegistration: (password: string) => c.request<KeyRegistrationOptions>('POST', '/auth/2fa/webauthn/registration', { password }),
    finishKeyRegistration: (body: FinishKeyRegistration) => c.request<KeyRegistered>('POST', '/auth/2fa/webauthn', body),
    removeKey: (id: string, password: string) => c.request<void>('POST', `/auth/2fa/webauthn/${at(id)}/remove`, { password }),
    tenantSecurity: (tenant: string) => c.request<TenantSecurity>('GET', `/tenants/${at(tenant)}/security`),
    setTenantSecurity: (tenant: string, body: TenantSecurity) => c.request<TenantSecurity>('PUT', `/tenants/${at(tenant)}/security`, body),
  };
}

/** The second-factor calls bound to a client. */
export type SecurityApi = ReturnType<typeof securityApi>;
