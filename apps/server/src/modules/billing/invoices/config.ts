import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compact, ibanValid } from '../payments/mod97.ts';
import { DEFAULT_VAT_RULES, type VatRules } from './vat.ts';

/** The operator as the seller on every invoice, and the creditor of SEPA debits. */
export interface Seller {
  name: string;
  street: string;
  postcode: string;
  city: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  vatId: string;
  email: string;
  /** A telephone number for questions about invoices (XRechnung requires one, BR-DE-6). */
  phone: string;
  iban: string;
  bic: string;
  /** The SEPA creditor identifier, for direct debits. */
  creditorId: string;
}

/** Invoicing settings: who sells, the VAT rules and the payment terms. */
export interface InvoicingConfig {
  seller: Seller;
  vat: VatRules;
  /** Days until an invoice is due. */
  dueDays: number;
}

/** A placeholder seller for a fresh install; an operator sets the real one in serve's options. */
export const DEFAULT_INVOICING: InvoicingConfig = {
  seller: {
    name: 'Kumulus Operator',
    street: 'Musterstraße 1',
    postcode: '10115',
    city: 'Berlin',
    country: 'DE',
    vatId: 'DE123456789',
    email: 'billing@kumulus.local',
    phone: '+49 30 1234567',
    iban: 'DE89370400440532013000',
    bic: 'COBADEFFXXX',
    creditorId: 'DE98ZZZ09999999999',
  },
  vat: DEFAULT_VAT_RULES,
  dueDays: 14,
};

/**
 * The invoicing settings of a data dir: `<dataDir>/invoicing.json` merged over the defaults
 * (`{"seller": {…}, "vat": {"rates": {…}}, "dueDays": 14}`), checked so that a wrong seller
 * stops serve at start instead of printing on every invoice; the defaults when there is no file.
 */
export function loadInvoicingConfig(dataDir: string): InvoicingConfig {
  const file = join(dataDir, 'invoicing.json');
  if (!existsSync(file)) return DEFAULT_INVOICING;
  let raw: { seller?: Partial<Seller>; vat?: Partial<VatRules>; dueDays?: number };
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const seller = { ...DEFAULT_INVOICING.seller, ...raw.seller };
  for (const [key, value] of Object.entries(seller)) if (typeof value !== 'string' || !value.trim()) throw new Error(`${file}: seller.${key} must be a non-empty string`);
  if (!/^[A-Z]{2}$/.test(seller.country)) throw new Error(`${file}: seller.country must be an ISO 3166 two-letter code such as DE`);
  if (!ibanValid(seller.iban)) throw new Error(`${file}: seller.iban ${seller.iban} has a wrong length or check digits`);
  const vat = { ...DEFAULT_INVOICING.vat, ...raw.vat, rates: { ...DEFAULT_INVOICING.vat.rates, ...raw.vat?.rates }, notes: { ...DEFAULT_INVOICING.vat.notes, ...raw.vat?.notes } };
  for (const [country, bp] of Object.entries(vat.rates)) if (!Number.isInteger(bp) || bp < 0 || bp > 10_000) throw new Error(`${file}: vat.rates.${country} must be basis points from 0 to 10000 (1900 = 19 %)`);
  const dueDays = raw.dueDays ?? DEFAULT_INVOICING.dueDays;
  if (!Number.isInteger(dueDays) || dueDays < 0) throw new Error(`${file}: dueDays must be a whole number of days`);
  return { seller: { ...seller, iban: compact(seller.iban) }, vat, dueDays };
}
