/**
 * The volumes page: the tenant's block volumes with size, state, where attached and the space
 * they really use; make one, grow one, delete one behind a typed confirmation.
 */
import type { Page, Volume } from '@kumulus/api';
import { useState } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { Labels } from '../../components/labels.tsx';
import { Pager, SelectorBox, StatusFilter, usePagedList } from '../../components/paged-list.tsx';
import { SortHeader } from '../../components/resource-list.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';

const PHASES = ['Pending', 'Creating', 'Available', 'Attached', 'Deleting', 'Failed'] as const satisfies readonly Volume['status']['phase'][];
const settled = (v: Volume) => v.status.phase === 'Available' || v.status.phase === 'Attached' || v.status.phase === 'Failed';
const mib = (bytes: number | null) => (bytes === null ? '–' : `${(bytes / 1024 ** 2).toFixed(1)} MiB`);

/** One row: its facts, a grow field and the delete button. */
function VolumeRow({ v, onChange, onDelete }: { v: Volume; onChange: (fn: () => Promise<unknown>) => void; onDelete: () => void }) {
  const { t } = useI18n();
  const [size, setSize] = useState(String(v.spec.sizeGb + 1));
  return (
    <tr data-testid="volume" data-phase={v.status.phase}>
      <th scope="row" data-label={t('volumes.name')}>
        {v.name}
      </th>
      <td data-label={t('volumes.size')}>{v.spec.sizeGb} GB</td>
      <td data-label={t('volumes.phase')}>{t(`volumes.phase.${v.status.phase}`)}</td>
      <td data-label={t('volumes.attachedTo')}>{v.status.attachment ? `${v.status.attachment.server}:${v.status.attachment.path}` : '–'}</td>
      <td data-label={t('volumes.used')}>{mib(v.status.usedBytes)}</td>
      <td data-label={t('list.labels')}>
        <Labels labels={v.labels} name={v.name} save={(labels) => api.updateVolume(v.id, { labels })} />
      </td>
      <td>
        <label className="sr-only" htmlFor={`grow-${v.id}`}>
          {t('volumes.newSize', { name: v.name })}
        </label>
        <input id={`grow-${v.id}`} type="number" min={v.spec.sizeGb + 1} value={size} onChange={(e) => setSize(e.target.value)} style={{ width: '5rem' }} />{' '}
        <button type="button" disabled={!settled(v)} onClick={() => onChange(() => api.resizeVolume(v.id, { sizeGb: Number(size) }))}>
          {t('volumes.grow')}
        </button>{' '}
        <button type="button" className="danger" disabled={!settled(v) || v.protected} onClick={onDelete}>
          {t('volumes.delete')}
        </button>
      </td>
    </tr>
  );
}

/** The volumes page. */
export function VolumesPage() {
  const { t } = useI18n();
  const list = usePagedList(['volumes', 'list'], (q, signal) => api.request<Page<Volume>>('GET', '/volumes', undefined, q, { signal }), {
    intervalMs: (d) => (d?.every(settled) ? 5000 : 1500),
    initialSort: { key: 'name', dir: 'asc' },
    labels: true,
    status: true,
  });
  const [name, setName] = useState('');
  const [size, setSize] = useState('1');
  const [error, setError] = useState<unknown>();
  const [deleting, setDeleting] = useState<Volume | null>(null);
  const [typed, setTyped] = useState('');

  const send = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await fn();
    } catch (err) {
      setError(err);
    } finally {
      list.reload();
    }
  };

  return (
    <section aria-labelledby="volumes-title">
      <h1 id="volumes-title">{t('volumes.title')}</h1>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void send(async () => {
            await api.createVolume({ name, sizeGb: Number(size) });
            setName('');
          });
        }}
      >
        <label htmlFor="vol-name">{t('volumes.name')}</label>
        <input id="vol-name" value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" />
        <label htmlFor="vol-size">{t('volumes.sizeGb')}</label>
        <input id="vol-size" type="number" min={1} value={size} onChange={(e) => setSize(e.target.value)} required style={{ width: '5rem' }} />
        <button type="submit" disabled={!name}>
          {t('volumes.create')}
        </button>
      </form>
      <ErrorNotice error={error ?? list.error} />
      <div className="toolbar wrap">
        <StatusFilter paging={list.paging} phases={PHASES} phaseLabel={(p) => t(`volumes.phase.${p as Volume['status']['phase']}`)} label={t('volumes.phaseFilter')} />
        <SelectorBox paging={list.paging} />
      </div>
      {(list.data ?? []).length === 0 ? (
        <p className="muted">{t('volumes.none')}</p>
      ) : (
        <table className="list cards-on-phone" aria-label={t('volumes.title')}>
          <thead>
            <tr>
              <SortHeader label={t('volumes.name')} column="name" sort={list.paging.sort} onSort={list.paging.setSort} />
              <th scope="col">{t('volumes.size')}</th>
              <th scope="col">{t('volumes.phase')}</th>
              <th scope="col">{t('volumes.attachedTo')}</th>
              <th scope="col">{t('volumes.used')}</th>
              <th scope="col">{t('list.labels')}</th>
              <th scope="col">
                <span className="sr-only">{t('volumes.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((v) => (
              <VolumeRow
                key={v.id}
                v={v}
                onChange={(fn) => void send(fn)}
                onDelete={() => {
                  setTyped('');
                  setDeleting(v);
                }}
              />
            ))}
          </tbody>
        </table>
      )}
      <Pager paging={list.paging} />
      {deleting && (
        <ConfirmDialog
          title={t('volumes.deleteTitle', { name: deleting.name })}
          warning={t('volumes.deleteWarning')}
          confirmLabel={t('volumes.delete')}
          canConfirm={typed === deleting.name}
          onConfirm={() =>
            void send(async () => {
              await api.deleteVolume(deleting.id);
              setDeleting(null);
            })
          }
          onClose={() => setDeleting(null)}
        >
          {({ id }) => (
            <>
              <label htmlFor={`${id}-name`}>{t('volumes.typeName', { name: deleting.name })}</label>
              <input id={`${id}-name`} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} />
            </>
          )}
        </ConfirmDialog>
      )}
    </section>
  );
}
