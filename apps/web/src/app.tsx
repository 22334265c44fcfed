/**
 * The dashboard's routes. Pages are plain components chosen by path; the console page is
 * loaded lazily so xterm.js stays out of the first load.
 */
import { lazy, Suspense, useEffect, useRef } from 'react';
import { AppLayout } from './components/app-layout.tsx';
import { Loading } from './components/loading.tsx';
import { I18nProvider, useI18n } from './i18n/i18n.tsx';
import { Link, matchPath, Redirect, useLocation } from './lib/router.tsx';
import { SessionProvider, nextPath, redirectToSignIn, useSession } from './lib/session.tsx';
import { InvoicesPage } from './pages/billing/invoices.tsx';
import { CatalogPage } from './pages/catalog.tsx';
import { HostsPage } from './pages/hosts.tsx';
import { OperationsPage } from './pages/operations.tsx';
import { ServerCreatePage } from './pages/server-create.tsx';
import { ServerDetailPage } from './pages/server-detail.tsx';
import { ServerListPage } from './pages/server-list.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { SshKeysPage } from './pages/ssh-keys.tsx';
import { TenantsPage } from './pages/tenants.tsx';
import { TokensPage } from './pages/tokens.tsx';

const ServerConsolePage = lazy(() => import('./pages/server-console.tsx'));

function NotFound() {
  const { t } = useI18n();
  return (
    <section>
      <h1>{t('app.notFound')}</h1>
      <Link href="/servers">{t('app.backHome')}</Link>
    </section>
  );
}

function page(path: string, isOperator: boolean) {
  if (path === '/' || path === '') return <Redirect to="/servers" />;
  if (matchPath('/servers', path)) return <ServerListPage />;
  if (matchPath('/servers/new', path)) return <ServerCreatePage />;
  const consoleOf = matchPath('/servers/:id/console', path);
  if (consoleOf) return <ServerConsolePage id={consoleOf.id!} />;
  const shellOf = matchPath('/servers/:id/shell', path);
  if (shellOf) return <ServerConsolePage key="shell" id={shellOf.id!} mode="shell" />;
  const server = matchPath('/servers/:id', path);
  if (server) return <ServerDetailPage id={server.id!} />;
  if (matchPath('/operations', path)) return <OperationsPage scope="tenant" />;
  if (matchPath('/tokens', path)) return <TokensPage />;
  if (matchPath('/ssh-keys', path)) return <SshKeysPage />;
  if (matchPath('/billing/invoices', path)) return <InvoicesPage />;
  if (isOperator) {
    if (matchPath('/operator/tenants', path)) return <TenantsPage />;
    if (matchPath('/operator/hosts', path)) return <HostsPage />;
    if (matchPath('/operator/catalog', path)) return <CatalogPage />;
    if (matchPath('/operator/operations', path)) return <OperationsPage scope="all" />;
  }
  return <NotFound />;
}

function ToSignIn() {
  useEffect(() => redirectToSignIn(), []);
  return <Loading />;
}

function Routes() {
  const location = useLocation();
  const path = location.split('?')[0] ?? '/';
  const { me, isOperator } = useSession();
  const mainRef = useRef<string>(path);
  // Move focus to the new page's main region so screen readers announce the page change.
  useEffect(() => {
    if (mainRef.current !== path) document.getElementById('main')?.focus({ preventScroll: true });
    mainRef.current = path;
  }, [path]);

  if (me === undefined) return <Loading />;
  if (path === '/sign-in') return me ? <Redirect to={nextPath()} /> : <SignInPage />;
  if (!me) return <ToSignIn />;
  return (
    <AppLayout>
      <Suspense fallback={<Loading />}>{page(path, isOperator)}</Suspense>
    </AppLayout>
  );
}

/** The whole dashboard. */
export function App() {
  return (
    <I18nProvider>
      <SessionProvider>
        <Routes />
      </SessionProvider>
    </I18nProvider>
  );
}
