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
