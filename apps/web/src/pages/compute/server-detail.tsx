/**
 * One server: phase (and since when) and conditions, addresses, plan, its operations with
 * live progress, the power actions and the typed-confirmation delete.
 */
import type { Operation, Plan, Server, ServerAction } from '@kumulus/api/schemas';
import { useState } from 'react';
import { useSession } from '../../lib/session.tsx';
import { ConfirmDeleteDialog } from '../../components/confirm-delete-dialog.tsx';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { Loading } from '../../components/loading.tsx';
import { OperationState } from '../../components/operation-state.tsx';
import { isBusyPhase, PhaseBadge } from '../../components/phase-badge.tsx';
import { ServerAddresses } from '../../components/server-addresses.tsx';
import { phaseSince, ServerConditions } from '../../components/server-conditions.tsx';
import { ServerLife } from '../../components/server-life.tsx';
import { ServerOperations } from '../../components/server-operations.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { kindLabel } from '../../i18n/labels.ts';
import { ApiError, api } from '../../lib/api.ts';
import { isMarkedDeleting, markDeleting } from '../../lib/deleting.ts';
import { Link } from 'wouter';
import { navigate } from 'wouter/use-browser-location';
import { usePoll } from '../../lib/use-poll.ts';
import { ServerNicsSection } from '../network/server-nics.tsx';
import { ServerTrafficSection } from '../network/server-traffic.tsx';
import { ServerSnapshots } from '../storage/server-snapshots.tsx';
import { ServerVolumes } from '../storage/server-volumes.tsx';

const isActive = (op: Operation) => op.state === 'pending' || op.state === 'running';

/** An authorized key as people know it: its comment and type, not the long base64 between them. */
function keyLabel(line: string): string {
  const [type = '', data = '', ...comment] = line.split(' ');
  return `${comment.join(' ') || `${data.slice(0, 12)}…`} (${type})`;
}

/** Which power actions make sense in a phase (the API would refuse the others anyway). */
function allowed(server: Server): Record<ServerAction, boolean> {
  const p = server.status.phase;
  return { start: p === 'Stopped' || p === 'Failed', stop: p === 'Running', reboot: p === 'Running', shutdown: p === 'Running', poweroff: p === 'Running' };
}

function PlanSummary({ plan }: { plan: Plan }) {
  const i18n = useI18n();
  return (
    <>
      <strong>{plan.name}</strong> —{' '}
      {i18n.t('create.planSpec', { vcpus: plan.vcpus, memory: i18n.megabytes(plan.memoryMb), disk: i18n.megabytes(plan.diskGb * 1024) })}
      <br />
      <span className="small">
        {i18n.t('create.perHour', { price: i18n.money(plan.priceHourly) })} ·{' '}
        {i18n.t('create.perMonth', { price: i18n.money(plan.priceMonthly) })}
      </span>
    </>
  );
}

