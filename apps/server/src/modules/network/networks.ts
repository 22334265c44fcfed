import type { Allocation, CreateNetwork, LabelledListQuery, ListQuery, Network, NetworkWithOperation, Operation, Page, UpdateNetwork } from '@kumulus/api';
import type { Kysely } from 'kysely';
import { type Clock, iso } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import { assertValidLabels } from '../../lib/labels.ts';
import { pageInMemory, paginate } from '../../lib/paging.ts';
import { recordChange } from '../../reconcile/changes.ts';
import type { Queue } from '../../reconcile/queue.ts';
import { lockFor } from '../../store/locks.ts';
import type { Database, NetworksTable } from '../../store/schema.ts';
import { actorOf, type Audit } from '../audit/service.ts';
import type { Principal } from '../identity/principal.ts';
import { type Operations, toOperation } from '../operations/service.ts';
import { hostOf, intToIpv4, ipv4ToInt, overlaps, parsePrivateCidr } from './cidr.ts';
import { parsePrefix64, serviceAddress6, slaacAddress } from './cidr6.ts';
import { type Ipv4Network, macFor } from './ipam.ts';

/** The name of the shared default network; no tenant network may take it. */
export const DEFAULT_NETWORK = 'default';

/** What a network's status holds (JSON in the row). */
export interface NetworkStatus {
  phase: Network['status']['phase'];
  message: string;
  observedGeneration: number;
}

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  audit: Audit;
  operations: Operations;
  queue: Queue;
  dialect: 'sqlite' | 'postgres';
  notify: () => void;
}

/** The API's view of a networks row. */
export function toNetwork(r: NetworksTable): Network {
  return {
    id: r.id,
    name: r.name,
    ipv4Cidr: r.ipv4_cidr,
    gateway: r.gateway,
    ipv6Cidr: r.ipv6_cidr ?? null,
    dnsServer: r.dns_server,
    dnsDomain: r.dns_domain,
    labels: JSON.parse(r.labels || '{}'),
    generation: r.generation,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    status: JSON.parse(r.status) as NetworkStatus,
  };
}

/** The network as IPAM sees it: allocations keyed by its id, its own address kept out. */
export function ipamNetwork(r: NetworksTable): Ipv4Network {
  return { name: r.id, cidr: r.ipv4_cidr, gateway: r.dns_server };
}

/** The row of a network of the caller's tenant, by id or name; a foreign one reads as absent. */
export async function findNetwork(trx: Kysely<Database>, tenantId: string, idOrName: string): Promise<NetworksTable> {
  const column = idOrName.startsWith('net_') ? 'id' : 'name';
  const row = await trx.selectFrom('networks').selectAll().where(column, '=', idOrName).where('tenant_id', '=', tenantId).executeTakeFirst();
  if (!row) throw new DomainError('NETWORK_NOT_FOUND', { id: idOrName });
  return row;
}

