/**
 * The tenant's servers, live: the list re-polls one page every few seconds (faster while any
 * server is converging). The API pages it, sorts it (name, created: a click on the header),
 * filters it by status and applies the label selector; a filter box narrows the page shown.
 * Operators may show every tenant's servers, with a column naming the tenant.
 */
import type { Page, Server } from '@kumulus/api/schemas';
import { memo, useDeferredValue, useMemo, useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { ListBody } from '../../components/list-body.tsx';
import { Pager, StatusFilter, usePagedList } from '../../components/paged-list.tsx';
import { FilterBox, SortHeader } from '../../components/resource-list.tsx';
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
const PHASES = ['Pending', 'Provisioning', 'Running', 'Stopped', 'Deleting', 'Failed'] as const;

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
  // The API pages, sorts (name, created), filters by status and applies the label selector.
  const servers = usePagedList(
    ['servers', 'list', allTenants],
    async (q, signal) => {
      const scope = allTenants ? { tenant: 'all' } : {};
      const page = await api.request<Page<Server>>('GET', '/servers', undefined, { ...q, ...scope }, { signal });
      forgetDeleted(page.items.map((s) => s.id));
      return page;
    },
    { intervalMs: (data) => (data?.some((s) => isBusyPhase(s.status.phase) || isMarkedDeleting(s.id)) ? FAST_MS : SLOW_MS), initialSort: { key: 'name', dir: 'asc' }, labels: true, status: true },
  );
  const phase = servers.paging.status?.applied ?? '';
  const { sort, setSort } = servers.paging;
  // The selector is typed, then applied (Enter): the API parses it and says where it is wrong.
  const [selector, setSelector] = useState('');
  const applied = servers.paging.selector?.applied ?? '';
  const tenants = usePoll(['tenants', 'names', allTenants], async () => (allTenants ? new Map((await api.all((q) => api.listTenants(q))).map((x) => [x.id, x.name])) : null), 10_000);
  const tenantOf = (s: Server) => (allTenants ? (tenants.data?.get(s.tenantId) ?? s.tenantId) : undefined);

  const shown = useMemo(() => {
    // A delete this browser sent is shown at once, whatever phase the cached or last answer had.
    const marked = (servers.data ?? []).map((s) => (isMarkedDeleting(s.id) && s.status.phase !== 'Deleting' ? { ...s, status: { ...s.status, phase: 'Deleting' as const } } : s));
    const all = marked;
    if (!deferred) return all;
    return all.filter(
      (s) =>
        s.name.includes(deferred) ||
        address(s).includes(deferred) ||
        s.status.phase.toLowerCase().includes(deferred) ||
        t(`phase.${s.status.phase}`).toLowerCase().includes(deferred),
    );
  }, [servers.data, deferred, t]);

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
        <StatusFilter paging={servers.paging} phases={PHASES} phaseLabel={(p) => t(`phase.${p as (typeof PHASES)[number]}`)} label={t('servers.phaseFilter')} />
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            servers.paging.selector?.apply(selector);
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
      <ListBody items={servers.data} loading={servers.loading} empty={applied || phase ? t('servers.noMatch', { q: applied || t(`phase.${phase as (typeof PHASES)[number]}`) }) : t('servers.empty')}>
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
                    <th scope="col">{t('servers.phase')}</th>
                    <th scope="col">{t('servers.address')}</th>
                    <th scope="col">{t('servers.plan')}</th>
                    <th scope="col">{t('servers.image')}</th>
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
      <Pager paging={servers.paging} />
    </section>
  );
}
