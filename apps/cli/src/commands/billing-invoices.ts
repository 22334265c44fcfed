/**
 * `kumulus billing invoices|invoice|import-camt|bank-lines|book-line|export-debits`: invoices and
 * credit notes (list, show, download as PDF or e-invoice XML) and, for operators, paying in —
 * importing the bank's camt.053 statement, booking what it could not match, exporting SEPA debits.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Invoice } from '@kumulus/api';
import { dispatch, parseCommand, requireOption, takePositionals } from '../args.ts';
import { connect } from '../config.ts';
import { CliError, Exit, usageError } from '../errors.ts';
import { pick, t } from '../i18n.ts';
import { expandHome } from '../input.ts';
import { emit, formatTime, headers, note, printFields, printTable, say } from '../output.ts';
import { formatAmount } from './billing.ts';

/** The help lines these commands add to `kumulus billing --help`. */
export const invoiceHelp = {
  en: `  invoices                          your invoices and credit notes
  invoice show ID|NUMBER            one invoice with its lines
  invoice download ID|NUMBER [--format pdf|xml] [--file PATH]
                                    the invoice as PDF or EN 16931 e-invoice (XRechnung CII XML)
  import-camt FILE                  import the bank's camt.053 statement (operators)
  bank-lines [--all]                payments no tenant matched (operators)
  book-line ID --tenant ten_…       book an unmatched payment to a tenant (operators)
  export-debits [--date YYYY-MM-DD] [--file PATH]
                                    the SEPA direct debits due, as a pain.008 file (operators)`,
  de: `  invoices                          Ihre Rechnungen und Gutschriften
  invoice show ID|NUMMER            eine Rechnung mit ihren Positionen
  invoice download ID|NUMMER [--format pdf|xml] [--file PFAD]
                                    die Rechnung als PDF oder E-Rechnung nach EN 16931 (XRechnung, CII-XML)
  import-camt DATEI                 den camt.053-Kontoauszug der Bank importieren (Betreiber)
  bank-lines [--all]                Zahlungen, die keinem Mandanten zugeordnet wurden (Betreiber)
  book-line ID --tenant ten_…       eine nicht zugeordnete Zahlung einem Mandanten buchen (Betreiber)
  export-debits [--date JJJJ-MM-TT] [--file PFAD]
                                    die fälligen SEPA-Lastschriften als pain.008-Datei (Betreiber)`,
};

const tenantOption = { tenant: { type: 'string' } } as const;

/** An invoice named by id or by number (`INV-2026-000001`), looked up in the caller's list. */
async function findInvoice(client: Awaited<ReturnType<typeof connect>>['client'], ref: string, tenantId?: string): Promise<Invoice> {
  if (ref.startsWith('inv_')) return client.getInvoice(ref);
  const all = await client.all((q) => client.listInvoices({ ...q, tenantId }));
  const found = all.find((i) => i.number === ref);
  if (!found) throw new CliError(Exit.notFound, 'INVOICE_NOT_FOUND', t('invoice.notFound', { ref }));
  return client.getInvoice(found.id);
}

/** A bank's amount, which may be in another currency than EUR. */
const bankAmount = (a: { amount: string; cents: number; currency: string }) => formatAmount({ amount: a.amount, cents: a.cents, currency: 'EUR' }).replace(/EUR$/, a.currency);

const kindOf = (i: Invoice) => t(i.kind === 'invoice' ? 'invoice.kindInvoice' : 'invoice.kindCredit');

async function invoices(args: string[]): Promise<void> {
  const cmd = 'kumulus billing invoices';
  const { positionals, values, output, help } = parseCommand(args, tenantOption, cmd);
  if (help) return void say(pick(invoiceHelp));
  takePositionals(positionals, [], cmd);
  const { client } = await connect();
  const list = await client.all((q) => client.listInvoices({ ...q, tenantId: values.tenant }));
  emit(output, list, () =>
    printTable(
      headers('col.number', 'col.kind', 'col.period', 'col.net', 'col.vat', 'col.gross', 'col.issued'),
      list.map((i) => [i.number, kindOf(i), i.periodStart.slice(0, 7), formatAmount(i.net), formatAmount(i.tax), formatAmount(i.gross), formatTime(i.issuedAt)]),
    ),
  );
}

async function show(args: string[]): Promise<void> {
  const cmd = 'kumulus billing invoice show';
  const { positionals, values, output, help } = parseCommand(args, tenantOption, cmd);
  if (help) return void say(pick(invoiceHelp));
  const [ref] = takePositionals(positionals, ['ID|NUMBER'], cmd);
  const { client } = await connect();
  const inv = await findInvoice(client, ref!, values.tenant);
  emit(output, inv, () => {
    printFields([
      [t('invoice.number'), `${inv.number} (${kindOf(inv)})`],
      [t('invoice.period'), `${inv.periodStart.slice(0, 10)} – ${inv.periodEnd.slice(0, 10)}`],
      [t('invoice.issued'), formatTime(inv.issuedAt)],
      [t('invoice.buyer'), [inv.buyer.name, inv.buyer.country, inv.buyer.vatId].filter(Boolean).join(', ')],
      [t('invoice.net'), formatAmount(inv.net)],
      [t('invoice.vat'), `${formatAmount(inv.tax)} (${inv.vat.ratePercent} %, ${inv.vat.category})`],
      [t('invoice.gross'), formatAmount(inv.gross)],
      [t('invoice.reference'), inv.buyer.paymentReference],
      ...(inv.vat.note ? [[t('invoice.note'), inv.vat.note] as [string, string]] : []),
    ]);
    say('');
    printTable(
      headers('col.position', 'col.description', 'col.seconds', 'col.net'),
      (inv.lines ?? []).map((l) => [String(l.position), l.description, String(l.seconds), formatAmount(l.net)]),
    );
  });
}

