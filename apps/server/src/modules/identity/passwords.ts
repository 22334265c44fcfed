import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { PASSWORD_RULES, type PasswordProblem, passwordProblem } from '@kumulus/api/passwords';
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

// The rules live in @kumulus/api so the dashboard says and checks the same ones at the field.
const REASONS: Record<PasswordProblem, (password: string) => { en: string; de: string }> = {
  tooShort: (pw) => ({
    en: `it has ${pw.length} characters, at least ${PASSWORD_RULES.minLength} are needed`,
    de: `es hat ${pw.length} Zeichen, mindestens ${PASSWORD_RULES.minLength} sind nötig`,
  }),
  tooLong: () => ({ en: `it is longer than ${PASSWORD_RULES.maxLength} characters`, de: `es ist länger als ${PASSWORD_RULES.maxLength} Zeichen` }),
  common: () => ({ en: 'it is one of the most common passwords', de: 'es gehört zu den häufigsten Passwörtern' }),
  containsContext: () => ({ en: 'it contains your name or e-mail', de: 'es enthält Ihren Namen oder Ihre E-Mail-Adresse' }),
  repetitive: () => ({ en: 'it repeats too few different characters', de: 'es besteht aus zu wenigen verschiedenen Zeichen' }),
  fewKinds: () => ({
    en: 'mix at least three of lower case, upper case, digits and symbols',
    de: 'mischen Sie mindestens drei von Kleinbuchstaben, Großbuchstaben, Ziffern und Sonderzeichen',
  }),
};

/**
 * Rejects passwords that are short, common, or of one kind of character. Twelve characters
 * with three kinds of character (or sixteen of any kind) is what we ask for.
 */
export function assertStrongPassword(password: string, context: string[] = []): void {
  const problem = passwordProblem(password, context);
  if (problem) throw new DomainError('WEAK_PASSWORD', { reason: REASONS[problem](password) });
}
