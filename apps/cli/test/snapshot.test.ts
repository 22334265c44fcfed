/**
 * `kumulus snapshot` end to end against a real control plane on local LXC: create, list, clone
 * into a new server and into a volume, a rollback refused without the typed name and done with it, delete; German words with KUMULUS_LANG=de.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Operation, Snapshot } from '@kumulus/api';
import { type CliResult, json, runCli } from './run-cli.ts';
import { type CliTestServer, cleanupServers, startCliTestServer } from './test-server.ts';

describe('kumulus snapshot', { timeout: 300_000 }, () => {
  let ts: CliTestServer;
  const kumulus = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => runCli(args, { env: { ...ts.env, ...env } });
  const ok = (r: CliResult) => assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);

  before(async () => {
    ts = await startCliTestServer();
  });
  after(async () => {
    await cleanupServers(ts, 'cli-snap');
    await ts?.stop();
  });

  test('create, list, rollback behind --confirm, delete', async () => {
    ok(await kumulus(['server', 'create', '--name', 'cli-snap1', '--plan', ts.plan, '--image', 'tiny', '--no-start']));
    const made = await kumulus(['snapshot', 'create', '--server', 'cli-snap1', '--name', 'first', '--description', 'before the change']);
    ok(made);
    assert.match(made.stdout, /snapshot first is ready/);
    const listed = await kumulus(['snapshot', 'list', '--server', 'cli-snap1']);
    ok(listed);
    assert.match(listed.stdout, /first\s+Ready\s+\d+\.\d MiB\s+\d+\.\d MiB/);
    const asJson = json<Snapshot[]>(await kumulus(['snapshot', 'list', '--server', 'cli-snap1', '-o', 'json']));
    assert.equal(asJson[0]?.description, 'before the change');

    const copy = await kumulus(['snapshot', 'clone', 'first', '--server', 'cli-snap1', '--name', 'cli-snap-copy', '--as', 'server']);
    ok(copy);
    assert.match(copy.stdout, /server cli-snap-copy made from the snapshot and running/);
    assert.equal((await ts.client.getServer('cli-snap-copy')).status.phase, 'Running');
    const vol = await kumulus(['snapshot', 'clone', 'first', '--server', 'cli-snap1', '--name', 'cli-snap-vol'], { KUMULUS_LANG: 'de' });
    ok(vol);
    assert.match(vol.stdout, /Volume cli-snap-vol aus dem Snapshot angelegt/);
    ok(await kumulus(['volume', 'delete', 'cli-snap-vol']));
    const notFromVolume = await kumulus(['snapshot', 'clone', 'first', '--volume', 'x', '--name', 'y', '--as', 'server']);
    assert.equal(notFromVolume.code, 2, notFromVolume.stderr);
    assert.match(notFromVolume.stderr, /--as server/);
    const badAs = await kumulus(['snapshot', 'clone', 'first', '--server', 'cli-snap1', '--name', 'y', '--as', 'disk']);
    assert.equal(badAs.code, 2, badAs.stderr);

    const both = await kumulus(['snapshot', 'list', '--server', 'cli-snap1', '--volume', 'x']);
    assert.equal(both.code, 2, both.stderr);
    assert.match(both.stderr, /exactly one of --server/);
    const unconfirmed = await kumulus(['snapshot', 'rollback', 'first', '--server', 'cli-snap1', '--confirm', 'frist'], { KUMULUS_LANG: 'de' });
    assert.notEqual(unconfirmed.code, 0);
    assert.match(unconfirmed.stderr, /Bestätigung/);
    const rolled = await kumulus(['snapshot', 'rollback', 'first', '--server', 'cli-snap1', '--confirm', 'first', '-o', 'json']);
    ok(rolled);
    assert.equal(json<Operation>(rolled).state, 'succeeded');
    const gone = await kumulus(['snapshot', 'delete', 'first', '--server', 'cli-snap1']);
    ok(gone);
    assert.match(gone.stdout, /snapshot first deleted/);
    ok(await kumulus(['server', 'delete', 'cli-snap1']));
  });

  test('kumulus volume protect refuses the delete until unprotect', async () => {
    ok(await kumulus(['volume', 'create', '--name', 'cli-keep', '--size', '1']));
    const on = await kumulus(['volume', 'protect', 'cli-keep']);
    ok(on);
    assert.match(on.stdout, /volume cli-keep is protected/);
    assert.match((await kumulus(['volume', 'show', 'cli-keep'])).stdout, /Protected:\s+yes/);
    const refused = await kumulus(['volume', 'delete', 'cli-keep']);
    assert.equal(refused.code, 6, refused.stderr);
    assert.match(refused.stderr, /VOLUME_PROTECTED/);
    ok(await kumulus(['volume', 'unprotect', 'cli-keep']));
    ok(await kumulus(['volume', 'delete', 'cli-keep']));
  });
});
