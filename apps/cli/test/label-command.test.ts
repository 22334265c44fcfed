/**
 * `kumulus <resource> label REF KEY=VALUE… [-r KEY]…` against a real control plane: it sets,
 * overwrites and removes labels on an SSH key and a network (by name and by id), keeps the labels
 * it was not told about, and what `list -l` keeps follows; a bad label, a removed key that is not
 * there, a command with nothing to do and an unknown resource fail clearly and change nothing.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Network, SshKey } from '@kumulus/api';
import { newSshPublicKey } from '../../server/test/ssh-key.ts';
import { json, runCli } from './run-cli.ts';
import { type CliTestServer, startCliTestServer } from './test-server.ts';

describe('kumulus … label', { timeout: 600_000 }, () => {
  let ts: CliTestServer;
  let dir: string;
  before(async () => {
    ts = await startCliTestServer();
    dir = await mkdtemp(join(tmpdir(), 'kum-cli-label-'));
  });
  after(async () => {
    await ts?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const cli = (args: string[], lang = 'en') => runCli(args, { env: { ...ts.env, KUMULUS_LANG: lang } });
  const ok = (r: { code: number | null; stderr: string }) => assert.equal(r.code, 0, r.stderr);
  const names = async (args: string[]) => {
    const r = await cli([...args, '-o', 'json']);
    ok(r);
    return json<{ name: string }[]>(r).map((x) => x.name);
  };

  test('sets, overwrites and removes labels on an SSH key, and list -l follows', async () => {
    const file = join(dir, 'k.pub');
    await writeFile(file, `${newSshPublicKey('k')}\n`);
    ok(await cli(['ssh-key', 'add', '--name', 'lk', '--label', 'team=web', '--file', file]));

    const set = await cli(['ssh-key', 'label', 'lk', 'env=prod', 'laptop']);
    ok(set);
    assert.match(set.stdout, /labels of lk \(key_\w+\): team=web, env=prod, laptop/);
    assert.deepEqual(await names(['ssh-key', 'list', '-l', 'env=prod,team=web,laptop']), ['lk']);

    const over = await cli(['ssh-key', 'label', 'lk', 'env=test', '-r', 'team', '-o', 'json']);
    ok(over);
    assert.deepEqual(json<SshKey>(over).labels, { env: 'test', laptop: '' });
    assert.deepEqual(await names(['ssh-key', 'list', '-l', 'env=prod']), []);
    assert.deepEqual(await names(['ssh-key', 'list', '-l', 'env=test,!team']), ['lk']);

    const gone = await cli(['ssh-key', 'label', 'lk', '-r', 'env,laptop'], 'de');
    ok(gone);
    assert.match(gone.stdout, /Labels von lk .*: \(keine\)/);
    assert.deepEqual(await names(['ssh-key', 'list', '-l', 'env']), []);
    assert.deepEqual(await names(['ssh-key', 'list', '-l', '!env,!laptop,!team']), ['lk']);
  });

  test('a network by id, and the errors', async () => {
    const made = await cli(['network', 'create', '--name', 'lnet', '--cidr', '10.85.0.0/24', '--label', 'env=prod', '-o', 'json']);
    ok(made);
    const id = json<{ network: Network }>(made).network.id;
    ok(await cli(['network', 'label', id, 'tier=db', 'env=stage']));
    assert.deepEqual((await ts.client.getNetwork(id)).labels, { env: 'stage', tier: 'db' });
    assert.deepEqual(await names(['network', 'list', '-l', 'env in (stage),tier=db']), ['lnet']);

    const badValue = await cli(['network', 'label', id, 'env=-x'], 'de');
    assert.equal(badValue.code, 4, badValue.stderr);
    assert.match(badValue.stderr, /env/);
    assert.match(badValue.stderr, /Wert/);
    const emptyKey = await cli(['network', 'label', id, '=x']);
    assert.equal(emptyKey.code, 2, emptyKey.stderr);
    assert.match(emptyKey.stderr, /invalid label "=x"/);
    const absent = await cli(['network', 'label', id, 'a=b', '-r', 'nope']);
    assert.equal(absent.code, 4, absent.stderr);
    assert.match(absent.stderr, /has no label nope/);
    const nothing = await cli(['network', 'label', id]);
    assert.equal(nothing.code, 2, nothing.stderr);
    const both = await cli(['network', 'label', id, 'env=a', '-r', 'env']);
    assert.equal(both.code, 2, both.stderr);
    assert.deepEqual((await ts.client.getNetwork(id)).labels, { env: 'stage', tier: 'db' }, 'nothing changed');

    const unknown = await cli(['network', 'label', 'no-such-net', 'a=b']);
    assert.equal(unknown.code, 3, unknown.stderr);
    const unknownKey = await cli(['ssh-key', 'label', 'no-such-key', 'a=b']);
    assert.equal(unknownKey.code, 3, unknownKey.stderr);
    assert.match(unknownKey.stderr, /no-such-key/);

    const help = await cli(['volume', '--help']);
    ok(help);
    assert.match(help.stdout, /label VOLUME KEY=VALUE… \[-r KEY\]…/);
    await ts.client.waitOperation((await ts.client.deleteNetwork(id)).id, 60);
  });
});
