/**
 * glibc's SHA-512 crypt (`$6$`, Ulrich Drepper's "Unix crypt using SHA-256 and SHA-512"),
 * in plain TypeScript over node:crypto, so root password hashes for /etc/shadow can be made
 * without a native crypt(3).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ROUNDS_DEFAULT = 5000;
const ROUNDS_MIN = 1000;
const ROUNDS_MAX = 999_999_999;
const SALT_MAX = 16;

/** Byte triples of the final digest in the order the spec encodes them. */
const ORDER: [number, number, number][] = [
  [0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48],
  [28, 49, 7], [50, 8, 29], [9, 30, 51], [31, 52, 10], [53, 11, 32], [12, 33, 54], [34, 55, 13],
  [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41],
];

const sha512 = (...parts: Buffer[]) => {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** `len` bytes made of `block` repeated (the spec's "P-sequence"/"S-sequence" construction). */
function repeatTo(block: Buffer, len: number): Buffer {
  const out = Buffer.alloc(len);
  for (let i = 0; i < len; i += block.length) block.copy(out, i, 0, Math.min(block.length, len - i));
  return out;
}

/**
 * Hashes `password` like crypt(3) with a `$6$[rounds=N$]salt` setting (a full hash works too:
 * everything after the salt is ignored), returning the complete `$6$…` string.
 */
export function sha512Crypt(password: string, setting: string): string {
  const m = /^\$6\$(?:rounds=(\d+)\$)?([^$]*)/.exec(setting);
  if (!m) throw new Error('not a $6$ setting');
  const custom = m[1] !== undefined;
  const rounds = custom ? Math.min(ROUNDS_MAX, Math.max(ROUNDS_MIN, Number(m[1]))) : ROUNDS_DEFAULT;
  const saltText = (m[2] ?? '').slice(0, SALT_MAX);
  const P = Buffer.from(password, 'utf8');
  const S = Buffer.from(saltText, 'utf8');

  const B = sha512(P, S, P);
  const a = createHash('sha512').update(P).update(S).update(repeatTo(B, P.length));
  for (let n = P.length; n > 0; n >>= 1) a.update(n & 1 ? B : P);
  const A = a.digest();

  const DP = sha512(...Array.from({ length: P.length }, () => P));
  const Pseq = repeatTo(DP, P.length);
  const DS = sha512(...Array.from({ length: 16 + A[0]! }, () => S));
  const Sseq = repeatTo(DS, S.length);

  let C = A;
  for (let i = 0; i < rounds; i++) {
    const h = createHash('sha512');
    h.update(i & 1 ? Pseq : C);
    if (i % 3) h.update(Sseq);
    if (i % 7) h.update(Pseq);
    h.update(i & 1 ? C : Pseq);
    C = h.digest();
  }

  let out = '';
  const put = (w: number, n: number) => {
    for (let k = 0; k < n; k++, w >>= 6) out += ITOA64[w & 0x3f];
  };
  for (const [x, y, z] of ORDER) put((C[x]! << 16) | (C[y]! << 8) | C[z]!, 4);
  put(C[63]!, 2);
  return `$6$${custom ? `rounds=${rounds}$` : ''}${saltText}$${out}`;
}

/** Hashes a new password with a random 16-character salt and the default 5000 rounds. */
export function hashPassword(password: string): string {
  const salt = [...randomBytes(SALT_MAX)].map((b) => ITOA64[b & 0x3f]).join('');
  return sha512Crypt(password, `$6$${salt}`);
}

/** True when `password` matches a `$6$` hash (compared in constant time). */
export function verifyPassword(password: string, hash: string): boolean {
  const again = Buffer.from(sha512Crypt(password, hash));
  const given = Buffer.from(hash);
  return again.length === given.length && timingSafeEqual(again, given);
}
