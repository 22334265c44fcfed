import type { InvoiceLinesTable, InvoicesTable } from '../../../store/schema-invoicing.ts';
import type { Seller } from './config.ts';
import type { Buyer } from './profile.ts';

/** An issued invoice or credit note with its lines, as the renderers (XML, PDF) read it. */
export interface InvoiceDocument {
  row: InvoicesTable;
  lines: InvoiceLinesTable[];
  buyer: Buyer;
  seller: Seller;
  /** The number of the invoice a credit note corrects, and its issue time. */
  corrects: { number: string; issuedAt: number } | null;
  dueDays: number;
}

/** Whole cents as a decimal string with two places ("12.34", "-0.05"). */
export function cents(c: number): string {
  const sign = c < 0 ? '-' : '';
  const a = Math.abs(Number(c));
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

/** Micro-cents as a euro decimal string with the trailing zeros dropped (at least two places). */
export function unitEuro(uc: number): string {
  const a = Math.abs(Number(uc));
  const frac = String(a % 100_000_000).padStart(8, '0').replace(/0+$/, '').padEnd(2, '0');
  return `${uc < 0 ? '-' : ''}${Math.floor(a / 100_000_000)}.${frac}`;
}

/** A VAT rate in basis points as a percentage ("19", "25.5"). */
export const percent = (bp: number) => String(Number(bp) / 100);

/** `YYYYMMDD` of a UTC instant (the CII date format 102). */
export const ymd = (ms: number) => new Date(Number(ms)).toISOString().slice(0, 10).replace(/-/g, '');

/** `YYYY-MM-DD` of a UTC instant. */
export const isoDay = (ms: number) => new Date(Number(ms)).toISOString().slice(0, 10);
