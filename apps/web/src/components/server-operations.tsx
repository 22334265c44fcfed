/** The operations of one server, newest first, with live progress for the running ones. */
import type { Operation } from '@kumulus/api/schemas';
import { useI18n } from '../i18n/i18n.tsx';
import { kindLabel } from '../i18n/labels.ts';
import { OperationCells, OperationHeadCells } from './operation-state.tsx';

/** A compact table of a server's operations. */
export function ServerOperations({ ops }: { ops: Operation[] }) {
  const i18n = useI18n();
  const { t } = i18n;
  return (
    <section className="card" aria-labelledby="srv-ops-title">
      <h2 id="srv-ops-title">{t('detail.operations')}</h2>
      {ops.length === 0 ? (
        <p className="muted">{t('detail.noOperations')}</p>
      ) : (
        <table className="list compact cards-on-phone">
          <thead>
            <tr>
              <th scope="col">{t('ops.kind')}</th>
              <OperationHeadCells />
            </tr>
          </thead>
          <tbody>
            {ops.map((op) => (
              <tr key={op.id} data-testid="server-op" data-state={op.state}>
                <th scope="row" data-label={t('ops.kind')} data-kind={op.kind}>
                  {kindLabel(i18n, op.kind)}
                </th>
                <OperationCells op={op} />
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
