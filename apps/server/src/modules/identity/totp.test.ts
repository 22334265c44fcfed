import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newTotpSecret, totpCode, totpStep, totpUri } from './totp.ts';

// RFC 6238 appendix B's SHA-1 seed ("12345678901234567890") in base32, and its published codes (last 6 digits).
const RFC_SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

test('codes match RFC 6238 test vectors', () => {
  assert.equal(totpCode(RFC_SEED, 59_000), '287082');
  assert.equal(totpCode(RFC_SEED, 1_111_111_109_000), '081804');
  assert.equal(totpCode(RFC_SEED, 1_234_567_890_000), '005924');
});

test('a code counts within one step of drift either way, and names its step', () => {
  const secret = newTotpSecret();
  const now = 1_700_000_000_000;
  const step = Math.floor(now / 30_000);
  assert.equal(totpStep(secret, totpCode(secret, now), now), step);
  assert.equal(totpStep(secret, totpCode(secret, now - 30_000), now), step - 1);
  assert.equal(totpStep(secret, totpCode(secret, now + 30_000), now), step + 1);
  assert.equal(totpStep(secret, totpCode(secret, now - 60_000), now), null, 'two steps behind is too old');
  assert.equal(totpStep(secret, totpCode(secret, now + 60_000), now), null);
  assert.equal(totpStep(secret, 'abcdef', now), null);
});

test('the URI carries issuer, account and the parameters apps need', () => {
  const uri = new URL(totpUri('JBSWY3DPEHPK3PXP', 'ann@example.com', 'Kumulus'));
  assert.equal(uri.protocol, 'otpauth:');
  assert.equal(uri.searchParams.get('secret'), 'JBSWY3DPEHPK3PXP');
  assert.equal(uri.searchParams.get('issuer'), 'Kumulus');
  assert.equal(uri.searchParams.get('period'), '30');
  assert.equal(uri.searchParams.get('digits'), '6');
  assert.match(decodeURIComponent(uri.pathname), /ann@example\.com/);
});
