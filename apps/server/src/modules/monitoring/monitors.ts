/**
 * Uptime monitors as resources: made, changed, listed and deleted by tenants (their own) and operators
 * (every tenant's); each is a work-queue item that the monitor reconciler checks on its interval.
 */
import type { CreateMonitor, ListQuery, Monitor, MonitorResult, Page, UpdateMonitor } from '@kumulus/api';
import type { Kysely } from 'kysely';
import { type Clock, iso } from '../../lib/clock.ts';
import { DomainError, type Localized } from '../../lib/errors.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import { paginate } from '../../lib/paging.ts';
import type { Queue } from '../../reconcile/queue.ts';
import type { MonitorsTable } from '../../store/schema-monitors.ts';
import type { Database } from '../../store/schema.ts';
import { actorOf, type Audit } from '../audit/service.ts';
import { type Principal, requireRole } from '../identity/principal.ts';
import { isSpecialAddress } from '../webhooks/address-guard.ts';

/** The queue kind whose items are monitor ids. */
export const MONITOR_KIND = 'monitor';

/** A monitor's settings with the defaults filled in. */
export type MonitorSettings = Monitor['settings'] & { intervalSeconds: number; timeoutSeconds: number; retries: number };

const DAY_MS = 86_400_000;

/** The settings of a new monitor, checked for its type; throws MONITOR_TARGET_INVALID naming what is wrong. */
export function settingsFor(type: Monitor['type'], body: Omit<CreateMonitor, 'name' | 'type'>): MonitorSettings {
  const s = { intervalSeconds: 60, timeoutSeconds: 10, retries: 0, ...body };
  const bad = (field: string, reason: Localized) => new DomainError('MONITOR_TARGET_INVALID', { type, reason }, [{ field, message: reason }]);
  const only = (allowed: string[]) => {
    for (const f of ['url', 'host', 'server', 'scheme', 'port', 'path', 'keyword', 'expectStatus', 'maxRedirects', 'ignoreTlsErrors'] as const) {
      if (s[f] !== undefined && !allowed.includes(f)) throw bad(f, { en: `${f} does not apply to ${type} monitors`, de: `${f} gilt nicht für ${type}-Monitore` });
    }
  };
  if (type === 'http') {
    only(['url', 'server', 'scheme', 'port', 'path', 'keyword', 'expectStatus', 'maxRedirects', 'ignoreTlsErrors']);
    if ((s.url === undefined) === (s.server === undefined)) throw bad('url', { en: 'give either url or server', de: 'geben Sie entweder url oder server an' });
    if (s.url !== undefined && (s.scheme || s.port || s.path)) throw bad('url', { en: 'scheme, port and path go with server; a url holds them itself', de: 'scheme, port und path gehören zu server; eine url enthält sie selbst' });
  } else {
    only(type === 'ping' ? ['host', 'server'] : type === 'tls' ? ['host', 'server', 'port', 'ignoreTlsErrors'] : ['host', 'server', 'port']);
    if ((s.host === undefined) === (s.server === undefined)) throw bad('host', { en: 'give either host or server', de: 'geben Sie entweder host oder server an' });
    if (type === 'tcp' && s.port === undefined) throw bad('port', { en: 'a TCP monitor needs a port', de: 'ein TCP-Monitor braucht einen Port' });
  }
  if (s.timeoutSeconds >= s.intervalSeconds) throw bad('timeoutSeconds', { en: 'the timeout must be shorter than the interval', de: 'das Zeitlimit muss kürzer als das Intervall sein' });
  return s;
}

/** The host a literal target names (url or host); null for a server reference. */
export function literalHost(s: MonitorSettings): string | null {
  if (s.url) return new URL(s.url).hostname.replace(/^\[|\]$/g, '');
  return s.host ?? null;
}

