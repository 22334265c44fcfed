/**
 * `kumulus server list --sort/-l` and `kumulus server rename` against a real control plane: the
 * sort and selector reach the API, a bad sort key is said with its code, a rename answers the new name.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '@kumulus/api';
import { json, runCli } from './run-cli.ts';
import { type CliTestServer, startCliTestServer } from './test-server.ts';

describe('kumulus server list and rename', { timeout: 300_000 }, () => {
  let ts: CliTestServer;
  before(async () => {
    ts = await startCliTestServer();
  });
  after(async () => {
    await ts?.stop();
  });

  test('list sorts and selects, rename renames, a bad sort key is an API error', async () => {
    const made = [];
    for (const [name, env] of [['cli-b', 'prod'], ['cli-a', 'prod'], ['cli-c', 'test']] as const) made.push(await ts.client.createServer({ name, plan: 'nano', image: 'tiny', start: false, labels: { env } }));
    const listed = json<Server[]>(await runCli(['server', 'list', '--sort', 'name:desc', '-l', 'env=prod', '-o', 'json'], { env: ts.env }));
    assert.deepEqual(listed.map((s) => s.name), ['cli-b', 'cli-a']);
    const bad = await runCli(['server', 'list', '--sort', 'colour'], { env: { ...ts.env, KUMULUS_LANG: 'de' } });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /SORT_KEY_INVALID/);
    assert.match(bad.stderr, /nicht nach "colour" sortieren/);

    const renamed = await runCli(['server', 'rename', 'cli-c', 'cli-d'], { env: ts.env });
    assert.equal(renamed.code, 0, renamed.stderr);
    assert.match(renamed.stdout, /cli-c is now called cli-d/);
    assert.equal((await ts.client.getServer(made[2]!.server.id)).name, 'cli-d');
    const taken = await runCli(['server', 'rename', 'cli-d', 'cli-a'], { env: ts.env });
    assert.notEqual(taken.code, 0);
    assert.match(taken.stderr, /NAME_TAKEN/);
    for (const m of made) await ts.client.waitOperation((await ts.client.deleteServer(m.server.id)).id, 60);
  });
});
