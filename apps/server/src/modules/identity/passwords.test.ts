/**
 * The password rules the server enforces and the dashboard says at the field are the same
 * (@kumulus/api/passwords), and the dashboard's generator only makes passwords that pass them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generatePassword, passwordProblem } from '@kumulus/api/passwords';
import { DomainError } from '../../lib/errors.ts';
import { assertStrongPassword } from './passwords.ts';

const reasonOf = (pw: string, context: string[] = []) => {
  try {
    assertStrongPassword(pw, context);
    return null;
  } catch (err) {
    assert.ok(err instanceof DomainError && err.code === 'WEAK_PASSWORD');
    return (err.params.reason as { en: string }).en;
  }
};

test('each rule is refused with its reason, and a strong password passes', () => {
  const cases: [string, string[], string | null, string | null][] = [
    ['abc', [], 'tooShort', 'it has 3 characters, at least 12 are needed'],
    ['x'.repeat(257), [], 'tooLong', 'it is longer than 256 characters'],
    ['Password1234', [], 'common', 'it is one of the most common passwords'],
    ['my-web-1-Secret!', ['web-1'], 'containsContext', 'it contains your name or e-mail'],
    ['abababababab', [], 'repetitive', 'it repeats too few different characters'],
    ['lowercaseonly', [], 'fewKinds', 'mix at least three of lower case, upper case, digits and symbols'],
    ['lowercase only and long', [], null, null],
    ['Correct-Horse-Battery-9', [], null, null],
  ];
  for (const [pw, context, problem, reason] of cases) {
    assert.equal(passwordProblem(pw, context), problem, pw);
    assert.equal(reasonOf(pw, context), reason, pw);
  }
});

test('generated passwords pass every rule and differ', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const pw = generatePassword();
    assert.equal(pw.length, 20);
    assert.equal(passwordProblem(pw), null, pw);
    assert.equal(reasonOf(pw), null, pw);
    seen.add(pw);
  }
  assert.equal(seen.size, 200);
});
