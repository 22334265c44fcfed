/**
 * The monitor reconciler: one pass is one check. It resolves the target (a server reference to the
 * server's address now), runs the check, stores the result and moves the state; an alert goes out
 * only on a transition (down after `retries` tolerated failures, up again), so one outage is one
 * message and one recovery. Certificate warnings go out once per threshold (21, 14, 7 days).
 */
import type { Kysely } from 'kysely';
import { type Clock, iso } from '../../lib/clock.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import type { ReconcileResult } from '../../reconcile/worker.ts';
import type { MonitorsTable } from '../../store/schema-monitors.ts';
import type { Database } from '../../store/schema.ts';
import { type AlertKind, alertMail, duration } from './alert-texts.ts';
import { checkHttp } from './checks/http.ts';
import { checkPing } from './checks/ping.ts';
import { checkTcp } from './checks/tcp.ts';
import { checkTls } from './checks/tls.ts';
import type { CheckResult } from './checks/types.ts';
import type { MonitorSettings } from './monitors.ts';

/** Days before a certificate's end at which a warning goes out, largest first. */
export const CERT_WARN_DAYS = [21, 14, 7];
/** Results older than this are dropped: the longest uptime shown is 30 days. */
const KEEP_MS = 31 * 86_400_000;
const DAY_MS = 86_400_000;

/** What the reconciler needs. */
export interface MonitorReconcilerDeps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  /** Records a webhook event in the transaction (webhooks.emit). */
  emit: (trx: Kysely<Database>, tenantId: string, event: AlertKind, data: Record<string, unknown>) => Promise<void>;
  /** Queues a mail in the outbox in the transaction; null when no SMTP server is configured. */
  mail: ((trx: Kysely<Database>, tenantId: string, kind: AlertKind, to: string[], text: { subject: string; body: string }) => Promise<void>) | null;
}

/** Where a check goes: the literal target, or the referenced server's first address now. */
async function resolveTarget(db: Kysely<Database>, row: MonitorsTable, s: MonitorSettings): Promise<{ host: string; url?: string } | { gone: string }> {
  if (!row.server_id) return s.url ? { host: new URL(s.url).hostname, url: s.url } : { host: s.host! };
  const server = await db.selectFrom('servers').select(['spec', 'deletion_requested_at']).where('id', '=', row.server_id).executeTakeFirst();
  const ip = server && !server.deletion_requested_at ? (JSON.parse(server.spec) as { nics?: { ipv4?: string }[] }).nics?.[0]?.ipv4?.split('/')[0] : undefined;
  if (!ip) return { gone: `the server ${row.server_id} no longer exists` };
  if (row.type !== 'http') return { host: ip };
  const scheme = s.scheme ?? 'http';
  return { host: ip, url: `${scheme}://${ip}${s.port ? `:${s.port}` : ''}${s.path ?? '/'}` };
}

/** Runs the check a monitor's type asks for. */
function runCheck(row: MonitorsTable, s: MonitorSettings, t: { host: string; url?: string }, now: number): Promise<CheckResult> {
  const timeoutMs = s.timeoutSeconds * 1000;
  const slow = (r: CheckResult): CheckResult => (r.ok && s.maxResponseMs !== undefined && r.ms !== null && r.ms > s.maxResponseMs ? { ...r, ok: false, message: `${r.message}, slower than ${s.maxResponseMs} ms` } : r);
  switch (row.type) {
    case 'http':
      return checkHttp({ url: t.url!, keyword: s.keyword, expectStatus: s.expectStatus, maxRedirects: s.maxRedirects ?? 5, maxResponseMs: s.maxResponseMs, ignoreTlsErrors: s.ignoreTlsErrors ?? false, timeoutMs });
    case 'tcp':
      return checkTcp(t.host, s.port!, timeoutMs).then(slow);
    case 'ping':
      return checkPing(t.host, timeoutMs).then(slow);
    case 'tls':
      return checkTls(t.host, s.port ?? 443, { timeoutMs, ignoreTlsErrors: s.ignoreTlsErrors ?? false, now });
  }
}

