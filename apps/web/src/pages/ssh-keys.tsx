/** SSH keys page: the API has no stored-keys endpoint yet, so it says how keys are given today. */
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../lib/router.tsx';

/** Explains that keys are pasted in the create-server wizard for now. */
export function SshKeysPage() {
  const { t } = useI18n();
  return (
    <section>
      <h1>{t('sshKeys.title')}</h1>
      <p className="notice info">{t('sshKeys.unavailable')}</p>
      <Link className="button" href="/servers/new">
        {t('servers.create')}
      </Link>
    </section>
  );
}
