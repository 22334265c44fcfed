/**
 * The backups page: the tenant's backups with their sizes and verification badges, a form to
 * back a server up now, protection, labels, restore as a new server or into the same one (each
 * behind the dashboard's dialog), delete; paged, sorted, filtered by status and label selector by
 * the API; for operators the overdue report; and the backup targets with their health and free space.
 */
import type { Backup, BackupMode, Page } from '@kumulus/api';
import { backupApi } from '@kumulus/api/backups-client';
import { useState } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { Labels } from '../../components/labels.tsx';
import { Pager, SelectorBox, StatusFilter, usePagedList } from '../../components/paged-list.tsx';
import { SortHeader } from '../../components/resource-list.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { useSession } from '../../lib/session.tsx';
import { usePoll } from '../../lib/use-poll.ts';
import { OverdueBackups } from './overdue.tsx';

const backups = backupApi(api);
const PHASES = ['Pending', 'Running', 'Verifying', 'Ready', 'Restoring', 'Deleting', 'Failed'] as const satisfies readonly Backup['status']['phase'][];
const mib = (bytes: number | null) => (bytes === null ? '–' : `${(bytes / 1024 ** 2).toFixed(1)} MiB`);
const gib = (bytes: number | null) => (bytes === null ? '–' : `${(bytes / 1024 ** 3).toFixed(1)} GiB`);
const settled = (b: Backup) => b.status.phase === 'Ready' || b.status.phase === 'Failed';

/** A restore asked for in the dialog: as a new server (its name) or into the backed-up one (its name typed out). */
type Restoring = { backup: Backup; into: 'new' | 'same'; text: string };

