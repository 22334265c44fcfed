/**
 * Labels, selectors and pages from the CLI against a real control plane: `--label` on create
 * commands reaches the API, `-l` keeps what the selector keeps, `--page/--per-page` show one page
 * and say where it sits on stderr, a bad label names `--label KEY`, and `kumulus audit list`
 * reads the log (an operator's of another tenant too); `kumulus <resource> label` changes the labels
 * of an existing SSH key and network, and its errors change nothing.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AuditEntry, Network, Server, SshKey } from '@kumulus/api';
import { newSshPublicKey } from '../../server/test/ssh-key.ts';
import { json, runCli } from './run-cli.ts';
import { type CliTestServer, startCliTestServer } from './test-server.ts';

describe('kumulus labels, selectors, pages and audit', { timeout: 600_000 }, () => {
  let ts: CliTestServer;
  let dir: string;
  before(async () => {
    ts = await startCliTestServer();
    dir = await mkdtemp(join(tmpdir(), 'kum-cli-labels-'));
  });
  after(async () => {
    await ts?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const cli = (args: string[], lang = 'en') => runCli(args, { env: { ...ts.env, KUMULUS_LANG: lang } });
  const ok = (r: { code: number | null; stderr: string }) => assert.equal(r.code, 0, r.stderr);

  test('--label on create, -l on lists, a bad label names the option', async () => {
    const a = join(dir, 'a.pub');
    const b = join(dir, 'b.pub');
    await writeFile(a, `${newSshPublicKey('a')}\n`);
    await writeFile(b, `${newSshPublicKey('b')}\n`);
    ok(await cli(['ssh-key', 'add', '--name', 'key-a', '--label', 'team=web', '--label', 'laptop', '--file', a]));
    ok(await cli(['ssh-key', 'add', '--name', 'key-b', '--label', 'team=db', '--file', b]));
    const keys = await cli(['ssh-key', 'list', '-l', 'team=web', '-o', 'json']);
    ok(keys);
    assert.deepEqual(json<SshKey[]>(keys).map((k) => [k.name, k.labels]), [['key-a', { team: 'web', laptop: '' }]]);
    assert.deepEqual(json<SshKey[]>(await cli(['ssh-key', 'list', '--selector', '!laptop', '-o', 'json'])).map((k) => k.name), ['key-b']);

    const srv = await cli(['server', 'create', '--name', 'lbl-web', '--plan', 'nano', '--image', 'tiny', '--no-start', '--label', 'env=prod', '--label', 'tier=web', '-o', 'json']);
    ok(srv);
    assert.deepEqual(json<{ server: Server }>(srv).server.labels, { env: 'prod', tier: 'web' });
    ok(await cli(['network', 'create', '--name', 'lbl-net', '--cidr', '10.84.0.0/24', '--label', 'env=prod', '-o', 'json']));
    assert.deepEqual(json<Network[]>(await cli(['network', 'list', '-l', 'env in (prod)', '-o', 'json'])).map((n) => n.name), ['lbl-net']);
    assert.deepEqual(json<Server[]>(await cli(['server', 'list', '-l', 'tier=web,env!=test', '-o', 'json'])).map((s) => s.name), ['lbl-web']);
    assert.deepEqual(json<Server[]>(await cli(['server', 'list', '--status', 'Stopped', '-l', 'env=prod', '-o', 'json'])).map((s) => s.name), ['lbl-web']);
    assert.deepEqual(json<Server[]>(await cli(['server', 'list', '--status', 'Running', '-o', 'json'])), []);
    const badStatus = await cli(['server', 'list', '--status', 'Asleep']);
    assert.equal(badStatus.code, 4, badStatus.stderr);
    assert.match(badStatus.stderr, /status/);

    const bad = await cli(['server', 'create', '--name', 'lbl-bad', '--plan', 'nano', '--image', 'tiny', '--no-start', '--label', 'env=-prod'], 'de');
    assert.equal(bad.code, 4, bad.stderr);
    assert.match(bad.stderr, /--label env/);
    assert.match(bad.stderr, /Wert/);
    const empty = await cli(['volume', 'create', '--name', 'v', '--size', '1', '--label', '=x']);
    assert.equal(empty.code, 2, 'an empty key is a usage error before any request');
    assert.match(empty.stderr, /--label/);
    assert.equal((await ts.client.listVolumes()).items.length, 0);

    await ts.client.waitOperation((await ts.client.deleteServer('lbl-web')).id, 60);
    await ts.client.waitOperation((await ts.client.deleteNetwork('lbl-net')).id, 60);
    for (const k of ['key-a', 'key-b']) ok(await cli(['ssh-key', 'delete', k]));
  });

  test('--page and --per-page show one page and say where it sits', async () => {
    for (const n of ['p1', 'p2', 'p3', 'p4', 'p5']) await ts.client.createSshKey({ name: n, publicKey: newSshPublicKey(n) });
    const second = await cli(['ssh-key', 'list', '--sort', 'name:desc', '--page', '2', '--per-page', '2', '-o', 'json']);
    ok(second);
    assert.deepEqual(json<SshKey[]>(second).map((k) => k.name), ['p3', 'p2']);
    assert.match(second.stderr, /page 2 of 3, 5 entries/);
    const de = await cli(['ssh-key', 'list', '--per-page', '4'], 'de');
    ok(de);
    assert.match(de.stderr, /Seite 1 von 2, 5 Einträge/);
    assert.equal(de.stdout.trim().split('\n').length, 5, 'a header and 4 keys');
    assert.equal(json<SshKey[]>(await cli(['ssh-key', 'list', '--sort', 'name', '-o', 'json'])).length, 5, 'without --page every entry');
    const zero = await cli(['plan', 'list', '--page', '0']);
    assert.equal(zero.code, 2);
    assert.match(zero.stderr, /--page/);
    ok(await cli(['plan', 'list', '--sort', 'name:desc', '--per-page', '1']));
    for (const k of (await ts.client.listSshKeys()).items) await ts.client.deleteSshKey(k.id);
  });

  test('audit list reads the log, filtered and paged; other tenants only for operators', async () => {
    await ts.client.createSshKey({ name: 'audited', publicKey: newSshPublicKey('audited') });
    const lines = await cli(['audit', 'list', '--action', 'ssh-key.*', '--newest', '-o', 'json']);
    ok(lines);
    const entries = json<AuditEntry[]>(lines);
    assert.equal(entries[0]!.action, 'ssh-key.create');
    assert.equal(entries[0]!.detail.name, 'audited');
    const table = await cli(['audit', 'list', '--action', 'ssh-key.create', '--per-page', '1', '--sort', 'at:desc'], 'de');
    ok(table);
    assert.match(table.stdout, /ZEIT\s+MANDANT\s+AKTEUR\s+AKTION/);
    assert.match(table.stdout, /ssh-key\.create/);
    assert.match(table.stderr, /Seite 1 von \d+/);
    ok(await cli(['audit', 'list', '--tenant', 'all', '--per-page', '5']));
    const badTenant = await cli(['audit', 'list', '--tenant', 'nobody']);
    assert.equal(badTenant.code, 2);
    for (const k of (await ts.client.listSshKeys()).items) await ts.client.deleteSshKey(k.id);
  });

  // `kumulus <resource> label REF KEY=VALUE… [-r KEY]…`: sets, overwrites and removes labels, keeps
  // the others, and fails clearly without a change on bad input.
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
