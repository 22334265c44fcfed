import type { Kysely } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import type { Database, DunningStatesTable } from '../../store/schema.ts';
import type { Actor, Audit } from '../audit/service.ts';
import type { Principal } from '../identity/principal.ts';
import { formatEuro, parseEuro } from './money.ts';
import { type NoticeKind, noticeMail, type NoticeParams, noticeTime } from './notify/texts.ts';
import { queueMail } from './notify/mailer.ts';
import { paymentReference } from './payments/reference.ts';
import type { Billing } from './service.ts';

/** When dunning warns, suspends and deletes. */
export interface DunningConfig {
  /** Warn when the credit lasts less than each of these many seconds at the current burn rate. */
  warnAtSeconds: number[];
  /** How long a suspended tenant keeps its resources before they are deleted. */
  graceMs: number;
  /** How long before the deletion the final warning goes out. */
  finalWarningMs: number;
  /** How often every tenant is looked at. */
  everyMs: number;
}

/** 7 days and 1 day of credit left; 14 days of grace, the final warning 3 days before its end; a pass every 10 minutes. */
export const DEFAULT_DUNNING: DunningConfig = { warnAtSeconds: [7 * 86_400, 86_400], graceMs: 14 * 86_400_000, finalWarningMs: 3 * 86_400_000, everyMs: 600_000 };

/** What dunning does to a tenant's resources, through their services (desired state; reconcilers carry it out). */
export interface DunningActions {
  stopServer(tenantId: string, serverId: string): Promise<void>;
  startServer(tenantId: string, serverId: string): Promise<void>;
  deleteServer(tenantId: string, serverId: string): Promise<void>;
  deleteVolume(tenantId: string, volumeId: string): Promise<void>;
}

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  audit: Audit;
  billing: Pick<Billing, 'summary'>;
  config: DunningConfig;
  actions: DunningActions;
  enqueue: (trx: Kysely<Database>, kind: string, id: string, delayMs?: number) => Promise<void>;
  /** Whether e-mail goes out (an SMTP server is configured); in-app notices are written either way. */
  mail: boolean;
  log: (text: string) => void;
}


/** The tenant's dunning state changed after this pass read it; the pass stops without writing. */
class StaleState extends Error {
  constructor(tenantId: string) {
    super(`dunning state of ${tenantId} changed meanwhile`);
  }
}

/** The principal dunning acts as: an operator of the tenant it is about, with no user behind it. */
export const dunningPrincipal = (tenantId: string): Principal => ({ userId: 'system:dunning', tenantId, role: 'operator', email: 'dunning@kumulus.local', via: 'token', credentialId: 'dunning' });

const blank = (tenantId: string, now: number): DunningStatesTable => ({ tenant_id: tenantId, state: 'good', warned_seconds: null, suspended_at: null, final_warned_at: null, resume_servers: '[]', updated_at: now });

/**
 * Dunning: a reconciler per tenant that moves it between good, warned, suspended and closed.
 * Every transition is one transaction with its audit line, in-app notice and outbox mail; what it
 * does to resources (stop, start, delete) is derived again from the state on every pass, so a
 * process killed in between finishes the step on the next one and nothing is done twice.
 */
