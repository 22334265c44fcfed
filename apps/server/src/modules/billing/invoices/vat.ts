/**
 * VAT by the buyer's billing country, as configuration: a standard rate per country, which
 * countries form the EU, and the legal notes. The rules (EU VAT Directive 2006/112/EC for
 * electronically supplied services):
 * - a buyer in the seller's own country pays the seller's rate;
 * - an EU business with a VAT id in another member state: reverse charge (category AE, 0 %);
 * - an EU consumer in another member state: that state's rate (OSS, Art. 58);
 * - a buyer outside the EU: not subject to VAT here (category O).
 */

/** The VAT configuration an operator can override. */
export interface VatRules {
  /** Standard rate per ISO country code, in basis points (1900 = 19 %). */
  rates: Record<string, number>;
  /** The member states of the EU. */
  eu: string[];
  /** The notes printed on the invoice where no VAT is charged. */
  notes: { reverseCharge: string; notSubject: string };
}

/** The standard rates of the EU member states (2026) and the usual legal notes. */
export const DEFAULT_VAT_RULES: VatRules = {
  rates: {
    AT: 2000, BE: 2100, BG: 2000, CY: 1900, CZ: 2100, DE: 1900, DK: 2500, EE: 2400, ES: 2100, FI: 2550, FR: 2000, GR: 2400, HR: 2500, HU: 2700,
    IE: 2300, IT: 2200, LT: 2100, LU: 1700, LV: 2100, MT: 1800, NL: 2100, PL: 2300, PT: 2300, RO: 2100, SE: 2500, SI: 2200, SK: 2300,
  },
  eu: ['AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU', 'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK'],
  notes: {
    reverseCharge: 'Reverse charge: VAT to be accounted for by the recipient (Art. 196 Directive 2006/112/EC). / Steuerschuldnerschaft des Leistungsempfängers.',
    notSubject: 'Not subject to VAT in the EU (place of supply outside the EU, Art. 44/59 Directive 2006/112/EC). / Nicht im Inland steuerbare Leistung.',
  },
};

/** What an invoice charges as VAT: the EN 16931 category, the rate and the note explaining a zero. */
export interface VatTreatment {
  category: 'S' | 'AE' | 'O';
  rateBp: number;
  note: string | null;
}

/** The buyer's side of the VAT decision. */
export interface VatBuyer {
  country: string;
  business: boolean;
  vatId: string | null;
}

/** Decides the VAT of an invoice from the seller's country, the buyer and the rules. */
export function vatFor(rules: VatRules, sellerCountry: string, buyer: VatBuyer): VatTreatment {
  const country = buyer.country.toUpperCase();
  const inEu = rules.eu.includes(country);
  const rateOf = (c: string) => {
    const r = rules.rates[c];
    if (r === undefined) throw new Error(`vat: no rate configured for ${c}`);
    return r;
  };
  if (country === sellerCountry) return { category: 'S', rateBp: rateOf(country), note: null };
  if (inEu && buyer.business && buyer.vatId) return { category: 'AE', rateBp: 0, note: rules.notes.reverseCharge };
  if (inEu) return { category: 'S', rateBp: rateOf(country), note: null };
  return { category: 'O', rateBp: 0, note: rules.notes.notSubject };
}

/** VAT on a net amount in cents at a rate in basis points, rounded half away from zero. */
export function taxCents(netCents: number, rateBp: number): number {
  const raw = netCents * rateBp;
  const t = Math.floor((Math.abs(raw) + 5000) / 10000);
  return raw < 0 ? -t : t;
}
