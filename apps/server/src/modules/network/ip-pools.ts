/**
 * IP pools: the operator's public ranges (IPv4) and prefixes (IPv6) on an uplink of the host,
 * from which tenants allocate public IPs. A pool never overlaps another, never holds a
 * private range, and is deleted only when none of its addresses is handed out.
 */
import type { CreateIpPool, IpPool, LabelledListQuery, Page, UpdateIpPool } from '@kumulus/api';
import type { Kysely } from 'kysely';
import { type Clock, iso } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import { assertValidLabels } from '../../lib/labels.ts';
import { paginate } from '../../lib/paging.ts';
import { lockFor } from '../../store/locks.ts';
import type { Database } from '../../store/schema.ts';
import type { IpPoolsTable } from '../../store/schema-public-ips.ts';
import { actorOf, type Audit } from '../audit/service.ts';
import { type Principal, requireRole } from '../identity/principal.ts';
import { parsePoolRange, rangesOverlap } from './public-ranges.ts';

/** A released address rests this long by default before it is handed out again. */
export const DEFAULT_POOL_COOLDOWN_S = 1800;

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  audit: Audit;
  dialect: 'sqlite' | 'postgres';
  /** Pool modes the engine can serve (routed, bridged). */
  modes: readonly IpPool['mode'][];
  /** Wakes the public-IP reconciler after a change that moves routes. */
  changed: (trx: Kysely<Database>) => Promise<void>;
}

const MANAGE = { en: 'manage IP pools', de: 'IP-Pools verwalten' };

/** The pool row by id or name; absent is IP_POOL_NOT_FOUND. */
export async function findPool(db: Kysely<Database>, idOrName: string): Promise<IpPoolsTable> {
  const row = await db.selectFrom('ip_pools').selectAll().where(idOrName.startsWith('pool_') ? 'id' : 'name', '=', idOrName).executeTakeFirst();
  if (!row) throw new DomainError('IP_POOL_NOT_FOUND', { id: idOrName });
  return row;
}

