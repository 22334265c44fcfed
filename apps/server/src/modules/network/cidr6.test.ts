/** IPv6 prefixes of vSwitches and the SLAAC address of a MAC, against RFC 4291's worked form. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DomainError } from '../../lib/errors.ts';
import { eui64, parsePrefix64, serviceAddress6, slaacAddress } from './cidr6.ts';

test('the modified EUI-64 of a MAC flips the universal/local bit and puts ff:fe in the middle', () => {
  assert.equal(eui64('00:11:22:33:44:55').toString(16), '21122fffe334455');
  assert.equal(slaacAddress('2001:db8:1:2::/64', '00:11:22:33:44:55'), '2001:db8:1:2:211:22ff:fe33:4455/64');
  // Our MACs are locally administered (02:…): the flipped bit clears to 0.
  assert.equal(slaacAddress('fd00:74::/64', '02:aa:bb:cc:dd:ee'), 'fd00:74::aa:bbff:fecc:ddee/64');
  assert.equal(serviceAddress6('fd00:74::/64'), 'fd00:74::1');
});

test('a prefix is a /64 without host bits, a ULA or global; anything else names the field', () => {
  assert.equal(parsePrefix64('FD00:0074:0000:0000::/64').text, 'fd00:74::/64');
  assert.equal(parsePrefix64('2a01:4f8:1:2::/64').text, '2a01:4f8:1:2::/64');
  for (const bad of ['fd00:74::/48', 'fd00:74::/128', 'fd00:74::1/64', 'fe80::/64', 'ff02::/64', 'fc00::/64', '::1/64', '10.0.0.0/64', 'fd00::', 'fd00::/64/1', 'fd00::/x']) {
    assert.throws(() => parsePrefix64(bad), (e: DomainError) => e.code === 'VALIDATION_FAILED' && e.details[0]?.field === 'ipv6Cidr', bad);
  }
});
