/**
 * Operations history, newest first, a page at a time, filtered by state, kind and server.
 * Targets are shown by the server's name, and a server that is gone says so instead of
 * linking to an error page. The tenant sees its own; an operator sees every tenant's with
 * the failures on top of the first page, because those are what an operator has to act on.
 */
import type { Operation, Server } from '@kumulus/api/schemas';
import { useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { ListBody } from '../../components/list-body.tsx';
import { OperationCells, OperationHeadCells } from '../../components/operation-state.tsx';
import { type I18n, useI18n } from '../../i18n/i18n.tsx';
import { kindLabel } from '../../i18n/labels.ts';
import { api } from '../../lib/api.ts';
import { Link } from 'wouter';
import { usePoll } from '../../lib/use-poll.ts';

/** Rows per page; `?limit=` in the address picks another size (1–100), e.g. for a short list to link to. */
function pageSize(): number {
  const n = Number(new URLSearchParams(location.search).get('limit'));
  return Number.isInteger(n) && n >= 1 && n <= 100 ? n : 25;
}
const STATES = ['pending', 'running', 'succeeded', 'failed'] as const;
/** The kinds the control plane records today, in the order a server lives through them. */
const KINDS = ['server.create', 'server.start', 'server.stop', 'server.reboot', 'server.delete'] as const;

interface Filters {
  state: string;
  kind: string;
  target: string;
}

async function loadPage(scope: 'tenant' | 'all', f: Filters, cursor: string | undefined, limit: number) {
  const q = {
    ...(scope === 'all' ? { scope } : {}),
    ...(f.state ? { state: f.state } : {}),
    ...(f.kind ? { kind: f.kind } : {}),
    ...(f.target ? { target: f.target } : {}),
    ...(cursor ? { cursor } : {}),
    limit,
    order: 'desc' as const,
  };
  const [page, failed, tenants] = await Promise.all([
    api.listOperations(q),
    // The operator's first unfiltered page starts with the newest failures.
    scope === 'all' && !cursor && !f.state ? api.listOperations({ ...q, state: 'failed', limit: 10 }) : null,
    scope === 'all' ? api.all((q) => api.listTenants(q)) : [],
  ]);
  const seen = new Set(failed?.items.map((o) => o.id));
  const ops = [...(failed?.items ?? []), ...page.items.filter((o) => !seen.has(o.id))];
  return { ops, nextCursor: page.nextCursor, tenants: new Map(tenants.map((t) => [t.id, t.name])) };
}

/** The target cell: the server's name as a link, "deleted" for one that is gone. */
function Target({ op, servers, all, i18n }: { op: Operation; servers: Map<string, Server> | undefined; all: boolean; i18n: I18n }) {
  const { t } = i18n;
  if (op.target.type !== 'server') return <span className="mono nowrap">{op.target.id}</span>;
  const s = servers?.get(op.target.id);
  if (s) {
    return (
      <Link href={`/servers/${s.id}`} className="nowrap" title={s.id}>
        {s.name}
      </Link>
    );
  }
  // Until the list arrived nothing is known; an operator's view holds other tenants' servers.
  if (!servers || all) return <span className="mono small nowrap ellipsis" title={op.target.id}>{op.target.id}</span>;
  return (
    <span className="muted nowrap" title={op.target.id} data-testid="target-deleted">
      {t('ops.deletedServer')}
    </span>
  );
}

function FilterBar({ f, onChange, servers }: { f: Filters; onChange: (f: Filters) => void; servers: Server[] }) {
  const i18n = useI18n();
  const { t } = i18n;
  const select = (key: keyof Filters, label: string, options: [string, string][]) => (
    <label className="filter">
      <span className="small muted">{label}</span>
      <select value={f[key]} onChange={(e) => onChange({ ...f, [key]: e.target.value })} data-testid={`ops-filter-${key}`}>
        <option value="">{t('ops.filterAll')}</option>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <fieldset className="toolbar wrap bare ops-filters">
      <legend className="sr-only">{t('ops.filters')}</legend>
      {select('state', t('ops.filterState'), STATES.map((s) => [s, t(`ops.state.${s}`)]))}
      {select('kind', t('ops.filterKind'), KINDS.map((k) => [k, kindLabel(i18n, k)]))}
      {select('target', t('ops.filterTarget'), [...servers].sort((a, b) => a.name.localeCompare(b.name)).map((s) => [s.id, s.name]))}
    </fieldset>
  );
}

/** The operations page; `scope="all"` is the operator's view. */
export function OperationsPage({ scope }: { scope: 'tenant' | 'all' }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [filters, setFilters] = useState<Filters>({ state: '', kind: '', target: '' });
  // The cursors of the pages before this one: "Newer" pops, "Older" pushes.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const limit = pageSize();
  const data = usePoll(
    ['operations', scope, filters.state, filters.kind, filters.target, cursor, limit],
    () => loadPage(scope, filters, cursor, limit),
    (d) => (d?.ops.some((o) => o.state === 'running' || o.state === 'pending') ? 2000 : 5000),
  );
  const servers = usePoll(['servers', 'for-operations'], () => api.all((q) => api.listServers(q)), 10_000);
  const byId = servers.data && new Map(servers.data.map((s) => [s.id, s]));
  const all = scope === 'all';
  const filtered = Boolean(filters.state || filters.kind || filters.target);
  const change = (f: Filters) => {
    setFilters(f);
    setCursors([undefined]);
  };
  return (
    <section aria-labelledby="ops-title">
      <h1 id="ops-title">{t(all ? 'ops.allTitle' : 'ops.title')}</h1>
      {all && <p className="muted">{t('ops.failuresFirst')}</p>}
      <FilterBar f={filters} onChange={change} servers={servers.data ?? []} />
      <ErrorNotice error={data.error} onRetry={data.reload} />
      <ListBody items={data.data?.ops} loading={data.loading} empty={t(filtered ? 'ops.noMatch' : 'ops.empty')}>
        {(ops) => (
          <table className="list cards-on-phone ops">
            <thead>
              <tr>
                <th scope="col">{t('ops.kind')}</th>
                <th scope="col">{t('ops.target')}</th>
                {all && <th scope="col">{t('ops.tenant')}</th>}
                <OperationHeadCells />
              </tr>
            </thead>
            <tbody>
              {ops.map((op) => (
                <tr key={op.id} data-testid="op-row" data-op-id={op.id} data-state={op.state} data-kind={op.kind} className={op.state === 'failed' ? 'row-failed' : undefined}>
                  <th scope="row" data-label={t('ops.kind')}>
                    {kindLabel(i18n, op.kind)}
                  </th>
                  <td data-label={t('ops.target')}>
                    <Target op={op} servers={byId} all={all} i18n={i18n} />
                  </td>
                  {all && <td data-label={t('ops.tenant')}>{data.data!.tenants.get(op.tenantId) ?? op.tenantId}</td>}
                  <OperationCells op={op} />
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ListBody>
      {(cursors.length > 1 || data.data?.nextCursor) && (
        <nav className="row pager" aria-label={t('ops.paging')}>
          <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
            ← {t('ops.newer')}
          </button>
          <span className="small muted" data-testid="ops-page">
            {t('ops.pageOf', { n: cursors.length })}
          </span>
          <button type="button" disabled={!data.data?.nextCursor} onClick={() => setCursors((c) => [...c, data.data!.nextCursor!])}>
            {t('ops.older')} →
          </button>
        </nav>
      )}
    </section>
  );
}
