import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertDeliverable, isSpecialAddress, refusedUrl } from './address-guard.ts';

test('loopback, private and link-local URLs are refused unless allowed (SSRF)', async () => {
  for (const url of ['http://127.0.0.1:8080/x', 'http://localhost/x', 'http://10.1.2.3/', 'http://192.168.1.1/', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/', 'http://[fd00::1]/']) {
    assert.ok(refusedUrl(url, false), url);
    assert.equal(refusedUrl(url, true), null, url);
    await assert.rejects(assertDeliverable(url, false), /refused/);
  }
  assert.equal(refusedUrl('https://hooks.example.com/k', false), null);
  assert.ok(refusedUrl('file:///etc/passwd', true), 'only http(s), even when private ones are allowed');
  assert.equal(isSpecialAddress('93.184.216.34'), false);
  assert.equal(isSpecialAddress('::ffff:127.0.0.1'), true);
});
