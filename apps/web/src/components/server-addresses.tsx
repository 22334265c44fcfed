/**
 * A server's addresses: each address and MAC kept on one line (never `10.77.0.5/` + `16`),
 * with a copy button beside it, and a ready `ssh root@<address>` line to copy.
 */
import type { Server } from '@kumulus/api/schemas';
import { useI18n } from '../i18n/i18n.tsx';
import { CopyButton } from './copy-button.tsx';

/** The address without its prefix length, as ssh and ping want it. */
export const bareAddress = (cidr: string) => cidr.split('/')[0] ?? cidr;

/** The addresses card of the server detail page. */
export function ServerAddresses({ server }: { server: Server }) {
  const { t } = useI18n();
  const nics = server.spec.nics;
  const first = nics[0] ? bareAddress(nics[0].ipv4) : '';
  const ssh = `ssh root@${first}`;
  return (
    <section className="card" aria-labelledby="addr-title">
      <h2 id="addr-title">{t('detail.addresses')}</h2>
      {nics.length === 0 ? (
        <p className="muted">{t('detail.noAddresses')}</p>
      ) : (
        <>
          {nics.map((n) => (
            <dl key={n.id} className="facts addresses">
              <dt>{t('detail.ipv4')}</dt>
              <dd className="value-row">
                <span className="mono nowrap" data-testid="server-ipv4">
                  {bareAddress(n.ipv4)}
                  <span className="muted">/{n.ipv4.split('/')[1]}</span>
                </span>
                <CopyButton className="small" text={bareAddress(n.ipv4)} name={t('detail.copyAddress')} />
              </dd>
              <dt>{t('detail.mac')}</dt>
              <dd className="value-row">
                <span className="mono nowrap small" data-testid="server-mac">
                  {n.mac}
                </span>
                <CopyButton className="small" text={n.mac} name={t('detail.copyMac')} />
              </dd>
              <dt>{t('detail.network')}</dt>
              <dd>{n.network}</dd>
            </dl>
          ))}
          <p className="small muted ssh-label">{t('detail.sshCommand')}</p>
          <div className="value-row ssh-line">
            <code className="nowrap" data-testid="ssh-command">
              {ssh}
            </code>
            <CopyButton className="small" text={ssh} name={t('detail.copySsh')} />
          </div>
        </>
      )}
    </section>
  );
}
