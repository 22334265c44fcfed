import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower-case

/** Encodes bytes as Crockford base32 (lower-case, no padding). */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** Makes ids; injected so tests can make them deterministic. */
export type IdGenerator = (prefix: string) => string;

/**
 * Ids are `prefix_` + 10 characters of millisecond time + 16 random ones, so sorting by id
 * sorts by creation time — which is what cursor pagination relies on. Within one millisecond
 * (or a clock stepping back) the random part counts up from the last id, as monotonic ULIDs do,
 * so ids made one after another sort in that order (webhook events of one change, for example).
 */
export function createIdGenerator(now: () => number = Date.now): IdGenerator {
  let lastTime = -1;
  let last = Buffer.alloc(10);
  return (prefix) => {
    const t = Math.max(now(), lastTime);
    if (t === lastTime) {
      last = Buffer.from(last);
      for (let i = last.length - 1; i >= 0 && ++last[i]! === 256; i--) last[i] = 0;
    } else {
      last = randomBytes(10);
      lastTime = t;
    }
    const time = Buffer.alloc(6);
    time.writeUIntBE(t, 0, 6);
    return `${prefix}_${base32(time).slice(0, 10)}${base32(last)}`;
  };
}
