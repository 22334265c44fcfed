/** What a firewall change would open and close on each NIC, shown before it is saved. */
import type { FirewallPreview, PreviewRule } from '@kumulus/api/firewall';
import { useI18n } from '../../i18n/i18n.tsx';
import { ruleText } from './rule-text.ts';

function Line({ rule }: { rule: PreviewRule }) {
  const { t } = useI18n();
  return (
    <>
      <span>{t(rule.direction === 'in' ? 'firewall.inbound' : 'firewall.outbound')}: </span>
      <code>{ruleText(rule)}</code>
      {rule.addresses && <span className="muted"> = {rule.addresses.join(', ') || t('preview.noAddress')}</span>}
      <span className="muted"> ({rule.firewall})</span>
    </>
  );
}

/** The preview's result, NIC by NIC. */
export function PreviewResult({ preview }: { preview: FirewallPreview }) {
  const { t } = useI18n();
  if (!preview.nics.length) return <p className="muted" data-testid="fw-preview">{t('preview.nothing')}</p>;
  return (
    <div className="stack" data-testid="fw-preview">
      {preview.nics.map((n) => (
        <div key={n.nic}>
          <h4>
            {n.serverName} <span className="mono small">{n.nic}</span>
          </h4>
          <ul>
            {!n.guardedBefore && n.guardedAfter && <li className="closes">{t('preview.becomesGuarded')}</li>}
            {n.guardedBefore && !n.guardedAfter && <li className="opens">{t('preview.becomesOpen')}</li>}
            {n.opens.map((r) => (
              <li key={`o${JSON.stringify(r)}`} className="opens">
                <strong>{t('preview.opens')}</strong> <Line rule={r} />
              </li>
            ))}
            {n.closes.map((r) => (
              <li key={`c${JSON.stringify(r)}`} className="closes">
                <strong>{t('preview.closes')}</strong> <Line rule={r} />
              </li>
            ))}
          </ul>
        </div>
      ))}
    </div>
  );
}
