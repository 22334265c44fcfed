/**
 * Zones (operators): each network in at most one zone, and per zone the flows it may start
 * towards other zones. The host's firewall compiles them before any tenant's rules, so a
 * flow between zones that the matrix does not allow is dropped whatever those rules say.
 */
import type { CreateZone, ListQuery, Page, UpdateZone, Zone, ZoneFlow } from '@kumulus/api';
import type { Kysely } from 'kysely';
import { type Clock, iso } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import { paginate } from '../../lib/paging.ts';
import type { Queue } from '../../reconcile/queue.ts';
import type { Database, ZonesTable } from '../../store/schema.ts';
import { actorOf, type Audit } from '../audit/service.ts';
import { type Principal, requireRole } from '../identity/principal.ts';
import { FIREWALL_QUEUE } from './firewalls.ts';
import { checkRules } from './rule-check.ts';

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  audit: Audit;
  queue: Queue;
  notify: () => void;
}

/** The API's view of a zones row. */
export function toZone(row: ZonesTable): Zone {
  return { id: row.id, name: row.name, purpose: row.purpose, networks: JSON.parse(row.networks), pools: JSON.parse(row.pools), flows: JSON.parse(row.flows), createdAt: iso(row.created_at)!, updatedAt: iso(row.updated_at)! };
}

