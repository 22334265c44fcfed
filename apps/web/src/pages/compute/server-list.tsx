/**
 * The tenant's servers, live: the list re-polls every few seconds (faster while any server
 * is converging), and a filter narrows it without blocking typing even at 1,000 rows. Columns
 * sort by a click on their header; a status filter and a label selector (applied by the API)
 * narrow it further. Operators may show every tenant's servers, with a column naming the tenant.
 */
import type { Page, Server } from '@kumulus/api/schemas';
import { memo, useDeferredValue, useMemo, useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { ListBody } from '../../components/list-body.tsx';
import { type Column, FilterBox, SortHeader, type SortState, sortRows } from '../../components/resource-list.tsx';
import { isBusyPhase, PhaseBadge } from '../../components/phase-badge.tsx';
import { type I18n, useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { forgetDeleted, isMarkedDeleting } from '../../lib/deleting.ts';
import { Link } from 'wouter';
import { useSession } from '../../lib/session.tsx';
import { usePoll } from '../../lib/use-poll.ts';

/** How often the list polls while something converges, and while all is quiet. */
const FAST_MS = 2000;
const SLOW_MS = 5000;

const address = (s: Server) => s.spec.nics[0]?.ipv4.split('/')[0] ?? '';
/** An IPv4 address as a number, so 10.0.0.9 sorts before 10.0.0.10. */
const addressValue = (s: Server) => address(s).split('.').reduce((n, o) => n * 256 + Number(o), 0);
const PHASES = ['Pending', 'Provisioning', 'Running', 'Stopped', 'Deleting', 'Failed'] as const;

/** What each sortable column sorts by (the cells are ServerRow's). */
const SORTS: Column<Server>[] = [
  { key: 'name', header: '', cell: () => null, sortValue: (s) => s.name },
  { key: 'phase', header: '', cell: () => null, sortValue: (s) => s.status.phase },
  { key: 'address', header: '', cell: () => null, sortValue: addressValue },
  { key: 'plan', header: '', cell: () => null, sortValue: (s) => s.spec.plan },
  { key: 'image', header: '', cell: () => null, sortValue: (s) => s.spec.image },
  { key: 'created', header: '', cell: () => null, sortValue: (s) => s.createdAt },
];

const ServerRow = memo(
  function ServerRow({ s, i18n, tenant }: { s: Server; i18n: I18n; tenant?: string }) {
    const { t } = i18n;
    return (
      <tr data-testid="server-row" data-server-id={s.id}>
        <th scope="row" data-label={t('servers.name')}>
          <Link href={`/servers/${s.id}`}>{s.name}</Link>
        </th>
        {tenant !== undefined && <td data-label={t('servers.tenant')}>{tenant}</td>}
        <td data-label={t('servers.phase')}>
          <PhaseBadge phase={s.status.phase} />
        </td>
        <td data-label={t('servers.address')} className="mono nowrap">
          {address(s) || t('app.none')}
        </td>
        <td data-label={t('servers.plan')}>{s.spec.plan}</td>
        <td data-label={t('servers.image')}>{s.spec.image}</td>
        <td data-label={t('servers.created')}>
          <time dateTime={s.createdAt}>{i18n.dateTime(s.createdAt)}</time>
        </td>
      </tr>
    );
  },
  // Polling hands back fresh objects every tick; only a changed row needs to render again.
  (a, b) =>
    a.i18n === b.i18n &&
    a.tenant === b.tenant &&
    a.s.updatedAt === b.s.updatedAt &&
    a.s.status.phase === b.s.status.phase &&
    a.s.spec.nics.length === b.s.spec.nics.length,
);

/** The server list page. */
export function ServerListPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const [query, setQuery] = useState('');
  const deferred = useDeferredValue(query.trim().toLowerCase());
  const { isOperator } = useSession();
  const [allTenants, setAllTenants] = useState(false);
  const [sort, setSort] = useState<SortState>({ key: 'name', dir: 'asc' });
  const [phase, setPhase] = useState('');
  // The selector is typed, then applied (Enter): the API parses it and says where it is wrong.
  const [selector, setSelector] = useState('');
  const [applied, setApplied] = useState('');
  const servers = usePoll(
    ['servers', 'list', allTenants, applied],
    async (signal) => {
      const scope = { ...(allTenants ? { tenant: 'all' } : {}), ...(applied ? { label_selector: applied } : {}) };
      const all = await api.all<Server>((q) => api.request<Page<Server>>('GET', '/servers', undefined, { ...q, ...scope }, { signal }));
      forgetDeleted(all.map((s) => s.id));
      return all;
    },
    (data) => (data?.some((s) => isBusyPhase(s.status.phase) || isMarkedDeleting(s.id)) ? FAST_MS : SLOW_MS),
  );
  const tenants = usePoll(['tenants', 'names', allTenants], async () => (allTenants ? new Map((await api.all((q) => api.listTenants(q))).map((x) => [x.id, x.name])) : null), 10_000);
  const tenantOf = (s: Server) => (allTenants ? (tenants.data?.get(s.tenantId) ?? s.tenantId) : undefined);

  const shown = useMemo(() => {
    // A delete this browser sent is shown at once, whatever phase the cached or last answer had.
    const marked = (servers.data ?? []).map((s) => (isMarkedDeleting(s.id) && s.status.phase !== 'Deleting' ? { ...s, status: { ...s.status, phase: 'Deleting' as const } } : s));
    const all = sortRows(phase ? marked.filter((s) => s.status.phase === phase) : marked, SORTS, sort);
    if (!deferred) return all;
    return all.filter(
      (s) =>
        s.name.includes(deferred) ||
        address(s).includes(deferred) ||
        s.status.phase.toLowerCase().includes(deferred) ||
        t(`phase.${s.status.phase}`).toLowerCase().includes(deferred),
    );
  }, [servers.data, deferred, t, sort, phase]);

  return (
    <section aria-labelledby="servers-title">
      <div className="page-head">
        <h1 id="servers-title">{t('servers.title')}</h1>
        {isOperator && (
          // Outside the list, so an operator whose own tenant has no servers can still switch.
          <label className="scope-select">
            <span className="small muted">{t('servers.scope')}</span>{' '}
            <select value={allTenants ? 'all' : 'own'} onChange={(e) => setAllTenants(e.target.value === 'all')} data-testid="server-scope">
              <option value="own">{t('servers.scopeOwn')}</option>
              <option value="all">{t('servers.allTenants')}</option>
            </select>
          </label>
        )}
        <Link className="button primary" href="/servers/new">
          {t('servers.create')}
        </Link>
      </div>
      <ErrorNotice error={servers.error} onRetry={servers.reload} />
      <div className="toolbar wrap">
        <FilterBox value={query} onChange={setQuery} label={t('servers.filter')} testId="server-filter" />
        <label>
          <span className="sr-only">{t('servers.phaseFilter')}</span>
          <select value={phase} onChange={(e) => setPhase(e.target.value)} aria-label={t('servers.phaseFilter')} data-testid="server-phase-filter">
            <option value="">{t('servers.allPhases')}</option>
            {PHASES.map((p) => (
              <option key={p} value={p}>
                {t(`phase.${p}`)}
              </option>
            ))}
          </select>
        </label>
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            setApplied(selector.trim());
          }}
        >
          <input type="search" value={selector} onChange={(e) => setSelector(e.target.value)} placeholder={t('servers.selector')} aria-label={t('servers.selector')} data-testid="server-selector" spellCheck={false} />
          <button type="submit" className="small">
            {t('servers.applySelector')}
          </button>
        </form>
        <span className="small muted" aria-live="polite" data-testid="server-count">
          {t('servers.count', { n: i18n.number(shown.length) })} · {t('servers.live')}
        </span>
      </div>
      <ListBody items={servers.data} loading={servers.loading} empty={applied ? t('servers.noMatch', { q: applied }) : t('servers.empty')}>
        {() => (
          <>
            {shown.length === 0 ? (
              <p className="empty">{t('servers.noMatch', { q: query })}</p>
            ) : (
              <table className="list cards-on-phone servers">
                <caption className="sr-only">{t('servers.title')}</caption>
                <colgroup>
                  <col className="c-name" />
                  {allTenants && <col />}
                  <col className="c-phase" />
                  <col className="c-addr" />
                  <col className="c-plan" />
                  <col className="c-image" />
                  <col />
                </colgroup>
                <thead>
                  <tr>
                    <SortHeader label={t('servers.name')} column="name" sort={sort} onSort={setSort} />
                    {allTenants && <th scope="col">{t('servers.tenant')}</th>}
                    <SortHeader label={t('servers.phase')} column="phase" sort={sort} onSort={setSort} />
                    <SortHeader label={t('servers.address')} column="address" sort={sort} onSort={setSort} />
                    <SortHeader label={t('servers.plan')} column="plan" sort={sort} onSort={setSort} />
                    <SortHeader label={t('servers.image')} column="image" sort={sort} onSort={setSort} />
                    <SortHeader label={t('servers.created')} column="created" sort={sort} onSort={setSort} />
                  </tr>
                </thead>
                <tbody>
                  {shown.map((s) => (
                    <ServerRow key={s.id} s={s} i18n={i18n} tenant={tenantOf(s)} />
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </ListBody>
    </section>
  );
}
