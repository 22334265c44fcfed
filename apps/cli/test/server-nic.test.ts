/**
 * `kumulus server nic` end to end against a real control plane on local LXC.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { Nic, ServerNic, ServerTraffic } from '@kumulus/api';
import { lxcAttach } from '../../server/src/drivers/local/lxc.ts';
import { type CliResult, json, runCli } from './run-cli.ts';
import { type CliTestServer, cleanupServers, startCliTestServer } from './test-server.ts';

describe('kumulus server nic', { timeout: 300_000 }, () => {
  let ts: CliTestServer;
  const kumulus = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => runCli(args, { env: { ...ts.env, ...env } });
  const ok = (r: CliResult) => assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);

  before(async () => {
    ts = await startCliTestServer({ trafficEveryMs: 300 });
  });
  after(async () => {
    await cleanupServers(ts, 'cli-nic');
    await ts?.stop();
  });

  test('add, list, remove; a taken address is refused', async () => {
    ok(await kumulus(['network', 'create', '--name', 'cli-nicnet', '--cidr', '10.81.0.0/24']));
    ok(await kumulus(['server', 'create', '--name', 'cli-nic1', '--plan', ts.plan, '--image', 'tiny', '--no-start']));
    const added = await kumulus(['server', 'nic', 'add', 'cli-nic1', '--network', 'cli-nicnet', '--ipv4', '10.81.0.7', '-o', 'json']);
    ok(added);
    const { nic } = json<{ nic: Nic }>(added);
    assert.equal(nic.ipv4, '10.81.0.7/24');
    const listed = await kumulus(['server', 'nic', 'list', 'cli-nic1']);
    ok(listed);
    assert.match(listed.stdout, /cli-nicnet\s+10\.81\.0\.7\/24\s+\S+\s+attached/);
    const twice = await kumulus(['server', 'nic', 'add', 'cli-nic1', '--network', 'cli-nicnet']);
    assert.equal(twice.code, 6, twice.stderr);
    assert.match(twice.stderr, /already has a NIC/);
    const limited = await kumulus(['server', 'nic', 'limit', 'cli-nic1', nic.id, '--in', '100', '--out', '50']);
    ok(limited);
    assert.match(limited.stdout, /in 100, out 50 Mbit\/s/);
    assert.equal((await kumulus(['server', 'nic', 'limit', 'cli-nic1', nic.id, '--in', 'fast'])).code, 2);
    const removed = await kumulus(['server', 'nic', 'remove', 'cli-nic1', nic.id]);
    ok(removed);
    assert.match(removed.stdout, /detached from cli-nic1/);
    const left = json<ServerNic[]>(await kumulus(['server', 'nic', 'list', 'cli-nic1', '-o', 'json']));
    assert.deepEqual(left.map((n) => n.network), ['default']);
    const de = await kumulus(['server', 'nic', '--help'], { KUMULUS_LANG: 'de' });
    ok(de);
    assert.match(de.stdout, /hängt eine Netzwerkkarte an/);
    ok(await kumulus(['server', 'delete', 'cli-nic1']));
    ok(await kumulus(['network', 'delete', 'cli-nicnet']));
  });

  test('traffic per hour and NIC, from real packets', async () => {
    ok(await kumulus(['server', 'create', '--name', 'cli-nic2', '--plan', ts.plan, '--image', 'tiny']));
    const server = await ts.client.getServer('cli-nic2');
    const nic = server.spec.nics[0]!;
    const gateway = nic.ipv4.split('.').slice(0, 3).join('.') + '.1';
    await lxcAttach(join(ts.dataDir, 'lxc'), server.id, ['/bin/sh', '-c', `ping -c 3 -s 1000 -W 1 ${gateway}`]);
    let got: ServerTraffic | null = null;
    for (let i = 0; i < 60 && !got?.nics.length; i++) {
      await sleep(500);
      const r = await kumulus(['server', 'nic', 'traffic', 'cli-nic2', '--hours', '2', '-o', 'json']);
      ok(r);
      got = json<ServerTraffic>(r);
    }
    assert.equal(got?.nics[0]?.nicId, nic.id);
    assert.ok((got?.nics[0]?.items[0]?.outBytes ?? 0) >= 3000, JSON.stringify(got));
    const table = await kumulus(['server', 'nic', 'traffic', 'cli-nic2', '--nic', nic.id]);
    ok(table);
    assert.match(table.stdout, new RegExp(`^HOUR\\s+NIC\\s+NETWORK\\s+IN\\s+OUT\\n\\d{4}-\\d\\d-\\d\\d \\d\\d:00\\s+${nic.id}\\s+default\\s+[\\d.]+ (B|KiB)\\s+[\\d.]+ KiB`, 'm'));
    const bad = await kumulus(['server', 'nic', 'traffic', 'cli-nic2', '--hours', '0']);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /hours/);
    ok(await kumulus(['server', 'delete', 'cli-nic2']));
  });
});
