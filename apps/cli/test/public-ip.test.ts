/**
 * `kumulus ip-pool` and `kumulus public-ip` end to end against a real control plane: a pool on
 * an uplink this test names (no interface of the host is touched: it does not exist), an
 * address allocated, named for reverse DNS, assigned to a server and off it again, released,
 * and the pool deleted; refusals exit with the code a script expects, in both languages.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { IpPool, PublicIp, ServerWithOperation } from '@kumulus/api';
import { type CliResult, json, runCli } from './run-cli.ts';
import { type CliTestServer, cleanupServers, startCliTestServer } from './test-server.ts';

describe('kumulus public-ip and ip-pool', { timeout: 300_000 }, () => {
  let ts: CliTestServer;
  const kumulus = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => runCli(args, { env: { ...ts.env, ...env } });
  const ok = (r: CliResult) => assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);

  before(async () => {
    ts = await startCliTestServer();
  });
  after(async () => {
    await cleanupServers(ts, 'cli-pip');
    await ts?.stop();
  });

  test('pool, allocate, set-rdns, assign, unassign, release, delete', async () => {
    const bad = await kumulus(['ip-pool', 'create', '--name', 'lan', '--range', '192.168.1.0/24', '--uplink', 'kmtnoup1']);
    assert.equal(bad.code, 4, bad.stderr);
    assert.match(bad.stderr, /range: .*192\.168\.0\.0\/16, which is private/);
    const made = await kumulus(['ip-pool', 'create', '--name', 'cli-pool', '--range', '203.0.113.32-203.0.113.35', '--uplink', 'kmtnoup1', '--cooldown', '0', '-o', 'json']);
    ok(made);
    assert.equal(json<IpPool>(made).size, 4);
    const listed = await kumulus(['ip-pool', 'list']);
    ok(listed);
    assert.match(listed.stdout, /cli-pool\s+203\.0\.113\.32-203\.0\.113\.35\s+kmtnoup1\s+routed\s+0\/4/);

    const ip = json<PublicIp>(await kumulus(['public-ip', 'allocate', '--name', 'cli-ip', '-o', 'json']));
    assert.equal(ip.address, '203.0.113.32');
    ok(await kumulus(['public-ip', 'set-rdns', 'cli-ip', 'www.example.com']));
    const shown = await kumulus(['public-ip', 'show', 'cli-ip']);
    assert.match(shown.stdout, /www\.example\.com/);
    const badName = await kumulus(['public-ip', 'set-rdns', 'cli-ip', 'not a name']);
    assert.equal(badName.code, 4, badName.stderr);

    const srv = json<ServerWithOperation>(await kumulus(['server', 'create', '--name', 'cli-pip1', '--plan', ts.plan, '--image', 'tiny', '--no-start', '-o', 'json']));
    ok(await kumulus(['public-ip', 'assign', 'cli-ip', 'cli-pip1']));
    assert.match((await kumulus(['public-ip', 'list'])).stdout, new RegExp(`cli-ip\\s+203\\.0\\.113\\.32\\s+${srv.server.id}`));
    const inUse = await kumulus(['ip-pool', 'delete', 'cli-pool']);
    assert.equal(inUse.code, 6, inUse.stderr);
    const assigned = await kumulus(['public-ip', 'release', 'cli-ip'], { KUMULUS_LANG: 'de' });
    assert.equal(assigned.code, 6, assigned.stderr);
    assert.match(assigned.stderr, /Heben Sie die Zuweisung zuerst auf/);
    ok(await kumulus(['public-ip', 'unassign', 'cli-ip']));
    const released = await kumulus(['public-ip', 'release', 'cli-ip']);
    ok(released);
    assert.match(released.stdout, /public IP cli-ip \(203\.0\.113\.32\) released/);
    assert.equal((await kumulus(['public-ip', 'show', 'cli-ip'])).code, 3);
    ok(await kumulus(['ip-pool', 'delete', 'cli-pool']));
  });

  test('help in both languages', async () => {
    const en = await kumulus(['public-ip', '--help']);
    ok(en);
    assert.match(en.stdout, /set-rdns IP NAME/);
    const de = await kumulus(['ip-pool', '--help'], { KUMULUS_LANG: 'de' });
    ok(de);
    assert.match(de.stdout, /Sperrfrist/);
  });
});
