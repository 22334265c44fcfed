/**
 * Printing results: aligned tables and key/value blocks for people, the API's objects as JSON for scripts.
 */
import type { Money } from '@kumulus/api';
import type { OutputFormat } from './args.ts';
import type { CliError } from './errors.ts';
import { language, type MessageKey, t } from './i18n.ts';

/** Prints a value as pretty JSON on stdout; the shape is the API's own, so scripts can rely on it. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Column headers in the current language. */
export function headers(...keys: MessageKey[]): string[] {
  return keys.map((k) => t(k));
}

/** Prints rows under headers, columns padded to their widest cell. */
export function printTable(headers: string[], rows: string[][]): void {
  if (rows.length === 0) {
    process.stdout.write(t('list.empty') + '\n');
    return;
  }
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - width(c))))
      .join('  ')
      .trimEnd();
  process.stdout.write([line(headers), ...rows.map(line)].join('\n') + '\n');
}

/** Prints `label: value` lines with the labels aligned, for `show` commands. */
export function printFields(fields: [string, string][]): void {
  const w = Math.max(...fields.map(([label]) => width(label)));
  for (const [label, value] of fields) {
    process.stdout.write(`${label}:${' '.repeat(w - width(label) + 1)}${value}\n`);
  }
}

/** Prints either the JSON object or, for tables, runs the human rendering. */
export function emit(format: OutputFormat, json: unknown, human: () => void): void {
  if (format === 'json') printJson(json);
  else human();
}

/** Writes a human result line to stdout. */
export function say(message: string): void {
  process.stdout.write(message + '\n');
}

/** Writes a status message to stderr, so that stdout stays only the result. */
export function note(message: string): void {
  process.stderr.write(message + '\n');
}

/** Reports an error on stderr: JSON in the API's error shape for `--output json`, a line otherwise. */
export function printError(err: CliError, format: OutputFormat): void {
  if (format === 'json') {
    const error = { code: err.code, message: err.message, requestId: err.requestId, details: err.details };
    process.stderr.write(JSON.stringify({ error }) + '\n');
    return;
  }
  const lines = [`kumulus: ${t('error.prefix')} [${err.code}]: ${err.message}`];
  for (const d of err.details) lines.push(`  ${d.field}: ${d.message}`);
  // A request id only helps an operator find the server's log line of an unexpected failure.
  if (err.requestId && err.exitCode === 1) lines.push(`  ${t('error.requestId')}: ${err.requestId}`);
  process.stderr.write(lines.join('\n') + '\n');
}

/** Formats integer minor units as an amount with two decimals, e.g. `4.90 EUR`. */
export function formatMoney(m: Money): string {
  const sign = m.amount < 0 ? '-' : '';
  const abs = Math.abs(m.amount);
  const major = Math.floor(abs / 100);
  const minor = String(abs % 100).padStart(2, '0');
  return `${sign}${major}${language === 'de' ? ',' : '.'}${minor} ${m.currency}`;
}

/** Formats a timestamp as local `YYYY-MM-DD HH:MM:SS`; empty for null. */
export function formatTime(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Formats megabytes as MB below a GB, as GB above. */
export function formatMemory(mb: number): string {
  return mb >= 1024 && mb % 1024 === 0 ? `${mb / 1024} GB` : `${mb} MB`;
}

// Visible width: code points, not UTF-16 units, so „“ and umlauts do not skew the columns.
function width(s: string): number {
  return [...s].length;
}
