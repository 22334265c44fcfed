/**
 * TOTP (RFC 6238) as authenticator apps speak it: SHA-1, 6 digits, 30-second steps, one step of drift either
 * way. The arithmetic is otpauth's; what is ours is the step a code belongs to, so the caller can refuse a step
 * that was used already (a code is never accepted twice).
 */
import { Secret, TOTP } from 'otpauth';

const PERIOD = 30;
const WINDOW = 1;

/** A new random seed (160 bits, as RFC 4226 recommends) in base32. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(secret: string, label = '', issuer = 'Kumulus') {
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits: 6, period: PERIOD, secret: Secret.fromBase32(secret) });
}

/** The otpauth:// URI an authenticator app reads from a QR code. */
export function totpUri(secret: string, account: string, issuer: string): string {
  return totp(secret, account, issuer).toString();
}

/** The step (counter) a code matches at time `now` within ±1 step, or null when it matches none. */
export function totpStep(secret: string, code: string, now: number): number | null {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const t = totp(secret);
  const delta = t.validate({ token, timestamp: now, window: WINDOW });
  return delta === null ? null : t.counter({ timestamp: now }) + delta;
}

/** The code of a step (tests and tools that act as the authenticator). */
export function totpCode(secret: string, now: number): string {
  return totp(secret).generate({ timestamp: now });
}
