/**
 * `kumulus billing`: the cost monitor (credit, spent this month, forecast, when the credit runs
 * out) and the tenant's ledger line by line.
 */
import type { Amount, CreatePrice, PriceKind } from '@kumulus/api';
import { dispatch, parseCommand, requireOption, takePositionals } from '../args.ts';
import { usageError } from '../errors.ts';
import { connect } from '../config.ts';
import { language, pick, t } from '../i18n.ts';
import { emit, formatTime, headers, printFields, printTable } from '../output.ts';
import { invoiceCommands, invoiceHelp } from './billing-invoices.ts';

const groupHelp = {
  en: `Usage: kumulus billing summary|ledger|prices|set-price|invoices|invoice|import-camt|bank-lines|book-line|export-debits [--tenant ten_…] [--output table|json]

  summary   credit, spent this month per resource (servers, volumes, snapshots, public IPs), forecast for the month's end, when the credit runs out
  ledger    every booking on your credit account: top-ups, charges, refunds, goodwill
  prices    the price list: per server plan, per GB of volume, snapshot and backup, per public IPv4/IPv6 address, per GB of traffic beyond a plan
  set-price --kind server|volume|snapshot|backup|public-ipv4|public-ipv6|traffic [--plan NAME] --per hour|month --running EUR [--stopped EUR] [--monthly-cap EUR] [--from TIME]
            sets a price from now (or --from) on (operators); volumes, snapshots, backups and traffic per GB, addresses each;
            --monthly-cap: the most one resource is charged in a calendar month
${invoiceHelp.en}

Operators may name another tenant with --tenant.`,
  de: `Aufruf: kumulus billing summary|ledger|prices|set-price|invoices|invoice|import-camt|bank-lines|book-line|export-debits [--tenant ten_…] [--output table|json]

  summary   Guthaben, Kosten dieses Monats je Ressource (Server, Volumes, Snapshots, öffentliche IPs), Prognose zum Monatsende, wann das Guthaben aufgebraucht ist
  ledger    jede Buchung auf Ihrem Guthabenkonto: Aufladungen, Abbuchungen, Erstattungen, Gutschriften
  prices    die Preisliste: je Server-Tarif, je GB Volume, Snapshot und Backup, je öffentlicher IPv4-/IPv6-Adresse, je GB Traffic über dem Tarif
  set-price --kind server|volume|snapshot|backup|public-ipv4|public-ipv6|traffic [--plan NAME] --per hour|month --running EUR [--stopped EUR] [--monthly-cap EUR] [--from ZEIT]
            setzt einen Preis ab jetzt (oder --from) (Betreiber); Volumes, Snapshots, Backups und Traffic je GB, Adressen je Stück;
            --monthly-cap: höchstens so viel wird einer Ressource je Kalendermonat berechnet
${invoiceHelp.de}

Betreiber können mit --tenant einen anderen Mandanten angeben.`,
};

const options = { tenant: { type: 'string' } } as const;

/** Runs `kumulus billing …`. */
export function runBilling(args: string[]): Promise<void> {
  return dispatch(args, 'kumulus billing', pick(groupHelp), { summary, ledger, prices, 'set-price': setPrice, ...invoiceCommands });
}

/** An exact amount as the table shows it: two decimals, rounded once, in the user's notation. */
export function formatAmount(a: Amount): string {
  const sign = a.cents < 0 ? '-' : '';
  const abs = Math.abs(a.cents);
  return `${sign}${Math.floor(abs / 100)}${language === 'de' ? ',' : '.'}${String(abs % 100).padStart(2, '0')} ${a.currency}`;
}

