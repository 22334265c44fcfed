import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { DomainError } from '../../lib/errors.ts';

const argon2Async = promisify(argon2);

// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
const PARAMS = { memory: 19_456, passes: 2, parallelism: 1, tagLength: 32 };

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');

/** Hashes a password with argon2id into a PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`). */
export async function hashPassword(password: string): Promise<string> {
  const nonce = randomBytes(16);
  const tag = await argon2Async('argon2id', { message: password, nonce, ...PARAMS });
  return `$argon2id$v=19$m=${PARAMS.memory},t=${PARAMS.passes},p=${PARAMS.parallelism}$${b64(nonce)}$${b64(tag)}`;
}

/** Checks a password against a PHC string made by hashPassword. */
export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([^$]+)\$([^$]+)$/.exec(phc);
  if (!m) return false;
  const expected = Buffer.from(m[5]!, 'base64');
  const tag = await argon2Async('argon2id', {
    message: password,
    nonce: Buffer.from(m[4]!, 'base64'),
    memory: Number(m[1]),
    passes: Number(m[2]),
    parallelism: Number(m[3]),
    tagLength: expected.length,
  });
  return timingSafeEqual(tag, expected);
}

const COMMON = new Set([
  'password', 'passwort', '123456789012', 'qwertzuiop12', 'qwertyuiop12', 'letmein12345', 'iloveyou1234',
  'administrator', 'changeme1234', 'welcome12345', 'password1234', 'passwort1234', 'kumulus12345',
]);

/**
 * Rejects passwords that are short, common, or of one kind of character. Twelve characters
 * with three kinds of character (or sixteen of any kind) is what we ask for.
 */
export function assertStrongPassword(password: string, context: string[] = []): void {
  const weak = (en: string, de: string) => new DomainError('WEAK_PASSWORD', { reason: { en, de } });
  if (password.length < 12) throw weak(`it has ${password.length} characters, at least 12 are needed`, `es hat ${password.length} Zeichen, mindestens 12 sind nötig`);
  if (password.length > 256) throw weak('it is longer than 256 characters', 'es ist länger als 256 Zeichen');
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) throw weak('it is one of the most common passwords', 'es gehört zu den häufigsten Passwörtern');
  if (context.some((c) => c.length >= 4 && lower.includes(c.toLowerCase()))) throw weak('it contains your name or e-mail', 'es enthält Ihren Namen oder Ihre E-Mail-Adresse');
  if (new Set(password).size < 6) throw weak('it repeats too few different characters', 'es besteht aus zu wenigen verschiedenen Zeichen');
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(password)).length;
  if (kinds < 3 && password.length < 16) throw weak('mix at least three of lower case, upper case, digits and symbols', 'mischen Sie mindestens drei von Kleinbuchstaben, Großbuchstaben, Ziffern und Sonderzeichen');
}
