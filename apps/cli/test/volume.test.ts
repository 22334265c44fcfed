/**
 * `kumulus volume` end to end against a real control plane on local LXC: create, list, show,
 * attach to a server and detach, resize, delete, and the usage and API errors in CLI words.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Operation, Volume } from '@kumulus/api';
import { type CliResult, json, runCli } from './run-cli.ts';
import { type CliTestServer, cleanupServers, startCliTestServer } from './test-server.ts';

describe('kumulus volume', { timeout: 300_000 }, () => {
  let ts: CliTestServer;
  const prefix = `cli-vol-${randomBytes(3).toString('hex')}`;
  const kumulus = (args: string[]): Promise<CliResult> => runCli(args, { env: ts.env });
  const ok = (r: CliResult) => assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);

  before(async () => {
    ts = await startCliTestServer();
  });
  after(async () => {
    try {
      if (ts) for (const v of await ts.client.all((q) => ts.client.listVolumes(q))) await ts.client.waitOperation((await ts.client.deleteVolume(v.id).catch(() => ts.client.detachVolume(v.id))).id, 60);
      await cleanupServers(ts, prefix);
    } finally {
      await ts?.stop();
    }
  });

  test('create, list, show, attach, detach, resize and delete a volume', async () => {
    const created = await kumulus(['volume', 'create', '--name', `${prefix}-data`, '--size', '1', '--format', 'xfs']);
    ok(created);
    assert.match(created.stdout, new RegExp(`volume ${prefix}-data is Available`));
    const list = await kumulus(['volume', 'list']);
    ok(list);
    assert.match(list.stdout, /^ID\s+NAME\s+SIZE\s+FORMAT\s+PHASE\s+ATTACHED TO\s+CREATED$/m);
    assert.match(list.stdout, new RegExp(`^vol_\\S+\\s+${prefix}-data\\s+1 GB\\s+xfs\\s+Available\\s+-\\s`, 'm'));
    const shown = json<Volume>(await kumulus(['volume', 'show', `${prefix}-data`, '-o', 'json']));
    assert.equal(shown.spec.sizeGb, 1);

    ok(await kumulus(['server', 'create', '--name', `${prefix}-srv`, '--plan', ts.plan, '--image', 'tiny']));
    const attached = await kumulus(['volume', 'attach', `${prefix}-data`, `${prefix}-srv`, '--path', '/srv/data']);
    ok(attached);
    assert.match(attached.stdout, /is Attached/);
    assert.match((await kumulus(['volume', 'show', shown.id])).stdout, /^Attached to:\s+srv_\S+:\/srv\/data$/m);
    const refused = await kumulus(['volume', 'delete', `${prefix}-data`]);
    assert.equal(refused.code, 6, refused.stderr);
    assert.match(refused.stderr, /VOLUME_ATTACHED/);
    ok(await kumulus(['volume', 'detach', `${prefix}-data`]));

    const grown = json<Operation>(await kumulus(['volume', 'resize', `${prefix}-data`, '--size', '2', '-o', 'json']));
    assert.equal(grown.state, 'succeeded');
    const shrink = await kumulus(['volume', 'resize', `${prefix}-data`, '--size', '1']);
    assert.notEqual(shrink.code, 0);
    assert.match(shrink.stderr, /VOLUME_SHRINK/);
    assert.match(shrink.stderr, /--size/);
    const bad = await kumulus(['volume', 'create', '--name', 'x', '--size', '1.5']);
    assert.equal(bad.code, 2, bad.stderr);
    const deleted = await kumulus(['volume', 'delete', shown.id]);
    ok(deleted);
    assert.match(deleted.stdout, new RegExp(`volume ${prefix}-data \\(${shown.id}\\) deleted`));
    const gone = await kumulus(['volume', 'show', shown.id]);
    assert.equal(gone.code, 3, gone.stderr);
  });
});
