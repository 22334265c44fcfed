/**
 * Card payments are left to a payment provider (Stripe, Mollie, Adyen …) behind this interface;
 * Kumulus ships none. To add one, implement it in `payments/providers/<name>.ts` and register it
 * in serve.ts's composition root next to the payments service: a checkout the tenant is sent to,
 * and a verified webhook whose paid event is booked like a bank line — as a top-up with the
 * provider's payment id as the ledger reference (`card:<provider>:<id>`), so a webhook delivered
 * twice books once.
 */

/** A checkout the provider hosts: where to send the tenant, and the provider's id for it. */
export interface Checkout {
  redirectUrl: string;
  providerReference: string;
}

/** What a verified webhook says happened to a payment. */
export interface PaymentEvent {
  providerReference: string;
  tenantId: string;
  amountCents: number;
  currency: string;
  status: 'paid' | 'failed' | 'refunded';
}

/** One card-payment provider. */
export interface PaymentProvider {
  /** Short name, used in ledger references. */
  readonly name: string;
  /** Starts a checkout for a top-up of `amountCents` (EUR) by a tenant. */
  createCheckout(input: { tenantId: string; amountCents: number; currency: 'EUR'; returnUrl: string }): Promise<Checkout>;
  /** Checks a webhook's signature and answers its event; throws when the signature is wrong. */
  verifyWebhook(headers: Record<string, string | undefined>, rawBody: string): Promise<PaymentEvent>;
}

/** The ledger reference of a card payment's top-up. */
export const cardReference = (provider: string, id: string) => `card:${provider}:${id}`;
