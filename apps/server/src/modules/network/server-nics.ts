/**
 * NICs of an existing server: attach one to a network (an address from IPAM, hot-plugged by
 * the server reconciler), list them, detach one. Each is a spec change of the server with an
 * operation; the address of a detached NIC is released once the host has let go of it.
 */
import type { AttachNic, LimitNic, ListQuery, Nic, NicWithOperation, Operation, ServerNic, ServerNicList, ServerTraffic, TrafficQuery } from '@kumulus/api';
import type { Kysely } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import { pageInMemory } from '../../lib/paging.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import { recordChange } from '../../reconcile/changes.ts';
import type { Queue } from '../../reconcile/queue.ts';
import type { Database, ServersTable } from '../../store/schema.ts';
import type { Audit } from '../audit/service.ts';
import type { StoredSpec, StoredStatus } from '../compute/server-record.ts';
import type { Principal } from '../identity/principal.ts';
import type { Operations } from '../operations/service.ts';
import { ipv4ToInt } from './cidr.ts';
import { type Ipv4Network, macFor } from './ipam.ts';
import { allocateNics } from './nics.ts';
import { serverTraffic } from './traffic.ts';

/** The most NICs a server holds (as on create). */
const MAX_NICS = 8;

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  audit: Audit;
  operations: Operations;
  queue: Queue;
  dialect: 'sqlite' | 'postgres';
  defaultNetwork: Ipv4Network;
  addressCooldownMs: number;
  notify: () => void;
}

/**
 * Gives back the addresses a server holds for NICs that are no longer in its spec, once the
 * engine has removed them; each rests for the cool-down. Answers the networks they were on.
 */
export async function releaseDetachedNics(trx: Kysely<Database>, serverId: string, keep: string[], now: number): Promise<string[]> {
  let q = trx.selectFrom('ip_allocations').select(['network', 'address', 'nic_id']).where('server_id', '=', serverId);
  if (keep.length) q = q.where('nic_id', 'not in', keep);
  const rows = await q.execute();
  for (const r of rows) {
    await trx.deleteFrom('ip_allocations').where('network', '=', r.network).where('address', '=', r.address).execute();
    await trx
      .insertInto('ip_releases')
      .values({ network: r.network, address: r.address, released_at: now })
      .onConflict((oc) => oc.columns(['network', 'address']).doUpdateSet({ released_at: now }))
      .execute();
  }
  return [...new Set(rows.map((r) => r.network))];
}

