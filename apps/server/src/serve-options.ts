/** What serve() takes and answers: how to run the control plane, and the running one. */
import type { QuotaValues } from '@kumulus/api';
import type { Engine } from './drivers/types.ts';
import type { ProxmoxEngineOptions } from './drivers/proxmox/index.ts';
import type { TlsEndpoint } from './http/endpoints.ts';
import type { Clock } from './lib/clock.ts';
import type { DunningConfig } from './modules/billing/dunning.ts';
import type { InvoicingConfig } from './modules/billing/invoices/config.ts';
import type { SmtpConfig } from './modules/billing/notify/mailer.ts';
import type { Ruleset } from './modules/firewall/compile.ts';
import type { MetricsAuth } from './modules/monitoring/metrics/route.ts';
import type { DeliveryPolicy } from './modules/webhooks/delivery.ts';
import type { Store } from './store/db.ts';

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
