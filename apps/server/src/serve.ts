import { chmodSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import websocket from '@fastify/websocket';
import type { QuotaValues } from '@kumulus/api';
import type { Kysely } from 'kysely';
import { createLocalEngine } from './drivers/local/index.ts';
import { createProxmoxEngine, type ProxmoxEngineOptions } from './drivers/proxmox/index.ts';
import type { Engine } from './drivers/types.ts';
import { registeredProxmox, registerProxmox, verifyProxmox } from './modules/cluster/proxmox-registration.ts';
import { openSecretBox } from './modules/cluster/secret-box.ts';
import { buildApp } from './http/app.ts';
import { prepareEndpoints, type TlsEndpoint } from './http/endpoints.ts';
import { principalOf } from './http/auth.ts';
import { createIdempotency } from './http/idempotency.ts';
import { type Clock, systemClock } from './lib/clock.ts';
import { acquireDataDirLock } from './lib/data-dir-lock.ts';
import { createIdGenerator } from './lib/ids.ts';
import { createAudit } from './modules/audit/service.ts';
import { wireBackups } from './modules/backup/wire.ts';
import { createLedger } from './modules/billing/ledger.ts';
import { createMetering } from './modules/billing/meter.ts';
import { createPrices } from './modules/billing/prices.ts';
import { createDunning, DEFAULT_DUNNING, type DunningConfig, dunningPrincipal } from './modules/billing/dunning.ts';
import { dunningRoutes } from './modules/billing/dunning-routes.ts';
import { createMailOutbox, type SmtpConfig } from './modules/billing/notify/mailer.ts';
import { quotaRoutes } from './modules/billing/quota-routes.ts';
import { createQuotas, DEFAULT_QUOTAS } from './modules/billing/quotas.ts';
import { billingRoutes } from './modules/billing/routes.ts';
import { createBilling } from './modules/billing/service.ts';
import { type InvoicingConfig, loadInvoicingConfig } from './modules/billing/invoices/config.ts';
import { createIssuer, INVOICING_KIND, MONTHLY } from './modules/billing/invoices/issue.ts';
import { createProfiles } from './modules/billing/invoices/profile.ts';
import { invoiceRoutes } from './modules/billing/invoices/routes.ts';
import { createInvoicing } from './modules/billing/invoices/service.ts';
import { paymentRoutes } from './modules/billing/payments/routes.ts';
import { createSepa } from './modules/billing/payments/sepa.ts';
import { createPayments } from './modules/billing/payments/service.ts';
import { createHostHealth } from './modules/cluster/health.ts';
import { auditRoutes } from './modules/audit/routes.ts';
import { hostRoutes } from './modules/cluster/hosts.ts';
import { registerConsoleRoutes } from './modules/console/routes.ts';
import { createCatalog } from './modules/compute/catalog.ts';
import { createImageReconciler } from './modules/compute/image-reconciler.ts';
import { createEngineSweep } from './modules/compute/engine-sweep.ts';
import { computeRoutes } from './modules/compute/routes.ts';
import { serverActionRoutes } from './modules/compute/server-action-routes.ts';
import { createServerActions } from './modules/compute/server-actions.ts';
import { createMonitorReconciler } from './modules/monitoring/monitor-reconciler.ts';
import { createMonitors, MONITOR_KIND } from './modules/monitoring/monitors.ts';
import { monitorRoutes } from './modules/monitoring/routes.ts';
import { createInventoryMetrics } from './modules/monitoring/metrics/inventory.ts';
import { createControlPlaneMetrics } from './modules/monitoring/metrics/registry.ts';
import { type MetricsAuth, registerMetricsRoute } from './modules/monitoring/metrics/route.ts';
import { CURRENCY } from './modules/billing/money.ts';
import { createDeliveryReconciler, DEFAULT_DELIVERY_POLICY, type DeliveryPolicy } from './modules/webhooks/delivery.ts';
import { phaseEvents } from './modules/webhooks/events.ts';
import { webhookRoutes } from './modules/webhooks/routes.ts';
import { createWebhooks, WEBHOOK_KIND } from './modules/webhooks/service.ts';
import { createServerReconciler, type PhaseChange } from './modules/compute/server-reconciler.ts';
import { createServers } from './modules/compute/servers.ts';
import { createSshKeys } from './modules/compute/ssh-keys.ts';
import { compileFromStore, createFirewallReconciler } from './modules/firewall/firewall-reconciler.ts';
import type { Ruleset } from './modules/firewall/compile.ts';
import { createFirewalls, FIREWALL_QUEUE } from './modules/firewall/firewalls.ts';
import { firewallRoutes } from './modules/firewall/routes.ts';
import { createZones } from './modules/firewall/zones.ts';
import { identityRoutes } from './modules/identity/routes.ts';
import { createNetworkReconciler, createNetworkSweep } from './modules/network/network-reconciler.ts';
import { createNetworks } from './modules/network/networks.ts';
import { networkRoutes } from './modules/network/routes.ts';
import { nicRoutes } from './modules/network/nic-routes.ts';
import { createServerNics } from './modules/network/server-nics.ts';
import { createTrafficCollector } from './modules/network/traffic.ts';
import { createPlanTraffic } from './modules/network/traffic-policy.ts';
import { createIpPools } from './modules/network/ip-pools.ts';
import { createPublicIpReconciler, PUBLIC_IP_KIND } from './modules/network/public-ip-reconciler.ts';
import { publicIpRoutes } from './modules/network/public-ip-routes.ts';
import { createPublicIps, unassignServer } from './modules/network/public-ips.ts';
import { createIdentity } from './modules/identity/service.ts';
import { createOperations } from './modules/operations/service.ts';
import { operationRoutes } from './modules/operations/routes.ts';
import { storageRoutes } from './modules/storage/routes.ts';
import { createVolumeReconciler } from './modules/storage/volume-reconciler.ts';
import { createVolumes } from './modules/storage/volumes.ts';
import { createSnapshotReconciler } from './modules/storage/snapshot-reconciler.ts';
import { snapshotRoutes } from './modules/storage/snapshot-routes.ts';
import { createSnapshots } from './modules/storage/snapshots.ts';
import { serverDiskRoutes } from './modules/storage/server-disk-routes.ts';
import { createServerDiskReconciler, createServerDisks, SERVER_DISK } from './modules/storage/server-disks.ts';
import { createQueue } from './reconcile/queue.ts';
import { createWorker } from './reconcile/worker.ts';
import { openStore, type Store } from './store/db.ts';
import type { Database } from './store/schema.ts';

/** The version reported by /healthz and the OpenAPI document. */
export const VERSION = '0.1.0';

/** How often the host preflight runs again by itself (GET /hosts runs it too). */
const HEALTH_EVERY_MS = 30_000;

/** How to run the control plane. */
export interface ServeOptions {
  dataDir: string;
  /** Plain HTTP `HOST:PORT`, loopback only unless `insecureHttp`; port 0 picks a free one. */
  listen?: string;
  /** HTTPS `HOST:PORT` or `:PORT` (every address), with the certificate in `<dataDir>/tls/` (made on first start). */
  tlsListen?: string;
  /** Allows plain HTTP on an address that is not loopback (behind a TLS proxy). */
  insecureHttp?: boolean;
  /** Store URL; `sqlite:<dataDir>/store/kumulus.db` by default, or `postgres://…`. */
  storeUrl?: string;
  /** On an empty store: the first operator's API token (KUMULUS_BOOTSTRAP_TOKEN). */
  bootstrapToken?: string;
  /** On an empty store: the first operator's e-mail and password, for the dashboard. */
  bootstrapEmail?: string;
  bootstrapPassword?: string;
  log?: boolean;
  /** The engine; the local host's by default. */
  engine?: Engine;
  /** Names for the local engine's bridge and nftables table (tests run several side by side). */
  bridge?: string;
  nftTable?: string;
  /** The default network's range and gateway. */
  network?: { cidr: string; gateway: string };
  /** Images to prepare at start-up; all the engine offers by default. */
  prepareImages?: string[];
  /** How long a released address rests before it is handed out again; 5 minutes by default. */
  addressCooldownMs?: number;
  /** Reconcile passes run at the same time. */
  concurrency?: number;
  /**
   * How often a converged server gets a pass of its own; by default never, since drift is found
   * without one: the engine's events (a guest that stopped) and the engine sweep (every
   * `sweepMs`, one look at all instances) wake exactly the servers that drifted.
   */
  resyncMs?: number | null;
  /** How often every instance is looked at in one pass, for orphans and drift. */
  sweepMs?: number;
  /** How often the kernel's NIC counters are read into the hourly traffic (default a minute). */
  trafficEveryMs?: number;
  secureCookies?: boolean;
  /** How often each live resource's usage is booked to the ledger (the cost monitor adds the rest live). */
  meterEveryMs?: number;
  /** The seller, VAT rules and payment terms on invoices (default: `<dataDir>/invoicing.json` over a placeholder seller). */
  invoicing?: InvoicingConfig;
  /** The clock; the wall clock by default (tests of billing inject their own). */
  clock?: Clock;
  /**
   * A Proxmox VE cluster to drive instead of the local host: stored (the token secret sealed) and checked at
   * start. Without it, a cluster registered by an earlier start is used, and without one the local host.
   */
  proxmox?: ProxmoxEngineOptions;
  /** The key file that seals stored secrets; `<dataDir>/secret.key` by default. Keep it out of database backups. */
  secretKeyFile?: string;
  /** Platform operators must sign in with a second factor (default true); false only where that cannot be had. */
  requireOperatorTwoFactor?: boolean;
  /** The local engine's storage backend and its settings; `dir` under `<dataDir>/volumes` by default. */
  storage?: { backend: string; config: Record<string, string> };
  /** How often the firewall ruleset is compared with the kernel's when nothing changed; 10 s by default. */
  firewallResyncMs?: number;
  /** GB of volumes one tenant may have in all, unless an operator sets its quota (same as `quotas.volumeGb`). */
  volumeQuotaGb?: number;
  /** The quota limits of tenants an operator has not set their own for. */
  quotas?: Partial<QuotaValues>;
  /** Dunning's thresholds, grace period and interval (7 and 1 days of credit, 14 days of grace by default). */
  dunning?: Partial<DunningConfig>;
  /** The SMTP server dunning's e-mails go out through; without one, tenants get in-app notices only. */
  smtp?: SmtpConfig;
  /** How many snapshots one volume may keep (a server's limit comes from its plan); 5 by default. */
  volumeSnapshotLimit?: number;
  /**
   * Lets webhooks deliver to loopback and private addresses. Off by default: deliveries are sent
   * by the control plane from inside the operator's network, so a tenant's URL could otherwise
   * reach services that are not meant to be reachable (SSRF). Tests and LAN-only setups turn it on.
   */
  webhooksAllowPrivateUrls?: boolean;
  /** Retry policy of webhook deliveries (tests shorten the delays). */
  webhookDelivery?: Partial<DeliveryPolicy>;
  /** Who may scrape GET /metrics (a bearer token and/or basic auth); without it /metrics is not served. */
  metrics?: MetricsAuth;
  /** Lets tenants' monitors check loopback and private addresses (as webhooksAllowPrivateUrls, against SSRF). */
  monitorsAllowPrivateTargets?: boolean;
}

/** A running control plane. */
export interface Running {
  /** The plain HTTP (loopback) URL when there is one, else the HTTPS one. */
  url: string;
  /** The HTTPS listener: its URLs and certificate fingerprint. */
  tls?: TlsEndpoint;
  engine: Engine;
  /** The store, for tests and benchmarks that look underneath the API. */
  store: Store;
  /** The firewall ruleset the spec compiles to now (null when the engine has no firewall facet). */
  compiledFirewall(): Promise<Ruleset | null>;
  close(): Promise<void>;
}

/** Starts the control plane in one process: store, engine, reconcilers and the HTTP API. */
export async function serve(opts: ServeOptions): Promise<Running> {
  const dataDir = resolve(opts.dataDir);
  // The engine makes directories that the containers' mapped root (a high host uid) must
  // traverse; a restrictive umask inherited from a shell (077) would lock it out of them.
  process.umask(0o022);
  // Unprivileged containers' root (a high host uid) must traverse the data dir to reach its
  // rootfs, so the dir is 0711; the store and secrets live in a 0700 subdir of their own.
  mkdirSync(join(dataDir, 'store'), { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o711);
  chmodSync(join(dataDir, 'store'), 0o700);
  mkdirSync(join(dataDir, 'lxc'), { recursive: true });
  chmodSync(join(dataDir, 'lxc'), 0o711);
  const storeUrl = opts.storeUrl ?? `sqlite:${join(dataDir, 'store', 'kumulus.db')}`;
  // With SQLite only one control plane may use a data dir; PostgreSQL is shared by design.
  const lock = storeUrl.startsWith('sqlite:') ? acquireDataDirLock(dataDir) : null;
  // Before anything else starts (and under the lock, as it may write the certificate): a refused address or a
  // broken certificate ends serve here.
  const endpoints = await prepareEndpoints(opts, dataDir).catch((err) => {
    lock?.release();
    throw err;
  });
  const store = await openStore(storeUrl);
  const clock = opts.clock ?? systemClock;
  const ids = createIdGenerator(clock);
  const db = store.db;
  const audit = createAudit({ clock, ids });
  let secretBox: ReturnType<typeof openSecretBox> | undefined;
  const identity = createIdentity({
    db,
    clock,
    ids,
    audit,
    dialect: store.dialect,
    // TOTP seeds are sealed with the same key file as the Proxmox token, read when the first one is needed.
    box: () => (secretBox ??= openSecretBox(opts.secretKeyFile ?? join(dataDir, 'secret.key'))),
    requireOperatorTwoFactor: opts.requireOperatorTwoFactor ?? true,
  });
  const operations = createOperations({ db, clock, ids });
  const catalog = createCatalog({ db, clock, ids, audit });
  const ledger = createLedger({ clock, ids });
  const prices = createPrices({ clock, ids });
  const metering = createMetering({ db, clock, ledger, prices, enqueue: (trx, kind, id, delayMs) => queue.enqueue(trx, kind, id, delayMs), everyMs: opts.meterEveryMs ?? 3_600_000 });
  const billing = createBilling({ db, clock, ids, audit, ledger, prices, metering });
  const dunningConfig: DunningConfig = { ...DEFAULT_DUNNING, ...opts.dunning };
  const dunning = createDunning({
    db,
    clock,
    ids,
    audit,
    billing,
    config: dunningConfig,
    mail: !!opts.smtp,
    log: (text) => console.error(text),
    enqueue: (trx, kind, id, delayMs) => queue.enqueue(trx, kind, id, delayMs),
    // Through the services, as a request would: desired state, operations and audit lines; reconcilers do the rest.
    actions: {
      stopServer: async (t, id) => void (await servers.action(dunningPrincipal(t), id, 'stop', `dunning:${id}`)),
      startServer: async (t, id) => void (await servers.action(dunningPrincipal(t), id, 'start', `dunning:${id}`)),
      deleteServer: async (t, id) => void (await servers.delete(dunningPrincipal(t), id, `dunning:${id}`)),
      deleteVolume: async (t, id) => void (await volumes.delete(dunningPrincipal(t), id, `dunning:${id}`)),
    },
  });
  const outbox = opts.smtp ? createMailOutbox({ db, clock, smtp: opts.smtp, log: (text) => console.error(text) }) : null;
  const quotas = createQuotas({
    db,
    clock,
    audit,
    assertMayCreate: dunning.assertMayCreate,
    publicIpsInUse: async (trx, tenantId) => Number((await trx.selectFrom('public_ips').select((eb) => eb.fn.countAll().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow()).n),
    defaults: { ...DEFAULT_QUOTAS, ...(opts.volumeQuotaGb !== undefined ? { volumeGb: opts.volumeQuotaGb } : {}), ...opts.quotas },
  });
  const invoicingConfig = opts.invoicing ?? loadInvoicingConfig(dataDir);
  const profiles = createProfiles({ clock, vat: invoicingConfig.vat });
  const issuer = createIssuer({ db, clock, ids, ledger, profiles, config: invoicingConfig, settle: async () => void (await metering.reconciler('sweep', 0)) });
  const invoicing = createInvoicing({ db, audit, issuer, profiles, config: invoicingConfig });
  // Card payments would plug in here: see modules/billing/payments/provider.ts.
  const payments = createPayments({ db, clock, ids, audit, ledger });
  const sepa = createSepa({ db, clock, ids, audit, ledger, seller: invoicingConfig.seller });
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const queue = createQueue({ db, dialect: store.dialect, clock, owner });
  const engine = opts.engine ?? (await proxmoxEngine(opts, dataDir, db, clock).catch(async (err) => {
    await store.close();
    lock?.release();
    throw err;
  })) ?? createLocalEngine({ lxcPath: join(dataDir, 'lxc'), bridge: opts.bridge ?? 'kmbr0', nftTable: opts.nftTable ?? 'kumulus', ...(opts.storage ? { storage: opts.storage } : {}) });
  const net = { name: 'default', ...(opts.network ?? { cidr: '10.77.0.0/16', gateway: '10.77.0.1' }) };
  // A host that cannot make the bridge still starts: the preflight shows the operator why.
  const link = await engine.network.ensureDefault(net).catch((err: Error) => {
    console.error(`kumulus: the default network could not be set up: ${err.message}`);
    return opts.bridge ?? 'kmbr0';
  });

  await catalog.seed(engine.images.available().map((i) => ({ name: i.name, os: i.os, kind: i.kind ?? ('container' as const) })));
  if (await identity.isEmpty()) {
    if (opts.bootstrapToken || opts.bootstrapPassword) {
      await identity.createOperator({ email: opts.bootstrapEmail ?? 'admin@kumulus.local', password: opts.bootstrapPassword, token: opts.bootstrapToken });
    } else {
      console.error('kumulus: no operator exists yet. Restart with KUMULUS_BOOTSTRAP_TOKEN=<at least 16 characters> (and optionally KUMULUS_BOOTSTRAP_EMAIL / KUMULUS_BOOTSTRAP_PASSWORD) to create the first one.');
    }
  }

  const wakeServer = async (id: string) => {
    await queue.enqueue(db, 'server', id);
    worker.notify();
  };
  const toPrepare = new Set(opts.prepareImages ?? engine.images.available().map((i) => i.name));
  const health = createHostHealth({
    db,
    engine,
    catalog,
    clock,
    log: (text) => console.error(text),
    requeueImage: async (name) => {
      if (toPrepare.has(name)) await queue.enqueue(db, 'image', name);
    },
  });
  await health.refresh();

  const imageReady = async (name: string) => {
    if (await engine.images.isReady(name)) return engine.images.prepare(name);
    await queue.enqueue(db, 'image', name);
    worker.notify();
    return null;
  };
  const metrics = createControlPlaneMetrics();
  // Alerts go out through dunning's outbox: written in the step's transaction, sent by the mail reconciler.
  const queueMail = outbox
    ? async (trx: Kysely<Database>, tenantId: string, kind: string, to: string[], text: { subject: string; body: string }) => {
        await trx.insertInto('mail_outbox').values({ id: ids('mail'), tenant_id: tenantId, kind, recipients: JSON.stringify(to), subject: text.subject, body: text.body, created_at: clock(), sent_at: null, attempts: 0, last_error: null }).execute();
        await queue.enqueue(trx, 'mail', 'outbox');
      }
    : null;
  const backupDomain = wireBackups({ db, clock, ids, audit, operations, queue, dialect: store.dialect, engine, servers: () => servers, volumes: () => volumes, notify: () => worker.notify(), emit: (trx, tenantId, event, data) => webhooks.emit(trx, tenantId, event, data), mail: queueMail, log: (text) => console.error(text) });
  const worker = createWorker({
    queue,
    concurrency: opts.concurrency ?? 16,
    reconcilers: metrics.reconcilers({
      server: createServerReconciler({ db, clock, engine, operations, catalog, defaultNetwork: { ...net, link }, imageReady, resyncMs: opts.resyncMs ?? null, node: hostname(), health, log: (text) => console.error(text), queue, onPhase: serverPhaseChanged }),
      meter: metering.reconciler,
      dunning: dunning.reconciler,
      mail: outbox?.reconciler ?? (async () => ({ againMs: null })),
      [INVOICING_KIND]: issuer.reconciler,
      [MONITOR_KIND]: createMonitorReconciler({
        db,
        clock,
        ids,
        emit: (trx, tenantId, event, data) => webhooks.emit(trx, tenantId, event, data),
        // Through dunning's outbox: written in the check's transaction, sent by the mail reconciler.
        mail: queueMail,
      }),
      [WEBHOOK_KIND]: createDeliveryReconciler({ db, clock, allowPrivateUrls: opts.webhooksAllowPrivateUrls ?? false, policy: { ...DEFAULT_DELIVERY_POLICY, ...opts.webhookDelivery } }),
      image: createImageReconciler({ engine, catalog, health }),
      volume: createVolumeReconciler({
        db,
        clock,
        engine,
        operations,
        serverLive: async (id) => !!(await db.selectFrom('servers').select('id').where('id', '=', id).where('deletion_requested_at', 'is', null).executeTakeFirst()),
        resyncMs: opts.resyncMs ?? 600_000,
        log: (text) => console.error(text),
        onLifecycle: metering.record,
      }),
      snapshot: createSnapshotReconciler({
        db,
        clock,
        engine,
        operations,
        ownerLive: async (t) =>
          !!(await db
            .selectFrom(t.kind === 'server' ? 'servers' : 'volumes')
            .select('id')
            .where('id', '=', t.id)
            .where('deletion_requested_at', 'is', null)
            .executeTakeFirst()),
        resyncMs: opts.resyncMs ?? 600_000,
        log: (text) => console.error(text),
        onLifecycle: metering.record,
      }),
      [SERVER_DISK]: createServerDiskReconciler({ db, clock, engine, operations }),
      ...backupDomain?.reconcilers,
      engine: createEngineSweep({ db, engine, everyMs: opts.sweepMs ?? 30_000, enqueue: wakeServer, claims: backupDomain?.claims }),
      host: async () => {
        await health.refresh();
        return { againMs: HEALTH_EVERY_MS };
      },
      // A network is rarely changed and cheap to check: its own resync stays (bridge, dnsmasq).
      network: createNetworkReconciler({ db, clock, engine, operations, resyncMs: 15_000 }),
      'network-sweep': createNetworkSweep({ db, engine, everyMs: 60_000 }),
      traffic: createTrafficCollector({ db, engine, clock, defaultNetwork: net.name, everyMs: opts.trafficEveryMs ?? 60_000, wake: (trx, id) => queue.enqueue(trx, 'server', id) }),
      [PUBLIC_IP_KIND]: createPublicIpReconciler({ db, engine, resyncMs: opts.sweepMs ?? 15_000 }),
      ...(engine.firewall
        ? { [FIREWALL_QUEUE.kind]: createFirewallReconciler({ db, firewall: engine.firewall, linkOf: engine.network.linkOf, defaultNetwork: { cidr: net.cidr, link }, resyncMs: opts.firewallResyncMs ?? 10_000 }) }
        : // Spec and label changes wake the firewall whatever the engine; one without a firewall has nothing to do.
          { [FIREWALL_QUEUE.kind]: async () => ({ againMs: null }) }),
    }),
    onError: (item, err) => console.error(`kumulus: reconcile ${item.kind}/${item.id}: ${err instanceof Error ? err.message : err}`),
  });
  const sshKeys = createSshKeys({ db, clock, ids, audit, dialect: store.dialect });
  const servers = createServers({ db, clock, ids, audit, operations, catalog, sshKeys, queue, capabilities: engine.compute.capabilities, dialect: store.dialect, defaultNetwork: net, health, addressCooldownMs: opts.addressCooldownMs ?? 300_000, quotas, notify: () => worker.notify() });

  const firewalls = createFirewalls({ db, clock, ids, audit, queue, notify: () => worker.notify() });
  const webhooks = createWebhooks({ db, clock, ids, audit, queue, allowPrivateUrls: opts.webhooksAllowPrivateUrls ?? false, notify: () => worker.notify() });
  const monitors = createMonitors({ db, clock, ids, audit, queue, allowPrivateTargets: opts.monitorsAllowPrivateTargets ?? false, findServer: async (p, idOrName) => (await servers.get(p, idOrName)).id, notify: () => worker.notify() });
  const serverActions = createServerActions({ db, clock, audit, catalog, servers, capabilities: engine.compute.capabilities, notify: () => worker.notify() });
  const networks = createNetworks({ db, clock, ids, audit, operations, queue, dialect: store.dialect, notify: () => worker.notify() });
  const serverNics = createServerNics({ db, clock, ids, audit, operations, queue, dialect: store.dialect, defaultNetwork: net, addressCooldownMs: opts.addressCooldownMs ?? 300_000, notify: () => worker.notify() });
  // A change that moves public routes wakes the host's public-IP pass, in the change's transaction.
  const publicIpsChanged = async (trx: Kysely<Database>) => {
    await queue.enqueue(trx, PUBLIC_IP_KIND, 'host');
    // The address is the NIC's own source from now on (anti-spoofing) and what references to the server match.
    if (engine.firewall) await queue.enqueue(trx, FIREWALL_QUEUE.kind, FIREWALL_QUEUE.id);
    queueMicrotask(() => worker.notify());
  };
  const ipPools = createIpPools({ db, clock, ids, audit, dialect: store.dialect, modes: engine.publicIps?.modes ?? [], changed: publicIpsChanged });
  const publicIps = createPublicIps({ db, clock, ids, audit, dialect: store.dialect, changed: publicIpsChanged, assertQuota: (trx, tenantId) => quotas.assertWithin(trx, tenantId, { publicIps: 1 }, { publicIps: 'name' }), onLifecycle: metering.record });

  /** What follows a server's committed phase change, in its transaction: billing, and its volumes when it is gone. */
  async function serverPhaseChanged(trx: Kysely<Database>, change: PhaseChange): Promise<void> {
    await metering.recordPhase(trx, change);
    for (const e of await phaseEvents(trx, change)) await webhooks.emit(trx, change.tenantId, e.event, e.data);
    // A deleted server takes its volumes' attachments with it: their reconciler notices at once.
    if (change.phase === 'Deleted') for (const id of await volumes.attachedTo(trx, change.tenantId, change.serverId)) await queue.enqueue(trx, 'volume', id);
    // A deleted server's public IPs stay the tenant's, unassigned; a started one gets its addresses at once.
    if (change.phase === 'Deleted') await unassignServer(trx, change.serverId, clock());
    if (change.phase === 'Deleted' || change.phase === 'Running') await publicIpsChanged(trx);
    // A gone server leaves every firewall's references and its NICs' chains.
    if (change.phase === 'Deleted') await queue.enqueue(trx, FIREWALL_QUEUE.kind, FIREWALL_QUEUE.id);
    // Its snapshots go with it.
    if (change.phase === 'Deleted') await snapshots.ownerGone(trx, change.serverId);
    // A server that runs gets its root-disk limits (its plan's, on its first start); a deleted one's row goes.
    if (change.phase === 'Running' || change.phase === 'Deleted') await serverDisks.wake(trx, change.serverId);
  }
  const volumes = createVolumes({
    db,
    clock,
    ids,
    audit,
    operations,
    queue,
    dialect: store.dialect,
    storage: engine.storage,
    quotas,
    node: hostname(),
    findServer: async (p, idOrName) => {
      const s = await servers.get(p, idOrName);
      return { id: s.id, name: s.name, node: s.status.node, deleting: s.status.phase === 'Deleting' };
    },
    notify: () => worker.notify(),
    onDelete: (trx, id) => snapshots.ownerGone(trx, id),
  });
  const serverDisks = createServerDisks({
    db,
    clock,
    audit,
    operations,
    queue,
    findServer: async (p, idOrName) => {
      const s = await servers.get(p, idOrName);
      return { id: s.id, plan: s.spec.plan };
    },
    notify: () => worker.notify(),
  });
  const snapshots = createSnapshots({
    db,
    clock,
    ids,
    audit,
    operations,
    queue,
    dialect: store.dialect,
    storage: engine.storage,
    findOwner: async (p, type, idOrName) => {
      if (type === 'volume') {
        const v = await volumes.get(p, idOrName);
        return { type, id: v.id, name: v.name, limit: opts.volumeSnapshotLimit ?? 5, deleting: v.status.phase === 'Deleting' };
      }
      const s = await servers.get(p, idOrName);
      const plan = await db.selectFrom('plans').select('snapshot_limit').where('name', '=', s.spec.plan).executeTakeFirst();
      return { type, id: s.id, name: s.name, limit: plan?.snapshot_limit ?? 3, deleting: s.status.phase === 'Deleting' };
    },
    createVolumeFrom: (p, body, source, requestId) => volumes.create(p, body, requestId, source),
    notify: () => worker.notify(),
  });

  // After a crash every server is looked at again: whatever was half done gets finished.
  if (store.dialect === 'sqlite') await queue.releaseAllLeases();
  for (const { id } of await db.selectFrom('servers').select('id').execute()) await queue.enqueue(db, 'server', id);
  await metering.adopt();
  await queue.enqueue(db, 'meter', 'sweep', opts.meterEveryMs ?? 3_600_000);
  await queue.enqueue(db, 'dunning', 'sweep', dunningConfig.everyMs);
  if (outbox) await queue.enqueue(db, 'mail', 'outbox');
  await queue.enqueue(db, INVOICING_KIND, MONTHLY);
  for (const { id } of await db.selectFrom('volumes').select('id').execute()) await queue.enqueue(db, 'volume', id);
  for (const { id } of await db.selectFrom('snapshots').select('id').execute()) await queue.enqueue(db, 'snapshot', id);
  await backupDomain?.adopt();
  // Deliveries still pending when the last process died go out again, in order.
  for (const { webhook_id } of await db.selectFrom('webhook_deliveries').select('webhook_id').distinct().where('state', '=', 'pending').execute()) await queue.enqueue(db, WEBHOOK_KIND, webhook_id);
  for (const name of toPrepare) await queue.enqueue(db, 'image', name);
  for (const { id } of await db.selectFrom('networks').select('id').execute()) await queue.enqueue(db, 'network', id);
  await queue.enqueue(db, 'engine', 'sweep');
  await queue.enqueue(db, 'network-sweep', 'sweep');
  await queue.enqueue(db, 'traffic', 'collect', opts.trafficEveryMs ?? 60_000);
  await queue.enqueue(db, PUBLIC_IP_KIND, 'host');
  if (engine.firewall) await queue.enqueue(db, FIREWALL_QUEUE.kind, FIREWALL_QUEUE.id);
  await queue.enqueue(db, 'host', 'health', HEALTH_EVERY_MS);
  await monitors.adopt();
  worker.start();
  const unwatch = engine.compute.watch((id) => {
    wakeServer(id).catch((err: Error) => console.error(`kumulus: waking server ${id}: ${err.message}`));
  });

  const app = await buildApp({
    identity,
    idempotency: createIdempotency({ db, clock }),
    version: VERSION,
    log: opts.log,
    webDir: resolve(import.meta.dirname, '../../web/dist'),
    extend: async (app) => {
      metrics.instrument(app);
      registerMetricsRoute(app, { auth: opts.metrics ?? {}, metrics, refresh: createInventoryMetrics({ registry: metrics.registry, db, engine, clock, dataDir, currency: CURRENCY }).refresh });
      await app.register(websocket);
      registerConsoleRoutes(app, { authenticate: (req) => principalOf(identity, req), servers, lxcPath: join(dataDir, 'lxc') });
    },
    routes: [
      ...identityRoutes(identity, { secureCookies: opts.secureCookies ?? false }),
      ...computeRoutes(servers, sshKeys, catalog),
      ...serverActionRoutes(serverActions),
      ...webhookRoutes(webhooks),
      ...monitorRoutes(monitors),
      ...storageRoutes(volumes),
      ...snapshotRoutes(snapshots),
      ...serverDiskRoutes(serverDisks),
      ...(backupDomain?.routes ?? []),
      ...operationRoutes(operations),
      ...networkRoutes(networks),
      ...nicRoutes(serverNics, createPlanTraffic(db)),
      ...publicIpRoutes(ipPools, publicIps),
      ...firewallRoutes(firewalls, createZones({ db, clock, ids, audit, queue, notify: () => worker.notify() })),
      ...billingRoutes(billing),
      ...quotaRoutes(quotas),
      ...dunningRoutes({ db, dunning, billing }),
      ...invoiceRoutes(invoicing),
      ...paymentRoutes(payments, sepa),
      ...hostRoutes({ db, engine: engine.name, node: hostname(), health }),
      ...auditRoutes(db),
    ],
  });
  const listening = await endpoints.start(app).catch(async (err) => {
    // A port in use must not leave the worker running and the store and data dir held.
    await app.close();
    unwatch();
    await worker.stop();
    await store.close();
    lock?.release();
    throw err;
  });

  let closing: Promise<void> | null = null;
  return {
    url: listening.httpUrl ?? listening.tls?.url ?? '',
    tls: listening.tls,
    engine,
    store,
    compiledFirewall: async () => (engine.firewall ? compileFromStore({ db, firewall: engine.firewall, linkOf: engine.network.linkOf, defaultNetwork: { cidr: net.cidr, link } }) : null),
    close: () => {
      closing ??= (async () => {
        // Stop taking requests first; the sockets end once the app has closed its WebSockets.
        const ended = listening.close();
        await app.close();
        await ended;
        unwatch();
        await worker.stop(); // then let passes under way finish (drain)
        outbox?.close();
        await store.close();
        lock?.release();
      })();
      return closing;
    },
  };
}

/** The Proxmox engine when a cluster is given or registered, checked before use; null for the local host. */
async function proxmoxEngine(opts: ServeOptions, dataDir: string, db: Store['db'], clock: Clock): Promise<Engine | null> {
  const box = () => openSecretBox(opts.secretKeyFile ?? join(dataDir, 'secret.key'));
  if (opts.proxmox) await registerProxmox(db, box(), clock, opts.proxmox);
  const endpoint = await registeredProxmox(db, box);
  if (!endpoint) return null;
  const engine = createProxmoxEngine({ ...opts.proxmox, ...endpoint });
  try {
    await verifyProxmox(engine.client, endpoint);
  } catch (err) {
    await engine.client.close();
    throw err;
  }
  return engine;
}
