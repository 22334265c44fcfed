/** Pool ranges: parsing, the refusal of non-public ranges, overlap and the ordinal space of IPv4 addresses and IPv6 /64s. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { publicConfigBlock, withPublicBlock } from '../../drivers/local/public-ip.ts';
import { addressAt, bigIntToIpv6, ipv6ToBigInt, ordinalOf, parsePoolRange, rangesOverlap } from './public-ranges.ts';

test('IPv4 ranges as CIDR or first-last, with their size and ordinals', () => {
  const r = parsePoolRange('203.0.113.16/28');
  assert.equal(r.size, 16);
  assert.equal(addressAt(r, 0), '203.0.113.16');
  assert.equal(ordinalOf(r, '203.0.113.31'), 15);
  assert.equal(ordinalOf(r, '203.0.113.32'), null);
  const span = parsePoolRange(' 198.51.100.10 - 198.51.100.20 ');
  assert.equal(span.text, '198.51.100.10-198.51.100.20');
  assert.equal(span.size, 11);
  assert.ok(rangesOverlap(r, parsePoolRange('203.0.113.30-203.0.113.40')));
  assert.ok(!rangesOverlap(r, parsePoolRange('203.0.113.32/28')));
});

test('non-public and malformed ranges are refused naming the field', () => {
  for (const bad of ['10.1.0.0/24', '172.20.0.0/16', '192.168.0.0/24', '100.64.1.0/24', '127.0.0.0/30', '169.254.1.0/24', '224.0.0.0/24', '0.0.0.0/30', '203.0.113.1/28', '1.2.3/24', '1.0.0.0/8', 'fd00::/56', 'fe80::/64', 'ff02::/64', '2001:db8::/47', '2001:db8::1/64', 'x']) {
    assert.throws(
      () => parsePoolRange(bad),
      (e: { code: string; details: { field: string }[] }) => e.code === 'VALIDATION_FAILED' && e.details[0]?.field === 'range',
      bad,
    );
  }
});

test('IPv6 prefixes are counted in /64s without materialising them', () => {
  const r = parsePoolRange('2001:DB8:100::/48');
  assert.equal(r.text, '2001:db8:100::/48');
  assert.equal(r.size, 65_536);
  assert.equal(addressAt(r, 0), '2001:db8:100::/64');
  assert.equal(addressAt(r, 65_535), '2001:db8:100:ffff::/64');
  assert.equal(ordinalOf(r, '2001:db8:100:3::1'), 3);
  assert.equal(ordinalOf(r, '2001:db8:101::'), null);
  assert.equal(bigIntToIpv6(ipv6ToBigInt('2001:0db8:0000:0000:0000:0000:0000:0001')!), '2001:db8::1');
  assert.ok(rangesOverlap(r, parsePoolRange('2001:db8:100:ff00::/56')));
  assert.ok(!rangesOverlap(r, parsePoolRange('2001:db8:101::/48')));
  assert.ok(!rangesOverlap(r, parsePoolRange('203.0.113.0/28')), 'families never overlap');
});

test("the guest config's public-IP block is replaced, never duplicated, and removed when empty", () => {
  const base = 'lxc.net.0.type = veth\nlxc.net.0.ipv4.address = 10.0.0.2/24 10.0.0.255\n';
  const one = withPublicBlock(base, publicConfigBlock([{ address: '203.0.113.5', instance: 'srv_x', nicIndex: 0, via: '10.0.0.2', uplink: 'eth0' }]));
  assert.match(one, /lxc\.net\.0\.ipv4\.address = 203\.0\.113\.5\/32 203\.0\.113\.5\n/);
  assert.equal(withPublicBlock(one, publicConfigBlock([{ address: '203.0.113.5', instance: 'srv_x', nicIndex: 0, via: '10.0.0.2', uplink: 'eth0' }])), one);
  assert.equal(withPublicBlock(one, ''), base);
});
