/**
 * `kumulus billing`: the cost monitor (credit, spent this month, forecast, when the credit runs
 * out) and the tenant's ledger line by line.
 */
import type { Amount } from '@kumulus/api';
import { dispatch, parseCommand, takePositionals } from '../args.ts';
import { connect } from '../config.ts';
import { language, pick, t } from '../i18n.ts';
import { emit, formatTime, headers, printFields, printTable } from '../output.ts';
import { invoiceCommands, invoiceHelp } from './billing-invoices.ts';

const groupHelp = {
  en: `Usage: kumulus billing summary|ledger|invoices|invoice|import-camt|bank-lines|book-line|export-debits [--tenant ten_…] [--output table|json]

  summary   credit, spent this month per resource, forecast for the month's end, when the credit runs out
  ledger    every booking on your credit account: top-ups, charges, refunds, goodwill
${invoiceHelp.en}

Operators may name another tenant with --tenant.`,
  de: `Aufruf: kumulus billing summary|ledger|invoices|invoice|import-camt|bank-lines|book-line|export-debits [--tenant ten_…] [--output table|json]

  summary   Guthaben, Kosten dieses Monats je Ressource, Prognose zum Monatsende, wann das Guthaben aufgebraucht ist
  ledger    jede Buchung auf Ihrem Guthabenkonto: Aufladungen, Abbuchungen, Erstattungen, Gutschriften
${invoiceHelp.de}

Betreiber können mit --tenant einen anderen Mandanten angeben.`,
};

const options = { tenant: { type: 'string' } } as const;

/** Runs `kumulus billing …`. */
export function runBilling(args: string[]): Promise<void> {
  return dispatch(args, 'kumulus billing', pick(groupHelp), { summary, ledger, ...invoiceCommands });
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
      [t('billing.spent'), formatAmount(s.spent)],
      [t('billing.forecast'), formatAmount(s.forecast)],
      [t('billing.burnRate'), `${formatAmount(s.burnRatePerHour)}/h`],
      [t('billing.runsOut'), s.creditRunsOutAt ? formatTime(s.creditRunsOutAt) : t('billing.never')],
    ]);
    if (s.resources.length) {
      process.stdout.write('\n');
      printTable(
        headers('col.name', 'col.plan', 'col.billedAs', 'col.spent'),
        s.resources.map((r) => [r.name, r.plan, r.billedAs ?? '-', formatAmount(r.spent)]),
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
