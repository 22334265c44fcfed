/**
 * Puts the billing domain together for serve.ts: prices, metering, the ledger, dunning and its
 * mail outbox, quotas, invoices and payments, with their reconcilers and routes.
 */
import type { QuotaValues } from '@kumulus/api';
import type { Kysely } from 'kysely';
import type { RouteDef } from '../../http/route.ts';
import type { Clock } from '../../lib/clock.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import type { Queue } from '../../reconcile/queue.ts';
import type { Reconciler } from '../../reconcile/worker.ts';
import type { Database } from '../../store/schema.ts';
import type { Audit } from '../audit/service.ts';
import type { Servers } from '../compute/servers.ts';
import type { Volumes } from '../storage/volumes.ts';
import { createDunning, DEFAULT_DUNNING, type DunningConfig, dunningPrincipal } from './dunning.ts';
import { dunningRoutes } from './dunning-routes.ts';
import { type InvoicingConfig, loadInvoicingConfig } from './invoices/config.ts';
import { createIssuer, INVOICING_KIND, MONTHLY } from './invoices/issue.ts';
import { createProfiles } from './invoices/profile.ts';
import { invoiceRoutes } from './invoices/routes.ts';
import { createInvoicing } from './invoices/service.ts';
import { createLedger } from './ledger.ts';
import { createMetering } from './meter.ts';
import { createMailOutbox, type OutgoingMail, queueMail, type SmtpConfig } from './notify/mailer.ts';
import { paymentRoutes } from './payments/routes.ts';
import { createSepa } from './payments/sepa.ts';
import { createPayments } from './payments/service.ts';
import { createPrices } from './prices.ts';
import { quotaRoutes } from './quota-routes.ts';
import { createQuotas, DEFAULT_QUOTAS } from './quotas.ts';
import { billingRoutes } from './routes.ts';
import { createBilling } from './service.ts';

/** What serve's options say about billing. */
export interface BillingOptions {
  meterEveryMs?: number;
  invoicing?: InvoicingConfig;
  volumeQuotaGb?: number;
  quotas?: Partial<QuotaValues>;
  dunning?: Partial<DunningConfig>;
  smtp?: SmtpConfig;
}

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  audit: Audit;
  queue: Queue;
  dataDir: string;
  /** Dunning acts through the services, as a request would (made after billing: hence thunks). */
  servers: () => Servers;
  volumes: () => Volumes;
  log: (text: string) => void;
}

/** The billing domain, wired. */
export function wireBilling(d: Deps, opts: BillingOptions) {
  const { db, clock, ids, audit } = d;
  const enqueue = (trx: Kysely<Database>, kind: string, id: string, delayMs?: number) => d.queue.enqueue(trx, kind, id, delayMs);
  const meterEveryMs = opts.meterEveryMs ?? 3_600_000;
  const ledger = createLedger({ clock, ids });
  const prices = createPrices({ clock, ids });
  const metering = createMetering({ db, clock, ledger, prices, enqueue, everyMs: meterEveryMs });
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
    log: d.log,
    enqueue,
    // Through the services, as a request would: desired state, operations and audit lines; reconcilers do the rest.
    actions: {
      stopServer: async (t, id) => void (await d.servers().action(dunningPrincipal(t), id, 'stop', `dunning:${id}`)),
      startServer: async (t, id) => void (await d.servers().action(dunningPrincipal(t), id, 'start', `dunning:${id}`)),
      deleteServer: async (t, id) => void (await d.servers().delete(dunningPrincipal(t), id, `dunning:${id}`)),
      deleteVolume: async (t, id) => void (await d.volumes().delete(dunningPrincipal(t), id, `dunning:${id}`)),
    },
  });
  const outbox = opts.smtp ? createMailOutbox({ db, clock, smtp: opts.smtp, log: d.log }) : null;
  const quotas = createQuotas({
    db,
    clock,
    audit,
    assertMayCreate: dunning.assertMayCreate,
    publicIpsInUse: async (trx, tenantId) => Number((await trx.selectFrom('public_ips').select((eb) => eb.fn.countAll().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow()).n),
    defaults: { ...DEFAULT_QUOTAS, ...(opts.volumeQuotaGb !== undefined ? { volumeGb: opts.volumeQuotaGb } : {}), ...opts.quotas },
  });
  const invoicingConfig = opts.invoicing ?? loadInvoicingConfig(d.dataDir);
  const profiles = createProfiles({ clock, vat: invoicingConfig.vat });
  const issuer = createIssuer({ db, clock, ids, ledger, profiles, config: invoicingConfig, settle: async () => void (await metering.reconciler('sweep', 0)) });
  const invoicing = createInvoicing({ db, audit, issuer, profiles, config: invoicingConfig });
  // Card payments would plug in here: see modules/billing/payments/provider.ts.
  const payments = createPayments({ db, clock, ids, audit, ledger });
  const sepa = createSepa({ db, clock, ids, audit, ledger, seller: invoicingConfig.seller });

  return {
    metering,
    quotas,
    dunning,
    /** Queues a mail in the caller's transaction; null when no SMTP server is configured. */
    mail: outbox ? (trx: Kysely<Database>, m: OutgoingMail) => queueMail(trx, { ids, clock, enqueue }, m) : null,
    reconcilers: {
      meter: metering.reconciler,
      dunning: dunning.reconciler,
      mail: outbox?.reconciler ?? (async () => ({ againMs: null })),
      [INVOICING_KIND]: issuer.reconciler,
    } satisfies Record<string, Reconciler>,
    routes: [
      ...billingRoutes(billing),
      ...quotaRoutes(quotas),
      ...dunningRoutes({ db, dunning, billing }),
      ...invoiceRoutes(invoicing),
      ...paymentRoutes(payments, sepa),
    ] satisfies RouteDef[],
    /** After a start: meters open again, and the periodic passes are queued. */
    async adopt() {
      await metering.adopt();
      await d.queue.enqueue(db, 'meter', 'sweep', meterEveryMs);
      await d.queue.enqueue(db, 'dunning', 'sweep', dunningConfig.everyMs);
      if (outbox) await d.queue.enqueue(db, 'mail', 'outbox');
      await d.queue.enqueue(db, INVOICING_KIND, MONTHLY);
    },
    close: () => outbox?.close(),
  };
}
