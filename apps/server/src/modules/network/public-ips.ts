/**
 * Public IPs as tenant resources, the way Hetzner's primary IPs work: allocated from a pool
 * (or any pool of a family), assigned to one server's public NIC (its NIC on the default
 * network) at a time, kept when the server goes, and given back by release, after which the
 * address rests for the pool's cool-down before anyone gets it again.
 */
import type { AllocatePublicIp, IpFamily, ListQuery, Page, PublicIp, UpdatePublicIp } from '@kumulus/api';
import type { Kysely } from 'kysely';
import { type Clock, iso } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import { paginate } from '../../lib/paging.ts';
import { lockFor } from '../../store/locks.ts';
import type { Database } from '../../store/schema.ts';
import type { IpPoolsTable, PublicIpsTable } from '../../store/schema-public-ips.ts';
import { actorOf, type Audit } from '../audit/service.ts';
import { type LifecycleChange, productKey } from '../billing/meter-kinds.ts';
import type { Principal } from '../identity/principal.ts';
import { findPool } from './ip-pools.ts';
import { DEFAULT_NETWORK } from './networks.ts';
import { addressAt, ordinalOf, type PoolRange, parsePoolRange } from './public-ranges.ts';

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  audit: Audit;
  dialect: 'sqlite' | 'postgres';
  /** Wakes the public-IP reconciler, inside the transaction of the change. */
  changed: (trx: Kysely<Database>) => Promise<void>;
  /** Refuses one more public IP beyond the tenant's quota, or while it is suspended (billing's quotas). */
  assertQuota?: (trx: Kysely<Database>, tenantId: string) => Promise<void>;
  /** Told when an address is taken and given back, inside that transaction (the meter bills every second it is held). */
  onLifecycle?: (trx: Kysely<Database>, change: LifecycleChange) => Promise<void>;
}

