/**
 * The backup schedules page: the tenant's schedules with their next runs, a form that shows the
 * next runs of the cron line while it is typed (the server's own preview, so what is shown is
 * what will run), run now and delete; and the prune simulator on a server's real backups.
 */
import type { PruneSimulation, Retention } from '@kumulus/api';
import { backupApi } from '@kumulus/api/backups-client';
import { useEffect, useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { usePoll } from '../../lib/use-poll.ts';

const backups = backupApi(api);
const KEEPS = ['keepLast', 'keepHourly', 'keepDaily', 'keepWeekly', 'keepMonthly', 'keepYearly'] as const;
const retentionOf = (v: Record<string, string>): Retention => Object.fromEntries(KEEPS.filter((k) => v[k]).map((k) => [k, Number(v[k])]));
const retentionText = (r: Retention) =>
  KEEPS.filter((k) => r[k] !== undefined)
    .map((k) => `${k.slice(4).toLowerCase()} ${r[k]}`)
    .join(', ');

/** Inputs for the six keep-… counts. */
function KeepInputs({ prefix, values, onChange }: { prefix: string; values: Record<string, string>; onChange: (v: Record<string, string>) => void }) {
  const { t } = useI18n();
  return (
    <>
      {KEEPS.map((k) => (
        <span key={k}>
          <label htmlFor={`${prefix}-${k}`}>{t(`schedules.keep.${k}`)}</label>
          <input id={`${prefix}-${k}`} type="number" min={0} max={10000} size={4} value={values[k] ?? ''} onChange={(e) => onChange({ ...values, [k]: e.target.value })} />
        </span>
      ))}
    </>
  );
}

/** The backup schedules page. */
export function BackupSchedulesPage() {
  const { t } = useI18n();
  const list = usePoll(['backups', 'schedules'], () => api.all((q) => backups.listSchedules(q)), () => 10_000);
  const [name, setName] = useState('');
  const [what, setWhat] = useState('');
  const [cron, setCron] = useState('0 3 * * *');
  const [timeZone, setTimeZone] = useState(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  const [keep, setKeep] = useState<Record<string, string>>({ keepLast: '3', keepDaily: '7' });
  const [preview, setPreview] = useState<{ runs: string[]; error?: unknown }>({ runs: [] });
  const [error, setError] = useState<unknown>();
  const [simServer, setSimServer] = useState('');
  const [simKeep, setSimKeep] = useState<Record<string, string>>({ keepLast: '1', keepDaily: '3' });
  const [sim, setSim] = useState<PruneSimulation | null>(null);

  // The server's preview, a moment after typing stops: an impossible line shows its error at once.
  useEffect(() => {
    const timer = setTimeout(() => {
      backups.previewSchedule({ cron, timeZone, count: 5 }).then(
        (p) => setPreview({ runs: p.nextRuns }),
        (e: unknown) => setPreview({ runs: [], error: e }),
      );
    }, 300);
    return () => clearTimeout(timer);
  }, [cron, timeZone]);

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
  const selector = what.includes('=') || what.includes(' in ') || what.startsWith('!');

  return (
    <section aria-labelledby="schedules-title">
      <h1 id="schedules-title">{t('schedules.title')}</h1>
      <p className="muted">{t('schedules.intro')}</p>
      <form
        className="row wrap"
        onSubmit={(e) => {
          e.preventDefault();
          void send(() => backups.createSchedule({ name, cron, timeZone, retention: retentionOf(keep), ...(selector ? { selector: what } : { server: what }) }));
        }}
      >
        <label htmlFor="sch-name">{t('schedules.name')}</label>
        <input id="sch-name" value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" />
        <label htmlFor="sch-what">{t('schedules.what')}</label>
        <input id="sch-what" value={what} onChange={(e) => setWhat(e.target.value)} required placeholder="web-1 / backup=nightly" autoComplete="off" />
        <label htmlFor="sch-cron">{t('schedules.cron')}</label>
        <input id="sch-cron" value={cron} onChange={(e) => setCron(e.target.value)} required />
        <label htmlFor="sch-tz">{t('schedules.timeZone')}</label>
        <input id="sch-tz" value={timeZone} onChange={(e) => setTimeZone(e.target.value)} required />
        <KeepInputs prefix="sch" values={keep} onChange={setKeep} />
        <button type="submit" disabled={!name || !what}>
          {t('schedules.create')}
        </button>
      </form>
      <div aria-live="polite" data-testid="schedule-preview">
        <h2 className="small">{t('schedules.preview')}</h2>
        {preview.error ? (
          <ErrorNotice error={preview.error} />
        ) : (
          <ol>
            {preview.runs.map((r) => (
              <li key={r}>{new Date(r).toLocaleString()}</li>
            ))}
          </ol>
        )}
      </div>
      <ErrorNotice error={error ?? list.error} />
      {(list.data ?? []).length === 0 ? (
        <p className="muted">{t('schedules.none')}</p>
      ) : (
        <table className="list cards-on-phone" aria-label={t('schedules.title')}>
          <thead>
            <tr>
              {(['schedules.name', 'schedules.what', 'schedules.cron', 'schedules.retention', 'schedules.nextRuns', 'schedules.lastRun'] as const).map((k) => (
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
            {(list.data ?? []).map((x) => (
              <tr key={x.id} data-testid="schedule">
                <th scope="row" data-label={t('schedules.name')}>
                  {x.name}
                </th>
                <td data-label={t('schedules.what')}>{x.server ?? x.selector}</td>
                <td data-label={t('schedules.cron')}>
                  <code>{x.cron}</code> ({x.timeZone})
                </td>
                <td data-label={t('schedules.retention')}>{retentionText(x.retention)}</td>
                <td data-label={t('schedules.nextRuns')}>{x.nextRuns[0] ? new Date(x.nextRuns[0]).toLocaleString() : '–'}</td>
                <td data-label={t('schedules.lastRun')}>{x.lastRunAt ? new Date(x.lastRunAt).toLocaleString() : '–'}</td>
                <td>
                  <label className="small">
                    <input type="checkbox" checked={x.enabled} onChange={(e) => void send(() => backups.updateSchedule(x.id, { enabled: e.target.checked }))} /> {t('schedules.enabled')}
                  </label>{' '}
                  <button type="button" onClick={() => void send(() => backups.runSchedule(x.id))}>
                    {t('schedules.run')}
                  </button>{' '}
                  <button type="button" className="danger" onClick={() => void send(() => backups.deleteSchedule(x.id))}>
                    {t('schedules.delete')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{t('schedules.simulator')}</h2>
      <p className="muted">{t('schedules.simulator.intro')}</p>
      <form
        className="row wrap"
        onSubmit={(e) => {
          e.preventDefault();
          void send(async () => setSim(await backups.simulatePrune({ server: simServer, timeZone, retention: retentionOf(simKeep) })));
        }}
      >
        <label htmlFor="sim-server">{t('backups.server')}</label>
        <input id="sim-server" value={simServer} onChange={(e) => setSimServer(e.target.value)} required autoComplete="off" />
        <KeepInputs prefix="sim" values={simKeep} onChange={setSimKeep} />
        <button type="submit" disabled={!simServer}>
          {t('schedules.simulator.run')}
        </button>
      </form>
      {sim && (
        <table className="list compact" aria-label={t('schedules.simulator')}>
          <tbody>
            {sim.decisions.map((x) => (
              <tr key={x.id} data-testid="prune-decision" data-mark={x.mark}>
                <th scope="row">{new Date(x.time).toLocaleString()}</th>
                <td>{t(`schedules.simulator.${x.mark}`)}</td>
                <td>{x.reason ? t(`schedules.keep.${x.reason as (typeof KEEPS)[number]}`) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