/** Creates the reconciler for queue kind `monitor`. */
export function createMonitorReconciler(d: MonitorReconcilerDeps) {
  const { db, clock } = d;
  return async (id: string): Promise<ReconcileResult> => {
    const row = await db.selectFrom('monitors').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || row.state === 'paused') return { againMs: null };
    const s = JSON.parse(row.settings) as MonitorSettings;
    const started = clock();
    const target = await resolveTarget(db, row, s);
    const result = 'gone' in target ? { ok: false, ms: null, message: target.gone } : await runCheck(row, s, target, started);
    const targetText = 'gone' in target ? row.server_id : (target.url ?? `${target.host}${s.port ? `:${s.port}` : ''}`);
    const now = clock();

    await db.transaction().execute(async (trx) => {
      // Changed or deleted while the check ran: the new settings get their own pass.
      const current = await trx.selectFrom('monitors').select(['settings', 'state']).where('id', '=', id).executeTakeFirst();
      if (!current || current.settings !== row.settings || current.state === 'paused') return;
      await trx.insertInto('monitor_results').values({ id: d.ids('mrs'), monitor_id: id, at: now, ok: result.ok ? 1 : 0, response_ms: result.ms, message: result.message }).execute();
      await trx.deleteFrom('monitor_results').where('monitor_id', '=', id).where('at', '<', now - KEEP_MS).execute();
      const failures = result.ok ? 0 : row.failures + 1;
      const state = result.ok ? 'up' : failures > s.retries ? 'down' : row.state === 'pending' ? 'pending' : row.state;
      const changed = state !== row.state;
      const params = { name: row.name, target: targetText ?? '', at: `${new Date(now).toISOString().slice(0, 19).replace('T', ' ')} UTC`, message: result.message };
      // One message per outage and one per recovery; the first verdict "up" of a new monitor is no news.
      if (changed && state === 'down') await alert(trx, row, s, 'monitor.down', params, { message: result.message, target: targetText });
      if (changed && state === 'up' && row.state === 'down') {
        await alert(trx, row, s, 'monitor.up', { ...params, downFor: duration(now - (row.state_since ?? now)) }, { message: result.message, target: targetText, downSince: iso(row.state_since) });
      }
      let warned = row.cert_warned_days;
      if (result.certExpiresAt) {
        const days = Math.floor((result.certExpiresAt - now) / DAY_MS);
        const threshold = [...CERT_WARN_DAYS].reverse().find((t) => days <= t);
        // A renewed certificate (past every threshold again) starts the warnings afresh.
        if (threshold === undefined) warned = null;
        else if (days >= 0 && (warned === null || threshold < warned)) {
          warned = threshold;
          const expiresAt = new Date(result.certExpiresAt).toISOString().slice(0, 10);
          await alert(trx, row, s, 'monitor.certificate_expiring', { ...params, days: String(days), expiresAt }, { target: targetText, daysLeft: days, expiresAt: iso(result.certExpiresAt), threshold });
        }
      }
      await trx
        .updateTable('monitors')
        .set({
          state,
          failures,
          last_checked_at: now,
          last_message: result.message,
          last_response_ms: result.ms,
          last_target: targetText,
          cert_expires_at: result.certExpiresAt ?? row.cert_expires_at,
          cert_warned_days: warned,
          ...(changed ? { state_since: now } : {}),
        })
        .where('id', '=', id)
        .execute();
    });
    // The next check is an interval after this one started, so a slow check does not drift the schedule.
    return { againMs: Math.max(0, s.intervalSeconds * 1000 - (clock() - started)) };
  };

  async function alert(trx: Kysely<Database>, row: MonitorsTable, s: MonitorSettings, kind: AlertKind, params: Record<string, string>, data: Record<string, unknown>) {
    await d.emit(trx, row.tenant_id, kind, { monitor: { id: row.id, name: row.name, type: row.type }, ...data });
    if (d.mail && s.emails?.length) await d.mail(trx, row.tenant_id, kind, s.emails, alertMail(kind, params));
  }
}
