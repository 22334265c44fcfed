/**
 * Operations history. The tenant sees its own; an operator sees every tenant's with the
 * failures on top, because those are what an operator has to act on.
 */
import type { Operation } from '@kumulus/api/schemas';
import { ErrorNotice } from '../components/error-notice.tsx';
import { ListBody } from '../components/list-body.tsx';
import { OperationCells, OperationHeadCells } from '../components/operation-state.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { api } from '../lib/api.ts';
import { Link } from '../lib/router.tsx';
import { usePoll } from '../lib/use-poll.ts';

async function loadAll(): Promise<{ ops: Operation[]; tenants: Map<string, string> }> {
  const [failed, latest, tenants] = await Promise.all([
    api.listOperations({ scope: 'all', state: 'failed', limit: 100, order: 'desc' }),
    api.listOperations({ scope: 'all', limit: 200, order: 'desc' }),
    api.all((q) => api.listTenants(q)),
  ]);
  const seen = new Set(failed.items.map((o) => o.id));
  const rest = latest.items.filter((o) => !seen.has(o.id));
  // Both pages come newest first from the API; failures go on top.
  return { ops: [...failed.items, ...rest], tenants: new Map(tenants.map((t) => [t.id, t.name])) };
}

async function loadTenant(): Promise<{ ops: Operation[]; tenants: Map<string, string> }> {
  const page = await api.listOperations({ limit: 200, order: 'desc' });
  return { ops: page.items, tenants: new Map() };
}

/** The operations page; `scope="all"` is the operator's view. */
export function OperationsPage({ scope }: { scope: 'tenant' | 'all' }) {
  const i18n = useI18n();
  const { t } = i18n;
  const data = usePoll(
    scope === 'all' ? loadAll : loadTenant,
    (d) => (d?.ops.some((o) => o.state === 'running' || o.state === 'pending') ? 2000 : 5000),
    [scope],
  );
  const all = scope === 'all';
  return (
    <section aria-labelledby="ops-title">
      <h1 id="ops-title">{t(all ? 'ops.allTitle' : 'ops.title')}</h1>
      {all && <p className="muted">{t('ops.failuresFirst')}</p>}
      <ErrorNotice error={data.error} onRetry={data.reload} />
      <ListBody items={data.data?.ops} loading={data.loading} empty={t('ops.empty')}>
        {(ops) => (
          <table className="list cards-on-phone">
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
                <tr key={op.id} data-testid="op-row" data-state={op.state} className={op.state === 'failed' ? 'row-failed' : undefined}>
                  <th scope="row" data-label={t('ops.kind')}>
                    {op.kind}
                  </th>
                  <td data-label={t('ops.target')} className="mono small">
                    {op.target.type === 'server' && !all ? <Link href={`/servers/${op.target.id}`}>{op.target.id}</Link> : op.target.id}
                  </td>
                  {all && <td data-label={t('ops.tenant')}>{data.data!.tenants.get(op.tenantId) ?? op.tenantId}</td>}
                  <OperationCells op={op} />
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ListBody>
    </section>
  );
}
