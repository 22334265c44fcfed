import { creditorReference } from './mod97.ts';

/**
 * A tenant's payment reference: an ISO 11649 creditor reference (`RF` + two check digits +
 * `KUM` + the random part of its id), derived from the id alone so it never changes, and
 * checked by its digits so a mistyped one matches no tenant instead of the wrong one.
 */
export function paymentReference(tenantId: string): string {
  return creditorReference(`KUM${tenantId.slice(-16)}`);
}
