import { chmodSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import websocket from '@fastify/websocket';
import type { Kysely } from 'kysely';
import { createLocalEngine } from './drivers/local/index.ts';
import { createProxmoxEngine } from './drivers/proxmox/index.ts';
import type { Engine } from './drivers/types.ts';
import { registeredProxmox, registerProxmox, verifyProxmox } from './modules/cluster/proxmox-registration.ts';
import { openSecretBox } from './modules/cluster/secret-box.ts';
import { buildApp } from './http/app.ts';
import { prepareEndpoints } from './http/endpoints.ts';
import { principalOf } from './http/auth.ts';
import { createIdempotency } from './http/idempotency.ts';
import { type Clock, systemClock } from './lib/clock.ts';
import { acquireDataDirLock } from './lib/data-dir-lock.ts';
import { createIdGenerator } from './lib/ids.ts';
import { createAudit } from './modules/audit/service.ts';
import { wireBackups } from './modules/backup/wire.ts';
import { wireClusters } from './modules/cluster/wire.ts';
import { wireBilling } from './modules/billing/wire.ts';
import { wireNetwork } from './modules/network/wire.ts';
import { wireStorage } from './modules/storage/wire.ts';
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
import { registerMetricsRoute } from './modules/monitoring/metrics/route.ts';
import { CURRENCY } from './modules/billing/money.ts';
import { createDeliveryReconciler, DEFAULT_DELIVERY_POLICY } from './modules/webhooks/delivery.ts';
import { phaseEvents } from './modules/webhooks/events.ts';
import { webhookRoutes } from './modules/webhooks/routes.ts';
import { createWebhooks, WEBHOOK_KIND } from './modules/webhooks/service.ts';
import { createServerReconciler, type PhaseChange } from './modules/compute/server-reconciler.ts';
import { createServers } from './modules/compute/servers.ts';
import { createSshKeys } from './modules/compute/ssh-keys.ts';
import { compileFromStore, createFirewallReconciler } from './modules/firewall/firewall-reconciler.ts';
import { createFirewalls, FIREWALL_QUEUE } from './modules/firewall/firewalls.ts';
import { firewallRoutes } from './modules/firewall/routes.ts';
import { wireFirewallViews } from './modules/firewall/wire.ts';
import { createZones } from './modules/firewall/zones.ts';
import { identityRoutes } from './modules/identity/routes.ts';
import { createIdentity } from './modules/identity/service.ts';
import { createOperations } from './modules/operations/service.ts';
import { operationRoutes } from './modules/operations/routes.ts';
import { createQueue } from './reconcile/queue.ts';
import { createWorker } from './reconcile/worker.ts';
import { openStore, type Store } from './store/db.ts';
import type { Database } from './store/schema.ts';

/** The version reported by /healthz and the OpenAPI document. */
export const VERSION = '0.1.0';

/** How often the host preflight runs again by itself (GET /hosts runs it too). */
const HEALTH_EVERY_MS = 30_000;

import type { Running, ServeOptions } from './serve-options.ts';

export type { Running, ServeOptions };

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
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const queue = createQueue({ db, dialect: store.dialect, clock, owner });
  const log = (text: string) => console.error(text);
  const notify = () => worker.notify();
  const billing = wireBilling({ db, clock, ids, audit, queue, dataDir, servers: () => servers, volumes: () => storage.volumes, log }, opts);
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
    log,
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
  const firewallChanged = async (trx: Kysely<Database>) => {
    if (engine.firewall) await queue.enqueue(trx, FIREWALL_QUEUE.kind, FIREWALL_QUEUE.id);
  };
  const domain = { db, clock, ids, audit, operations, queue, dialect: store.dialect, engine, quotas: billing.quotas, notify };
  const storage = wireStorage({ ...domain, node: hostname(), servers: () => servers, log, onLifecycle: billing.metering.record, resyncMs: opts.resyncMs ?? 600_000, volumeSnapshotLimit: opts.volumeSnapshotLimit ?? 5 });
  const network = wireNetwork({
    ...domain,
    defaultNetwork: { ...net, link },
    addressCooldownMs: opts.addressCooldownMs ?? 300_000,
    trafficEveryMs: opts.trafficEveryMs ?? 60_000,
    publicIpResyncMs: opts.sweepMs ?? 15_000,
    firewallChanged,
    onLifecycle: billing.metering.record,
  });
  // Alerts go out through billing's outbox: written in the step's transaction, sent by the mail reconciler.
  const mail = billing.mail ? (trx: Kysely<Database>, tenantId: string, kind: string, to: string[], text: { subject: string; body: string }) => billing.mail!(trx, { tenantId, kind, recipients: to, ...text }) : null;
  const backups = wireBackups({
    ...domain,
    servers: () => servers,
    volumes: () => storage.volumes,
    log,
    onLifecycle: billing.metering.record,
    emit: (trx, tenantId, event, data) => webhooks.emit(trx, tenantId, event, data),
    mail,
  });
  const metrics = createControlPlaneMetrics();
  const worker = createWorker({
    queue,
    concurrency: opts.concurrency ?? 16,
    reconcilers: metrics.reconcilers({
      server: createServerReconciler({ db, clock, engine, operations, catalog, defaultNetwork: { ...net, link }, imageReady, resyncMs: opts.resyncMs ?? null, node: hostname(), health, log, queue, onPhase: serverPhaseChanged }),
      ...billing.reconcilers,
      ...storage.reconcilers,
      ...network.reconcilers,
      ...backups?.reconcilers,
      [MONITOR_KIND]: createMonitorReconciler({
        db,
        clock,
        ids,
        emit: (trx, tenantId, event, data) => webhooks.emit(trx, tenantId, event, data),
        mail,
      }),
      [WEBHOOK_KIND]: createDeliveryReconciler({ db, clock, allowPrivateUrls: opts.webhooksAllowPrivateUrls ?? false, policy: { ...DEFAULT_DELIVERY_POLICY, ...opts.webhookDelivery } }),
      image: createImageReconciler({ engine, catalog, health }),
      engine: createEngineSweep({ db, engine, everyMs: opts.sweepMs ?? 30_000, enqueue: wakeServer, claims: backups?.claims }),
      host: async () => {
        await health.refresh();
        return { againMs: HEALTH_EVERY_MS };
      },
      ...(engine.firewall
        ? { [FIREWALL_QUEUE.kind]: createFirewallReconciler({ db, firewall: engine.firewall, linkOf: engine.network.linkOf, defaultNetwork: { cidr: net.cidr, link }, resyncMs: opts.firewallResyncMs ?? 10_000 }) }
        : // Spec and label changes wake the firewall whatever the engine; one without a firewall has nothing to do.
          { [FIREWALL_QUEUE.kind]: async () => ({ againMs: null }) }),
    }),
    onError: (item, err) => console.error(`kumulus: reconcile ${item.kind}/${item.id}: ${err instanceof Error ? err.message : err}`),
  });
  const sshKeys = createSshKeys({ db, clock, ids, audit, dialect: store.dialect });
  const servers = createServers({ db, clock, ids, audit, operations, catalog, sshKeys, queue, capabilities: engine.compute.capabilities, dialect: store.dialect, defaultNetwork: net, health, addressCooldownMs: opts.addressCooldownMs ?? 300_000, quotas: billing.quotas, notify });
  const firewalls = createFirewalls({ db, clock, ids, audit, queue, notify });
  const firewallViews = wireFirewallViews({ db, clock, ids, engine, defaultNetwork: { cidr: net.cidr, link } });
  const webhooks = createWebhooks({ db, clock, ids, audit, queue, allowPrivateUrls: opts.webhooksAllowPrivateUrls ?? false, notify });
  const monitors = createMonitors({ db, clock, ids, audit, queue, allowPrivateTargets: opts.monitorsAllowPrivateTargets ?? false, findServer: async (p, idOrName) => (await servers.get(p, idOrName)).id, notify });
  const serverActions = createServerActions({ db, clock, audit, catalog, servers, capabilities: engine.compute.capabilities, notify });

  /** What follows a server's committed phase change, in its transaction: billing, events, its addresses, volumes and firewall. */
  async function serverPhaseChanged(trx: Kysely<Database>, change: PhaseChange): Promise<void> {
    await billing.metering.recordPhase(trx, change);
    for (const e of await phaseEvents(trx, change)) await webhooks.emit(trx, change.tenantId, e.event, e.data);
    // Wakes the firewall too, for its NICs' chains and every rule's references to it.
    await network.serverPhaseChanged(trx, change.serverId, change.phase);
    await storage.serverPhaseChanged(trx, change.serverId, change.tenantId, change.phase);
  }

  // After a crash every server is looked at again: whatever was half done gets finished.
  if (store.dialect === 'sqlite') await queue.releaseAllLeases();
  for (const { id } of await db.selectFrom('servers').select('id').execute()) await queue.enqueue(db, 'server', id);
  await billing.adopt();
  await storage.adopt();
  await backups?.adopt();
  // Deliveries still pending when the last process died go out again, in order.
  for (const { webhook_id } of await db.selectFrom('webhook_deliveries').select('webhook_id').distinct().where('state', '=', 'pending').execute()) await queue.enqueue(db, WEBHOOK_KIND, webhook_id);
  for (const name of toPrepare) await queue.enqueue(db, 'image', name);
  await network.adopt();
  await queue.enqueue(db, 'engine', 'sweep');
  await firewallChanged(db);
  await queue.enqueue(db, 'host', 'health', HEALTH_EVERY_MS);
  await monitors.adopt();
  worker.start();
  const stopFirewallLog = firewallViews.start();
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
      ...storage.routes,
      ...(backups?.routes ?? []),
      ...operationRoutes(operations),
      ...network.routes,
      ...firewallRoutes(firewalls, createZones({ db, clock, ids, audit, queue, notify })),
      ...firewallViews.routes,
      ...billing.routes,
      ...hostRoutes({ db, engine: engine.name, node: hostname(), health }),
      ...wireClusters({ db, clock, ids, audit, engine, box: () => (secretBox ??= openSecretBox(opts.secretKeyFile ?? join(dataDir, 'secret.key'))) }),
      ...auditRoutes(db),
    ],
  });
  const listening = await endpoints.start(app).catch(async (err) => {
    // A port in use must not leave the worker running and the store and data dir held.
    await app.close();
    unwatch();
    await stopFirewallLog();
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
        await stopFirewallLog();
        await worker.stop(); // then let passes under way finish (drain)
        billing.close();
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
  const registered = await registeredProxmox(db, box);
  if (!registered) return null;
  const { endpoint } = registered;
  const engine = createProxmoxEngine({ ...opts.proxmox, ...endpoint, clusterId: registered.id, roles: { ...registered.roles, ...opts.proxmox?.roles } });
  try {
    await verifyProxmox(engine.client, endpoint);
  } catch (err) {
    await engine.client.close();
    throw err;
  }
  return engine;
}