export function createDunning(d: Deps) {
  const { db, clock } = d;
  const warnAt = [...d.config.warnAtSeconds].sort((a, b) => a - b);

  // Rows made up for a tenant never looked at, not yet in the store.
  const unsaved = new WeakSet<DunningStatesTable>();

  async function load(trx: Kysely<Database>, tenantId: string): Promise<DunningStatesTable> {
    const row = await trx.selectFrom('dunning_states').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
    if (row) return row;
    const fresh = blank(tenantId, clock());
    unsaved.add(fresh);
    return fresh;
  }

  /**
   * Stores `after` only if the stored row is still `before`, the state the step decided on
   * (updated_at only grows, so it tells versions apart): a second pass over the same tenant, in
   * another process after a lost lease, would otherwise suspend or warn a second time.
   */
  async function save(trx: Kysely<Database>, before: DunningStatesTable, after: DunningStatesTable): Promise<void> {
    const written = unsaved.has(before)
      ? (await trx.insertInto('dunning_states').values(after).onConflict((oc) => oc.column('tenant_id').doNothing()).executeTakeFirst()).numInsertedOrUpdatedRows
      : (await trx.updateTable('dunning_states').set(after).where('tenant_id', '=', before.tenant_id).where('updated_at', '=', before.updated_at).executeTakeFirst()).numUpdatedRows;
    if (!written) throw new StaleState(before.tenant_id);
  }

  /** One transition: the new state, its audit line, the notice in the app and (if configured) by mail. */
  async function transition(row: DunningStatesTable, next: Partial<DunningStatesTable>, action: string, notice: NoticeKind | null, params: NoticeParams, detail: Record<string, unknown>): Promise<DunningStatesTable> {
    const now = clock();
    const after = { ...row, ...next, updated_at: Math.max(now, Number(row.updated_at) + 1) };
    await db.transaction().execute(async (trx) => {
      await save(trx, row, after);
      const actor: Actor = { tenantId: row.tenant_id, userId: null, requestId: `dunning:${now}` };
      await d.audit.record(trx, actor, { action: `dunning.${action}`, targetType: 'tenant', targetId: row.tenant_id, detail: { ...detail, from: row.state, to: after.state } });
      if (!notice) return;
      await trx.insertInto('notices').values({ id: d.ids('ntc'), tenant_id: row.tenant_id, kind: notice, params: JSON.stringify(params), created_at: now }).execute();
      if (!d.mail) return;
      const recipients = (await trx.selectFrom('users').select('email').where('tenant_id', '=', row.tenant_id).orderBy('email').execute()).map((u) => u.email);
      if (!recipients.length) return;
      await queueMail(trx, { ids: d.ids, clock: () => now, enqueue: d.enqueue }, { tenantId: row.tenant_id, kind: notice, recipients, ...noticeMail(notice, params) });
    });
    d.log(`kumulus: dunning ${row.tenant_id}: ${row.state} → ${after.state} (${action})`);
    return after;
  }

  /** The tenant's servers as their specs say (power state), and its volumes. */
  async function resources(tenantId: string) {
    const servers = (await db.selectFrom('servers').select(['id', 'spec', 'deletion_requested_at']).where('tenant_id', '=', tenantId).execute()).map((s) => ({
      id: s.id,
      running: (JSON.parse(s.spec) as { powerState: string }).powerState === 'running',
      deleting: s.deletion_requested_at !== null,
    }));
    const volumes = await db.selectFrom('volumes').select(['id', 'deletion_requested_at']).where('tenant_id', '=', tenantId).execute();
    return { servers, volumes };
  }

  /** Runs an action on a resource that may have gone meanwhile (deleted by its tenant): that one is skipped. */
  async function tolerant(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (err instanceof DomainError && ['SERVER_NOT_FOUND', 'VOLUME_NOT_FOUND', 'VOLUME_ATTACHED', 'SERVER_BUSY', 'VOLUME_BUSY'].includes(err.code)) return;
      d.log(`kumulus: dunning: ${what}: ${err instanceof Error ? err.message : err}`);
      throw err;
    }
  }

  /** One pass for one tenant. */
  async function step(tenantId: string): Promise<void> {
    const tenant = await db.selectFrom('tenants').select(['id', 'name']).where('id', '=', tenantId).executeTakeFirst();
    if (!tenant) return;
    const now = clock();
    const summary = await d.billing.summary(dunningPrincipal(tenantId), {});
    const balanceUc = parseEuro(summary.balance.amount) ?? 0;
    const burning = parseEuro(summary.burnRatePerHour.amount) !== 0;
    const left = summary.creditRunsOutAt ? Math.max(0, (Date.parse(summary.creditRunsOutAt) - now) / 1000) : null;
    let row = await load(db, tenantId);
    const params = (extra: NoticeParams = {}): NoticeParams => ({ tenant: tenant.name, balance: `${formatEuro(balanceUc).replace(/(\.\d\d)\d*$/, '$1')} EUR`, reference: paymentReference(tenantId), ...extra });
    const deletionAt = (r: DunningStatesTable) => (r.suspended_at ?? now) + d.config.graceMs;

    if ((row.state === 'suspended' || row.state === 'closed') && balanceUc > 0) {
      row = await transition(row, { state: 'good', warned_seconds: null, suspended_at: null, final_warned_at: null }, 'resume', 'resumed', params(), { balance: summary.balance.amount, servers: JSON.parse(row.resume_servers) });
    }
    if (row.state === 'good' || row.state === 'warned') {
      if (balanceUc <= 0 && burning) {
        const { servers } = await resources(tenantId);
        const running = servers.filter((s) => s.running && !s.deleting).map((s) => s.id);
        row = await transition(row, { state: 'suspended', suspended_at: now, final_warned_at: null, resume_servers: JSON.stringify(running) }, 'suspend', 'suspended', params({ deletionAt: noticeTime(now + d.config.graceMs) }), { balance: summary.balance.amount, servers: running });
      } else {
        // What a suspension stopped is started again once it is lifted, then forgotten.
        const resume = JSON.parse(row.resume_servers) as string[];
        for (const id of resume) await tolerant(`start ${id}`, () => d.actions.startServer(tenantId, id));
        if (resume.length) row = await transition(row, { resume_servers: '[]' }, 'restarted', null, {}, { servers: resume });
        const level = left === null ? undefined : warnAt.find((t) => left <= t);
        if (level !== undefined && (row.warned_seconds === null || level < row.warned_seconds)) {
          row = await transition(row, { state: 'warned', warned_seconds: level }, 'warn', 'credit-low', params({ runsOutAt: noticeTime(Date.parse(summary.creditRunsOutAt!)) }), { balance: summary.balance.amount, secondsLeft: Math.floor(left!), threshold: level });
        } else if (level === undefined && row.state === 'warned') {
          row = await transition(row, { state: 'good', warned_seconds: null }, 'clear', null, {}, { balance: summary.balance.amount });
        }
      }
    }
    if (row.state === 'suspended') {
      const { servers } = await resources(tenantId);
      // Stopped through their desired state; a pass after a crash stops what the last one did not reach.
      for (const s of servers) if (s.running && !s.deleting) await tolerant(`stop ${s.id}`, () => d.actions.stopServer(tenantId, s.id));
      if (now >= deletionAt(row)) {
        row = await transition(row, { state: 'closed', resume_servers: '[]' }, 'delete', 'deleted', params(), { balance: summary.balance.amount });
      } else if (now >= deletionAt(row) - d.config.finalWarningMs && row.final_warned_at === null) {
        row = await transition(row, { final_warned_at: now }, 'final-warning', 'final-warning', params({ deletionAt: noticeTime(deletionAt(row)) }), { deletionAt: deletionAt(row) });
      }
    }
    if (row.state === 'closed') {
      // Servers first: a volume attached to one is detached when the server is gone, and deleted on a later pass.
      const { servers, volumes } = await resources(tenantId);
      for (const s of servers) if (!s.deleting) await tolerant(`delete ${s.id}`, () => d.actions.deleteServer(tenantId, s.id));
      for (const v of volumes) if (v.deletion_requested_at === null) await tolerant(`delete ${v.id}`, () => d.actions.deleteVolume(tenantId, v.id));
    }
  }

  return {
    /**
     * The reconciler of queue kind `dunning`: id `sweep` puts every tenant on the queue and comes
     * back after `everyMs`; a tenant id runs that tenant's next step.
     */
    reconciler: async (id: string) => {
      if (id !== 'sweep') {
        try {
          await step(id);
        } catch (err) {
          // Another pass moved the tenant on meanwhile: look again at once, from what it stored.
          if (err instanceof StaleState) return { againMs: 0 };
          throw err;
        }
        // A closed tenant's volumes wait for their servers to go; its pass comes back soon for them.
        const row = await load(db, id);
        const pending = row.state === 'closed' && (await db.selectFrom('volumes').select('id').where('tenant_id', '=', id).executeTakeFirst());
        return { againMs: pending ? Math.min(d.config.everyMs, 10_000) : null };
      }
      const tenants = await db.selectFrom('tenants').select('id').execute();
      await db.transaction().execute(async (trx) => {
        for (const t of tenants) await d.enqueue(trx, 'dunning', t.id);
      });
      return { againMs: d.config.everyMs };
    },

    /** Throws TENANT_SUSPENDED while the tenant is suspended or closed for want of credit. */
    async assertMayCreate(trx: Kysely<Database>, tenantId: string): Promise<void> {
      const row = await trx.selectFrom('dunning_states').select('state').where('tenant_id', '=', tenantId).executeTakeFirst();
      if (row && (row.state === 'suspended' || row.state === 'closed')) throw new DomainError('TENANT_SUSPENDED', { reference: paymentReference(tenantId) });
    },

    /** A tenant's dunning row as it is stored (a tenant never looked at is good). */
    state: (tenantId: string) => load(db, tenantId),

    /** When a suspended tenant's resources are deleted. */
    deletionAt: (row: DunningStatesTable) => (row.suspended_at === null ? null : row.suspended_at + d.config.graceMs),
  };
}

/** The dunning service. */
export type Dunning = ReturnType<typeof createDunning>;