async function summary(args: string[]): Promise<void> {
  const cmd = 'kumulus billing summary';
  const { positionals, values, output, help } = parseCommand(args, options, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  takePositionals(positionals, [], cmd);
  const { client } = await connect();
  const s = await client.billingSummary({ tenantId: values.tenant });
  emit(output, s, () => {
    printFields([
      [t('billing.balance'), formatAmount(s.balance)],
      [t('billing.vat'), `${s.vat.rate} % (${formatAmount(s.vat.accrued)} ${t('billing.vatAccrued')})`],
      [t('billing.spent'), formatAmount(s.spent)],
      [t('billing.forecast'), formatAmount(s.forecast)],
      [t('billing.burnRate'), `${formatAmount(s.burnRatePerHour)}/h`],
      [t('billing.runsOut'), s.creditRunsOutAt ? formatTime(s.creditRunsOutAt) : t('billing.never')],
    ]);
    if (s.resources.length) {
      process.stdout.write('\n');
      printTable(
        headers('col.kind', 'col.name', 'col.plan', 'col.size', 'col.billedAs', 'col.spent'),
        s.resources.map((r) => [r.resourceType, r.name, r.plan, r.sizeGb === undefined ? '-' : `${r.sizeGb} GB`, r.billedAs ?? '-', formatAmount(r.spent)]),
      );
    }
  });
}

async function ledger(args: string[]): Promise<void> {
  const cmd = 'kumulus billing ledger';
  const { positionals, values, output, help } = parseCommand(args, options, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  takePositionals(positionals, [], cmd);
  const { client } = await connect();
  const entries = await client.all((q) => client.listLedger({ ...q, tenantId: values.tenant }));
  emit(output, entries, () =>
    printTable(
      headers('col.time', 'col.kind', 'col.reference', 'col.amount', 'col.description'),
      entries.map((e) => [formatTime(e.at), e.kind, e.reference, formatAmount(e.amount), e.description]),
    ),
  );
}

async function prices(args: string[]): Promise<void> {
  const cmd = 'kumulus billing prices';
  const { positionals, output, help } = parseCommand(args, {}, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  takePositionals(positionals, [], cmd);
  const { client } = await connect();
  const list = (await client.listPrices()).items;
  emit(output, list, () =>
    printTable(
      headers('col.kind', 'col.plan', 'col.per', 'col.running', 'col.stopped', 'col.monthlyCap', 'col.effectiveFrom'),
      list.map((p) => [p.kind, p.plan ?? '-', p.per, p.running, p.kind === 'server' ? p.stopped : '-', p.monthlyCap ?? '-', formatTime(p.effectiveFrom)]),
    ),
  );
}

const priceOptions = { kind: { type: 'string' }, plan: { type: 'string' }, per: { type: 'string' }, running: { type: 'string' }, stopped: { type: 'string' }, 'monthly-cap': { type: 'string' }, from: { type: 'string' } } as const;

async function setPrice(args: string[]): Promise<void> {
  const cmd = 'kumulus billing set-price';
  const { positionals, values, output, help } = parseCommand(args, priceOptions, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  takePositionals(positionals, [], cmd);
  // The server checks every field and names the wrong one; the CLI only shapes the request.
  const running = requireOption(values.running, 'running', cmd);
  const from = values.from === undefined ? undefined : Date.parse(values.from);
  if (from !== undefined && Number.isNaN(from)) throw usageError(t('usage.badValue', { name: 'from', value: values.from!, expected: '2026-12-31T00:00:00Z' }), cmd);
  const body = {
    kind: (values.kind ?? 'server') as PriceKind,
    ...(values.plan ? { plan: values.plan } : {}),
    per: (values.per ?? 'month') as CreatePrice['per'],
    running,
    ...(values.stopped ? { stopped: values.stopped } : {}),
    ...(values['monthly-cap'] ? { monthlyCap: values['monthly-cap'] } : {}),
    currency: 'EUR',
    ...(from !== undefined ? { effectiveFrom: new Date(from).toISOString() } : {}),
  };
  const { client } = await connect();
  const p = await client.createPrice(body);
  emit(output, p, () => printFields([[t('col.kind'), p.kind], [t('col.plan'), p.plan ?? '-'], [t('col.running'), `${p.running} EUR / ${p.per}`], [t('col.monthlyCap'), p.monthlyCap === null ? '-' : `${p.monthlyCap} EUR`], [t('col.effectiveFrom'), formatTime(p.effectiveFrom)]]));
}
