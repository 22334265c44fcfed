/**
 * Exact money: integer micro-cents (1 EUR = 10^8 µc), decimal strings on the wire, and
 * per-second rating by integer arithmetic, so no float ever touches an amount.
 */

/** Micro-cents in one euro. */
export const UC_PER_EUR = 100_000_000;
/** Micro-cents in one cent. */
export const UC_PER_CENT = 1_000_000;
/** The one currency Kumulus bills in. */
export const CURRENCY = 'EUR';
/** A price month is 730 hours (365 × 24 / 12), as the plans and most clouds count it. */
export const SECONDS_PER = { hour: 3600, month: 730 * 3600 } as const;

const DECIMAL = /^(-?)(\d{1,9})(?:\.(\d{1,8}))?$/;

/** Parses a decimal euro amount ("12.50", "0.0042") into micro-cents; null when it is not one. */
export function parseEuro(text: string): number | null {
  const m = DECIMAL.exec(text.trim());
  if (!m) return null;
  const uc = Number(m[2]) * UC_PER_EUR + Number((m[3] ?? '').padEnd(8, '0'));
  return m[1] === '-' ? -uc : uc;
}

/** Formats micro-cents as a decimal euro amount with all eight places ("12.50000000"). */
export function formatEuro(uc: number): string {
  const sign = uc < 0 ? '-' : '';
  const abs = Math.abs(uc);
  return `${sign}${Math.floor(abs / UC_PER_EUR)}.${String(abs % UC_PER_EUR).padStart(8, '0')}`;
}

/** Rounds micro-cents to whole cents, half away from zero (the one rounding, on a bill's line). */
export function toCents(uc: number): number {
  const c = Math.floor((Math.abs(uc) + UC_PER_CENT / 2) / UC_PER_CENT);
  return uc < 0 ? -c : c;
}

/**
 * What `seconds` cost at `amountUc` per `per` (and per `divisor` units of `quantity`, for prices
 * per GB), in micro-cents, rounded half up. BigInt keeps the product exact; the rounding error is
 * at most half a micro-cent per usage record.
 */
export function rate(seconds: number, amountUc: number, per: keyof typeof SECONDS_PER, quantity = 1, divisor = 1): number {
  const period = BigInt(SECONDS_PER[per]) * BigInt(divisor);
  return Number((BigInt(seconds) * BigInt(quantity) * BigInt(amountUc) * 2n + period) / (2n * period));
}
