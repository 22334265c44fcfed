import type { CreatedToken, CreateTenant, CreateToken, CreateUser, ListQuery, Me, Page, Tenant, Token, User } from '@kumulus/api';
import type { Kysely } from 'kysely';
import { type Clock, iso } from '../../lib/clock.ts';
import { DomainError, notFound } from '../../lib/errors.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import { paginate } from '../../lib/paging.ts';
import type { Database, TenantsTable, UsersTable } from '../../store/schema.ts';
import { actorOf, type Audit } from '../audit/service.ts';
import { changePassword } from './password-change.ts';
import { assertStrongPassword, hashPassword } from './passwords.ts';
import type { Principal } from './principal.ts';
import { requireRole } from './principal.ts';
import { createSecondFactors, type Sealer } from './second-factors.ts';
import { newSecret, sha256 } from './secrets.ts';
import { createSignIn, SESSION_MS } from './sign-in.ts';
import { createTenantAdmin } from './tenant-admin.ts';
import { createTenantSecurity } from './tenant-security.ts';
import { toTenant, toUser } from './views.ts';

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  audit: Audit;
  dialect: 'sqlite' | 'postgres';
  /** Seals TOTP seeds with the key kept outside the store; opened on first use. */
  box: () => Sealer;
  /** Operators must sign in with a second factor (default true). */
  requireOperatorTwoFactor?: boolean;
}

