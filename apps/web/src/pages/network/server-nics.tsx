/**
 * The NICs section of the server page: each NIC with its network, address, MAC and state;
 * attach one on a network picked from the tenant's networks, detach one after a confirmation.
 */
import type { Network, ServerNic } from '@kumulus/api';
import { useId, useState } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { usePoll } from '../../lib/use-poll.ts';
import { NicFirewallLog } from '../firewall/nic-log.tsx';

/** The NICs card; `onChange` lets the page pick up the operation at once. */
export function ServerNicsSection({ serverId, onChange }: { serverId: string; onChange: () => void }) {
  const { t } = useI18n();
  const nics = usePoll(
    ['server', serverId, 'nics'],
    (signal) => api.request<{ items: ServerNic[] }>('GET', `/servers/${encodeURIComponent(serverId)}/nics`, undefined, undefined, { signal }),
    (d) => (d?.items.some((n) => n.state !== 'attached') ? 1500 : 5000),
  );
  const networks = usePoll(['networks', 'all'], () => api.all((q) => api.request<{ items: Network[]; nextCursor: string | null }>('GET', '/networks', undefined, q)), 0);
  const uid = useId();
  const [choice, setChoice] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [detaching, setDetaching] = useState<ServerNic | null>(null);
  const [logOf, setLogOf] = useState<string | null>(null);
  const nameOf = (id: string) => networks.data?.find((n) => n.id === id)?.name ?? id;
  const items = nics.data?.items ?? [];
  const free = [{ id: 'default', name: 'default' }, ...(networks.data ?? [])].filter((n) => !items.some((x) => x.network === n.id || (n.id === 'default' && x.network === 'default')));

  const attach = async () => {
    if (!choice) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.attachNic(serverId, { network: choice }, { idempotencyKey: crypto.randomUUID() });
      setChoice('');
      nics.reload();
      onChange();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const detach = async (nic: ServerNic) => {
    setBusy(true);
    setError(undefined);
    try {
      await api.detachNic(serverId, nic.id);
      nics.reload();
      onChange();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      setDetaching(null);
    }
  };

  return (
    <section className="card" aria-labelledby="nics-title" data-testid="server-nics">
      <h2 id="nics-title">{t('nics.title')}</h2>
      <ErrorNotice error={error ?? nics.error} />
      <table className="list compact">
        <thead>
          <tr>
            <th scope="col">{t('detail.network')}</th>
            <th scope="col">{t('detail.ipv4')}</th>
            <th scope="col">{t('detail.mac')}</th>
            <th scope="col">{t('nics.state')}</th>
            <th scope="col">
              <span className="sr-only">{t('nics.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((n) => (
            <tr key={n.id} data-testid="nic-row">
              <td>{nameOf(n.network)}</td>
              <td className="mono nowrap">{n.ipv4}</td>
              <td className="mono small nowrap">{n.mac}</td>
              <td>{t(`nics.state.${n.state}`)}</td>
              <td>
                <button type="button" className="small" aria-expanded={logOf === n.id} onClick={() => setLogOf(logOf === n.id ? null : n.id)}>
                  {t('fwlog.title')}
                </button>{' '}
                {n.state !== 'detaching' && items.length > 1 && (
                  <button type="button" className="danger small" disabled={busy} onClick={() => setDetaching(n)}>
                    {t('nics.detach')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {logOf && items.some((n) => n.id === logOf) && <NicFirewallLog serverId={serverId} nicId={logOf} />}
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void attach();
        }}
      >
        <label htmlFor={`${uid}-network`}>{t('nics.network')}</label>{' '}
        <select id={`${uid}-network`} value={choice} onChange={(e) => setChoice(e.target.value)} data-testid="nic-network">
            <option value="">{t('nics.choose')}</option>
            {free.map((n) => (
              <option key={n.id} value={n.id}>
                {n.name}
              </option>
            ))}
        </select>
        <button type="submit" disabled={!choice || busy}>
          {t('nics.attach')}
        </button>
      </form>
      {detaching && (
        <ConfirmDialog
          title={t('nics.confirmTitle')}
          warning={t('nics.confirmWarning', { network: nameOf(detaching.network), address: detaching.ipv4 })}
          confirmLabel={t('nics.detach')}
          busy={busy}
          onConfirm={() => void detach(detaching)}
          onClose={() => setDetaching(null)}
        />
      )}
    </section>
  );
}