async function download(args: string[]): Promise<void> {
  const cmd = 'kumulus billing invoice download';
  const { positionals, values, help } = parseCommand(args, { ...tenantOption, format: { type: 'string' }, file: { type: 'string' } }, cmd);
  if (help) return void say(pick(invoiceHelp));
  const [ref] = takePositionals(positionals, ['ID|NUMBER'], cmd);
  const format = values.format ?? 'pdf';
  if (format !== 'pdf' && format !== 'xml') throw usageError(t('usage.badValue', { name: 'format', value: format, expected: 'pdf|xml' }), cmd);
  const { client } = await connect();
  const inv = await findInvoice(client, ref!, values.tenant);
  const bytes = await client.invoiceDocument(inv.id, format);
  const file = expandHome(values.file ?? `${inv.number}.${format}`);
  writeFileSync(file, bytes);
  say(t('invoice.saved', { number: inv.number, file }));
}

async function importCamt(args: string[]): Promise<void> {
  const cmd = 'kumulus billing import-camt';
  const { positionals, output, help } = parseCommand(args, {}, cmd);
  if (help) return void say(pick(invoiceHelp));
  const [path] = takePositionals(positionals, ['FILE'], cmd);
  let xml: string;
  try {
    xml = readFileSync(expandHome(path!), 'utf8');
  } catch (err) {
    throw new CliError(Exit.invalidInput, 'FILE_UNREADABLE', t('camt.unreadable', { file: path!, reason: (err as Error).message }));
  }
  const { client } = await connect();
  const result = await client.importStatement(xml);
  emit(output, result, () => {
    say(t('camt.summary', { statement: result.statementId, booked: result.booked.length, unmatched: result.unmatched.length, duplicates: result.duplicates.length, ignored: result.ignored }));
    if (result.booked.length) {
      say('');
      printTable(headers('col.reference', 'col.tenant', 'col.amount'), result.booked.map((l) => [l.bankReference, l.tenantId ?? '', bankAmount(l.amount)]));
    }
    if (result.unmatched.length) {
      say('');
      note(t('camt.unmatchedHint'));
      printTable(headers('col.id', 'col.amount', 'col.debtor', 'col.remittance'), result.unmatched.map((l) => [l.id, bankAmount(l.amount), l.debtor, l.remittance]));
    }
  });
}

async function bankLines(args: string[]): Promise<void> {
  const cmd = 'kumulus billing bank-lines';
  const { positionals, values, output, help } = parseCommand(args, { all: { type: 'boolean' } }, cmd);
  if (help) return void say(pick(invoiceHelp));
  takePositionals(positionals, [], cmd);
  const { client } = await connect();
  const lines = await client.all((q) => client.listBankLines({ ...q, status: values.all ? 'all' : 'unmatched' }));
  emit(output, lines, () =>
    printTable(
      headers('col.id', 'col.booked', 'col.amount', 'col.debtor', 'col.remittance', 'col.tenant'),
      lines.map((l) => [l.id, l.bookedOn, bankAmount(l.amount), l.debtor, l.remittance, l.tenantId ?? '-']),
    ),
  );
}

async function bookLine(args: string[]): Promise<void> {
  const cmd = 'kumulus billing book-line';
  const { positionals, values, output, help } = parseCommand(args, tenantOption, cmd);
  if (help) return void say(pick(invoiceHelp));
  const [id] = takePositionals(positionals, ['ID'], cmd);
  const tenantId = requireOption(values.tenant, 'tenant', cmd);
  const { client } = await connect();
  const line = await client.bookBankLine(id!, tenantId);
  emit(output, line, () => say(t('camt.bookedLine', { id: line.id, amount: bankAmount(line.amount), tenant: tenantId })));
}

async function exportDebits(args: string[]): Promise<void> {
  const cmd = 'kumulus billing export-debits';
  const { positionals, values, output, help } = parseCommand(args, { date: { type: 'string' }, file: { type: 'string' } }, cmd);
  if (help) return void say(pick(invoiceHelp));
  takePositionals(positionals, [], cmd);
  const { client } = await connect();
  const out = await client.exportDebits(values.date ? { collectionDate: values.date } : {});
  const file = out.xml ? expandHome(values.file ?? `${out.messageId}.pain008.xml`) : null;
  if (out.xml && file) writeFileSync(file, out.xml);
  emit(output, { ...out, file }, () => say(file ? t('debits.saved', { count: out.count, total: formatAmount(out.total), date: out.collectionDate, file }) : t('debits.none', { date: out.collectionDate })));
}

/** The subcommands these add to `kumulus billing`. */
export const invoiceCommands = {
  invoices,
  invoice: (args: string[]) => dispatch(args, 'kumulus billing invoice', pick(invoiceHelp), { show, download }),
  'import-camt': importCamt,
  'bank-lines': bankLines,
  'book-line': bookLine,
  'export-debits': exportDebits,
};
