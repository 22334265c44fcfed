/**
 * The CLI end to end: bin/kumulus against a real control plane on the real local LXC engine.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Operation, Server, ServerWithOperation } from '@kumulus/api';
import { type CliResult, json, runCli } from './run-cli.ts';
import { type CliTestServer, cleanupServers, startCliTestServer } from './test-server.ts';

describe('kumulus server lifecycle', { timeout: 300_000 }, () => {
  let ts: CliTestServer;
  const name = `cli-${randomBytes(3).toString('hex')}`;
  const kumulus = (args: string[], input?: string): Promise<CliResult> => runCli(args, { env: ts.env, input });
  const ok = (r: CliResult) => assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);

  before(async () => {
    ts = await startCliTestServer();
  });
  after(async () => {
    // Runs also when a test failed half-way: nothing of ours may stay on the host.
    await cleanupServers(ts, 'cli-');
    await ts?.stop();
  });

  test('create draws the operation and ends Running', async () => {
    const r = await kumulus(['server', 'create', '--name', name, '--plan', ts.plan, '--image', 'tiny', '--password-stdin'], 'Str0ng-Passw0rd!x');
    ok(r);
    assert.match(r.stdout, new RegExp(`Name:\\s+${name}`));
    assert.match(r.stdout, /Phase:\s+Running/);
    // Not a terminal, so one plain progress line per step, ending at 100 %.
    assert.match(r.stderr, new RegExp(`^${name}\\s+100%`, 'm'));
  });

  test('list and show, as a table and as the API objects', async () => {
    const table = await kumulus(['server', 'list']);
    ok(table);
    assert.match(table.stdout, /^ID\s+NAME\s+PHASE/);
    assert.match(table.stdout, new RegExp(`${name}\\s+Running`));
    const list = json<Server[]>(await kumulus(['server', 'list', '--output', 'json']));
    const mine = list.find((s) => s.name === name);
    assert.ok(mine, 'the server is in the JSON list');
    assert.equal(mine.status.phase, 'Running');
    assert.equal(mine.spec.hasPassword, true);
    const byId = json<Server>(await kumulus(['-o', 'json', 'server', 'show', mine.id]));
    assert.deepEqual(byId.id, mine.id);
    const byName = await kumulus(['server', 'show', name]);
    ok(byName);
    assert.match(byName.stdout, new RegExp(`ID:\\s+${mine.id}`));
  });

  test('stop, start and reboot follow their operations', async () => {
    const stop = json<Operation>(await kumulus(['server', 'stop', name, '-o', 'json']));
    assert.equal(stop.state, 'succeeded');
    assert.equal(json<Server>(await kumulus(['server', 'show', name, '-o', 'json'])).status.phase, 'Stopped');
    const start = await kumulus(['server', 'start', name]);
    ok(start);
    assert.match(start.stdout, /is Running/);
    const reboot = await kumulus(['server', 'reboot', name]);
    ok(reboot);
    assert.equal(json<Server>(await kumulus(['server', 'show', name, '-o', 'json'])).status.phase, 'Running');
  });

  test('--no-wait answers at once; operation wait follows later', async () => {
    const other = `${name}-b`;
    const accepted = json<ServerWithOperation>(
      await kumulus(['server', 'create', '--name', other, '--plan', ts.plan, '--image', 'tiny', '--no-start', '--no-wait', '-o', 'json']),
    );
    assert.equal(accepted.server.name, other);
    const done = json<Operation>(await kumulus(['operation', 'wait', accepted.operation.id, '-o', 'json']));
    assert.equal(done.state, 'succeeded');
    assert.equal(json<Server>(await kumulus(['server', 'show', other, '-o', 'json'])).status.phase, 'Stopped');
    ok(await kumulus(['server', 'delete', accepted.server.id]));
  });

  test('giving up waiting exits 8 and names the operation, which still finishes', async () => {
    const r = await kumulus(['server', 'create', '--name', `${name}-t`, '--plan', ts.plan, '--image', 'tiny', '--timeout', '0.001']);
    assert.equal(r.code, 8, r.stderr);
    const op = /\[TIMEOUT\]: .*kumulus operation wait (op_\w+)/.exec(r.stderr)?.[1];
    assert.ok(op, r.stderr);
    ok(await kumulus(['operation', 'wait', op]));
    ok(await kumulus(['server', 'delete', `${name}-t`]));
  });

  test('delete removes the server; afterwards it is not found (exit 3)', async () => {
    const r = await kumulus(['server', 'delete', name]);
    ok(r);
    assert.match(r.stdout, /deleted/);
    const gone = await kumulus(['server', 'show', name]);
    assert.equal(gone.code, 3);
    assert.match(gone.stderr, /\[SERVER_NOT_FOUND\]/);
  });
});
