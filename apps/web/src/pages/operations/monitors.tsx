/** Uptime monitors: every monitor with its state and uptime, a form to make one, pause, resume and delete. */
import type { Monitor } from '@kumulus/api';
import { monitorApi } from '@kumulus/api/monitors-client';
import { useState } from 'react';
import { Link } from 'wouter';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { ListBody } from '../../components/list-body.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { usePoll } from '../../lib/use-poll.ts';
import { CreateMonitorForm } from './monitor-form.tsx';
import { MonitorStateBadge, targetOf, uptime } from './monitor-state.tsx';

const monitors = monitorApi(api);

/** The monitors page. */
export function MonitorsPage() {
  const { t } = useI18n();
  const list = usePoll(['monitors', 'list'], () => api.all((q) => monitors.list(q)), (d) => (d?.some((m) => m.status.state === 'pending') ? 1500 : 10_000));
  const [created, setCreated] = useState<Monitor | null>(null);
  const [error, setError] = useState<unknown>();
  const [deleting, setDeleting] = useState<{ mon: Monitor; busy: boolean } | null>(null);

  const act = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await fn();
      list.reload();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section aria-labelledby="monitors-title">
      <h1 id="monitors-title">{t('mon.title')}</h1>
      <p className="muted">{t('mon.intro')}</p>
      {created && (
        <p className="notice success" role="status">
          {t('mon.created', { name: created.name })}
        </p>
      )}
      <CreateMonitorForm
        onCreated={(m) => {
          setCreated(m);
          list.reload();
        }}
      />
      <ErrorNotice error={error ?? list.error} />
      <ListBody items={list.data} loading={list.loading} empty={t('mon.empty')}>
        {(items) => (
          <table className="list cards-on-phone" aria-label={t('mon.title')}>
            <thead>
              <tr>
                <th scope="col">{t('mon.name')}</th>
                <th scope="col">{t('mon.target')}</th>
                <th scope="col">{t('mon.state')}</th>
                <th scope="col">{t('mon.uptime24h')}</th>
                <th scope="col">{t('mon.uptime30d')}</th>
                <th scope="col">{t('mon.lastCheck')}</th>
                <th scope="col">
                  <span className="sr-only">{t('detail.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((m) => (
                <tr key={m.id} data-monitor-id={m.id}>
                  <th scope="row" data-label={t('mon.name')}>
                    <Link href={`/monitors/${m.id}`}>{m.name}</Link>
                  </th>
                  <td data-label={t('mon.target')} className="mono">
                    {m.type} {targetOf(m)}
                  </td>
                  <td data-label={t('mon.state')}>
                    <MonitorStateBadge monitor={m} />
                  </td>
                  <td data-label={t('mon.uptime24h')}>{uptime(m.status.uptime24h)}</td>
                  <td data-label={t('mon.uptime30d')}>{uptime(m.status.uptime30d)}</td>
                  <td data-label={t('mon.lastCheck')}>{m.status.lastMessage ?? t('app.none')}</td>
                  <td>
                    <button type="button" className="small" onClick={() => void act(() => monitors.update(m.id, { paused: m.status.state !== 'paused' }))} aria-label={`${t(m.status.state === 'paused' ? 'mon.resume' : 'mon.pause')}: ${m.name}`}>
                      {t(m.status.state === 'paused' ? 'mon.resume' : 'mon.pause')}
                    </button>{' '}
                    <button type="button" className="danger small" onClick={() => setDeleting({ mon: m, busy: false })} aria-label={`${t('mon.delete')}: ${m.name}`}>
                      {t('mon.delete')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ListBody>
      {deleting && (
        <ConfirmDialog
          title={t('mon.deleteTitle', { name: deleting.mon.name })}
          warning={t('mon.deleteConfirm', { name: deleting.mon.name })}
          confirmLabel={t('mon.delete')}
          busy={deleting.busy}
          onConfirm={() => {
            setDeleting({ ...deleting, busy: true });
            void act(() => monitors.delete(deleting.mon.id)).finally(() => setDeleting(null));
          }}
          onClose={() => setDeleting(null)}
        />
      )}
    </section>
  );
}
