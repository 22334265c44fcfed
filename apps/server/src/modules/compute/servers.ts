import type { CreateServer, LabelledListQuery, Operation, Page, Server, ServerAction, ServerWithOperation, UpdateServer } from '@kumulus/api';
import type { Kysely } from 'kysely';
import { type Clock, iso } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import { paginate } from '../../lib/paging.ts';
import { assertValidLabels } from '../../lib/labels.ts';
import { lockFor } from '../../store/locks.ts';
import { hashPassword as cryptPassword } from '../../lib/sha512-crypt.ts';
import type { EngineCapabilities } from '../../drivers/types.ts';
import { recordChange } from '../../reconcile/changes.ts';
import type { Queue } from '../../reconcile/queue.ts';
import type { Database, ServersTable } from '../../store/schema.ts';
import type { Quotas } from '../billing/quotas.ts';
import type { HostHealth } from '../cluster/health.ts';
import { actorOf, type Audit } from '../audit/service.ts';
import { assertStrongPassword } from '../identity/passwords.ts';
import { type Principal, requireRole } from '../identity/principal.ts';
import type { Ipv4Network } from '../network/ipam.ts';
import { allocateNics } from '../network/nics.ts';
import { type Operations, toOperation } from '../operations/service.ts';
import type { Catalog } from './catalog.ts';
import { readRow, setPhase, type StoredSpec, type StoredStatus, toServer } from './server-record.ts';
import { validateSshKeys } from './ssh-key-format.ts';
import type { SshKeys } from './ssh-keys.ts';

const HOSTNAME = /^(?=.{1,63}$)[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/;

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  audit: Audit;
  operations: Operations;
  catalog: Catalog;
  sshKeys: SshKeys;
  queue: Queue;
  capabilities: EngineCapabilities;
  dialect: 'sqlite' | 'postgres';
  defaultNetwork: Ipv4Network;
  /** Refuses images this host cannot start, before anything is written. */
  health: Pick<HostHealth, 'assertCanRun'>;
  /** How long a released address rests before IPAM hands it out again. */
  addressCooldownMs: number;
  /** The tenant's quotas (and its standing), checked inside the create transaction. */
  quotas: Pick<Quotas, 'assertWithin' | 'assertActive'>;
  /** Called after a change is committed, to wake the worker. */
  notify: () => void;
}