/** Tenants, users, sign-in, second factors, sessions and API tokens. */
export function createIdentity({ db, clock, ids, audit, dialect, box, requireOperatorTwoFactor = true }: Deps) {
  const factors = createSecondFactors({ db, clock, ids, audit, box, issuer: 'Kumulus', requireOperator: requireOperatorTwoFactor });

  /** The caller's user and tenant, and where they stand on second factors. */
  async function meOf(user: UsersTable, via: Principal['via']): Promise<Me> {
    const tenant = await db.selectFrom('tenants').selectAll().where('id', '=', user.tenant_id).executeTakeFirstOrThrow();
    const enabled = await factors.enabled(user.id);
    const required = (await factors.requiredFor(user)) !== null;
    return { user: toUser(user), tenant: toTenant(tenant), twoFactor: { enabled, required, mustEnrol: via === 'session' && required && !enabled } };
  }
  const signIn = createSignIn({ db, clock, audit, factors, meOf });

  /** Inserts a tenant whose name must be free. */
  async function insertTenant(trx: Kysely<Database>, name: string): Promise<TenantsTable> {
    if (await trx.selectFrom('tenants').select('id').where('name', '=', name).executeTakeFirst()) {
      throw new DomainError('NAME_TAKEN', { kind: 'tenant', name });
    }
    const tenant: TenantsTable = { id: ids('ten'), name, created_at: clock() };
    await trx.insertInto('tenants').values(tenant).execute();
    return tenant;
  }

  async function insertUser(
    trx: Kysely<Database>,
    tenantId: string,
    u: { email: string; name: string; role: UsersTable['role']; passwordHash: string },
  ): Promise<UsersTable> {
    const email = u.email.toLowerCase();
    if (await trx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()) {
      throw new DomainError('NAME_TAKEN', { kind: 'user', name: email });
    }
    const row: UsersTable = {
      id: ids('usr'),
      tenant_id: tenantId,
      email,
      name: u.name,
      role: u.role,
      password_hash: u.passwordHash,
      created_at: clock(),
    };
    await trx.insertInto('users').values(row).execute();
    return row;
  }

  async function insertToken(trx: Kysely<Database>, user: UsersTable, name: string, secret: string, expiresAt: number | null) {
    const row = {
      id: ids('tok'),
      tenant_id: user.tenant_id,
      user_id: user.id,
      name,
      prefix: secret.slice(0, 8),
      secret_hash: sha256(secret),
      created_at: clock(),
      expires_at: expiresAt,
      revoked_at: null,
      last_used_at: null,
    };
    await trx.insertInto('api_tokens').values(row).execute();
    return row;
  }

  const toToken = (t: Database['api_tokens']): Token => ({
    id: t.id,
    name: t.name,
    userId: t.user_id,
    prefix: t.prefix,
    createdAt: iso(t.created_at)!,
    expiresAt: iso(t.expires_at),
    lastUsedAt: iso(t.last_used_at),
  });

  return {
    ...createTenantAdmin({ db, audit, dialect }),
    ...createTenantSecurity({ db, clock, audit, factors }),
    factors,
    login: signIn.login,
    loginSecondFactor: signIn.secondFactor,

    /** Sets the caller's new password after checking the current one; ends their other sessions. */
    changePassword: (p: Principal, body: { currentPassword: string; newPassword: string }, source: string, requestId: string) =>
      changePassword({ db, clock, audit }, p, body, source, requestId),

    /** True when no user exists yet (a fresh store). */
    async isEmpty(): Promise<boolean> {
      return !(await db.selectFrom('users').select('id').limit(1).executeTakeFirst());
    },

    /**
     * Makes the first operator with a tenant of its own. `token` (e.g. KUMULUS_BOOTSTRAP_TOKEN)
     * becomes its API token; without a password the operator signs in by token only.
     */
    async createOperator(o: { email: string; password?: string; token?: string; tenantName?: string }) {
      if (o.password) assertStrongPassword(o.password, [o.email]);
      if (o.token !== undefined && o.token.length < 16) throw new Error('the bootstrap token needs at least 16 characters');
      const passwordHash = o.password ? await hashPassword(o.password) : signIn.NO_PASSWORD;
      return db.transaction().execute(async (trx) => {
        const tenant = await insertTenant(trx, o.tenantName ?? 'operators');
        const user = await insertUser(trx, tenant.id, { email: o.email, name: 'Operator', role: 'operator', passwordHash });
        if (o.token) await insertToken(trx, user, 'bootstrap', o.token, null);
        await audit.record(trx, { tenantId: tenant.id, userId: user.id, requestId: 'bootstrap' }, {
          action: 'operator.create',
          targetType: 'user',
          targetId: user.id,
        });
        return { tenant: toTenant(tenant), user: toUser(user) };
      });
    },

    /** Resolves a bearer token or session cookie to its principal; null when neither is valid. */
    async authenticate(c: { bearer?: string; session?: string }): Promise<Principal | null> {
      const now = clock();
      if (c.bearer) {
        const row = await db
          .selectFrom('api_tokens')
          .innerJoin('users', 'users.id', 'api_tokens.user_id')
          .select(['api_tokens.id', 'api_tokens.expires_at', 'api_tokens.revoked_at', 'api_tokens.last_used_at', 'users.id as user_id', 'users.tenant_id', 'users.role', 'users.email'])
          .where('api_tokens.secret_hash', '=', sha256(c.bearer))
          .executeTakeFirst();
        if (!row || row.revoked_at !== null || (row.expires_at !== null && row.expires_at <= now)) return null;
        // Writing last use on every request would make every read a write; a minute is precise enough.
        if (!row.last_used_at || now - row.last_used_at > 60_000) {
          await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
        }
        return { userId: row.user_id, tenantId: row.tenant_id, role: row.role, email: row.email, via: 'token', credentialId: row.id };
      }
      if (c.session) {
        const idHash = sha256(c.session);
        const row = await db
          .selectFrom('sessions')
          .innerJoin('users', 'users.id', 'sessions.user_id')
          .leftJoin('tenant_security', 'tenant_security.tenant_id', 'users.tenant_id')
          .leftJoin('user_totp', 'user_totp.user_id', 'users.id')
          .select(['sessions.expires_at', 'users.id as user_id', 'users.tenant_id', 'users.role', 'users.email', 'tenant_security.two_factor_required', 'user_totp.confirmed_at'])
          .select((eb) => eb.exists(eb.selectFrom('webauthn_credentials').select('webauthn_credentials.id').whereRef('webauthn_credentials.user_id', '=', 'users.id')).as('has_key'))
          .where('sessions.id_hash', '=', idHash)
          .executeTakeFirst();
        if (!row || row.expires_at <= now) return null;
        // A session of an account that must have a second factor and has none may only enrol one.
        const reason = row.role === 'operator' && requireOperatorTwoFactor ? 'operator' : row.two_factor_required ? 'tenant' : null;
        const mustEnrol = reason !== null && row.confirmed_at == null && !row.has_key ? reason : undefined;
        // Sliding expiry: an active session lives on, an idle one ends 12 hours after its last use.
        if (row.expires_at - now < SESSION_MS / 2) {
          await db.updateTable('sessions').set({ expires_at: now + SESSION_MS }).where('id_hash', '=', idHash).execute();
        }
        return { userId: row.user_id, tenantId: row.tenant_id, role: row.role, email: row.email, via: 'session', credentialId: idHash, ...(mustEnrol ? { mustEnrol } : {}) };
      }
      return null;
    },

    /** Ends the principal's session (a token stays valid: revoke it instead). */
    async logout(p: Principal, requestId: string): Promise<void> {
      if (p.via !== 'session') return;
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('sessions').where('id_hash', '=', p.credentialId).execute();
        await audit.record(trx, actorOf(p, requestId), { action: 'auth.logout', targetType: 'user', targetId: p.userId });
      });
    },

    /** The caller's user and tenant, and where they stand on second factors. */
    async me(p: Principal): Promise<Me> {
      return meOf(await db.selectFrom('users').selectAll().where('id', '=', p.userId).executeTakeFirstOrThrow(), p.via);
    },

    /** Operators list every tenant; others see only their own. */
    listTenants(p: Principal, q: ListQuery): Promise<Page<Tenant>> {
      let query = db.selectFrom('tenants').selectAll();
      if (p.role !== 'operator') query = query.where('id', '=', p.tenantId);
      return paginate(query, 'id', q, toTenant, { sort: { name: 'name' } });
    },

    /** Creates a tenant, optionally with its first admin user (operators only). */
    async createTenant(p: Principal, body: CreateTenant, requestId: string): Promise<Tenant> {
      requireRole(p, 'operator', { en: 'create tenants', de: 'Mandanten erstellen' });
      if (body.admin) assertStrongPassword(body.admin.password, [body.admin.email]);
      const passwordHash = body.admin ? await hashPassword(body.admin.password) : null;
      return db.transaction().execute(async (trx) => {
        const tenant = await insertTenant(trx, body.name);
        if (body.admin && passwordHash) {
          await insertUser(trx, tenant.id, { email: body.admin.email, name: body.admin.email, role: 'admin', passwordHash });
        }
        await audit.record(trx, actorOf(p, requestId), { action: 'tenant.create', targetType: 'tenant', targetId: tenant.id, detail: { name: body.name } });
        return toTenant(tenant);
      });
    },

    /** Users of the caller's tenant. */
    listUsers(p: Principal, q: ListQuery): Promise<Page<User>> {
      return paginate(db.selectFrom('users').selectAll().where('tenant_id', '=', p.tenantId), 'id', q, toUser, { sort: { name: 'name', email: 'email' } });
    },

    /** Adds a user to the caller's tenant (admins and operators). */
    async createUser(p: Principal, body: CreateUser, requestId: string): Promise<User> {
      requireRole(p, 'admin', { en: 'create users', de: 'Benutzer erstellen' });
      assertStrongPassword(body.password, [body.email, body.name ?? '']);
      const passwordHash = await hashPassword(body.password);
      return db.transaction().execute(async (trx) => {
        const row = await insertUser(trx, p.tenantId, { email: body.email, name: body.name ?? body.email, role: body.role ?? 'member', passwordHash });
        await audit.record(trx, actorOf(p, requestId), { action: 'user.create', targetType: 'user', targetId: row.id, detail: { email: row.email, role: row.role } });
        return toUser(row);
      });
    },

    /** The caller's own API tokens (never their secrets). */
    listTokens(p: Principal, q: ListQuery): Promise<Page<Token>> {
      const query = db.selectFrom('api_tokens').selectAll().where('user_id', '=', p.userId).where('revoked_at', 'is', null);
      return paginate(query, 'id', q, toToken, { sort: { name: 'name' } });
    },

    /** Makes an API token for the caller; the secret is in this answer only. */
    async createToken(p: Principal, body: CreateToken, requestId: string): Promise<CreatedToken> {
      const secret = newSecret('kmt');
      const expiresAt = body.expiresInDays ? clock() + body.expiresInDays * 86_400_000 : null;
      return db.transaction().execute(async (trx) => {
        const user = await trx.selectFrom('users').selectAll().where('id', '=', p.userId).executeTakeFirstOrThrow();
        const row = await insertToken(trx, user, body.name, secret, expiresAt);
        await audit.record(trx, actorOf(p, requestId), { action: 'token.create', targetType: 'token', targetId: row.id, detail: { name: body.name } });
        return { token: toToken(row), secret };
      });
    },

    /** Revokes one of the caller's tokens; another user's token answers not found. */
    async revokeToken(p: Principal, id: string, requestId: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const res = await trx
          .updateTable('api_tokens')
          .set({ revoked_at: clock() })
          .where('id', '=', id)
          .where('user_id', '=', p.userId)
          .where('revoked_at', 'is', null)
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) === 0) throw notFound('token', id);
        await audit.record(trx, actorOf(p, requestId), { action: 'token.revoke', targetType: 'token', targetId: id });
      });
    },
  };
}

/** The identity service. */
export type Identity = ReturnType<typeof createIdentity>;