/** The backups page. */
export function BackupsPage() {
  const { t } = useI18n();
  const list = usePagedList(['backups', 'list'], (q, signal) => api.request<Page<Backup>>('GET', '/backups', undefined, q, { signal }), {
    intervalMs: (d) => (d?.every(settled) ? 5000 : 1500),
    initialSort: { key: 'created', dir: 'desc' },
    labels: true,
    status: true,
  });
  const targets = usePoll(['backups', 'targets'], () => backups.listTargets(), () => 15_000);
  const { isOperator } = useSession();
  const [server, setServer] = useState('');
  const [mode, setMode] = useState<BackupMode>('snapshot');
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState('');
  const [restoring, setRestoring] = useState<Restoring | null>(null);

  const send = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    setNotice('');
    try {
      await fn();
    } catch (err) {
      setError(err);
    } finally {
      list.reload();
    }
  };

  return (
    <section aria-labelledby="backups-title">
      <h1 id="backups-title">{t('backups.title')}</h1>
      <p className="muted">{t('backups.intro')}</p>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void send(() => backups.create(server, { mode }));
        }}
      >
        <label htmlFor="bk-server">{t('backups.server')}</label>
        <input id="bk-server" value={server} onChange={(e) => setServer(e.target.value)} required autoComplete="off" />
        <label htmlFor="bk-mode">{t('backups.mode')}</label>
        <select id="bk-mode" value={mode} onChange={(e) => setMode(e.target.value as BackupMode)}>
          <option value="snapshot">{t('backups.mode.snapshot')}</option>
          <option value="suspend">{t('backups.mode.suspend')}</option>
          <option value="stop">{t('backups.mode.stop')}</option>
        </select>
        <button type="submit" disabled={!server}>
          {t('backups.create')}
        </button>
      </form>
      <ErrorNotice error={error ?? list.error} />
      {notice && <p role="status">{notice}</p>}
      <div className="toolbar wrap">
        <StatusFilter paging={list.paging} phases={PHASES} phaseLabel={(p) => t(`backups.phase.${p as Backup['status']['phase']}`)} label={t('backups.phaseFilter')} />
        <SelectorBox paging={list.paging} />
      </div>
      {(list.data ?? []).length === 0 ? (
        <p className="muted">{list.paging.selector?.applied || list.paging.status?.applied ? t('backups.noMatch') : t('backups.none')}</p>
      ) : (
        <table className="list cards-on-phone" aria-label={t('backups.title')}>
          <thead>
            <tr>
              <SortHeader label={t('backups.server')} column="server" sort={list.paging.sort} onSort={list.paging.setSort} />
              <SortHeader label={t('backups.taken')} column="created" sort={list.paging.sort} onSort={list.paging.setSort} />
              {(['backups.phase', 'backups.size', 'backups.dedup', 'backups.verification', 'backups.notes', 'list.labels', 'backups.protected'] as const).map((k) => (
                <th key={k} scope="col">
                  {t(k)}
                </th>
              ))}
              <th scope="col">
                <span className="sr-only">{t('backups.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((b) => (
              <tr key={b.id} data-testid="backup" data-phase={b.status.phase}>
                <th scope="row" data-label={t('backups.server')}>
                  {b.server.name}
                </th>
                <td data-label={t('backups.taken')}>{b.status.takenAt ? new Date(b.status.takenAt).toLocaleString() : '–'}</td>
                <td data-label={t('backups.phase')}>{t(`backups.phase.${b.status.phase}`)}</td>
                <td data-label={t('backups.size')}>{mib(b.status.sizeBytes)}</td>
                <td data-label={t('backups.dedup')}>{mib(b.status.dedupBytes)}</td>
                <td data-label={t('backups.verification')} title={b.status.verification.detail}>
                  <span className={`badge verification-${b.status.verification.state}`} data-testid="verification">
                    {t(`backups.verification.${b.status.verification.state}`)}
                    {b.status.verification.booted ? ` · ${t('backups.verification.booted')}` : ''}
                  </span>
                </td>
                <td data-label={t('backups.notes')}>{b.notes || '–'}</td>
                <td data-label={t('list.labels')}>
                  <Labels labels={b.labels} name={b.server.name} save={(labels) => backups.update(b.id, { labels })} />
                </td>
                <td data-label={t('backups.protected')}>
                  <input type="checkbox" aria-label={t('backups.protected')} checked={b.protected} onChange={(e) => void send(() => backups.update(b.id, { protected: e.target.checked }))} />
                </td>
                <td>
                  <button
                    type="button"
                    disabled={!b.status.takenAt || !settled(b)}
                    onClick={() => setRestoring({ backup: b, into: 'new', text: `${b.server.name}-restored` })}
                  >
                    {t('backups.restoreNew')}
                  </button>{' '}
                  <button
                    type="button"
                    disabled={!b.status.takenAt || !settled(b)}
                    onClick={() => setRestoring({ backup: b, into: 'same', text: '' })}
                  >
                    {t('backups.restoreSame')}
                  </button>{' '}
                  <button type="button" disabled={!b.status.takenAt || !settled(b)} onClick={() => void send(() => backups.verify(b.id))}>
                    {t('backups.verify')}
                  </button>{' '}
                  <button type="button" className="danger" disabled={b.protected || !settled(b)} onClick={() => void send(() => backups.delete(b.id))}>
                    {t('backups.delete')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager paging={list.paging} />
      {restoring && (
        <ConfirmDialog
          title={t(restoring.into === 'new' ? 'backups.restoreNew' : 'backups.restoreSame')}
          // Typed out into the same server, as the API wants it: everything written since the backup is lost.
          warning={restoring.into === 'new' ? t('backups.restoreNewWarning', { name: restoring.backup.server.name }) : t('backups.restoreSameConfirm', { name: restoring.backup.server.name })}
          confirmLabel={t('backups.restore')}
          canConfirm={restoring.into === 'new' ? restoring.text.trim() !== '' : restoring.text === restoring.backup.server.name}
          onConfirm={() => {
            const { backup, into, text } = restoring;
            setRestoring(null);
            void send(async () => {
              const started = await backups.restore(backup.id, into === 'new' ? { into, name: text.trim() } : { into, confirm: text });
              setNotice(t('backups.restoreStarted', { name: started.server.name }));
            });
          }}
          onClose={() => setRestoring(null)}
        >
          {({ id }) => (
            <>
              <label htmlFor={`${id}-text`}>{restoring.into === 'new' ? t('backups.restoreNewName') : t('backups.typeServerName', { name: restoring.backup.server.name })}</label>
              <input id={`${id}-text`} value={restoring.text} onChange={(e) => setRestoring({ ...restoring, text: e.target.value })} autoComplete="off" spellCheck={false} />
            </>
          )}
        </ConfirmDialog>
      )}
      {isOperator && <OverdueBackups />}
      <h2>{t('backups.targets')}</h2>
      <table className="list compact" aria-label={t('backups.targets')}>
        <thead>
          <tr>
            <th scope="col">{t('backups.target.name')}</th>
            <th scope="col">{t('backups.target.where')}</th>
            <th scope="col">{t('backups.target.health')}</th>
            <th scope="col">{t('backups.target.free')}</th>
          </tr>
        </thead>
        <tbody>
          {(targets.data ?? []).map((x) => (
            <tr key={x.id} data-testid="backup-target">
              <th scope="row">{x.name}</th>
              <td>{x.kind === 'sftp' ? `${x.user}@${x.host}:${x.path}` : x.path}</td>
              <td title={x.health.error}>{x.health.reachable ? t('backups.target.ok') : t('backups.target.down')}</td>
              <td>
                {gib(x.health.freeBytes)} / {gib(x.health.totalBytes)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