/** vServers: their desired state, written in one transaction with an operation and a queue entry. */
export function createServers(d: Deps) {
  const { db, clock, ids, queue } = d;

  /**
   * The row of a server of the caller's tenant, by id or name; a foreign id reads as absent.
   * Operators reach every tenant's server by id (names are unique only within a tenant).
   */
  async function findRow(trx: Kysely<Database>, p: Principal, idOrName: string): Promise<ServersTable> {
    const byId = idOrName.startsWith('srv_');
    let query = trx.selectFrom('servers').selectAll().where(byId ? 'id' : 'name', '=', idOrName);
    if (!(byId && p.role === 'operator')) query = query.where('tenant_id', '=', p.tenantId);
    const row = await query.executeTakeFirst();
    if (!row) throw new DomainError('SERVER_NOT_FOUND', { id: idOrName });
    return row;
  }

  /** Writes a new spec generation, its operation and a queue entry. */
  async function changeSpec(
    trx: Kysely<Database>,
    p: Principal,
    row: ServersTable,
    kind: string,
    mutate: (spec: StoredSpec) => void,
    requestId: string,
    step: string,
    detail?: Record<string, unknown>,
  ): Promise<Operation> {
    if (row.deletion_requested_at !== null) {
      const op = await trx.selectFrom('operations').select('id').where('target_id', '=', row.id).where('kind', '=', 'server.delete').executeTakeFirst();
      throw new DomainError('SERVER_BUSY', { id: row.id, operation: op?.id ?? '-' });
    }
    const { spec } = readRow(row);
    mutate(spec);
    const generation = row.generation + 1;
    await trx.updateTable('servers').set({ spec: JSON.stringify(spec), generation, updated_at: clock() }).where('id', '=', row.id).execute();
    return recordChange(trx, d, { principal: p, tenantId: row.tenant_id, kind, target: { type: 'server', id: row.id }, generation, requestId, step, ...(detail ? { detail } : {}) });
  }

  /** Gives a server a new name, free in its tenant; a hostname that was the old name follows. */
  async function rename(trx: Kysely<Database>, p: Principal, row: ServersTable, name: string, requestId: string): Promise<void> {
    // Names are unique per tenant: a rename takes turns with creates and other renames.
    await lockFor(trx, d.dialect, `servers:${row.tenant_id}`);
    if (await trx.selectFrom('servers').select('id').where('tenant_id', '=', row.tenant_id).where('name', '=', name).executeTakeFirst()) {
      throw new DomainError('NAME_TAKEN', { kind: 'server', name }, [{ field: 'name', message: { en: 'a server of this name exists', de: 'ein Server dieses Namens existiert' } }]);
    }
    await trx.updateTable('servers').set({ name, updated_at: clock() }).where('id', '=', row.id).execute();
    const { spec } = readRow(row);
    const detail = { from: row.name, to: name };
    if (spec.hostname !== row.name) {
      // A hostname chosen apart from the name stays what it is: only the API name changes.
      await d.audit.record(trx, actorOf(p, requestId), { action: 'server.rename', targetType: 'server', targetId: row.id, detail });
      return;
    }
    await changeSpec(trx, p, row, 'server.rename', (s) => {
      s.hostname = name;
      s.hostnameCount = (s.hostnameCount ?? 0) + 1;
    }, requestId, 'queued', detail);
    // Each vSwitch the server is on serves its name: they learn the new one.
    for (const nic of spec.nics) if (nic.network !== d.defaultNetwork.name) await queue.enqueue(trx, 'network', nic.network);
  }

  return {
    /** Validates a create request and records the server's spec; the reconciler makes it real. */
    /** Records a server to make; `source`: from a snapshot of another server's root disk (its image and plan in `body`). */
    async create(p: Principal, body: CreateServer, requestId: string, source?: StoredSpec['source']): Promise<ServerWithOperation> {
      const kind = body.kind ?? 'container';
      if (kind === 'container' ? !d.capabilities.containers : !d.capabilities.virtualMachines) {
        throw new DomainError('UNSUPPORTED_KIND', { kind }, [{ field: 'kind', message: kind === 'vm' ? { en: 'this engine does not run virtual machines', de: 'diese Engine betreibt keine virtuellen Maschinen' } : { en: 'this engine does not run containers', de: 'diese Engine betreibt keine Container' } }]);
      }
      const hostname = body.hostname ?? body.name;
      if (!HOSTNAME.test(hostname)) {
        throw new DomainError('VALIDATION_FAILED', { summary: { en: 'hostname is not a valid host name', de: 'hostname ist kein gültiger Hostname' } }, [
          {
            field: 'hostname',
            message: {
              en: 'use letters, digits and dashes, up to 63 characters, not starting or ending with a dash',
              de: 'Buchstaben, Ziffern und Bindestriche verwenden, höchstens 63 Zeichen, nicht mit einem Bindestrich beginnend oder endend',
            },
          },
        ]);
      }
      if (body.password !== undefined) assertStrongPassword(body.password, [body.name]);
      const labels = body.labels ?? {};
      assertValidLabels(labels);
      const pastedKeys = validateSshKeys(body.sshKeys ?? []);
      const passwordHash = body.password !== undefined ? cryptPassword(body.password) : undefined;

      const result = await db.transaction().execute(async (trx) => {
        // Names are unique per tenant and addresses per network: concurrent creates take turns.
        await lockFor(trx, d.dialect, `servers:${p.tenantId}`);
        // Plan and image are named by id or name; the spec keeps the name, as it always has.
        const plan = await d.catalog.findPlan(trx, body.plan);
        const image = await d.catalog.findImage(trx, body.image);
        if (image.kind !== kind) {
          const plural = { container: { en: 'containers', de: 'Container' }, vm: { en: 'VMs', de: 'VMs' } };
          throw new DomainError('VALIDATION_FAILED', { summary: { en: `image ${image.name} is for ${plural[image.kind].en}`, de: `Image ${image.name} ist für ${plural[image.kind].de}` } }, [
            { field: 'image', message: { en: `choose an image for ${plural[kind].en}`, de: `wählen Sie ein Image für ${plural[kind].de}` } },
          ]);
        }
        d.health.assertCanRun(image.name);
        await d.quotas.assertWithin(trx, p.tenantId, { servers: 1, vcpus: plan.vcpus, memoryMb: plan.memoryMb, diskGb: plan.diskGb }, { servers: 'name', vcpus: 'plan', memoryMb: 'plan', diskGb: 'plan' });
        if (await trx.selectFrom('servers').select('id').where('tenant_id', '=', p.tenantId).where('name', '=', body.name).executeTakeFirst()) {
          throw new DomainError('NAME_TAKEN', { kind: 'server', name: body.name }, [{ field: 'name', message: { en: 'a server of this name exists', de: 'ein Server dieses Namens existiert' } }]);
        }
        // Saved keys are copied into the spec: deleting one later leaves this server as it is.
        const sshKeys = [...new Set([...pastedKeys, ...(await d.sshKeys.resolve(trx, p, body.sshKeyIds ?? []))])];
        const id = ids('srv');
        const nics = await allocateNics(trx, { tenantId: p.tenantId, serverId: id, requests: body.nics, defaultNetwork: d.defaultNetwork, ids, dialect: d.dialect, now: clock(), cooldownMs: d.addressCooldownMs });
        const spec: StoredSpec = {
          kind,
          plan: plan.name,
          image: image.name,
          hostname,
          powerState: body.start === false ? 'stopped' : 'running',
          rebootCount: 0,
          sshKeys,
          hasPassword: passwordHash !== undefined,
          nics: nics.map(({ private: _p, ...nic }) => nic),
          ...(passwordHash ? { passwordHash } : {}),
          protection: { delete: body.protection?.delete ?? false, rebuild: body.protection?.rebuild ?? false },
          ...(source ? { source } : {}),
        };
        const now = clock();
        const status: StoredStatus = { phase: 'Pending', phaseSince: iso(now)!, observedGeneration: 0, conditions: [], node: null, appliedPlan: plan.name };
        const row: ServersTable = {
          id,
          tenant_id: p.tenantId,
          name: body.name,
          generation: 1,
          spec: JSON.stringify(spec),
          status: JSON.stringify(status),
          labels: JSON.stringify(labels),
          deletion_requested_at: null,
          created_at: now,
          updated_at: now,
        };
        await trx.insertInto('servers').values(row).execute();
        const operation = await recordChange(trx, d, { principal: p, tenantId: p.tenantId, kind: 'server.create', target: { type: 'server', id }, generation: 1, requestId, detail: { name: body.name, plan: plan.name, image: image.name, ...(source ? { source } : {}) } });
        // Each vSwitch the server joins learns its name and reservation.
        for (const nic of nics) if (nic.private) await queue.enqueue(trx, 'network', nic.network);
        return { server: toServer(row), operation };
      });
      d.notify();
      return result;
    },

    /**
     * Servers of the caller's tenant; operators may ask for every tenant's (`tenant: 'all'`) or
     * one tenant's by id. Anyone else naming a tenant other than their own is refused.
     */
    async list(p: Principal, q: LabelledListQuery & { tenant?: string; node?: string; status?: string }): Promise<Page<Server>> {
      const tenant = q.tenant ?? p.tenantId;
      if (tenant !== p.tenantId) requireRole(p, 'operator', "list other tenants' servers");
      let query = db.selectFrom('servers').selectAll();
      if (tenant !== 'all') query = query.where('tenant_id', '=', tenant);
      // The node and the phase are in the status JSON: every server on one host (the operators'
      // host view), or in the phases asked for (the dashboard's status filter).
      const phases = q.status === undefined ? null : new Set(q.status.split(','));
      const keep =
        q.node === undefined && phases === null
          ? undefined
          : (row: ServersTable) => {
              const { status } = readRow(row);
              return (q.node === undefined || status.node === q.node) && (phases === null || phases.has(status.phase));
            };
      return paginate(query, 'id', q, toServer, { sort: { name: 'name' }, labels: true, ...(keep ? { keep } : {}) });
    },

    /** One server of the caller's tenant, by id or name. */
    async get(p: Principal, idOrName: string): Promise<Server> {
      return toServer(await findRow(db, p, idOrName));
    },

    /**
     * Renames a server and/or replaces its labels. Labels are metadata (no new generation). A new
     * name is unique in the tenant, as at create; a hostname that was the name follows it, which
     * is a spec change the reconciler carries into the guest and every vSwitch's DNS.
     */
    async update(p: Principal, idOrName: string, body: UpdateServer, requestId: string): Promise<Server> {
      if (body.labels) assertValidLabels(body.labels);
      const server = await db.transaction().execute(async (trx) => {
        const row = await findRow(trx, p, idOrName);
        const now = clock();
        if (body.name !== undefined && body.name !== row.name) await rename(trx, p, row, body.name, requestId);
        if (body.labels) {
          await trx.updateTable('servers').set({ labels: JSON.stringify(body.labels), updated_at: now }).where('id', '=', row.id).execute();
          // Firewalls applied by label, and rules whose peers are a label selector, follow the labels.
          await queue.enqueue(trx, 'firewall', 'host');
          await d.audit.record(trx, actorOf(p, requestId), { action: 'server.update', targetType: 'server', targetId: row.id, detail: { labels: body.labels } });
        }
        return toServer(await trx.selectFrom('servers').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow());
      });
      d.notify();
      return server;
    },

    /** Start, stop, shutdown, power off or reboot: a spec change the reconciler carries out. */
    async action(p: Principal, idOrName: string, action: ServerAction, requestId: string): Promise<Operation> {
      const op = await db.transaction().execute(async (trx) => {
        const row = await findRow(trx, p, idOrName);
        // A suspended tenant's servers stay stopped until its credit is topped up.
        if (action !== 'stop') await d.quotas.assertActive(trx, row.tenant_id);
        return changeSpec(trx, p, row, `server.${action}`, (spec) => {
          if (action === 'start') spec.powerState = 'running';
          if (action === 'stop' || action === 'shutdown' || action === 'poweroff') {
            spec.powerState = 'stopped';
            spec.stopMode = action;
          }
          if (action === 'reboot') {
            spec.powerState = 'running';
            spec.rebootCount += 1;
          }
        }, requestId, 'queued');
      });
      d.notify();
      return op;
    },

    /** Asks for deletion; the row goes once the engine confirms nothing is left. */
    async delete(p: Principal, idOrName: string, requestId: string): Promise<Operation> {
      const op = await db.transaction().execute(async (trx) => {
        const row = await findRow(trx, p, idOrName);
        if (readRow(row).spec.protection?.delete) throw new DomainError('SERVER_PROTECTED', { id: row.id, action: { en: 'deleted', de: 'gelöscht' } });
        const existing = await trx.selectFrom('operations').selectAll().where('target_id', '=', row.id).where('kind', '=', 'server.delete').where('state', 'in', ['pending', 'running']).executeTakeFirst();
        if (existing) return toOperation(existing);
        const op = await changeSpec(trx, p, row, 'server.delete', () => {}, requestId, 'queued');
        // Shown as Deleting from the moment it is asked for, not from the reconciler's first pass.
        const { status } = readRow(row);
        setPhase(status, 'Deleting', clock());
        await trx.updateTable('servers').set({ deletion_requested_at: clock(), status: JSON.stringify(status) }).where('id', '=', row.id).execute();
        return op;
      });
      d.notify();
      return op;
    },

    /** Row access for the actions in server-actions.ts, which share this tenant scoping and spec writing. */
    rows: { find: findRow, changeSpec },
  };
}

/** The servers service. */
export type Servers = ReturnType<typeof createServers>;