/** The API's view of a public_ips row. */
export function toPublicIp(r: PublicIpsTable): PublicIp {
  return {
    id: r.id,
    name: r.name,
    labels: JSON.parse(r.labels),
    family: r.family,
    pool: r.pool_id,
    address: r.address,
    server: r.server_id,
    reverseDns: r.reverse_dns,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

/** A reverse DNS name as stored: lower-case, without the trailing dot that DNS writes for a full name. */
const hostName = (name: string | null) => (name === null ? null : name.replace(/\.$/, '').toLowerCase());

/** A public IP of the tenant by id or name; a foreign one reads as absent. */
async function findPublicIp(db: Kysely<Database>, tenantId: string, idOrName: string): Promise<PublicIpsTable> {
  const row = await db.selectFrom('public_ips').selectAll().where(idOrName.startsWith('pip_') ? 'id' : 'name', '=', idOrName).where('tenant_id', '=', tenantId).executeTakeFirst();
  if (!row) throw new DomainError('PUBLIC_IP_NOT_FOUND', { id: idOrName });
  return row;
}

/**
 * Picks an ordinal of the pool inside the caller's transaction (the pool locked): the lowest
 * never handed out, else the one released longest ago whose cool-down is over. Held and
 * resting ordinals are read, never the pool's whole range, so a /48 of /64s costs the same.
 */
async function nextOrdinal(trx: Kysely<Database>, pool: IpPoolsTable, range: PoolRange, now: number): Promise<number> {
  const held = await trx.selectFrom('public_ips').select('ordinal').where('pool_id', '=', pool.id).execute();
  const resting = await trx.selectFrom('public_ip_releases').select(['ordinal', 'released_at']).where('pool_id', '=', pool.id).orderBy('released_at').orderBy('ordinal').execute();
  const used = new Set([...held, ...resting].map((r) => Number(r.ordinal)));
  for (let o = 0; o < range.size && o <= used.size; o++) if (!used.has(o)) return o;
  const oldest = resting[0];
  if (oldest && oldest.released_at + pool.cooldown_s * 1000 <= now) return Number(oldest.ordinal);
  const err = new DomainError('NO_ADDRESS_LEFT', { network: pool.name });
  if (oldest) err.retryAfter = Math.max(1, Math.ceil((oldest.released_at + pool.cooldown_s * 1000 - now) / 1000));
  throw err;
}

/** The tenant's public IPs. */
export function createPublicIps(d: Deps) {
  const { db, clock } = d;

  /** The server of the tenant a public IP may go to: live, with a NIC on the default network. */
  async function assignable(trx: Kysely<Database>, tenantId: string, idOrName: string): Promise<string> {
    const row = await trx
      .selectFrom('servers')
      .select(['id', 'name', 'spec', 'deletion_requested_at'])
      .where(idOrName.startsWith('srv_') ? 'id' : 'name', '=', idOrName)
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    if (!row || row.deletion_requested_at !== null) throw new DomainError('SERVER_NOT_FOUND', { id: idOrName }, [{ field: 'server', message: { en: 'no server of yours has this id or name', de: 'keiner Ihrer Server hat diese ID oder diesen Namen' } }]);
    const nics = (JSON.parse(row.spec) as { nics: { network: string }[] }).nics;
    if (!nics.some((n) => n.network === DEFAULT_NETWORK)) throw new DomainError('NO_PUBLIC_NIC', { server: row.name }, [{ field: 'server', message: { en: 'the server has no NIC on the default network', de: 'der Server hat keine Netzwerkkarte im Standardnetz' } }]);
    return row.id;
  }

  async function allocateIn(trx: Kysely<Database>, body: AllocatePublicIp, family: IpFamily): Promise<{ pool: IpPoolsTable; ordinal: number }> {
    const pools = body.pool
      ? [await findPool(trx, body.pool).catch((e) => {
          throw e instanceof DomainError ? new DomainError(e.code, e.params, [{ field: 'pool', message: { en: 'no IP pool has this id or name', de: 'kein IP-Pool hat diese ID oder diesen Namen' } }]) : e;
        })]
      : await trx.selectFrom('ip_pools').selectAll().where('family', '=', family).orderBy('id').execute();
    if (pools.length === 0) throw new DomainError('NO_IP_POOL', { family }, [{ field: 'family', message: { en: `no pool of ${family} addresses exists`, de: `es gibt keinen Pool mit ${family}-Adressen` } }]);
    let last: DomainError | null = null;
    for (const pool of pools) {
      await lockFor(trx, d.dialect, `ip-pool:${pool.id}`);
      const range = parsePoolRange(pool.range);
      if (body.address !== undefined) {
        const o = ordinalOf(range, body.address);
        if (o === null) continue;
        const taken = await trx.selectFrom('public_ips').select('id').where('pool_id', '=', pool.id).where('ordinal', '=', o).executeTakeFirst();
        if (taken) throw new DomainError('ADDRESS_TAKEN', { address: body.address, network: pool.name }, [{ field: 'address', message: { en: 'this address is held', de: 'diese Adresse ist vergeben' } }]);
        return { pool, ordinal: o };
      }
      try {
        return { pool, ordinal: await nextOrdinal(trx, pool, range, clock()) };
      } catch (e) {
        if (!(e instanceof DomainError) || e.code !== 'NO_ADDRESS_LEFT') throw e;
        last = e;
      }
    }
    if (body.address !== undefined) {
      throw new DomainError('VALIDATION_FAILED', { summary: { en: `${body.address} lies in no IP pool`, de: `${body.address} liegt in keinem IP-Pool` } }, [{ field: 'address', message: body.pool ? { en: `outside pool ${pools[0]!.name} (${pools[0]!.range})`, de: `außerhalb des Pools ${pools[0]!.name} (${pools[0]!.range})` } : { en: `outside every ${family} pool`, de: `außerhalb jedes ${family}-Pools` } }]);
    }
    throw last ?? new DomainError('NO_ADDRESS_LEFT', { network: family });
  }

  return {
    /** Takes an address from a pool for the tenant (optionally a chosen one, and assigned to a server at once). */
    async allocate(p: Principal, body: AllocatePublicIp, requestId: string): Promise<PublicIp> {
      const family: IpFamily = body.family ?? (body.address?.includes(':') ? 'ipv6' : 'ipv4');
      return db.transaction().execute(async (trx) => {
        await lockFor(trx, d.dialect, `public-ips:${p.tenantId}`);
        if (await trx.selectFrom('public_ips').select('id').where('tenant_id', '=', p.tenantId).where('name', '=', body.name).executeTakeFirst()) {
          throw new DomainError('NAME_TAKEN', { kind: { en: 'public IP', de: 'öffentliche IP' }, name: body.name }, [{ field: 'name', message: { en: 'a public IP of this name exists', de: 'eine öffentliche IP dieses Namens existiert' } }]);
        }
        await d.assertQuota?.(trx, p.tenantId);
        const serverId = body.server === undefined ? null : await assignable(trx, p.tenantId, body.server);
        const { pool, ordinal } = await allocateIn(trx, body, family);
        if (pool.family !== family) throw new DomainError('VALIDATION_FAILED', { summary: { en: `pool ${pool.name} holds ${pool.family} addresses`, de: `Pool ${pool.name} enthält ${pool.family}-Adressen` } }, [{ field: 'family', message: { en: `pool ${pool.name} is ${pool.family}`, de: `Pool ${pool.name} ist ${pool.family}` } }]);
        const now = clock();
        const row: PublicIpsTable = {
          id: d.ids('pip'),
          tenant_id: p.tenantId,
          name: body.name,
          labels: JSON.stringify(body.labels ?? {}),
          family,
          pool_id: pool.id,
          ordinal,
          address: addressAt(parsePoolRange(pool.range), ordinal),
          server_id: serverId,
          reverse_dns: hostName(body.reverseDns ?? null),
          created_at: now,
          updated_at: now,
        };
        await trx.deleteFrom('public_ip_releases').where('pool_id', '=', pool.id).where('ordinal', '=', ordinal).execute();
        await trx.insertInto('public_ips').values(row).execute();
        await d.onLifecycle?.(trx, held(row, 'Held', now));
        await d.audit.record(trx, actorOf(p, requestId), { action: 'public-ip.allocate', targetType: 'public-ip', targetId: row.id, detail: { address: row.address, pool: pool.name, server: serverId } });
        if (serverId) await d.changed(trx);
        return toPublicIp(row);
      });
    },

    /** The tenant's public IPs. */
    list(p: Principal, q: ListQuery): Promise<Page<PublicIp>> {
      return paginate(db.selectFrom('public_ips').selectAll().where('tenant_id', '=', p.tenantId), 'id', q, toPublicIp, { sort: { name: 'name' }, labels: true });
    },

    /** One public IP of the tenant. */
    async get(p: Principal, idOrName: string): Promise<PublicIp> {
      return toPublicIp(await findPublicIp(db, p.tenantId, idOrName));
    },

    /** Changes name, labels or reverse DNS name; the address and its routes stay. */
    async update(p: Principal, idOrName: string, body: UpdatePublicIp, requestId: string): Promise<PublicIp> {
      return db.transaction().execute(async (trx) => {
        await lockFor(trx, d.dialect, `public-ips:${p.tenantId}`);
        const r = await findPublicIp(trx, p.tenantId, idOrName);
        if (body.name !== undefined && body.name !== r.name && (await trx.selectFrom('public_ips').select('id').where('tenant_id', '=', p.tenantId).where('name', '=', body.name).executeTakeFirst())) {
          throw new DomainError('NAME_TAKEN', { kind: { en: 'public IP', de: 'öffentliche IP' }, name: body.name }, [{ field: 'name', message: { en: 'a public IP of this name exists', de: 'eine öffentliche IP dieses Namens existiert' } }]);
        }
        const next: PublicIpsTable = {
          ...r,
          name: body.name ?? r.name,
          labels: body.labels ? JSON.stringify(body.labels) : r.labels,
          reverse_dns: body.reverseDns === undefined ? r.reverse_dns : hostName(body.reverseDns),
          updated_at: clock(),
        };
        await trx.updateTable('public_ips').set({ name: next.name, labels: next.labels, reverse_dns: next.reverse_dns, updated_at: next.updated_at }).where('id', '=', r.id).execute();
        await d.audit.record(trx, actorOf(p, requestId), { action: 'public-ip.update', targetType: 'public-ip', targetId: r.id, detail: body });
        return toPublicIp(next);
      });
    },

    /** Assigns the address to a server of the tenant (moving it from another one if need be). */
    async assign(p: Principal, idOrName: string, server: string, requestId: string): Promise<PublicIp> {
      return db.transaction().execute(async (trx) => {
        const r = await findPublicIp(trx, p.tenantId, idOrName);
        await lockFor(trx, d.dialect, `public-ip:${r.id}`);
        const serverId = await assignable(trx, p.tenantId, server);
        const next = { ...r, server_id: serverId, updated_at: clock() };
        await trx.updateTable('public_ips').set({ server_id: serverId, updated_at: next.updated_at }).where('id', '=', r.id).execute();
        await d.audit.record(trx, actorOf(p, requestId), { action: 'public-ip.assign', targetType: 'public-ip', targetId: r.id, detail: { server: serverId, from: r.server_id } });
        await d.changed(trx);
        return toPublicIp(next);
      });
    },

    /** Takes the address off its server; it stays the tenant's. */
    async unassign(p: Principal, idOrName: string, requestId: string): Promise<PublicIp> {
      return db.transaction().execute(async (trx) => {
        const r = await findPublicIp(trx, p.tenantId, idOrName);
        await lockFor(trx, d.dialect, `public-ip:${r.id}`);
        const next = { ...r, server_id: null, updated_at: clock() };
        await trx.updateTable('public_ips').set({ server_id: null, updated_at: next.updated_at }).where('id', '=', r.id).execute();
        if (r.server_id) {
          await d.audit.record(trx, actorOf(p, requestId), { action: 'public-ip.unassign', targetType: 'public-ip', targetId: r.id, detail: { server: r.server_id } });
          await d.changed(trx);
        }
        return toPublicIp(next);
      });
    },

    /** Gives the address back to its pool, where it rests for the cool-down; refused while assigned. */
    async release(p: Principal, idOrName: string, requestId: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const r = await findPublicIp(trx, p.tenantId, idOrName);
        await lockFor(trx, d.dialect, `ip-pool:${r.pool_id}`);
        const now = await trx.selectFrom('public_ips').select('server_id').where('id', '=', r.id).executeTakeFirst();
        if (now?.server_id) throw new DomainError('PUBLIC_IP_ASSIGNED', { id: r.name, server: now.server_id });
        await trx.deleteFrom('public_ips').where('id', '=', r.id).execute();
        await d.onLifecycle?.(trx, held(r, 'Deleted', clock()));
        await trx
          .insertInto('public_ip_releases')
          .values({ pool_id: r.pool_id, ordinal: r.ordinal, released_at: clock() })
          .onConflict((oc) => oc.columns(['pool_id', 'ordinal']).doUpdateSet({ released_at: clock() }))
          .execute();
        await d.audit.record(trx, actorOf(p, requestId), { action: 'public-ip.release', targetType: 'public-ip', targetId: r.id, detail: { address: r.address } });
      });
    },
  };
}

/** Unassigns every public IP of a server that is gone, inside the transaction that removes it; the tenant keeps them. */
export async function unassignServer(trx: Kysely<Database>, serverId: string, now: number): Promise<number> {
  const r = await trx.updateTable('public_ips').set({ server_id: null, updated_at: now }).where('server_id', '=', serverId).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** A public IP's lifecycle as the meter counts it: held from allocation to release, priced by its family. */
function held(r: PublicIpsTable, phase: 'Held' | 'Deleted', at: number): LifecycleChange {
  return { resourceId: r.id, kind: 'public-ip', tenantId: r.tenant_id, name: r.name, product: productKey(r.family === 'ipv6' ? 'public-ipv6' : 'public-ipv4'), quantity: 1, phase, at };
}

/** The public IPs service. */
export type PublicIps = ReturnType<typeof createPublicIps>;
