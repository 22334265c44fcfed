/**
 * The signed-in frame: header with tenant, language and sign-out, the navigation (a
 * collapsible menu on phones), and the main landmark that the skip link jumps to.
 */
import { type ReactNode, useEffect, useState } from 'react';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link, useLocation } from 'wouter';
import { useSession } from '../lib/session.tsx';
import { LanguageSwitcher } from './language-switcher.tsx';

const tenantLinks: [string, MessageKey][] = [
  ['/servers', 'nav.servers'],
  ['/operations', 'nav.operations'],
  ['/monitors', 'nav.monitors'],
  ['/tokens', 'nav.tokens'],
  ['/security', 'nav.security'],
  ['/volumes', 'nav.volumes'],
  ['/backups', 'nav.backups'],
  ['/backup-schedules', 'nav.backupSchedules'],
  ['/ssh-keys', 'nav.sshKeys'],
  ['/networks', 'nav.networks'],
  ['/public-ips', 'nav.publicIps'],
  ['/firewalls', 'nav.firewalls'],
  ['/billing', 'nav.billing'],
  ['/billing/invoices', 'nav.invoices'],
];
const operatorLinks: [string, MessageKey][] = [
  ['/operator/tenants', 'nav.tenants'],
  ['/operator/billing', 'nav.operatorBilling'],
  ['/operator/hosts', 'nav.hosts'],
  ['/operator/clusters', 'nav.clusters'],
  ['/operator/catalog', 'nav.catalog'],
  ['/operator/ip-pools', 'nav.ipPools'],
  ['/operator/zones', 'nav.zones'],
  ['/operator/operations', 'nav.allOperations'],
];

function NavList({ links, path }: { links: [string, MessageKey][]; path: string }) {
  const { t } = useI18n();
  return (
    <ul>
      {links.map(([href, key]) => {
        const current = path === href || path.startsWith(href + '/');
        return (
          <li key={href}>
            <Link href={href} aria-current={current ? 'page' : undefined}>
              {t(key)}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}

/** Wraps a signed-in page. */
export function AppLayout({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const { me, isOperator, signOut } = useSession();
  const [path] = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  // A navigation closes the phone menu, like a real page load would.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on path change on purpose
  useEffect(() => setMenuOpen(false), [path]);
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <header className="topbar">
        <Link href="/servers" className="brand">
          <span className="logo" aria-hidden="true" />
          {t('app.name')}
        </Link>
        <button
          type="button"
          className="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen((o) => !o)}
        >
          {t('nav.menu')}
        </button>
        <div className="topbar-end">
          {me && (
            <span className="who small" title={me.user.email}>
              {t('nav.signedInAs', { email: me.user.email, tenant: me.tenant.name })}
            </span>
          )}
          <LanguageSwitcher />
          <button type="button" onClick={() => void signOut()}>
            {t('nav.signOut')}
          </button>
        </div>
      </header>
      <div className="body">
        <nav id="main-nav" className={`sidenav${menuOpen ? ' open' : ''}`} aria-label={t('nav.main')}>
          <NavList links={tenantLinks} path={path} />
          {isOperator && (
            <>
              <h2 className="nav-heading">{t('nav.operator')}</h2>
              <NavList links={operatorLinks} path={path} />
            </>
          )}
          {/* On phones the header keeps only the logo and the menu button; these move in here. */}
          <div className="nav-phone-extra">
            {me && <p className="small muted">{t('nav.signedInAs', { email: me.user.email, tenant: me.tenant.name })}</p>}
            <LanguageSwitcher />
            <button type="button" onClick={() => void signOut()}>
              {t('nav.signOut')}
            </button>
          </div>
        </nav>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}
