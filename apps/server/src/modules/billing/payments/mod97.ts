/**
 * The ISO 7064 MOD 97-10 check both IBANs (ISO 13616) and creditor references (ISO 11649,
 * "RF…") carry: letters count as 10…35, the first four characters move to the end, and the
 * number so formed leaves 1 when divided by 97.
 */

/** The remainder of the digits of `text` (letters expanded) modulo 97, by chunks to stay exact. */
function mod97(text: string): number {
  let rest = 0;
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    const digits = code >= 65 ? String(code - 55) : ch;
    for (const d of digits) rest = (rest * 10 + Number(d)) % 97;
  }
  return rest;
}

/** Strips spaces and upper-cases, as references and IBANs are compared. */
export const compact = (text: string) => text.replace(/\s+/g, '').toUpperCase();

/** Whether `text` passes the MOD 97-10 check in the IBAN/RF layout (check digits at 3–4). */
function checks(text: string): boolean {
  return mod97(text.slice(4) + text.slice(0, 4)) === 1;
}

/** IBAN lengths per country (SWIFT IBAN registry) for the SEPA area. */
const IBAN_LENGTH: Record<string, number> = {
  AD: 24, AT: 20, BE: 16, BG: 22, CH: 21, CY: 28, CZ: 24, DE: 22, DK: 18, EE: 20, ES: 24, FI: 18, FR: 27, GB: 22, GI: 23, GR: 27, HR: 21, HU: 28,
  IE: 22, IS: 26, IT: 27, LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MT: 31, NL: 18, NO: 15, PL: 28, PT: 25, RO: 24, SE: 24, SI: 19, SK: 24, SM: 27, VA: 22,
};

/** Whether an IBAN is well formed for its (SEPA) country and its check digits are right. */
export function ibanValid(iban: string): boolean {
  const s = compact(iban);
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(s)) return false;
  if (IBAN_LENGTH[s.slice(0, 2)] !== s.length) return false;
  return checks(s);
}

/** The ISO 11649 creditor reference for `body` (alphanumeric, ≤ 21 characters): `RF` + check digits + body. */
export function creditorReference(body: string): string {
  const b = compact(body);
  if (!/^[A-Z0-9]{1,21}$/.test(b)) throw new Error(`creditor reference: bad body ${body}`);
  const check = 98 - mod97(`${b}RF00`);
  return `RF${String(check).padStart(2, '0')}${b}`;
}

/** Whether `ref` is a creditor reference with right check digits. */
export function creditorReferenceValid(ref: string): boolean {
  const s = compact(ref);
  return /^RF\d{2}[A-Z0-9]{1,21}$/.test(s) && checks(s);
}

/** Every creditor reference with right check digits found in a remittance text. */
export function findCreditorReferences(text: string): string[] {
  const found = new Set<string>();
  for (const m of compact(text).matchAll(/RF\d{2}[A-Z0-9]{1,21}/g)) {
    // The match may run into following text; try the longest valid prefix.
    for (let len = m[0].length; len >= 5; len--) {
      const cand = m[0].slice(0, len);
      if (checks(cand)) {
        found.add(cand);
        break;
      }
    }
  }
  return [...found];
}
