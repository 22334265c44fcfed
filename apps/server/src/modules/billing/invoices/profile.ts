import type { Kysely } from 'kysely';
import type { Clock } from '../../../lib/clock.ts';
import { DomainError } from '../../../lib/errors.ts';
import type { Database } from '../../../store/schema.ts';
import type { BillingProfilesTable } from '../../../store/schema-invoicing.ts';
import { paymentReference } from '../payments/reference.ts';
import { type VatRules, vatFor } from './vat.ts';

/** A billing profile to set. */
export interface ProfileInput {
  name: string;
  street: string;
  postcode: string;
  city: string;
  country: string;
  vatId?: string | null;
  business: boolean;
  email?: string | null;
}

/** The buyer as an invoice records it. */
export interface Buyer {
  name: string;
  street: string;
  postcode: string;
  city: string;
  country: string;
  vatId: string | null;
  business: boolean;
  email: string | null;
  paymentReference: string;
}

const bad = (code: 'INVALID_COUNTRY' | 'INVALID_VAT_ID', field: string, value: string, en: string, de: string) =>
  new DomainError(code, { field, value }, [{ field, message: { en, de } }]);

/** Tenants' billing address, country and VAT id: what decides their invoices' VAT. */
export function createProfiles({ clock, vat }: { clock: Clock; vat: VatRules }) {
  return {
    /** Sets a tenant's profile after checking the country and the VAT id's shape. */
    async set(trx: Kysely<Database>, tenantId: string, p: ProfileInput): Promise<BillingProfilesTable> {
      const country = p.country.trim().toUpperCase();
      if (!/^[A-Z]{2}$/.test(country)) throw bad('INVALID_COUNTRY', 'country', p.country, 'must be an ISO 3166 two-letter country code', 'muss ein zweistelliger ISO-3166-Ländercode sein');
      const vatId = p.vatId ? p.vatId.replace(/[\s.-]/g, '').toUpperCase() : null;
      // The VAT id starts with its member state's code (Greece uses EL) and holds 2–12 characters more.
      if (vatId && !/^(?:[A-Z]{2})[0-9A-Z+*]{2,12}$/.test(vatId)) throw bad('INVALID_VAT_ID', 'vatId', p.vatId ?? '', 'must be a VAT id such as DE123456789', 'muss eine USt-IdNr. wie DE123456789 sein');
      if (vatId && vat.eu.includes(country) && vatId.slice(0, 2) !== (country === 'GR' ? 'EL' : country)) {
        throw bad('INVALID_VAT_ID', 'vatId', p.vatId ?? '', `must start with the country code ${country}`, `muss mit dem Ländercode ${country} beginnen`);
      }
      const row: BillingProfilesTable = {
        tenant_id: tenantId,
        payment_reference: paymentReference(tenantId),
        name: p.name.trim(),
        street: p.street.trim(),
        postcode: p.postcode.trim(),
        city: p.city.trim(),
        country,
        vat_id: vatId,
        business: p.business ? 1 : 0,
        email: p.email?.trim() || null,
        updated_at: clock(),
      };
      const { tenant_id: _t, ...rest } = row;
      await trx.insertInto('billing_profiles').values(row).onConflict((oc) => oc.column('tenant_id').doUpdateSet(rest)).execute();
      return row;
    },

    /** The buyer an invoice of this tenant names: its profile, or its name in the seller's country. */
    async buyer(db: Kysely<Database>, tenantId: string, sellerCountry: string): Promise<Buyer> {
      const p = await db.selectFrom('billing_profiles').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
      if (p) return { name: p.name, street: p.street, postcode: p.postcode, city: p.city, country: p.country, vatId: p.vat_id, business: p.business === 1, email: p.email, paymentReference: p.payment_reference };
      const t = await db.selectFrom('tenants').select('name').where('id', '=', tenantId).executeTakeFirstOrThrow();
      return { name: t.name, street: '', postcode: '', city: '', country: sellerCountry, vatId: null, business: false, email: null, paymentReference: paymentReference(tenantId) };
    },
  };
}

/** The profiles service. */
export type Profiles = ReturnType<typeof createProfiles>;

/** The VAT rate (basis points) a tenant's invoices carry now, by its billing profile and the rules: what the cost monitor reserves of the credit. */
export function tenantVatRate(profiles: Profiles, config: { seller: { country: string }; vat: VatRules }) {
  return async (db: Kysely<Database>, tenantId: string): Promise<number> => vatFor(config.vat, config.seller.country, await profiles.buyer(db, tenantId, config.seller.country)).rateBp;
}