/** The monitors service. */
export function createMonitors(d: {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  audit: Audit;
  queue: Queue;
  /** Lets tenants' monitors check loopback and private addresses (operators' always may). */
  allowPrivateTargets: boolean;
  /** A server's id from its id or name, in the caller's tenant (operators: any); throws SERVER_NOT_FOUND. */
  findServer: (p: Principal, idOrName: string) => Promise<string>;
  notify: () => void;
}) {
  const { db, clock } = d;

  async function find(p: Principal, id: string): Promise<MonitorsTable> {
    let q = db.selectFrom('monitors').selectAll().where('id', '=', id);
    if (p.role !== 'operator') q = q.where('tenant_id', '=', p.tenantId);
    const row = await q.executeTakeFirst();
    if (!row) throw new DomainError('MONITOR_NOT_FOUND', { id });
    return row;
  }

  /** Percentages of good checks since each moment, per monitor, in one query each. */
  async function uptimes(ids: string[]): Promise<Map<string, { day: number | null; month: number | null }>> {
    const out = new Map(ids.map((id) => [id, { day: null as number | null, month: null as number | null }]));
    if (!ids.length) return out;
    const now = clock();
    for (const [key, from] of [['day', now - DAY_MS], ['month', now - 30 * DAY_MS]] as const) {
      const rows = await db
        .selectFrom('monitor_results')
        .select(['monitor_id', (eb) => eb.fn.countAll<number | string>().as('n'), (eb) => eb.fn.sum<number | string>('ok').as('good')])
        .where('monitor_id', 'in', ids)
        .where('at', '>=', from)
        .groupBy('monitor_id')
        .execute();
      for (const r of rows) out.get(r.monitor_id)![key] = Math.round((Number(r.good) / Number(r.n)) * 100_000) / 1000;
    }
    return out;
  }

  const toMonitor = (r: MonitorsTable, up: { day: number | null; month: number | null }): Monitor => ({
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    type: r.type,
    settings: JSON.parse(r.settings),
    status: {
      state: r.state,
      since: iso(r.state_since),
      lastCheckedAt: iso(r.last_checked_at),
      lastMessage: r.last_message,
      lastResponseMs: r.last_response_ms,
      failuresInRow: r.failures,
      target: r.last_target,
      certificateExpiresAt: iso(r.cert_expires_at),
      uptime24h: up.day,
      uptime30d: up.month,
    },
    createdAt: iso(r.created_at)!,
  });
  const one = async (r: MonitorsTable) => toMonitor(r, (await uptimes([r.id])).get(r.id)!);

  return {
    /** Makes a monitor; its first check runs at once. */
    async create(p: Principal, body: CreateMonitor, requestId: string): Promise<Monitor> {
      requireRole(p, 'admin', { en: 'create monitors', de: 'Monitore anlegen' });
      const { name, type, ...rest } = body;
      const settings = settingsFor(type, rest);
      const host = literalHost(settings);
      if (host && p.role !== 'operator' && !d.allowPrivateTargets && (host === 'localhost' || host.endsWith('.localhost') || isSpecialAddress(host))) {
        throw new DomainError('MONITOR_TARGET_REFUSED', { target: host }, [{ field: settings.url ? 'url' : 'host', message: { en: 'a loopback or private address', de: 'eine Loopback- oder private Adresse' } }]);
      }
      const serverId = settings.server ? await d.findServer(p, settings.server) : null;
      if (serverId) settings.server = serverId;
      const now = clock();
      const row: MonitorsTable = {
        id: d.ids('mon'),
        tenant_id: p.tenantId,
        name,
        type,
        settings: JSON.stringify(settings),
        server_id: serverId,
        state: settings.paused ? 'paused' : 'pending',
        state_since: now,
        failures: 0,
        last_checked_at: null,
        last_message: null,
        last_response_ms: null,
        last_target: null,
        cert_expires_at: null,
        cert_warned_days: null,
        created_at: now,
      };
      await db.transaction().execute(async (trx) => {
        if (await trx.selectFrom('monitors').select('id').where('tenant_id', '=', p.tenantId).where('name', '=', name).executeTakeFirst()) {
          throw new DomainError('NAME_TAKEN', { kind: 'monitor', name }, [{ field: 'name', message: { en: 'a monitor of this name exists', de: 'ein Monitor dieses Namens existiert' } }]);
        }
        await trx.insertInto('monitors').values(row).execute();
        if (!settings.paused) await d.queue.enqueue(trx, MONITOR_KIND, row.id);
        await d.audit.record(trx, actorOf(p, requestId), { action: 'monitor.create', targetType: 'monitor', targetId: row.id, detail: { name, type } });
      });
      d.notify();
      return one(row);
    },

    /** The caller's tenant's monitors (operators: every one), with uptime. */
    async list(p: Principal, q: ListQuery): Promise<Page<Monitor>> {
      let query = db.selectFrom('monitors').selectAll();
      if (p.role !== 'operator') query = query.where('tenant_id', '=', p.tenantId);
      const page = await paginate(query, 'id', q, (r) => r);
      const up = await uptimes(page.items.map((r) => r.id));
      return { items: page.items.map((r) => toMonitor(r, up.get(r.id)!)), nextCursor: page.nextCursor };
    },

    /** One monitor with its state and uptime. */
    async get(p: Principal, id: string): Promise<Monitor> {
      return one(await find(p, id));
    },

    /** Changes settings, pauses or resumes; a resumed or re-timed monitor checks again at once. */
    async update(p: Principal, id: string, body: UpdateMonitor, requestId: string): Promise<Monitor> {
      requireRole(p, 'admin', { en: 'change monitors', de: 'Monitore ändern' });
      const row = await find(p, id);
      const { name, ...changes } = body;
      const old = JSON.parse(row.settings) as MonitorSettings;
      const merged = { ...old, ...changes };
      const settings = settingsFor(row.type, Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined)));
      const now = clock();
      const state = settings.paused ? 'paused' : row.state === 'paused' ? 'pending' : row.state;
      await db.transaction().execute(async (trx) => {
        if (name && name !== row.name && (await trx.selectFrom('monitors').select('id').where('tenant_id', '=', row.tenant_id).where('name', '=', name).executeTakeFirst())) {
          throw new DomainError('NAME_TAKEN', { kind: 'monitor', name }, [{ field: 'name', message: { en: 'a monitor of this name exists', de: 'ein Monitor dieses Namens existiert' } }]);
        }
        await trx
          .updateTable('monitors')
          .set({ name: name ?? row.name, settings: JSON.stringify(settings), state, ...(state !== row.state ? { state_since: now, failures: 0 } : {}) })
          .where('id', '=', id)
          .execute();
        if (state !== 'paused') await d.queue.enqueue(trx, MONITOR_KIND, id);
        await d.audit.record(trx, actorOf(p, requestId), { action: 'monitor.update', targetType: 'monitor', targetId: id, detail: { state } });
      });
      d.notify();
      return one(await find(p, id));
    },

    /** Removes a monitor and its history. */
    async delete(p: Principal, id: string, requestId: string): Promise<void> {
      requireRole(p, 'admin', { en: 'delete monitors', de: 'Monitore löschen' });
      const row = await find(p, id);
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('monitor_results').where('monitor_id', '=', row.id).execute();
        await trx.deleteFrom('monitors').where('id', '=', row.id).execute();
        await trx.deleteFrom('reconcile_queue').where('kind', '=', MONITOR_KIND).where('id', '=', row.id).execute();
        await d.audit.record(trx, actorOf(p, requestId), { action: 'monitor.delete', targetType: 'monitor', targetId: row.id });
      });
    },

    /** The check results of one monitor (newest first with order=desc). */
    async results(p: Principal, id: string, q: ListQuery): Promise<Page<MonitorResult>> {
      const row = await find(p, id);
      return paginate(db.selectFrom('monitor_results').selectAll().where('monitor_id', '=', row.id), 'id', q, (r) => ({ id: r.id, at: iso(r.at)!, ok: r.ok === 1, responseMs: r.response_ms, message: r.message }));
    },

    /** After a restart: every active monitor without a queue row gets one, spread over its interval (jitter). */
    async adopt(): Promise<void> {
      const rows = await db.selectFrom('monitors').select(['id', 'settings']).where('state', '!=', 'paused').execute();
      const queued = new Set((await db.selectFrom('reconcile_queue').select('id').where('kind', '=', MONITOR_KIND).execute()).map((r) => r.id));
      for (const r of rows) {
        if (queued.has(r.id)) continue;
        const { intervalSeconds } = JSON.parse(r.settings) as MonitorSettings;
        await d.queue.enqueue(db, MONITOR_KIND, r.id, Math.floor(Math.random() * intervalSeconds * 1000));
      }
    },
  };
}

/** The monitors service. */
export type Monitors = ReturnType<typeof createMonitors>;
