/**
 * A server's snapshots on its detail page: the list with time, space used and labels, a form to
 * take one, a rollback behind a typed confirmation (the snapshot's name), as the API demands, and
 * a clone into a new server (its name asked in the dashboard's dialog, a link to it once made).
 */
import type { Snapshot } from '@kumulus/api';
import { useState } from 'react';
import { Link } from 'wouter';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { Labels } from '../../components/labels.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { usePoll } from '../../lib/use-poll.ts';

const busy = (s: Snapshot) => s.status.phase !== 'Ready' && s.status.phase !== 'Failed';
const mib = (bytes: number | null) => (bytes === null ? '–' : `${(bytes / 1024 ** 2).toFixed(1)} MiB`);

/** The snapshots card of one server. */
export function ServerSnapshots({ serverId }: { serverId: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const list = usePoll(['server', serverId, 'snapshots'], () => api.all((q) => api.listSnapshots('servers', serverId, q)), (d) => (d?.some(busy) ? 1500 : 5000));
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>();
  const [rollingBack, setRollingBack] = useState<Snapshot | null>(null);
  const [cloning, setCloning] = useState<{ snapshot: Snapshot; name: string } | null>(null);
  const [cloned, setCloned] = useState<{ id: string; name: string } | null>(null);
  const [typed, setTyped] = useState('');
  const [sending, setSending] = useState(false);

  async function send(fn: () => Promise<unknown>) {
    setSending(true);
    setError(undefined);
    try {
      await fn();
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setSending(false);
    }
  }

  return (
    <section className="card" aria-labelledby="snap-title">
      <h2 id="snap-title">{t('snapshots.title')}</h2>
      <ErrorNotice error={error ?? list.error} />
      {cloned && (
        <p role="status">
          {t('snapshots.clonedServer')} <Link href={`/servers/${cloned.id}`}>{cloned.name}</Link>
        </p>
      )}
      {(list.data ?? []).length === 0 ? (
        <p className="muted">{t('snapshots.none')}</p>
      ) : (
        <table className="list compact cards-on-phone">
          <thead>
            <tr>
              <th scope="col">{t('snapshots.name')}</th>
              <th scope="col">{t('snapshots.phase')}</th>
              <th scope="col">{t('snapshots.taken')}</th>
              <th scope="col">{t('snapshots.used')}</th>
              <th scope="col">{t('list.labels')}</th>
              <th scope="col">
                <span className="sr-only">{t('snapshots.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((s) => (
              <tr key={s.id} data-testid="snapshot" data-phase={s.status.phase}>
                <th scope="row" data-label={t('snapshots.name')}>
                  {s.name}
                </th>
                <td data-label={t('snapshots.phase')}>{t(`snapshots.phase.${s.status.phase}`)}</td>
                <td data-label={t('snapshots.taken')}>{s.status.takenAt ? <time dateTime={s.status.takenAt}>{i18n.dateTime(s.status.takenAt)}</time> : '–'}</td>
                <td data-label={t('snapshots.used')}>{mib(s.status.usedBytes)}</td>
                <td data-label={t('list.labels')}>
                  <Labels labels={s.labels} name={s.name} save={(labels) => api.updateSnapshot('servers', serverId, s.id, { labels })} />
                </td>
                <td>
                  <button
                    type="button"
                    disabled={busy(s) || sending}
                    onClick={() => {
                      setTyped('');
                      setRollingBack(s);
                    }}
                  >
                    {t('snapshots.rollback')}
                  </button>{' '}
                  <button type="button" disabled={busy(s) || sending} onClick={() => setCloning({ snapshot: s, name: `${s.name}-copy` })}>
                    {t('snapshots.cloneServer')}
                  </button>{' '}
                  <button type="button" className="danger" disabled={busy(s) || sending} onClick={() => void send(() => api.deleteSnapshot('servers', serverId, s.id))}>
                    {t('snapshots.delete')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void send(async () => {
            await api.createSnapshot('servers', serverId, { name });
            setName('');
          });
        }}
      >
        <label htmlFor="snap-name">{t('snapshots.newName')}</label>
        <input id="snap-name" value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" />
        <button type="submit" disabled={sending || !name}>
          {t('snapshots.create')}
        </button>
      </form>
      {cloning && (
        <ConfirmDialog
          title={t('snapshots.cloneServerTitle', { name: cloning.snapshot.name })}
          warning={t('snapshots.cloneServerNote')}
          confirmLabel={t('snapshots.cloneServer')}
          tone="primary"
          busy={sending}
          canConfirm={cloning.name.trim() !== ''}
          onConfirm={() =>
            void send(async () => {
              const made = await api.cloneSnapshotToServer(serverId, cloning.snapshot.id, { name: cloning.name.trim() });
              setCloning(null);
              setCloned({ id: made.server.id, name: made.server.name });
            })
          }
          onClose={() => setCloning(null)}
        >
          {({ id }) => (
            <>
              <label htmlFor={`${id}-clone`}>{t('snapshots.cloneServerName')}</label>
              <input id={`${id}-clone`} value={cloning.name} onChange={(e) => setCloning({ ...cloning, name: e.target.value })} autoComplete="off" spellCheck={false} />
            </>
          )}
        </ConfirmDialog>
      )}
      {rollingBack && (
        <ConfirmDialog
          title={t('snapshots.rollbackTitle', { name: rollingBack.name })}
          warning={t('snapshots.rollbackWarning')}
          confirmLabel={t('snapshots.rollback')}
          busy={sending}
          canConfirm={typed === rollingBack.name}
          onConfirm={() =>
            void send(async () => {
              await api.rollbackSnapshot('servers', serverId, rollingBack.id, { confirm: typed });
              setRollingBack(null);
            })
          }
          onClose={() => setRollingBack(null)}
        >
          {({ id }) => (
            <>
              <label htmlFor={`${id}-name`}>{t('snapshots.typeName', { name: rollingBack.name })}</label>
              <input id={`${id}-name`} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} />
            </>
          )}
        </ConfirmDialog>
      )}
    </section>
  );
}
