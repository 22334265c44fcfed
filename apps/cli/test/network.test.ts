/**
 * `kumulus network` end to end, and `server create --nic`, against a real control plane on local LXC.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Network, Server } from '@kumulus/api';
import { type CliResult, json, runCli } from './run-cli.ts';
import { type CliTestServer, cleanupServers, startCliTestServer } from './test-server.ts';

describe('kumulus network', { timeout: 300_000 }, () => {
  let ts: CliTestServer;
  const kumulus = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => runCli(args, { env: { ...ts.env, ...env } });
  const ok = (r: CliResult) => assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);

  before(async () => {
    ts = await startCliTestServer();
  });
  after(async () => {
    await cleanupServers(ts, 'cli-net');
    await ts?.stop();
  });

  test('create, list, show, a server with --nic, delete refused while in use, then deleted', async () => {
    const made = await kumulus(['network', 'create', '--name', 'cli-lan', '--cidr', '10.80.0.0/24', '-o', 'json']);
    ok(made);
    const { network } = json<{ network: Network }>(made);
    assert.equal(network.status.phase, 'Ready');
    const listed = await kumulus(['network', 'list']);
    ok(listed);
    assert.match(listed.stdout, /cli-lan\s+10\.80\.0\.0\/24\s+-\s+Ready/);

    const srv = await kumulus(['server', 'create', '--name', 'cli-net1', '--plan', ts.plan, '--image', 'tiny', '--no-start', '--nic', 'cli-lan=10.80.0.9', '-o', 'json']);
    ok(srv);
    assert.equal(json<{ server: Server }>(srv).server.spec.nics[0]!.ipv4, '10.80.0.9/24');
    const shown = await kumulus(['network', 'show', 'cli-lan']);
    ok(shown);
    assert.match(shown.stdout, /cli-lan\.internal/);
    assert.match(shown.stdout, /10\.80\.0\.9\s+srv_/);

    const refused = await kumulus(['network', 'delete', 'cli-lan']);
    assert.equal(refused.code, 6, `a network in use is a conflict: ${refused.stderr}`);
    assert.match(refused.stderr, /still has 1 server NICs/);
    const missing = await kumulus(['server', 'create', '--name', 'cli-net2', '--plan', ts.plan, '--image', 'tiny', '--nic', 'nowhere']);
    assert.equal(missing.code, 4, missing.stderr);

    ok(await kumulus(['server', 'delete', 'cli-net1']));
    const gone = await kumulus(['network', 'delete', 'cli-lan']);
    ok(gone);
    assert.match(gone.stdout, /network cli-lan \(net_\w+\) deleted/);
    assert.equal((await kumulus(['network', 'show', 'cli-lan'])).code, 3);
  });

  test('list -l shows only the networks whose labels match', async () => {
    const made = [];
    made.push(await ts.client.createNetwork({ name: 'cli-lbl-a', ipv4Cidr: '10.83.0.0/24', labels: { env: 'prod' } }));
    made.push(await ts.client.createNetwork({ name: 'cli-lbl-b', ipv4Cidr: '10.83.1.0/24', labels: { env: 'test' } }));
    try {
      const listed = await kumulus(['network', 'list', '-l', 'env=prod', '-o', 'json']);
      ok(listed);
      assert.deepEqual(json<Network[]>(listed).map((n) => n.name), ['cli-lbl-a']);
      const both = await kumulus(['network', 'list', '--selector', 'env in (prod,test)', '--sort', 'name:desc', '-o', 'json']);
      ok(both);
      assert.deepEqual(json<Network[]>(both).map((n) => n.name), ['cli-lbl-b', 'cli-lbl-a']);
      const bad = await kumulus(['network', 'list', '-l', 'a in b']);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /label_selector|selector/i);
    } finally {
      for (const m of made) await ts.client.waitOperation((await ts.client.deleteNetwork(m.network.id)).id, 60);
    }
  });

  test('--ipv6-cidr gives the network a /64; a bad one is refused naming the field', async () => {
    const made = await kumulus(['network', 'create', '--name', 'cli-lan6', '--cidr', '10.82.0.0/24', '--ipv6-cidr', 'fd00:82::/64', '-o', 'json']);
    ok(made);
    assert.equal(json<{ network: Network }>(made).network.ipv6Cidr, 'fd00:82::/64');
    const shown = await kumulus(['network', 'show', 'cli-lan6']);
    ok(shown);
    assert.match(shown.stdout, /IPv6 prefix:\s+fd00:82::\/64/);
    assert.match(shown.stdout, /10\.82\.0\.1 fd00:82::1/, 'the service address in both families');
    const bad = await kumulus(['network', 'create', '--name', 'cli-bad6', '--cidr', '10.83.0.0/24', '--ipv6-cidr', 'fd00:83::/48']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /ipv6Cidr/);
    ok(await kumulus(['network', 'delete', 'cli-lan6']));
  });

  test('help in both languages', async () => {
    const en = await kumulus(['network', '--help']);
    ok(en);
    assert.match(en.stdout, /--nic NETWORK/);
    const de = await kumulus(['network', '--help'], { KUMULUS_LANG: 'de' });
    ok(de);
    assert.match(de.stdout, /Ihre privaten Netze/);
  });
});