/** The NIC service of servers. */
export function createServerNics(d: Deps) {
  const { db, clock } = d;

  /** The caller's server by id or name (operators: any by id); a foreign one reads as absent. */
  async function findServer(trx: Kysely<Database>, p: Principal, idOrName: string): Promise<ServersTable> {
    const byId = idOrName.startsWith('srv_');
    let q = trx.selectFrom('servers').selectAll().where(byId ? 'id' : 'name', '=', idOrName);
    if (!(byId && p.role === 'operator')) q = q.where('tenant_id', '=', p.tenantId);
    const row = await q.executeTakeFirst();
    if (!row) throw new DomainError('SERVER_NOT_FOUND', { id: idOrName });
    return row;
  }

  /** Writes the new spec only if nobody changed the server since it was read, with its operation. */
  async function writeSpec(trx: Kysely<Database>, p: Principal, row: ServersTable, spec: StoredSpec, kind: string, requestId: string, detail: Record<string, unknown>): Promise<Operation> {
    const generation = row.generation + 1;
    const r = await trx.updateTable('servers').set({ spec: JSON.stringify(spec), generation, updated_at: clock() }).where('id', '=', row.id).where('generation', '=', row.generation).executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new DomainError('CONFLICT', { reason: { en: 'the server changed while the NIC was being changed; send the request again', de: 'der Server hat sich währenddessen geändert; senden Sie die Anfrage erneut' } });
    return recordChange(trx, d, { principal: p, tenantId: row.tenant_id, kind, target: { type: 'server', id: row.id }, generation, requestId, step: 'queued', detail });
  }

  function assertNotDeleting(row: ServersTable) {
    if (row.deletion_requested_at !== null) throw new DomainError('SERVER_BUSY', { id: row.id, operation: '-' });
  }

  return {
    /** Attaches a NIC on a network to an existing server; the reconciler plugs it in, live when it runs. */
    async attach(p: Principal, server: string, body: AttachNic, requestId: string): Promise<NicWithOperation> {
      const result = await db.transaction().execute(async (trx) => {
        const row = await findServer(trx, p, server);
        assertNotDeleting(row);
        const spec = JSON.parse(row.spec) as StoredSpec;
        if (spec.nics.length >= MAX_NICS) {
          throw new DomainError('VALIDATION_FAILED', { summary: { en: `a server has at most ${MAX_NICS} NICs`, de: `ein Server hat höchstens ${MAX_NICS} Netzwerkkarten` } }, [{ field: 'network', message: { en: 'detach a NIC first', de: 'hängen Sie zuerst eine Netzwerkkarte ab' } }]);
        }
        // Resolve and allocate as a create does; field names are those of this request's body.
        const [nic] = await allocateNics(trx, {
          tenantId: row.tenant_id,
          serverId: row.id,
          requests: [{ network: body.network, ...(body.ipv4 ? { ipv4: body.ipv4 } : {}) }],
          defaultNetwork: d.defaultNetwork,
          ids: d.ids,
          dialect: d.dialect,
          now: clock(),
          cooldownMs: d.addressCooldownMs,
        }).catch((e: unknown) => {
          if (!(e instanceof DomainError)) throw e;
          throw new DomainError(e.code, e.params, e.details.map((f) => ({ ...f, field: f.field.replace(/^nics\[0\]\./, '') })));
        });
        if (!nic) throw new Error('allocateNics answered no NIC');
        const twin = spec.nics.find((n) => n.network === nic.network);
        if (twin) throw new DomainError('NIC_ON_NETWORK', { server: row.name, nic: twin.id, network: body.network }, [{ field: 'network', message: { en: 'choose a network this server is not on', de: 'wählen Sie ein Netz, in dem der Server noch nicht ist' } }]);
        const { private: isPrivate, ...plain } = nic;
        spec.nics.push(plain);
        const operation = await writeSpec(trx, p, row, spec, 'server.nic.attach', requestId, { nic: plain.id, network: plain.network, ipv4: plain.ipv4 });
        // The vSwitch learns the NIC's name and DHCP reservation.
        if (isPrivate) await d.queue.enqueue(trx, 'network', plain.network);
        return { nic: plain, operation };
      });
      d.notify();
      return result;
    },

    /** Detaches a NIC; its host link goes and then its address, through the reconciler. */
    async detach(p: Principal, server: string, nicId: string, requestId: string): Promise<Operation> {
      const op = await db.transaction().execute(async (trx) => {
        const row = await findServer(trx, p, server);
        const spec = JSON.parse(row.spec) as StoredSpec;
        const nic = spec.nics.find((n) => n.id === nicId);
        if (!nic) throw new DomainError('NIC_NOT_FOUND', { server: row.name, id: nicId });
        assertNotDeleting(row);
        if (spec.nics.length === 1) throw new DomainError('LAST_NIC', { server: row.name, id: nicId });
        spec.nics = spec.nics.filter((n) => n.id !== nicId);
        return writeSpec(trx, p, row, spec, 'server.nic.detach', requestId, { nic: nicId, network: nic.network });
      });
      d.notify();
      return op;
    },

    /** The server's traffic per hour over the last `hours` (default 31 days), summed and per NIC. */
    async traffic(p: Principal, server: string, query: TrafficQuery = {}): Promise<ServerTraffic> {
      const row = await findServer(db, p, server);
      const spec = JSON.parse(row.spec) as StoredSpec;
      const networks = new Map(spec.nics.map((n) => [n.id, n.network]));
      const hour = 3_600_000;
      // Whole hours: the current one and the `hours - 1` before it.
      const since = (Math.floor(clock() / hour) - ((query.hours ?? 744) - 1)) * hour;
      const got = await serverTraffic(db, row.id, since, { ...(query.nic ? { nicId: query.nic } : {}), networkOf: (id) => networks.get(id) ?? null });
      if (query.nic && !networks.has(query.nic) && got.nics.length === 0) throw new DomainError('NIC_NOT_FOUND', { server: row.name, id: query.nic });
      return { since: new Date(since).toISOString(), ...got };
    },

    /** Sets a NIC's rate limits; the reconciler applies them live with tc. */
    async limit(p: Principal, server: string, nicId: string, body: LimitNic, requestId: string): Promise<Operation> {
      const op = await db.transaction().execute(async (trx) => {
        const row = await findServer(trx, p, server);
        const spec = JSON.parse(row.spec) as StoredSpec;
        const nic = spec.nics.find((n) => n.id === nicId);
        if (!nic) throw new DomainError('NIC_NOT_FOUND', { server: row.name, id: nicId });
        assertNotDeleting(row);
        for (const key of ['ingressMbit', 'egressMbit'] as const) {
          const v = body[key];
          if (v === undefined) continue;
          if (v) nic[key] = v;
          else delete nic[key];
        }
        return writeSpec(trx, p, row, spec, 'server.nic.limit', requestId, { nic: nicId, ingressMbit: nic.ingressMbit ?? 0, egressMbit: nic.egressMbit ?? 0 });
      });
      d.notify();
      return op;
    },

    /** The server's NICs with where each stands on the host, and the ones still being detached. */
    async list(p: Principal, server: string, q: ListQuery = {}): Promise<ServerNicList> {
      const row = await findServer(db, p, server);
      const spec = JSON.parse(row.spec) as StoredSpec;
      const applied = (JSON.parse(row.status) as StoredStatus).nicsApplied;
      const items: ServerNic[] = spec.nics.map((n: Nic) => ({ ...n, state: !applied || applied.some((k) => k === n.id || k.startsWith(`${n.id}@`)) ? 'attached' : 'attaching' }));
      const held = await db.selectFrom('ip_allocations').select(['network', 'address', 'nic_id']).where('server_id', '=', row.id).execute();
      const prefixOf = (network: string) => (network === d.defaultNetwork.name ? d.defaultNetwork.cidr : undefined);
      for (const h of held) {
        if (spec.nics.some((n) => n.id === h.nic_id)) continue;
        const cidr = prefixOf(h.network) ?? (await db.selectFrom('networks').select('ipv4_cidr').where('id', '=', h.network).executeTakeFirst())?.ipv4_cidr ?? '/32';
        items.push({ id: h.nic_id, network: h.network, mac: macFor(h.network, h.address), ipv4: `${h.address}/${cidr.split('/')[1]}`, state: 'detaching' });
      }
      return pageInMemory(items, q, { id: (n) => n.id, created: (n) => n.id, network: (n) => n.network, ipv4: (n) => ipv4ToInt(n.ipv4.split('/')[0]!), state: (n) => n.state });
    },
  };
}

/** The server NICs service. */
export type ServerNics = ReturnType<typeof createServerNics>;
