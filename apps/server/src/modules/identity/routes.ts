import { CreatedToken, CreateTenant, CreateToken, CreateUser, ListQuery, Login, LoginResult, Me, Page, SecondFactorLogin, Tenant, Token, UpdateTenant, User } from '@kumulus/api';
import type { FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from '../../http/auth.ts';
import { IdParam, idOf, type RouteDef } from '../../http/route.ts';
import { rpOf, securityRoutes } from './security-routes.ts';
import type { Identity } from './service.ts';


/**
 * Sign-in, tenants, users and API tokens. The session cookie is Secure when the request came over HTTPS (the
 * connection's own TLS, not a header anyone can send); `secureCookies` forces it, for a TLS proxy in front.
 */
export function identityRoutes(identity: Identity, opts: { secureCookies: boolean }): RouteDef[] {
  // Clearing uses the same attributes as setting: a browser keeps a Secure cookie that a non-Secure one would replace.
  const cookieOptions = (req: FastifyRequest) => ({ path: '/', httpOnly: true, sameSite: 'strict' as const, secure: opts.secureCookies || req.protocol === 'https' });
  return [
    {
      method: 'POST',
      url: '/auth/login',
      summary: 'Sign in with e-mail and password; sets the session cookie',
      tag: 'auth',
      auth: false,
      body: Login,
      errors: ['INVALID_CREDENTIALS', 'ACCOUNT_LOCKED'],
      responses: { 200: LoginResult },
      handler: async (req, reply) => {
        const { email, password } = req.body as Login;
        const result = await identity.login(email, password, req.ip, req.id, rpOf(req));
        // An account with a second factor gets a challenge for the second step, and no cookie yet.
        if ('secondFactor' in result) return result;
        reply.setCookie(SESSION_COOKIE, result.session, { ...cookieOptions(req), maxAge: result.maxAgeSeconds });
        return result.me;
      },
    },
    {
      method: 'POST',
      url: '/auth/login/second-factor',
      summary: "Second step of a sign-in: the password step's challenge with a TOTP code, a security key's answer or a recovery code; sets the session cookie",
      tag: 'auth',
      auth: false,
      body: SecondFactorLogin,
      errors: ['SIGN_IN_CHALLENGE_INVALID', 'SECOND_FACTOR_INVALID', 'SECOND_FACTOR_LOCKED'],
      responses: { 200: Me },
      handler: async (req, reply) => {
        const { session, me, maxAgeSeconds } = await identity.loginSecondFactor(req.body as SecondFactorLogin, req.ip, req.id, rpOf(req));
        reply.setCookie(SESSION_COOKIE, session, { ...cookieOptions(req), maxAge: maxAgeSeconds });
        return me;
      },
    },
    ...securityRoutes(identity),
    {
      method: 'POST',
      url: '/auth/logout',
      summary: 'End the current session',
      tag: 'auth',
      enrolment: true,
      responses: { 204: null },
      handler: async (req, reply, p) => {
        await identity.logout(p, req.id);
        reply.clearCookie(SESSION_COOKIE, cookieOptions(req));
        return reply.status(204).send();
      },
    },
    { method: 'GET', url: '/auth/me', summary: 'Who am I', tag: 'auth', enrolment: true, responses: { 200: Me }, handler: (_req, _r, p) => identity.me(p) },
    { method: 'GET', url: '/tenants', summary: 'List tenants', tag: 'tenants', query: ListQuery, responses: { 200: Page(Tenant) }, handler: (req, _r, p) => identity.listTenants(p, req.query as ListQuery) },
    {
      method: 'POST',
      url: '/tenants',
      summary: 'Create a tenant (operators)',
      tag: 'tenants',
      body: CreateTenant,
      errors: ['NAME_TAKEN', 'WEAK_PASSWORD'], responses: { 201: Tenant },
      handler: async (req, reply, p) => reply.status(201).send(await identity.createTenant(p, req.body as CreateTenant, req.id)),
    },
    {
      method: 'PATCH',
      url: '/tenants/:id',
      summary: 'Rename a tenant (operators)',
      tag: 'tenants',
      params: IdParam,
      body: UpdateTenant,
      errors: ['FORBIDDEN', 'NOT_FOUND', 'NAME_TAKEN'],
      responses: { 200: Tenant },
      handler: (req, _r, p) => identity.renameTenant(p, idOf(req), (req.body as UpdateTenant).name, req.id),
    },
    {
      method: 'DELETE',
      url: '/tenants/:id',
      summary: "Delete a tenant with its users, tokens and keys (operators); refused while it has servers",
      tag: 'tenants',
      params: IdParam,
      errors: ['FORBIDDEN', 'NOT_FOUND', 'TENANT_NOT_EMPTY', 'TENANT_IS_OWN'],
      responses: { 204: null },
      handler: async (req, reply, p) => {
        await identity.deleteTenant(p, idOf(req), req.id);
        return reply.status(204).send();
      },
    },
    { method: 'GET', url: '/users', summary: "List your tenant's users", tag: 'users', query: ListQuery, responses: { 200: Page(User) }, handler: (req, _r, p) => identity.listUsers(p, req.query as ListQuery) },
    {
      method: 'POST',
      url: '/users',
      summary: 'Add a user to your tenant (admins)',
      tag: 'users',
      body: CreateUser,
      errors: ['NAME_TAKEN', 'WEAK_PASSWORD'], responses: { 201: User },
      handler: async (req, reply, p) => reply.status(201).send(await identity.createUser(p, req.body as CreateUser, req.id)),
    },
    { method: 'GET', url: '/tokens', summary: 'List your API tokens', tag: 'tokens', query: ListQuery, responses: { 200: Page(Token) }, handler: (req, _r, p) => identity.listTokens(p, req.query as ListQuery) },
    {
      method: 'POST',
      url: '/tokens',
      summary: 'Create an API token; its secret is shown once',
      tag: 'tokens',
      body: CreateToken,
      responses: { 201: CreatedToken },
      handler: async (req, reply, p) => reply.status(201).send(await identity.createToken(p, req.body as CreateToken, req.id)),
    },
    {
      method: 'DELETE',
      url: '/tokens/:id',
      summary: 'Revoke an API token',
      tag: 'tokens',
      params: IdParam,
      responses: { 204: null },
      handler: async (req, reply, p) => {
        await identity.revokeToken(p, idOf(req), req.id);
        return reply.status(204).send();
      },
    },
  ];
}
