/**
 * The password rules of Kumulus, in one place for the server (which enforces them) and the
 * dashboard (which says them at the field and checks as the user types, in the user's language).
 */

/** The least length, the length at which one kind of character is enough, and the most length. */
export const PASSWORD_RULES = { minLength: 12, anyKindsLength: 16, kinds: 3, maxLength: 256, distinct: 6 } as const;

/** Why a password is refused, as a stable code the caller turns into words. */
export type PasswordProblem = 'tooShort' | 'tooLong' | 'common' | 'containsContext' | 'repetitive' | 'fewKinds';

const COMMON = new Set([
  'password', 'passwort', '123456789012', 'qwertzuiop12', 'qwertyuiop12', 'letmein12345', 'iloveyou1234',
  'administrator', 'changeme1234', 'welcome12345', 'password1234', 'passwort1234', 'kumulus12345',
]);

/** How many of lower case, upper case, digits and symbols the password mixes. */
export function passwordKinds(password: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(password)).length;
}

/**
 * The first rule a password breaks, or null when it is strong enough: twelve characters with
 * three kinds of character (or sixteen of any kind), not common, not containing `context`
 * (a name or e-mail of four characters or more), and not made of too few different characters.
 */
export function passwordProblem(password: string, context: string[] = []): PasswordProblem | null {
  const r = PASSWORD_RULES;
  if (password.length < r.minLength) return 'tooShort';
  if (password.length > r.maxLength) return 'tooLong';
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return 'common';
  if (context.some((c) => c.length >= 4 && lower.includes(c.toLowerCase()))) return 'containsContext';
  if (new Set(password).size < r.distinct) return 'repetitive';
  if (passwordKinds(password) < r.kinds && password.length < r.anyKindsLength) return 'fewKinds';
  return null;
}

const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';
const SYMBOLS = '-_.!%+=';

/**
 * A random password of `length` characters that passes every rule: all four kinds, drawn with
 * `random` (crypto.getRandomValues in browsers and Node), without look-alikes such as l/1 and O/0.
 */
export function generatePassword(length = 20, random: (a: Uint32Array) => Uint32Array = (a) => crypto.getRandomValues(a)): string {
  const sets = [LOWER, UPPER, DIGITS, SYMBOLS];
  const all = sets.join('');
  for (;;) {
    const n = random(new Uint32Array(length));
    const out = Array.from(n, (v, i) => {
      const set = i < sets.length ? sets[i]! : all;
      return set[v % set.length]!;
    });
    // Shuffle so the guaranteed kinds are not always in front (Fisher–Yates).
    const s = random(new Uint32Array(length));
    for (let i = out.length - 1; i > 0; i--) {
      const j = s[i]! % (i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    const pw = out.join('');
    if (passwordProblem(pw) === null) return pw;
  }
}
