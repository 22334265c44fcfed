/**
 * Firewalls: a tenant's named rule sets and the targets they are applied to. A change is
 * written in one transaction with its audit line and a queue entry for the host's firewall
 * reconciler, which compiles every firewall into the host's nftables ruleset.
 */
import type { CreateFirewall, Firewall, FirewallRule, FirewallTarget, ListQuery, Page, UpdateFirewall } from '@kumulus/api';
import type { Kysely } from 'kysely';
import { type Clock, iso } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import { assertValidLabels } from '../../lib/labels.ts';
import { paginate } from '../../lib/paging.ts';
import type { Queue } from '../../reconcile/queue.ts';
import type { Database, FirewallsTable } from '../../store/schema.ts';
import { actorOf, type Audit } from '../audit/service.ts';
import type { Principal } from '../identity/principal.ts';
import { checkRules, checkTargets, sameTarget } from './rule-check.ts';

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  audit: Audit;
  queue: Queue;
  notify: () => void;
}

/** The queue entry of the host's firewall reconciler: one ruleset per host, compiled as a whole. */
export const FIREWALL_QUEUE = { kind: 'firewall', id: 'host' } as const;

/** The rules as stored in a firewalls row. */
export interface StoredRules {
  inbound: FirewallRule[];
  outbound: FirewallRule[];
}

/** The API's view of a firewalls row. */
export function toFirewall(row: FirewallsTable): Firewall {
  const rules: StoredRules = JSON.parse(row.rules);
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    inbound: rules.inbound,
    outbound: rules.outbound,
    appliedTo: JSON.parse(row.applied_to),
    labels: JSON.parse(row.labels || '{}'),
    generation: row.generation,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}

