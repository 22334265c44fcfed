import { randomBytes } from 'node:crypto';
import type { CreatedWebhook, CreateWebhook, ListQuery, Page, Webhook, WebhookDelivery, WebhookEvent } from '@kumulus/api';
import { type Kysely, sql } from 'kysely';
import { type Clock, iso } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import { paginate } from '../../lib/paging.ts';
import type { Queue } from '../../reconcile/queue.ts';
import type { Database, WebhookDeliveriesTable, WebhooksTable } from '../../store/schema.ts';
import { actorOf, type Audit } from '../audit/service.ts';
import { type Principal, requireRole } from '../identity/principal.ts';
import { refusedUrl } from './address-guard.ts';

/** The queue kind whose items are webhook ids: one item per webhook keeps its deliveries in order. */
export const WEBHOOK_KIND = 'webhook';

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  audit: Audit;
  queue: Queue;
  /** Allows loopback and private URLs (tests, a LAN-only setup); off by default against SSRF. */
  allowPrivateUrls: boolean;
  notify: () => void;
}

const toWebhook = (r: WebhooksTable): Webhook => ({ id: r.id, tenantId: r.tenant_id, allTenants: r.all_tenants === 1, url: r.url, events: JSON.parse(r.events), createdAt: iso(r.created_at)! });
const toDelivery = (r: WebhookDeliveriesTable): WebhookDelivery => ({
  id: r.id,
  seq: Number(r.seq),
  event: r.event as WebhookEvent,
  state: r.state,
  attempts: r.attempts,
  lastStatus: r.last_status,
  lastError: r.last_error,
  createdAt: iso(r.created_at)!,
  finishedAt: iso(r.finished_at),
});

/** Lifecycle webhooks: registrations, and the events recorded for them inside the change's transaction. */
export function createWebhooks(d: Deps) {
  const { db, clock } = d;

  async function find(trx: Kysely<Database>, p: Principal, id: string): Promise<WebhooksTable> {
    let q = trx.selectFrom('webhooks').selectAll().where('id', '=', id);
    if (p.role !== 'operator') q = q.where('tenant_id', '=', p.tenantId);
    const row = await q.executeTakeFirst();
    if (!row) throw new DomainError('WEBHOOK_NOT_FOUND', { id });
    return row;
  }

  return {
    /** Registers a URL for events; the signing secret is in this answer only. */
    async create(p: Principal, body: CreateWebhook, requestId: string): Promise<CreatedWebhook> {
      requireRole(p, 'admin', { en: 'register webhooks', de: 'Webhooks registrieren' });
      if (body.allTenants) requireRole(p, 'operator', { en: "receive every tenant's events", de: 'die Ereignisse aller Mandanten empfangen' });
      const reason = refusedUrl(body.url, d.allowPrivateUrls);
      if (reason) throw new DomainError('WEBHOOK_URL_REFUSED', { url: body.url, reason }, [{ field: 'url', message: reason }]);
      const secret = `whsec_${randomBytes(24).toString('base64url')}`;
      const row: WebhooksTable = { id: d.ids('whk'), tenant_id: p.tenantId, all_tenants: body.allTenants ? 1 : 0, url: body.url, events: JSON.stringify(body.events), secret, last_seq: 0, created_at: clock() };
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('webhooks').values(row).execute();
        await d.audit.record(trx, actorOf(p, requestId), { action: 'webhook.create', targetType: 'webhook', targetId: row.id, detail: { url: body.url, events: body.events.join(',') } });
      });
      return { webhook: toWebhook(row), secret };
    },

    /** The caller's tenant's webhooks (operators: every one). */
    list(p: Principal, q: ListQuery): Promise<Page<Webhook>> {
      let query = db.selectFrom('webhooks').selectAll();
      if (p.role !== 'operator') query = query.where('tenant_id', '=', p.tenantId);
      return paginate(query, 'id', q, toWebhook, { sort: { url: 'url' } });
    },

    /** Removes a webhook and its delivery log. */
    async delete(p: Principal, id: string, requestId: string): Promise<void> {
      requireRole(p, 'admin', { en: 'delete webhooks', de: 'Webhooks löschen' });
      await db.transaction().execute(async (trx) => {
        const row = await find(trx, p, id);
        await trx.deleteFrom('webhook_deliveries').where('webhook_id', '=', row.id).execute();
        await trx.deleteFrom('webhooks').where('id', '=', row.id).execute();
        await d.audit.record(trx, actorOf(p, requestId), { action: 'webhook.delete', targetType: 'webhook', targetId: row.id });
      });
    },

    /** The delivery log of one webhook, oldest first (the order they are sent in). */
    async deliveries(p: Principal, id: string, q: ListQuery): Promise<Page<WebhookDelivery>> {
      const row = await find(db, p, id);
      return paginate(db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', row.id), 'id', q, toDelivery, { sort: { state: 'state' } });
    },

    /**
     * Records an event for every webhook that wants it, in the caller's transaction: it is sent
     * only if the change commits, and a crash after the commit loses nothing.
     */
    async emit(trx: Kysely<Database>, tenantId: string, event: WebhookEvent, data: Record<string, unknown>): Promise<void> {
      const hooks = await trx.selectFrom('webhooks').selectAll().where((eb) => eb.or([eb('tenant_id', '=', tenantId), eb('all_tenants', '=', 1)])).execute();
      const at = clock();
      for (const h of hooks) {
        if (!(JSON.parse(h.events) as string[]).includes(event)) continue;
        const { last_seq: seq } = await trx.updateTable('webhooks').set({ last_seq: sql`last_seq + 1` }).where('id', '=', h.id).returning('last_seq').executeTakeFirstOrThrow();
        const id = d.ids('whd');
        const payload = JSON.stringify({ id, event, createdAt: iso(at), tenantId, data });
        await trx.insertInto('webhook_deliveries').values({ id, webhook_id: h.id, seq: Number(seq), event, payload, state: 'pending', attempts: 0, last_status: null, last_error: null, created_at: at, finished_at: null }).execute();
        await d.queue.enqueue(trx, WEBHOOK_KIND, h.id);
      }
    },
  };
}

/** The webhooks service. */
export type Webhooks = ReturnType<typeof createWebhooks>;
