import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { guestResolvConf, guestResolvers } from './resolv.ts';

test('guests get the host name servers they can reach, at most three, and its search domains', () => {
  const text = '# comment\nnameserver 127.0.0.53\nnameserver ::1\nnameserver fe80::1%eth0\nnameserver 192.0.2.1\nnameserver 2001:db8::53\nnameserver 192.0.2.2\nnameserver 192.0.2.3\nsearch lan example.org\noptions edns0\n';
  assert.deepEqual(guestResolvers(text), { nameservers: ['192.0.2.1', '2001:db8::53', '192.0.2.2'], search: ['lan', 'example.org'] });
});

test("a host on systemd-resolved's stub gives guests the upstream servers behind it", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kumulus-resolv-'));
  try {
    const stub = join(dir, 'stub');
    const upstream = join(dir, 'upstream');
    await writeFile(stub, 'nameserver 127.0.0.53\nsearch lan\n');
    await writeFile(upstream, 'nameserver 192.0.2.10\nsearch lan\n');
    assert.equal(await guestResolvConf([stub, upstream]), 'search lan\nnameserver 192.0.2.10\n');
    assert.match(await guestResolvConf([stub, join(dir, 'missing')]), /^# The host has no name server/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
