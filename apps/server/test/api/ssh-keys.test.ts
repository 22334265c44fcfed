import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiError } from '@kumulus/api';
import { ALICE_KEY, newSshPublicKey } from '../ssh-key.ts';
import { describeEachStore, raw } from '../stores.ts';

describeEachStore('SSH keys API', (get) => {
  test('a saved key is named by its comment, shows the OpenSSH fingerprint, renames and deletes', async () => {
    const { client, running } = get();
    // Extra blanks around and inside, as a sloppy paste would have them.
    const key = await client.createSshKey({ publicKey: `  ${ALICE_KEY.line.replace(' ', '   ')}\n` });
    assert.match(key.id, /^key_/);
    assert.equal(key.name, 'alice@laptop');
    assert.equal(key.fingerprint, ALICE_KEY.fingerprint);
    assert.equal(key.publicKey, ALICE_KEY.line);
    assert.deepEqual(await client.getSshKey(key.id), key);
    assert.ok((await client.listSshKeys()).items.some((k) => k.id === key.id));

    // Another key with the same comment gets a numbered name rather than a refusal.
    const twin = await client.createSshKey({ publicKey: newSshPublicKey('alice@laptop') });
    assert.equal(twin.name, 'alice@laptop (2)');
    await client.deleteSshKey(twin.id);
    // Control characters in a comment do not reach the name.
    const bell = await client.createSshKey({ publicKey: newSshPublicKey('ring\u0007bell') });
    assert.equal(bell.name, 'ringbell');
    await client.deleteSshKey(bell.id);

    const renamed = await client.renameSshKey(key.id, '  Alice – Laptop  ');
    assert.equal(renamed.name, 'Alice – Laptop');
    assert.equal((await client.getSshKey(key.id)).name, 'Alice – Laptop');

    await client.deleteSshKey(key.id);
    await assert.rejects(client.getSshKey(key.id), (e: ApiError) => e.status === 404 && e.code === 'NOT_FOUND');
    await assert.rejects(client.deleteSshKey(key.id), (e: ApiError) => e.status === 404);
    const actions = await running.store.db.selectFrom('audit_log').select('action').where('target_id', '=', key.id).orderBy('id').execute();
    assert.deepEqual(actions.map((a) => a.action), ['ssh-key.create', 'ssh-key.rename', 'ssh-key.delete']);
  });

  test('bad keys, names and duplicates answer 4xx with the field to fix and save nothing', async () => {
    const { url, operatorToken: token, client } = get();
    const kept = await client.createSshKey({ name: 'kept', publicKey: newSshPublicKey() });
    const before = (await client.listSshKeys()).items.length;
    const cases: [unknown, number, string, string?][] = [
      [{ publicKey: 'not a key at all' }, 422, 'INVALID_SSH_KEY', 'publicKey'],
      [{ publicKey: 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ' }, 422, 'INVALID_SSH_KEY', 'publicKey'],
      [{ publicKey: `${newSshPublicKey()}\n${newSshPublicKey()}` }, 422, 'INVALID_SSH_KEY', 'publicKey'],
      [{ publicKey: '' }, 400, 'VALIDATION_FAILED', 'publicKey'],
      [{ name: '   ', publicKey: newSshPublicKey() }, 400, 'VALIDATION_FAILED', 'name'],
      [{ name: 'tab\there', publicKey: newSshPublicKey() }, 400, 'VALIDATION_FAILED', 'name'],
      [{ name: 'x'.repeat(101), publicKey: newSshPublicKey() }, 400, 'VALIDATION_FAILED', 'name'],
      [{ publicKey: newSshPublicKey(), color: 'red' }, 400, 'VALIDATION_FAILED'],
      [{ name: 'kept', publicKey: newSshPublicKey() }, 409, 'NAME_TAKEN', 'name'],
      [{ name: 'other', publicKey: kept.publicKey.replace(/ \S+$/, ' same-key-new-comment') }, 409, 'SSH_KEY_EXISTS', 'publicKey'],
    ];
    for (const [body, status, code, field] of cases) {
      const res = await raw(url, 'POST', '/ssh-keys', { token, body: JSON.stringify(body) });
      assert.equal(res.status, status, `${JSON.stringify(body)} → ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, code);
      if (field) assert.ok(res.body.error.details?.some((d: { field: string }) => d.field.includes(field)), `details name ${field}: ${JSON.stringify(res.body.error)}`);
    }
    const exists = await raw(url, 'POST', '/ssh-keys', { token, body: JSON.stringify({ publicKey: kept.publicKey }), headers: { 'accept-language': 'de' } });
    assert.match(exists.body.error.message, /bereits gespeichert, als kept/);

    const other = await client.createSshKey({ name: 'other', publicKey: newSshPublicKey() });
    const clash = await raw(url, 'PATCH', `/ssh-keys/${other.id}`, { token, body: '{"name":"kept"}' });
    assert.equal(clash.status, 409);
    assert.equal((await client.renameSshKey(other.id, 'other')).name, 'other', 'renaming to its own name is fine');
    assert.equal((await client.listSshKeys()).items.length, before + 1);
    await client.deleteSshKey(other.id);
    await client.deleteSshKey(kept.id);
  });

  test('servers take saved keys by id next to pasted ones; deleting the key later leaves the server as it is', async () => {
    const { url, operatorToken: token, client, running } = get();
    const saved = await client.createSshKey({ name: 'deploy', publicKey: newSshPublicKey('deploy@ci') });
    const pasted = newSshPublicKey('pasted@laptop');
    const { server, operation } = await client.createServer({ name: 'keyed', plan: 'nano', image: 'tiny', sshKeyIds: [saved.id], sshKeys: [pasted, saved.publicKey] });
    assert.deepEqual(server.spec.sshKeys, [pasted, saved.publicKey], 'each key once, pasted ones first');
    assert.equal((await client.waitOperation(operation.id, 60)).state, 'succeeded');
    await client.deleteSshKey(saved.id);
    assert.deepEqual((await client.getServer(server.id)).spec.sshKeys, [pasted, saved.publicKey]);

    // An id the tenant does not have is refused before anything is made.
    const servers = (await client.listServers()).items.length;
    const containers = (await running.engine.compute.list()).length;
    for (const ids of [[saved.id], ['key_00000000000000000000'], ['nope'], ['bad\u0001name']]) {
      const res = await raw(url, 'POST', '/servers', { token, body: JSON.stringify({ name: 'unkeyed', plan: 'nano', image: 'tiny', sshKeyIds: ids }) });
      const expected = ids[0]!.includes('\u0001') ? [400, 'VALIDATION_FAILED'] : [422, 'SSH_KEY_NOT_FOUND'];
      assert.deepEqual([res.status, res.body.error.code], expected, JSON.stringify(res.body));
      assert.ok(res.body.error.details.some((d: { field: string }) => d.field.startsWith('sshKeyIds')));
    }
    assert.equal((await client.listServers()).items.length, servers, 'no server row was left behind');
    assert.equal((await running.engine.compute.list()).length, containers, 'no container was left behind');
    await client.waitOperation((await client.deleteServer(server.id)).id, 60);
  });
});