/** The operators' service of IP pools. */
export function createIpPools(d: Deps) {
  const { db, clock } = d;

  async function toPool(r: IpPoolsTable): Promise<IpPool> {
    const used = await db.selectFrom('public_ips').select((eb) => eb.fn.countAll<number>().as('n')).where('pool_id', '=', r.id).executeTakeFirst();
    return {
      id: r.id,
      name: r.name,
      family: r.family,
      range: r.range,
      uplink: r.uplink,
      mode: r.mode,
      cooldownSeconds: r.cooldown_s,
      labels: JSON.parse(r.labels || '{}'),
      size: parsePoolRange(r.range).size,
      allocated: Number(used?.n ?? 0),
      createdAt: iso(r.created_at)!,
      updatedAt: iso(r.updated_at)!,
    };
  }

  async function assertNameFree(trx: Kysely<Database>, name: string, except?: string) {
    let q = trx.selectFrom('ip_pools').select('id').where('name', '=', name);
    if (except) q = q.where('id', '!=', except);
    if (await q.executeTakeFirst()) throw new DomainError('NAME_TAKEN', { kind: { en: 'IP pool', de: 'IP-Pool' }, name }, [{ field: 'name', message: { en: 'an IP pool of this name exists', de: 'ein IP-Pool dieses Namens existiert' } }]);
  }

  return {
    /** Defines a pool; refused when its range is not public or overlaps another pool. */
    async create(p: Principal, body: CreateIpPool, requestId: string): Promise<IpPool> {
      requireRole(p, 'operator', MANAGE);
      const range = parsePoolRange(body.range);
      const mode = body.mode ?? 'routed';
      if (!d.modes.includes(mode)) throw new DomainError('POOL_MODE_UNSUPPORTED', { mode }, [{ field: 'mode', message: { en: `this engine serves ${d.modes.join(', ')}`, de: `diese Engine bedient ${d.modes.join(', ')}` } }]);
      const labels = body.labels ?? {};
      assertValidLabels(labels);
      const row = await db.transaction().execute(async (trx) => {
        await lockFor(trx, d.dialect, 'ip-pools');
        await assertNameFree(trx, body.name);
        for (const other of await trx.selectFrom('ip_pools').selectAll().where('family', '=', range.family).execute()) {
          if (rangesOverlap(range, parsePoolRange(other.range))) {
            throw new DomainError('POOL_OVERLAP', { range: range.text, other: other.name, otherRange: other.range }, [{ field: 'range', message: { en: `overlaps pool ${other.name}`, de: `überschneidet sich mit Pool ${other.name}` } }]);
          }
        }
        const now = clock();
        const r: IpPoolsTable = { id: d.ids('pool'), name: body.name, family: range.family, range: range.text, uplink: body.uplink, mode, cooldown_s: body.cooldownSeconds ?? DEFAULT_POOL_COOLDOWN_S, labels: JSON.stringify(labels), created_at: now, updated_at: now };
        await trx.insertInto('ip_pools').values(r).execute();
        await d.audit.record(trx, actorOf(p, requestId), { action: 'ip-pool.create', targetType: 'ip-pool', targetId: r.id, detail: { name: r.name, range: r.range, uplink: r.uplink, mode } });
        await d.changed(trx);
        return r;
      });
      return toPool(row);
    },

    /** Every pool (operators), those whose labels match `label_selector` when one is given. */
    list(p: Principal, q: LabelledListQuery): Promise<Page<IpPool>> {
      requireRole(p, 'operator', MANAGE);
      return paginate(db.selectFrom('ip_pools').selectAll(), 'id', q, (r) => r, { sort: { name: 'name' }, labels: true }).then(async (page) => ({ ...page, items: await Promise.all(page.items.map(toPool)) }));
    },

    /** One pool by id or name (operators). */
    async get(p: Principal, idOrName: string): Promise<IpPool> {
      requireRole(p, 'operator', MANAGE);
      return toPool(await findPool(db, idOrName));
    },

    /** Renames a pool, changes its cool-down or replaces its labels; its range, uplink and mode stay as made. */
    async update(p: Principal, idOrName: string, body: UpdateIpPool, requestId: string): Promise<IpPool> {
      requireRole(p, 'operator', MANAGE);
      if (body.labels) assertValidLabels(body.labels);
      const row = await db.transaction().execute(async (trx) => {
        await lockFor(trx, d.dialect, 'ip-pools');
        const r = await findPool(trx, idOrName);
        if (body.name !== undefined) await assertNameFree(trx, body.name, r.id);
        const next = { ...r, name: body.name ?? r.name, cooldown_s: body.cooldownSeconds ?? r.cooldown_s, labels: body.labels ? JSON.stringify(body.labels) : r.labels, updated_at: clock() };
        await trx.updateTable('ip_pools').set({ name: next.name, cooldown_s: next.cooldown_s, labels: next.labels, updated_at: next.updated_at }).where('id', '=', r.id).execute();
        await d.audit.record(trx, actorOf(p, requestId), { action: 'ip-pool.update', targetType: 'ip-pool', targetId: r.id, detail: body });
        return next;
      });
      return toPool(row);
    },

    /** Deletes a pool none of whose addresses is handed out; its cool-down records go with it. */
    async delete(p: Principal, idOrName: string, requestId: string): Promise<void> {
      requireRole(p, 'operator', MANAGE);
      await db.transaction().execute(async (trx) => {
        await lockFor(trx, d.dialect, 'ip-pools');
        const r = await findPool(trx, idOrName);
        await lockFor(trx, d.dialect, `ip-pool:${r.id}`);
        const used = await trx.selectFrom('public_ips').select((eb) => eb.fn.countAll<number>().as('n')).where('pool_id', '=', r.id).executeTakeFirst();
        const count = Number(used?.n ?? 0);
        if (count > 0) throw new DomainError('POOL_IN_USE', { id: r.name, count });
        await trx.deleteFrom('public_ip_releases').where('pool_id', '=', r.id).execute();
        await trx.deleteFrom('ip_pools').where('id', '=', r.id).execute();
        await d.audit.record(trx, actorOf(p, requestId), { action: 'ip-pool.delete', targetType: 'ip-pool', targetId: r.id, detail: { name: r.name } });
        await d.changed(trx);
      });
    },
  };
}

/** The IP pools service. */
export type IpPools = ReturnType<typeof createIpPools>;