/** Creates the zones service. */
export function createZones(d: Deps) {
  const { db, clock, ids, audit, queue } = d;
  const manage = (p: Principal) => requireRole(p, 'operator', { en: 'manage zones', de: 'Zonen verwalten' });

  async function findRow(trx: Kysely<Database>, idOrName: string): Promise<ZonesTable> {
    const row = await trx.selectFrom('zones').selectAll().where(idOrName.startsWith('zone_') ? 'id' : 'name', '=', idOrName).executeTakeFirst();
    if (!row) throw new DomainError('ZONE_NOT_FOUND', { id: idOrName });
    return row;
  }

  /** Checks networks and pools (existing, in no other zone) and flows (ports as in rules, target zones by id). */
  async function check(trx: Kysely<Database>, self: { id: string; name: string }, networks: string[], flows: ZoneFlow[], poolRefs: string[]) {
    const pools: string[] = [];
    for (const [i, ref] of poolRefs.entries()) {
      const pool = await trx.selectFrom('ip_pools').select('id').where(ref.startsWith('pool_') ? 'id' : 'name', '=', ref).executeTakeFirst();
      if (!pool) throw new DomainError('IP_POOL_NOT_FOUND', { id: ref }, [{ field: `pools[${i}]`, message: { en: 'no IP pool has this id or name', de: 'kein IP-Pool hat diese ID oder diesen Namen' } }]);
      for (const other of await trx.selectFrom('zones').selectAll().where('id', '!=', self.id).execute()) {
        if ((JSON.parse(other.pools) as string[]).includes(pool.id)) throw new DomainError('POOL_IN_ZONE', { pool: ref, zone: other.name }, [{ field: `pools[${i}]`, message: { en: `in zone ${other.name}`, de: `in Zone ${other.name}` } }]);
      }
      pools.push(pool.id);
    }
    for (const [i, net] of networks.entries()) {
      if (net !== 'default' && !(await trx.selectFrom('networks').select('id').where('id', '=', net).executeTakeFirst())) {
        throw new DomainError('NETWORK_NOT_FOUND', { id: net }, [{ field: `networks[${i}]`, message: { en: 'give a network id (net_…) or "default"', de: 'geben Sie eine Netz-ID (net_…) oder "default" an' } }]);
      }
      for (const other of await trx.selectFrom('zones').selectAll().where('id', '!=', self.id).execute()) {
        if ((JSON.parse(other.networks) as string[]).includes(net)) throw new DomainError('NETWORK_IN_ZONE', { network: net, zone: other.name }, [{ field: `networks[${i}]`, message: { en: `in zone ${other.name}`, de: `in Zone ${other.name}` } }]);
      }
    }
    await checkRules(trx, '', flows.map((f) => ({ action: 'accept', protocol: f.protocol, ...(f.ports ? { ports: f.ports } : {}) })), 'flows');
    const out: ZoneFlow[] = [];
    for (const [i, f] of flows.entries()) {
      const to = f.to === self.name || f.to === self.id ? self.id : (await findRow(trx, f.to).catch(() => {
        throw new DomainError('ZONE_NOT_FOUND', { id: f.to }, [{ field: `flows[${i}].to`, message: { en: 'no zone has this id or name', de: 'keine Zone hat diese ID oder diesen Namen' } }]);
      })).id;
      out.push({ ...f, to });
    }
    return { networks: [...new Set(networks)], pools: [...new Set(pools)], flows: out };
  }

  async function write(p: Principal, requestId: string, action: string, work: (trx: Kysely<Database>) => Promise<ZonesTable>): Promise<Zone> {
    manage(p);
    const zone = await db.transaction().execute(async (trx) => {
      const row = await work(trx);
      await audit.record(trx, actorOf(p, requestId), { action, targetType: 'zone', targetId: row.id, detail: { name: row.name } });
      await queue.enqueue(trx, FIREWALL_QUEUE.kind, FIREWALL_QUEUE.id);
      return toZone(row);
    });
    d.notify();
    return zone;
  }

  return {
    /** Makes a zone with its networks and flows. */
    create(p: Principal, body: CreateZone, requestId: string): Promise<Zone> {
      return write(p, requestId, 'zone.create', async (trx) => {
        if (await trx.selectFrom('zones').select('id').where('name', '=', body.name).executeTakeFirst()) throw new DomainError('NAME_TAKEN', { kind: 'zone', name: body.name }, [{ field: 'name', message: { en: 'a zone of this name exists', de: 'eine Zone dieses Namens existiert' } }]);
        const id = ids('zone');
        const checked = await check(trx, { id, name: body.name }, body.networks ?? [], body.flows ?? [], body.pools ?? []);
        const now = clock();
        const row: ZonesTable = { id, name: body.name, purpose: body.purpose, networks: JSON.stringify(checked.networks), pools: JSON.stringify(checked.pools), flows: JSON.stringify(checked.flows), created_at: now, updated_at: now };
        await trx.insertInto('zones').values(row).execute();
        return row;
      });
    },
    /** Every zone (operators). */
    list(p: Principal, q: ListQuery): Promise<Page<Zone>> {
      manage(p);
      return paginate(db.selectFrom('zones').selectAll(), 'id', q, toZone, { sort: { name: 'name' } });
    },
    /** One zone by id or name. */
    async get(p: Principal, idOrName: string): Promise<Zone> {
      manage(p);
      return toZone(await findRow(db, idOrName));
    },
    /** Renames a zone or replaces its purpose, networks or flows. */
    update(p: Principal, idOrName: string, body: UpdateZone, requestId: string): Promise<Zone> {
      return write(p, requestId, 'zone.update', async (trx) => {
        const row = await findRow(trx, idOrName);
        const name = body.name ?? row.name;
        if (name !== row.name && (await trx.selectFrom('zones').select('id').where('name', '=', name).executeTakeFirst())) throw new DomainError('NAME_TAKEN', { kind: 'zone', name }, [{ field: 'name', message: { en: 'a zone of this name exists', de: 'eine Zone dieses Namens existiert' } }]);
        const checked = await check(trx, { id: row.id, name }, body.networks ?? JSON.parse(row.networks), body.flows ?? JSON.parse(row.flows), body.pools ?? JSON.parse(row.pools));
        const next: ZonesTable = { ...row, name, purpose: body.purpose ?? row.purpose, networks: JSON.stringify(checked.networks), pools: JSON.stringify(checked.pools), flows: JSON.stringify(checked.flows), updated_at: clock() };
        await trx.updateTable('zones').set(next).where('id', '=', row.id).execute();
        return next;
      });
    },
    /** Deletes a zone; flows of other zones towards it go with it. */
    async delete(p: Principal, idOrName: string, requestId: string): Promise<void> {
      await write(p, requestId, 'zone.delete', async (trx) => {
        const row = await findRow(trx, idOrName);
        for (const other of await trx.selectFrom('zones').selectAll().where('id', '!=', row.id).execute()) {
          const flows = (JSON.parse(other.flows) as ZoneFlow[]).filter((f) => f.to !== row.id);
          await trx.updateTable('zones').set({ flows: JSON.stringify(flows) }).where('id', '=', other.id).execute();
        }
        await trx.deleteFrom('zones').where('id', '=', row.id).execute();
        return row;
      });
    },
  };
}

/** The zones service. */
export type Zones = ReturnType<typeof createZones>;
