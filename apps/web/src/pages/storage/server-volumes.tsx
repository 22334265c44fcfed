/**
 * The volumes of one server on its detail page: those attached, each with a detach button,
 * and a choice of the tenant's free volumes to attach (mounted at /mnt/<name>).
 */
import { useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { usePoll } from '../../lib/use-poll.ts';

/** The volumes card of one server. */
export function ServerVolumes({ serverId }: { serverId: string }) {
  const { t } = useI18n();
  const all = usePoll(['volumes', 'for-server', serverId], () => api.all((q) => api.listVolumes(q)), 3000);
  const [choice, setChoice] = useState('');
  const [error, setError] = useState<unknown>();
  const volumes = all.data ?? [];
  const mine = volumes.filter((v) => v.spec.attachment?.server === serverId || v.status.attachment?.server === serverId);
  const free = volumes.filter((v) => !v.spec.attachment && !v.status.attachment && v.status.phase === 'Available');
  const send = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await fn();
    } catch (err) {
      setError(err);
    } finally {
      all.reload();
    }
  };
  return (
    <section className="card" aria-labelledby="srv-vol-title">
      <h2 id="srv-vol-title">{t('volumes.title')}</h2>
      <ErrorNotice error={error ?? all.error} />
      {mine.length === 0 ? (
        <p className="muted">{t('volumes.noneAttached')}</p>
      ) : (
        <ul className="plain">
          {mine.map((v) => (
            <li key={v.id} data-testid="server-volume" data-phase={v.status.phase}>
              <strong>{v.name}</strong> {v.spec.sizeGb} GB · {v.spec.attachment?.path ?? v.status.attachment?.path} · {t(`volumes.phase.${v.status.phase}`)}{' '}
              <button type="button" disabled={!v.spec.attachment} onClick={() => void send(() => api.detachVolume(v.id))}>
                {t('volumes.detach')}
              </button>
            </li>
          ))}
        </ul>
      )}
      {free.length > 0 && (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            void send(() => api.attachVolume(choice || free[0]!.id, { server: serverId }));
          }}
        >
          <label htmlFor="attach-vol">{t('volumes.attachLabel')}</label>
          <select id="attach-vol" value={choice || free[0]!.id} onChange={(e) => setChoice(e.target.value)}>
            {free.map((v) => (
              <option key={v.id} value={v.id}>
                {v.name} ({v.spec.sizeGb} GB)
              </option>
            ))}
          </select>
          <button type="submit">{t('volumes.attach')}</button>
        </form>
      )}
    </section>
  );
}