/** The server detail page. */
export function ServerDetailPage({ id }: { id: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [actionError, setActionError] = useState<unknown>();
  // What was just asked for, shown until its operation ends.
  const [sent, setSent] = useState<{ opId: string; text: string } | null>(null);
  const [pending, setPending] = useState<ServerAction | 'delete' | null>(null);
  const [confirming, setConfirming] = useState(false);
  const { me } = useSession();
  const mayShell = me?.user.role === 'admin' || me?.user.role === 'operator';
  const state = usePoll(
    ['server', id, 'with-operations'],
    async (signal) => {
      const server = await api.request<Server>('GET', `/servers/${encodeURIComponent(id)}`, undefined, undefined, { signal });
      // The route may name the server; operations are filed under its id.
      const ops = await api.listOperations({ target: server.id, limit: 50, order: 'desc' });
      return { server, ops: ops.items };
    },
    (d) => (!d || isBusyPhase(d.server.status.phase) || d.ops.some(isActive) ? 1500 : 5000),
  );
  const plans = usePoll(['plans'], () => api.all((q) => api.listPlans(q)), 0);

  if (state.error instanceof ApiError && state.error.status === 404) {
    return (
      <section>
        <h1>{t('app.notFound')}</h1>
        <ErrorNotice error={state.error} />
        <Link href="/servers">{t('detail.back')}</Link>
      </section>
    );
  }
  if (!state.data) return state.error ? <ErrorNotice error={state.error} onRetry={state.reload} /> : <Loading />;
  const { server, ops } = state.data;
  const can = allowed(server);
  const plan = plans.data?.find((p) => p.name === server.spec.plan);
  const running = ops.filter(isActive);
  const deleting = server.status.phase === 'Deleting' || isMarkedDeleting(server.id);
  const sentOp = sent && ops.find((o) => o.id === sent.opId);
  // "Stop requested." lasts as long as the stop: once its operation ended, the phase says the rest.
  const notice = sent && (!sentOp || isActive(sentOp)) ? sent.text : '';
  const since = phaseSince(server);

  const act = async (action: ServerAction) => {
    setPending(action);
    setActionError(undefined);
    try {
      const op = await api.serverAction(server.id, action, { idempotencyKey: crypto.randomUUID() });
      setSent({ opId: op.id, text: t('detail.actionSent', { action: t(`detail.${action}`) }) });
      state.reload();
    } catch (err) {
      setActionError(err);
    } finally {
      setPending(null);
    }
  };
  const remove = async () => {
    setPending('delete');
    try {
      await api.deleteServer(server.id);
      markDeleting(server.id);
      navigate('/servers');
    } catch (err) {
      setActionError(err);
      setConfirming(false);
      setPending(null);
    }
  };

  return (
    <section aria-labelledby="server-title">
      <p>
        <Link href="/servers">← {t('detail.back')}</Link>
      </p>
      <div className="page-head">
        <h1 id="server-title">{server.name}</h1>
        <span data-testid="server-phase" aria-live="polite" className="phase-since">
          <PhaseBadge phase={server.status.phase} />
          {since && (
            <time className="small muted" dateTime={since} title={i18n.relative(since)} data-testid="phase-since">
              {t('detail.since', { time: i18n.dateTime(since) })}
            </time>
          )}
        </span>
      </div>
      <fieldset className="toolbar wrap bare">
        <legend className="sr-only">{t('detail.actions')}</legend>
        {(['start', 'stop', 'reboot'] as const).map((a) => {
          // aria-disabled, not disabled: a disabled button drops keyboard focus to the page body
          // the moment it is pressed (and again when the phase changes); this one keeps it.
          const off = !can[a] || pending !== null;
          return (
            <button key={a} type="button" aria-disabled={off} onClick={() => !off && void act(a)}>
              {t(`detail.${a}`)}
            </button>
          );
        })}
        {server.status.phase === 'Running' ? (
          <Link className="button" href={`/servers/${server.id}/console`}>
            {t('detail.console')}
          </Link>
        ) : (
          <button type="button" disabled>
            {t('detail.console')}
          </button>
        )}
        {mayShell && server.status.phase === 'Running' && (
          <Link className="button" href={`/servers/${server.id}/shell`}>
            {t('detail.shell')}
          </Link>
        )}
        <button type="button" className="danger" disabled={deleting || pending !== null} onClick={() => setConfirming(true)}>
          {t('detail.delete')}
        </button>
      </fieldset>
      {deleting && (
        <p className="notice warn" role="status" data-testid="deleting-notice">
          {t('detail.deleting')}
        </p>
      )}
      {notice && !deleting && (
        <p className="notice info" role="status" data-testid="action-notice">
          {notice}
        </p>
      )}
      <ErrorNotice error={actionError} />
      {running.length > 0 && (
        <ul className="plain" aria-label={t('detail.operations')}>
          {running.map((op) => (
            <li key={op.id} className="running-op">
              <strong>{kindLabel(i18n, op.kind)}</strong> <OperationState op={op} />
            </li>
          ))}
        </ul>
      )}

      <div className="grid">
        <section className="card" aria-labelledby="ov-title">
          <h2 id="ov-title">{t('detail.overview')}</h2>
          <dl className="facts">
            <dt>{t('detail.hostname')}</dt>
            <dd className="mono">{server.spec.hostname}</dd>
            <dt>{t('detail.kind')}</dt>
            <dd>{t(`detail.kind.${server.spec.kind}`)}</dd>
            <dt>{t('servers.image')}</dt>
            <dd>{server.spec.image}</dd>
            <dt>{t('detail.node')}</dt>
            <dd>{server.status.node ?? t('app.none')}</dd>
            <dt>{t('detail.access')}</dt>
            <dd>
              {[server.spec.hasPassword ? t('detail.accessPassword') : '', server.spec.sshKeys.length ? t('detail.accessKeys', { n: server.spec.sshKeys.length }) : '']
                .filter(Boolean)
                .join(' · ') || t('app.none')}
              {server.spec.sshKeys.length > 0 && (
                <ul className="plain small" data-testid="server-keys">
                  {server.spec.sshKeys.map((k) => (
                    <li key={k}>{keyLabel(k)}</li>
                  ))}
                </ul>
              )}
            </dd>
            <dt>{t('detail.created')}</dt>
            <dd>
              <time dateTime={server.createdAt}>{i18n.dateTime(server.createdAt)}</time>
            </dd>
            <dt>{t('detail.id')}</dt>
            <dd className="mono small">{server.id}</dd>
          </dl>
        </section>
        <section className="card" aria-labelledby="plan-title">
          <h2 id="plan-title">{t('detail.plan')}</h2>
          <p>{plan ? <PlanSummary plan={plan} /> : server.spec.plan}</p>
        </section>
        <ServerAddresses server={server} />
      </div>
      <ServerNicsSection serverId={server.id} onChange={state.reload} />
      <ServerTrafficSection serverId={server.id} nics={server.spec.nics} />
      <ServerConditions server={server} ops={ops} />
      <ServerVolumes serverId={server.id} />
      <ServerSnapshots serverId={server.id} />
      <ServerOperations ops={ops} />
      {!deleting && <ServerLife server={server} plans={plans.data ?? []} onChanged={state.reload} />}
      {confirming && <ConfirmDeleteDialog name={server.name} busy={pending === 'delete'} onConfirm={() => void remove()} onClose={() => setConfirming(false)} />}
    </section>
  );
}
