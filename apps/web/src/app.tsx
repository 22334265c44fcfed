/**
 * The dashboard's routes (wouter over the history API; the server answers every non-/api path with
 * index.html, so deep links and reloads work) around TanStack Query's cache. The console page is
 * loaded lazily so xterm.js stays out of the first load.
 */
import { QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useRef } from 'react';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import { AppLayout } from './components/app-layout.tsx';
import { Loading } from './components/loading.tsx';
import { I18nProvider, useI18n } from './i18n/i18n.tsx';
import { SessionProvider, nextPath, redirectToSignIn, useSession } from './lib/session.tsx';
import { queryClient } from './lib/use-poll.ts';
import { BillingPage } from './pages/billing/billing.tsx';
import { InvoicesPage } from './pages/billing/invoices.tsx';
import { OperatorBillingPage } from './pages/billing/operator-billing.tsx';
import { CatalogPage } from './pages/compute/catalog.tsx';
import { FirewallsPage } from './pages/firewall/firewalls.tsx';
import { ZonesPage } from './pages/firewall/zones.tsx';
import { ClustersPage } from './pages/cluster/clusters.tsx';
import { HostsPage } from './pages/cluster/hosts.tsx';
import { IpPoolsPage } from './pages/network/ip-pools.tsx';
import { NetworkDetailPage } from './pages/network/network-detail.tsx';
import { NetworksPage } from './pages/network/networks.tsx';
import { PublicIpsPage } from './pages/network/public-ips.tsx';
import { MonitorDetailPage } from './pages/operations/monitor-detail.tsx';
import { MonitorsPage } from './pages/operations/monitors.tsx';
import { OperationsPage } from './pages/operations/operations.tsx';
import { ServerCreatePage } from './pages/compute/server-create.tsx';
import { ServerDetailPage } from './pages/compute/server-detail.tsx';
import { ServerListPage } from './pages/compute/server-list.tsx';
import { SignInPage } from './pages/identity/sign-in.tsx';
import { SshKeysPage } from './pages/compute/ssh-keys.tsx';
import { VolumesPage } from './pages/storage/volumes.tsx';
import { BackupsPage } from './pages/backup/backups.tsx';
import { BackupSchedulesPage } from './pages/backup/schedules.tsx';
import { TenantsPage } from './pages/identity/tenants.tsx';
import { TokensPage } from './pages/identity/tokens.tsx';
import { SecurityPage } from './pages/identity/security.tsx';

const ServerConsolePage = lazy(() => import('./pages/compute/server-console.tsx'));

function NotFound() {
  const { t } = useI18n();
  return (
    <section>
      <h1>{t('app.notFound')}</h1>
      <Link href="/servers">{t('app.backHome')}</Link>
    </section>
  );
}

function Pages({ isOperator }: { isOperator: boolean }) {
  return (
    <Switch>
      <Route path="/">
        <Redirect to="/servers" replace />
      </Route>
      <Route path="/servers" component={ServerListPage} />
      <Route path="/servers/new" component={ServerCreatePage} />
      <Route path="/servers/:id/console">{(p) => <ServerConsolePage id={p.id} />}</Route>
      <Route path="/servers/:id/shell">{(p) => <ServerConsolePage key="shell" id={p.id} mode="shell" />}</Route>
      <Route path="/servers/:id">{(p) => <ServerDetailPage id={p.id} />}</Route>
      <Route path="/operations">
        <OperationsPage scope="tenant" />
      </Route>
      <Route path="/monitors" component={MonitorsPage} />
      <Route path="/monitors/:id">{(p) => <MonitorDetailPage id={p.id} />}</Route>
      <Route path="/tokens" component={TokensPage} />
      <Route path="/security" component={SecurityPage} />
      <Route path="/ssh-keys" component={SshKeysPage} />
      <Route path="/networks" component={NetworksPage} />
      <Route path="/networks/:id">{(p) => <NetworkDetailPage id={p.id} />}</Route>
      <Route path="/public-ips" component={PublicIpsPage} />
      <Route path="/firewalls" component={FirewallsPage} />
      <Route path="/volumes" component={VolumesPage} />
      <Route path="/backups" component={BackupsPage} />
      <Route path="/backup-schedules" component={BackupSchedulesPage} />
      <Route path="/billing" component={BillingPage} />
      <Route path="/billing/invoices" component={InvoicesPage} />
      {isOperator && <Route path="/operator/tenants" component={TenantsPage} />}
      {isOperator && <Route path="/operator/billing" component={OperatorBillingPage} />}
      {isOperator && <Route path="/operator/hosts" component={HostsPage} />}
      {isOperator && <Route path="/operator/clusters" component={ClustersPage} />}
      {isOperator && <Route path="/operator/catalog" component={CatalogPage} />}
      {isOperator && <Route path="/operator/ip-pools" component={IpPoolsPage} />}
      {isOperator && <Route path="/operator/zones" component={ZonesPage} />}
      {isOperator && (
        <Route path="/operator/operations">
          <OperationsPage scope="all" />
        </Route>
      )}
      <Route component={NotFound} />
    </Switch>
  );
}

function ToSignIn() {
  useEffect(() => redirectToSignIn(), []);
  return <Loading />;
}

function Routes() {
  const [path] = useLocation();
  const { me, isOperator } = useSession();
  const mainRef = useRef<string>(path);
  // Move focus to the new page's main region so screen readers announce the page change.
  useEffect(() => {
    if (mainRef.current !== path) {
      window.scrollTo(0, 0);
      document.getElementById('main')?.focus({ preventScroll: true });
    }
    mainRef.current = path;
  }, [path]);

  if (me === undefined) return <Loading />;
  if (path === '/sign-in') return me ? <Redirect to={nextPath()} /> : <SignInPage />;
  if (!me) return <ToSignIn />;
  // A session that must first enrol a second factor may use nothing else (the API refuses it too).
  if (me.twoFactor.mustEnrol && path !== '/security') return <Redirect to="/security" replace />;
  return (
    <AppLayout>
      <Suspense fallback={<Loading />}>
        <Pages isOperator={isOperator} />
      </Suspense>
    </AppLayout>
  );
}

/** The whole dashboard. */
export function App() {
  return (
    <I18nProvider>
      <QueryClientProvider client={queryClient}>
        <SessionProvider>
          <Routes />
        </SessionProvider>
      </QueryClientProvider>
    </I18nProvider>
  );
}