/** Creates the firewalls service. */
export function createFirewalls(d: Deps) {
  const { db, clock, ids, audit, queue } = d;

  async function findRow(trx: Kysely<Database>, p: Principal, idOrName: string): Promise<FirewallsTable> {
    const row = await trx.selectFrom('firewalls').selectAll().where(idOrName.startsWith('fw_') ? 'id' : 'name', '=', idOrName).where('tenant_id', '=', p.tenantId).executeTakeFirst();
    if (!row) throw new DomainError('FIREWALL_NOT_FOUND', { id: idOrName });
    return row;
  }

  async function assertNameFree(trx: Kysely<Database>, p: Principal, name: string, except?: string) {
    const other = await trx.selectFrom('firewalls').select('id').where('tenant_id', '=', p.tenantId).where('name', '=', name).executeTakeFirst();
    if (other && other.id !== except) throw new DomainError('NAME_TAKEN', { kind: 'firewall', name }, [{ field: 'name', message: { en: 'a firewall of this name exists', de: 'eine Firewall dieses Namens existiert' } }]);
  }

  /** Writes the row, its audit line and the reconciler's queue entry; answers the firewall. */
  async function save(trx: Kysely<Database>, p: Principal, row: FirewallsTable, action: string, requestId: string, detail: Record<string, unknown> = {}): Promise<Firewall> {
    await trx.updateTable('firewalls').set(row).where('id', '=', row.id).execute();
    await audit.record(trx, actorOf(p, requestId), { action, targetType: 'firewall', targetId: row.id, detail });
    await queue.enqueue(trx, FIREWALL_QUEUE.kind, FIREWALL_QUEUE.id);
    return toFirewall(row);
  }

  type Mutation = { set: Partial<FirewallsTable>; detail?: Record<string, unknown> };
  async function change(p: Principal, idOrName: string, requestId: string, action: string, mutate: (trx: Kysely<Database>, row: FirewallsTable) => Promise<Mutation>): Promise<Firewall> {
    const fw = await db.transaction().execute(async (trx) => {
      const row = await findRow(trx, p, idOrName);
      const { set, detail } = await mutate(trx, row);
      return save(trx, p, { ...row, ...set, generation: row.generation + 1, updated_at: clock() }, action, requestId, detail);
    });
    d.notify();
    return fw;
  }

  return {
    /** Validates and stores a new firewall (with its first targets, if given). */
    async create(p: Principal, body: CreateFirewall, requestId: string): Promise<Firewall> {
      const labels = body.labels ?? {};
      assertValidLabels(labels);
      const fw = await db.transaction().execute(async (trx) => {
        await assertNameFree(trx, p, body.name);
        const rules: StoredRules = { inbound: await checkRules(trx, p.tenantId, body.inbound ?? [], 'inbound'), outbound: await checkRules(trx, p.tenantId, body.outbound ?? [], 'outbound') };
        const targets = dedupe(await checkTargets(trx, p.tenantId, body.applyTo ?? []));
        const now = clock();
        const row: FirewallsTable = { id: ids('fw'), tenant_id: p.tenantId, name: body.name, labels: JSON.stringify(labels), rules: JSON.stringify(rules), applied_to: JSON.stringify(targets), generation: 1, created_at: now, updated_at: now };
        await trx.insertInto('firewalls').values(row).execute();
        await audit.record(trx, actorOf(p, requestId), { action: 'firewall.create', targetType: 'firewall', targetId: row.id, detail: { name: body.name } });
        await queue.enqueue(trx, FIREWALL_QUEUE.kind, FIREWALL_QUEUE.id);
        return toFirewall(row);
      });
      d.notify();
      return fw;
    },

    /** The tenant's firewalls. */
    list(p: Principal, q: ListQuery): Promise<Page<Firewall>> {
      return paginate(db.selectFrom('firewalls').selectAll().where('tenant_id', '=', p.tenantId), 'id', q, toFirewall, { sort: { name: 'name' }, labels: true });
    },

    /** One firewall of the tenant, by id or name. */
    async get(p: Principal, idOrName: string): Promise<Firewall> {
      return toFirewall(await findRow(db, p, idOrName));
    },

    /** Renames a firewall, replaces its inbound or outbound rules, or replaces its labels. */
    update(p: Principal, idOrName: string, body: UpdateFirewall, requestId: string): Promise<Firewall> {
      if (body.labels) assertValidLabels(body.labels);
      return change(p, idOrName, requestId, 'firewall.update', async (trx, row) => {
        if (body.name !== undefined) await assertNameFree(trx, p, body.name, row.id);
        const old: StoredRules = JSON.parse(row.rules);
        const rules: StoredRules = {
          inbound: body.inbound ? await checkRules(trx, p.tenantId, body.inbound, 'inbound') : old.inbound,
          outbound: body.outbound ? await checkRules(trx, p.tenantId, body.outbound, 'outbound') : old.outbound,
        };
        return { set: { name: body.name ?? row.name, rules: JSON.stringify(rules), labels: body.labels ? JSON.stringify(body.labels) : row.labels } };
      });
    },

    /** Adds targets (those applied already stay where they are in the order). */
    applyTo(p: Principal, idOrName: string, targets: FirewallTarget[], requestId: string): Promise<Firewall> {
      return change(p, idOrName, requestId, 'firewall.apply', async (trx, row) => {
        const added = await checkTargets(trx, p.tenantId, targets);
        return { set: { applied_to: JSON.stringify(dedupe([...JSON.parse(row.applied_to), ...added])) }, detail: { applyTo: added } };
      });
    },

    /** Removes targets; one that was not applied is ignored. */
    removeFrom(p: Principal, idOrName: string, targets: FirewallTarget[], requestId: string): Promise<Firewall> {
      return change(p, idOrName, requestId, 'firewall.remove', async (trx, row) => {
        const removed = await checkTargets(trx, p.tenantId, targets);
        const kept = (JSON.parse(row.applied_to) as FirewallTarget[]).filter((t) => !removed.some((r) => sameTarget(r, t)));
        return { set: { applied_to: JSON.stringify(kept) }, detail: { removeFrom: removed } };
      });
    },

    /** Deletes a firewall that is applied to nothing. */
    async delete(p: Principal, idOrName: string, requestId: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const row = await findRow(trx, p, idOrName);
        // Targets naming a server that is gone hold nothing back.
        const live = new Set((await trx.selectFrom('servers').select('id').where('tenant_id', '=', p.tenantId).execute()).map((r) => r.id));
        const targets = (JSON.parse(row.applied_to) as FirewallTarget[]).filter((t) => t.type === 'label_selector' || live.has(t.server));
        if (targets.length) throw new DomainError('FIREWALL_IN_USE', { id: row.id, count: targets.length });
        await trx.deleteFrom('firewalls').where('id', '=', row.id).execute();
        await audit.record(trx, actorOf(p, requestId), { action: 'firewall.delete', targetType: 'firewall', targetId: row.id, detail: { name: row.name } });
        await queue.enqueue(trx, FIREWALL_QUEUE.kind, FIREWALL_QUEUE.id);
      });
      d.notify();
    },
  };
}

function dedupe(targets: FirewallTarget[]): FirewallTarget[] {
  return targets.filter((t, i) => targets.findIndex((u) => sameTarget(t, u)) === i);
}

/** The firewalls service. */
export type Firewalls = ReturnType<typeof createFirewalls>;