/** vSwitches: tenant-private networks, written as desired state that the network reconciler makes real. */
export function createNetworks(d: Deps) {
  const { db, clock, ids, audit } = d;

  async function assertNameFree(trx: Kysely<Database>, p: Principal, name: string, except?: string) {
    if (name === DEFAULT_NETWORK) throw new DomainError('NAME_TAKEN', { kind: 'network', name }, [{ field: 'name', message: '"default" is the shared default network' }]);
    let q = trx.selectFrom('networks').select('id').where('tenant_id', '=', p.tenantId).where('name', '=', name);
    if (except) q = q.where('id', '!=', except);
    if (await q.executeTakeFirst()) throw new DomainError('NAME_TAKEN', { kind: 'network', name }, [{ field: 'name', message: 'a network of this name exists' }]);
  }

  return {
    /** Validates and records a new network; answers at once with the operation that makes it. */
    async create(p: Principal, body: CreateNetwork, requestId: string): Promise<NetworkWithOperation> {
      const subnet = parsePrivateCidr(body.ipv4Cidr);
      const gateway = body.gateway ?? null;
      if (gateway !== null && hostOf(subnet, gateway) === null) {
        throw new DomainError('VALIDATION_FAILED', { summary: `gateway ${gateway} is not a host address of ${body.ipv4Cidr}` }, [{ field: 'gateway', message: `choose an address inside ${body.ipv4Cidr}` }]);
      }
      const ipv6Cidr = body.ipv6Cidr ? parsePrefix64(body.ipv6Cidr).text : null;
      const labels = body.labels ?? {};
      assertValidLabels(labels);
      const result = await db.transaction().execute(async (trx) => {
        await lockFor(trx, d.dialect, `networks:${p.tenantId}`);
        await assertNameFree(trx, p, body.name);
        for (const other of await trx.selectFrom('networks').select(['name', 'ipv4_cidr', 'ipv6_cidr']).where('tenant_id', '=', p.tenantId).execute()) {
          if (overlaps(subnet, parsePrivateCidr(other.ipv4_cidr))) {
            throw new DomainError('SUBNET_OVERLAP', { cidr: body.ipv4Cidr, other: other.name, otherCidr: other.ipv4_cidr }, [{ field: 'ipv4Cidr', message: `overlaps ${other.name}` }]);
          }
          // Two /64s overlap only when equal; other tenants may pick the same one, as with IPv4.
          if (ipv6Cidr !== null && other.ipv6_cidr === ipv6Cidr) {
            throw new DomainError('SUBNET_OVERLAP', { cidr: ipv6Cidr, other: other.name, otherCidr: ipv6Cidr }, [{ field: 'ipv6Cidr', message: `overlaps ${other.name}` }]);
          }
        }
        const now = clock();
        const status: NetworkStatus = { phase: 'Pending', message: 'waiting for the host to make it', observedGeneration: 0 };
        const row: NetworksTable = {
          id: ids('net'),
          tenant_id: p.tenantId,
          name: body.name,
          ipv4_cidr: body.ipv4Cidr,
          gateway,
          ipv6_cidr: ipv6Cidr,
          labels: JSON.stringify(labels),
          // The network's DHCP/DNS service holds the gateway address, or else the first one.
          dns_server: gateway ?? intToIpv4(subnet.base + 1),
          // Fixed at creation: guests keep the search domain they were given when the network is renamed.
          dns_domain: `${body.name}.internal`,
          generation: 1,
          status: JSON.stringify(status),
          deletion_requested_at: null,
          created_at: now,
          updated_at: now,
        };
        await trx.insertInto('networks').values(row).execute();
        const operation = await recordChange(trx, d, { principal: p, tenantId: p.tenantId, kind: 'network.create', target: { type: 'network', id: row.id }, generation: 1, requestId, detail: { name: row.name, ipv4Cidr: row.ipv4_cidr, ...(ipv6Cidr ? { ipv6Cidr } : {}) } });
        return { network: toNetwork(row), operation };
      });
      d.notify();
      return result;
    },

    /** Networks of the caller's tenant. */
    list(p: Principal, q: LabelledListQuery): Promise<Page<Network>> {
      return paginate(db.selectFrom('networks').selectAll().where('tenant_id', '=', p.tenantId), 'id', q, toNetwork, { sort: { name: 'name' }, labels: true });
    },

    /** One network of the caller's tenant, by id or name. */
    async get(p: Principal, idOrName: string): Promise<Network> {
      return toNetwork(await findNetwork(db, p.tenantId, idOrName));
    },

    /**
     * Renames a network and/or replaces its labels; nothing on the host changes (its bridge and
     * DNS domain keep their names), and labels are metadata (no new generation).
     */
    async update(p: Principal, idOrName: string, body: UpdateNetwork, requestId: string): Promise<Network> {
      if (body.labels) assertValidLabels(body.labels);
      return db.transaction().execute(async (trx) => {
        await lockFor(trx, d.dialect, `networks:${p.tenantId}`);
        const row = await findNetwork(trx, p.tenantId, idOrName);
        const name = body.name ?? row.name;
        if (body.name !== undefined) await assertNameFree(trx, p, name, row.id);
        const labels = body.labels ? JSON.stringify(body.labels) : row.labels;
        const updated = { ...row, name, labels, updated_at: clock() };
        await trx.updateTable('networks').set({ name, labels, updated_at: updated.updated_at }).where('id', '=', row.id).execute();
        if (body.name !== undefined) await audit.record(trx, actorOf(p, requestId), { action: 'network.rename', targetType: 'network', targetId: row.id, detail: { from: row.name, to: name } });
        if (body.labels) await audit.record(trx, actorOf(p, requestId), { action: 'network.update', targetType: 'network', targetId: row.id, detail: { labels: body.labels } });
        return toNetwork(updated);
      });
    },

    /** Asks for deletion, refused while NICs are on the network; the row goes once the host has nothing left. */
    async delete(p: Principal, idOrName: string, requestId: string): Promise<Operation> {
      const op = await db.transaction().execute(async (trx) => {
        const row = await findNetwork(trx, p.tenantId, idOrName);
        // Serialized with server creates that put NICs on this network.
        await lockFor(trx, d.dialect, `network:${row.id}`);
        // Asking twice answers the deletion already under way.
        const existing = await trx.selectFrom('operations').selectAll().where('target_id', '=', row.id).where('kind', '=', 'network.delete').where('state', 'in', ['pending', 'running']).executeTakeFirst();
        if (existing) return toOperation(existing);
        const nics = await trx.selectFrom('ip_allocations').select((eb) => eb.fn.countAll<number>().as('n')).where('network', '=', row.id).executeTakeFirst();
        const count = Number(nics?.n ?? 0);
        if (count > 0) throw new DomainError('NETWORK_IN_USE', { id: row.name, count });
        const generation = row.generation + 1;
        await trx.updateTable('networks').set({ deletion_requested_at: row.deletion_requested_at ?? clock(), generation, updated_at: clock() }).where('id', '=', row.id).execute();
        return recordChange(trx, d, { principal: p, tenantId: p.tenantId, kind: 'network.delete', target: { type: 'network', id: row.id }, generation, requestId });
      });
      d.notify();
      return op;
    },

    /** The addresses held on a network: its own service address and one per NIC. */
    async allocations(p: Principal, idOrName: string, q: ListQuery = {}): Promise<Page<Allocation>> {
      const row = await findNetwork(db, p.tenantId, idOrName);
      const rows = await db.selectFrom('ip_allocations').selectAll().where('network', '=', row.id).execute();
      // IPv6 addresses are not stored: each follows from the prefix and the NIC's MAC, which the
      // server's spec holds (a NIC made by an older version may have another MAC than macFor's).
      const macs = new Map<string, string>();
      if (row.ipv6_cidr && rows.length) {
        const holders = [...new Set(rows.map((r) => r.server_id))];
        for (let i = 0; i < holders.length; i += 500) {
          for (const s of await db.selectFrom('servers').select('spec').where('id', 'in', holders.slice(i, i + 500)).execute()) {
            for (const n of (JSON.parse(s.spec) as { nics: { id: string; mac: string }[] }).nics) macs.set(n.id, n.mac);
          }
        }
      }
      const v6 = (address: string, nicId: string | null) =>
        row.ipv6_cidr ? { ipv6: slaacAddress(row.ipv6_cidr, (nicId && macs.get(nicId)) || macFor(row.id, address)).split('/')[0]! } : {};
      const nics: Allocation[] = rows.map((r) => ({ address: r.address, kind: 'nic', serverId: r.server_id, nicId: r.nic_id, ...v6(r.address, r.nic_id) }));
      const service6 = row.ipv6_cidr ? { ipv6: serviceAddress6(row.ipv6_cidr) } : {};
      const items: Allocation[] = [{ address: row.dns_server, kind: 'service', serverId: null, nicId: null, ...service6 }, ...nics];
      return pageInMemory(items, q, { address: (a) => ipv4ToInt(a.address), kind: (a) => a.kind, server: (a) => a.serverId });
    },
  };
}

/** The networks service. */
export type Networks = ReturnType<typeof createNetworks>;
