import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import type { Reconciler } from '../../reconcile/worker.ts';
import type { Database } from '../../store/schema.ts';
import { assertDeliverable } from './address-guard.ts';

/** How deliveries are retried. */
export interface DeliveryPolicy {
  /** Delay before the first retry; each further one doubles it. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Attempts before a delivery is given up (failed) and the next one goes. */
  maxAttempts: number;
  /** How long one POST may take. */
  timeoutMs: number;
}

/** The default policy: 5 s, 10 s, 20 s … up to an hour, 12 attempts (about 6 hours in all). */
export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = { baseDelayMs: 5000, maxDelayMs: 3_600_000, maxAttempts: 12, timeoutMs: 10_000 };

/** The signature header's value: HMAC-SHA256 over `<timestamp>.<body>`, so a replayed body with a new time fails. */
export function signDelivery(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * The delivery reconciler, keyed by webhook id: sends the oldest pending delivery, and only then
 * the next, so a receiver sees each webhook's events in order. A failure waits with exponential
 * backoff; the rows and the queue entry are in the store, so a killed process loses nothing.
 */
export function createDeliveryReconciler(d: { db: Kysely<Database>; clock: Clock; allowPrivateUrls: boolean; policy: DeliveryPolicy; fetch?: typeof fetch }): Reconciler {
  const { db, clock, policy } = d;
  const post = d.fetch ?? fetch;
  return async (webhookId) => {
    const hook = await db.selectFrom('webhooks').selectAll().where('id', '=', webhookId).executeTakeFirst();
    if (!hook) return { againMs: null };
    const next = await db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId).where('state', '=', 'pending').orderBy('seq').limit(1).executeTakeFirst();
    if (!next) return { againMs: null };
    const timestamp = String(Math.floor(clock() / 1000));
    let status: number | null = null;
    let error: string | null = null;
    try {
      await assertDeliverable(hook.url, d.allowPrivateUrls);
      const res = await post(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Kumulus-Webhook/1',
          'x-kumulus-event': next.event,
          'x-kumulus-delivery': next.id,
          'x-kumulus-timestamp': timestamp,
          'x-kumulus-signature': signDelivery(hook.secret, timestamp, next.payload),
        },
        body: next.payload,
        redirect: 'manual', // a redirect could lead past the address guard
        signal: AbortSignal.timeout(policy.timeoutMs),
      });
      status = res.status;
      await res.body?.cancel();
      if (status < 200 || status > 299) error = `HTTP ${status}`;
    } catch (e) {
      error = e instanceof Error ? (e.cause instanceof Error ? `${e.message}: ${e.cause.message}` : e.message) : String(e);
    }
    const attempts = next.attempts + 1;
    const giveUp = error !== null && attempts >= policy.maxAttempts;
    await db
      .updateTable('webhook_deliveries')
      .set({ attempts, last_status: status, last_error: error, ...(error === null ? { state: 'delivered', finished_at: clock() } : giveUp ? { state: 'failed', finished_at: clock() } : {}) })
      .where('id', '=', next.id)
      .execute();
    if (error === null || giveUp) return { againMs: 0 }; // the next one, if any, goes now
    return { againMs: Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempts - 1)) };
  };
}
