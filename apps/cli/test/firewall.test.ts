/**
 * `kumulus firewall` end to end against a real control plane: create with rules, apply by
 * server and label, show in English and German, a bad rule refused before any request, delete.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Firewall } from '@kumulus/api';
import { type CliResult, json, runCli } from './run-cli.ts';
import { type CliTestServer, cleanupServers, startCliTestServer } from './test-server.ts';

describe('kumulus firewall', { timeout: 300_000 }, () => {
  let ts: CliTestServer;
  const kumulus = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => runCli(args, { env: { ...ts.env, ...env } });
  const ok = (r: CliResult) => assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);

  before(async () => {
    ts = await startCliTestServer();
  });
  after(async () => {
    await cleanupServers(ts, 'cli-fw');
    await ts?.stop();
  });

  test('create, apply, show, remove, delete', async () => {
    ok(await kumulus(['server', 'create', '--name', 'cli-fw1', '--plan', ts.plan, '--image', 'tiny', '--no-start']));
    const made = await kumulus(['firewall', 'create', '--name', 'cli-web', '--in', 'accept tcp/22,8000-8100 10.0.0.0/8,server:cli-fw1', '--in', 'accept tcp/5432 label:role=app,env in (a,b)', '--out', 'drop gre', '-o', 'json']);
    ok(made);
    const fw = json<Firewall>(made);
    assert.deepEqual(fw.inbound[0]!.ports, ['22', '8000-8100']);
    assert.equal(fw.inbound[0]!.peers!.length, 2);
    assert.deepEqual(fw.inbound[1]!.peers, [{ labelSelector: 'role=app,env in (a,b)' }]);
    ok(await kumulus(['firewall', 'apply', 'cli-web', '--server', 'cli-fw1', '--selector', 'role=app']));
    const shown = await kumulus(['firewall', 'show', 'cli-web']);
    ok(shown);
    assert.match(shown.stdout, /accept tcp\/22,8000-8100 10\.0\.0\.0\/8,server:srv_/);
    assert.match(shown.stdout, /selector role=app/);
    const de = await kumulus(['firewall', 'show', 'cli-web'], { KUMULUS_LANG: 'de' });
    assert.match(de.stdout, /Angewendet auf/);
    assert.match((await kumulus(['firewall', 'list'])).stdout, /cli-web\s+2\s+1\s+2/);

    // Preview: a logged rule for 443 instead of the two inbound rules, before it is made.
    const preview = await kumulus(['firewall', 'preview', 'cli-web', '--in', 'accept+log tcp/443']);
    ok(preview);
    assert.match(preview.stdout, /cli-fw1 nic_\w+/);
    assert.match(preview.stdout, /opens\s+in: accept tcp\/443\s+\[cli-web\]/);
    assert.match(preview.stdout, /closes in: accept tcp\/22,8000-8100 10\.0\.0\.0\/8,server:srv_\w+ \(= 10\.0\.0\.0\/8, [\d.]+\)/, 'a reference shows the address it stands for');
    assert.equal(json<Firewall>(await kumulus(['firewall', 'show', 'cli-web', '-o', 'json'])).inbound.length, 2, 'a preview changes nothing');
    assert.match((await kumulus(['firewall', 'preview', '--in', 'accept tcp/80', '--server', 'cli-fw1'], { KUMULUS_LANG: 'de' })).stdout, /öffnet\s+ein: accept tcp\/80\s+\[\(new\)\]/);
    ok(await kumulus(['firewall', 'rules', 'cli-web', '--in', 'accept+log tcp/443']));
    assert.match((await kumulus(['firewall', 'show', 'cli-web'])).stdout, /accept\+log tcp\/443/);
    const log = await kumulus(['firewall', 'log', 'cli-fw1']);
    ok(log);
    assert.match(log.stdout, /\(none\)|TIME\s+DIR\s+ACTION/, "a NIC nothing was dropped at has an empty log");

    const bad = await kumulus(['firewall', 'create', '--name', 'x', '--in', 'allow tcp/22']);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--in/);
    const refused = await kumulus(['firewall', 'delete', 'cli-web']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /still applied/);
    ok(await kumulus(['firewall', 'remove', 'cli-web', '--server', 'cli-fw1', '--selector', 'role=app']));
    const gone = await kumulus(['firewall', 'delete', 'cli-web']);
    ok(gone);
    assert.match(gone.stdout, /firewall cli-web \(fw_\w+\) deleted/);
  });
});

describe('kumulus zone', { timeout: 300_000 }, () => {
  let ts: CliTestServer;
  const kumulus = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => runCli(args, { env: { ...ts.env, ...env } });
  const ok = (r: CliResult) => assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  before(async () => {
    ts = await startCliTestServer();
  });
  after(async () => {
    await ts?.stop();
  });

  test('create, the matrix in list, set, delete', async () => {
    ok(await kumulus(['zone', 'create', '--name', 'servers', '--purpose', 'server', '--network', 'default']));
    ok(await kumulus(['zone', 'create', '--name', 'cams', '--purpose', 'cameras', '--flow', 'servers tcp/554,8554']));
    const listed = await kumulus(['zone', 'list']);
    ok(listed);
    assert.match(listed.stdout, /cams\s+tcp\/554,8554\s+·/);
    assert.match(listed.stdout, /servers\s+-\s+·|servers\s+·\s+-/);
    const noPool = await kumulus(['zone', 'create', '--name', 'dmz', '--purpose', 'server', '--pool', 'no-such-pool']);
    assert.notEqual(noPool.code, 0);
    assert.match(noPool.stderr, /no-such-pool/);
    const taken = await kumulus(['zone', 'create', '--name', 'again', '--purpose', 'test', '--network', 'default']);
    assert.notEqual(taken.code, 0);
    assert.match(taken.stderr, /zone servers/);
    ok(await kumulus(['zone', 'set', 'cams', '--no-flows']));
    assert.match((await kumulus(['zone', 'show', 'cams'], { KUMULUS_LANG: 'de' })).stdout, /Darf aufbauen:\s+\(keine\)/);
    ok(await kumulus(['zone', 'delete', 'cams']));
    ok(await kumulus(['zone', 'delete', 'servers']));
  });
});
