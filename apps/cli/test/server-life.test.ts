/**
 * The CLI's actions on a server that exists, end to end against real LXC: protect, poweroff,
 * shutdown, resize, rebuild (only with --yes) and reset-password, in English and German.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Operation, Server } from '@kumulus/api';
import { type CliResult, json, runCli } from './run-cli.ts';
import { type CliTestServer, cleanupServers, startCliTestServer } from './test-server.ts';

describe('kumulus server life', { timeout: 300_000 }, () => {
  let ts: CliTestServer;
  const name = `clilife-${randomBytes(3).toString('hex')}`;
  const kumulus = (args: string[], lang = 'en'): Promise<CliResult> => runCli(args, { env: { ...ts.env, KUMULUS_LANG: lang } });
  const ok = (r: CliResult) => assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);

  before(async () => {
    ts = await startCliTestServer();
    ok(await kumulus(['server', 'create', '--name', name, '--plan', ts.plan, '--image', 'tiny']));
  });
  after(async () => {
    // Runs also when a test failed half-way: nothing of ours may stay on the host, protected or not.
    await ts?.client.changeServerProtection(name, { delete: false }).catch(() => {});
    await cleanupServers(ts, 'clilife-');
    await ts?.stop();
  });

  test('protect refuses delete until lifted, in both languages', async () => {
    const on = await kumulus(['server', 'protect', name, '--delete', 'on']);
    ok(on);
    assert.match(on.stdout, /delete protection on, rebuild protection off/);
    const refused = await kumulus(['server', 'delete', name], 'de');
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /geschützt/);
    const bad = await kumulus(['server', 'protect', name, '--delete', 'maybe']);
    assert.equal(bad.code, 2, bad.stderr);
    const off = await kumulus(['server', 'protect', name, '--delete', 'off'], 'de');
    ok(off);
    assert.match(off.stdout, /Löschschutz aus/);
  });

  test('poweroff and shutdown are two actions; resize and reset-password follow their operations', async () => {
    const power = json<Operation>(await kumulus(['server', 'poweroff', name, '-o', 'json']));
    assert.equal(power.kind, 'server.poweroff');
    assert.equal(power.state, 'succeeded');
    ok(await kumulus(['server', 'start', name]));
    const down = json<Operation>(await kumulus(['server', 'shutdown', name, '--grace', '20', '-o', 'json']));
    assert.equal(down.kind, 'server.shutdown');
    assert.equal(down.state, 'succeeded');
    ok(await kumulus(['server', 'start', name]));
    const resized = await kumulus(['server', 'resize', name, '--plan', ts.plan]);
    ok(resized);
    assert.match(resized.stdout, /is Running/);
    const reset = json<{ rootPassword: string; operation: Operation }>(await kumulus(['server', 'reset-password', name, '-o', 'json']));
    assert.equal(reset.operation.state, 'succeeded');
    assert.equal(reset.rootPassword.length, 20);
  });

  test('rebuild wants --yes and then keeps the address', async () => {
    const before = json<Server>(await kumulus(['server', 'show', name, '-o', 'json']));
    const no = await kumulus(['server', 'rebuild', name, '--image', 'tiny']);
    assert.equal(no.code, 2);
    assert.match(no.stderr, /--yes/);
    const yes = await kumulus(['server', 'rebuild', name, '--image', 'tiny', '--yes']);
    ok(yes);
    const after = json<Server>(await kumulus(['server', 'show', name, '-o', 'json']));
    assert.equal(after.spec.nics[0]!.ipv4, before.spec.nics[0]!.ipv4);
    assert.equal(after.status.phase, 'Running');
  });
});
