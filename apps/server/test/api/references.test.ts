import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSshPublicKey } from '../ssh-key.ts';
import { describeEachStore, raw } from '../stores.ts';

describeEachStore('references by id or name, and messages in one language', (get) => {
  test('a server is created with the plan and image ids the lists show, and saved keys by name', async () => {
    const { url, operatorToken: token, client } = get();
    const plan = (await client.listPlans()).items.find((p) => p.name === 'nano')!;
    const image = (await client.listImages()).items.find((i) => i.name === 'tiny')!;
    const key = await client.createSshKey({ name: 'Laptop of Ana', publicKey: newSshPublicKey('ana@laptop') });
    const other = await client.createSshKey({ name: 'ci', publicKey: newSshPublicKey('ci@build') });
    const res = await raw(url, 'POST', '/servers', {
      token,
      body: JSON.stringify({ name: 'by-id', plan: plan.id, image: image.id, sshKeyIds: ['Laptop of Ana', other.id], start: false }),
    });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.equal(res.body.server.spec.plan, 'nano', 'the spec keeps the name');
    assert.equal(res.body.server.spec.image, 'tiny');
    assert.deepEqual(res.body.server.spec.sshKeys, [key.publicKey, other.publicKey]);
    await client.waitOperation(res.body.operation.id, 60);
    const byName = await client.listOperations({ target: 'by-id' });
    assert.deepEqual(byName.items.map((o) => o.id), [res.body.operation.id], 'operations filter by the server name too');
    assert.deepEqual((await client.listOperations({ target: 'no-such-server' })).items, []);
    await client.waitOperation((await client.deleteServer(res.body.server.id)).id, 60);

    // Ids the catalogue does not have are unknown references, not malformed ones.
    for (const [field, value, code] of [['plan', 'plan_00000000000000000000', 'PLAN_NOT_FOUND'], ['image', 'img_00000000000000000000', 'IMAGE_NOT_FOUND']] as const) {
      const bad = await raw(url, 'POST', '/servers', { token, body: JSON.stringify({ name: 'nope', plan: 'nano', image: 'tiny', [field]: value }) });
      assert.deepEqual([bad.status, bad.body.error.code], [422, code]);
      assert.match(bad.body.error.message, new RegExp(value));
    }
    const malformed = await raw(url, 'POST', '/servers', { token, body: JSON.stringify({ name: 'nope', plan: 'Nano Plan', image: 'tiny' }) });
    assert.equal(malformed.status, 400);
    assert.deepEqual(malformed.body.error.details, [{ field: 'plan', message: 'give a name (lower-case letters, digits and dashes) or an id (plan_…)' }]);

    // SSH key paths take the name too (URL-encoded), and the id wins over a name that looks like one.
    const named = `/ssh-keys/${encodeURIComponent('Laptop of Ana')}`;
    assert.equal((await raw(url, 'GET', named, { token })).body.id, key.id);
    const renamed = await raw(url, 'PATCH', named, { token, body: JSON.stringify({ name: other.id }) });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.equal((await raw(url, 'GET', `/ssh-keys/${other.id}`, { token })).body.name, 'ci', 'an id names the key that has it');
    assert.equal((await raw(url, 'DELETE', `/ssh-keys/ci`, { token })).status, 204);
    // With ci gone, that id is only the renamed key's name.
    assert.equal((await raw(url, 'DELETE', `/ssh-keys/${other.id}`, { token })).status, 204);
    assert.equal((await raw(url, 'GET', `/ssh-keys/${key.id}`, { token })).status, 404);
    const missing = await raw(url, 'GET', `/ssh-keys/${encodeURIComponent('no such key')}`, { token });
    assert.deepEqual([missing.status, missing.body.error.code], [404, 'NOT_FOUND']);
  });

  test('German answers are German throughout, field details included; English ones English', async () => {
    const { url, operatorToken: token, client } = get();
    const body = JSON.stringify({ name: 'x'.repeat(70), plan: 'Nano', image: 5, color: 'red', start: 'yes' });
    const de = await raw(url, 'POST', '/servers', { token, body, headers: { 'accept-language': 'de' } });
    assert.equal(de.status, 400);
    const text = [de.body.error.message, ...de.body.error.details.map((d: { message: string }) => d.message)].join(' ');
    assert.match(de.body.error.message, /^Die Anfrage ist ungültig: .*name darf höchstens 63 Zeichen lang sein/);
    assert.match(text, /muss eine Zeichenkette sein/);
    assert.match(text, /ist kein bekanntes Feld/);
    assert.match(text, /Korrigieren Sie/);
    assert.doesNotMatch(text, /\b(must|characters|field|is not|Correct|du|dein|deine)\b/i, 'no English and no "du" in a German answer');
    const en = await raw(url, 'POST', '/servers', { token, body });
    assert.match(en.body.error.message, /name must be at most 63 characters long/);
    assert.doesNotMatch(en.body.error.message, /Zeichen|muss/);

    const order = await raw(url, 'GET', '/servers?order=sideways', { token, headers: { 'accept-language': 'de' } });
    assert.deepEqual(order.body.error.details, [{ field: 'querystring:order', message: 'muss einer dieser Werte sein: "asc", "desc"' }]);
    const weak = await raw(url, 'POST', '/servers', { token, body: JSON.stringify({ name: 'weak', plan: 'nano', image: 'tiny', password: 'short' }), headers: { 'accept-language': 'de' } });
    assert.equal(weak.body.error.message, 'Das Passwort ist zu schwach: es hat 5 Zeichen, mindestens 12 sind nötig. Verwenden Sie mindestens 12 Zeichen aus Buchstaben, Ziffern und Sonderzeichen.');
    const key = await raw(url, 'POST', '/ssh-keys', { token, body: JSON.stringify({ publicKey: 'ssh-ed25519 !!!' }), headers: { 'accept-language': 'de' } });
    assert.match(key.body.error.message, /die Schlüsseldaten sind kein Base64/);
    const missing = await raw(url, 'GET', '/servers/nowhere', { token, headers: { 'accept-language': 'de' } });
    assert.equal(missing.body.error.message, 'In Ihrem Mandanten gibt es keinen Server mit der ID oder dem Namen nowhere. Prüfen Sie den Namen in Ihrer Serverliste.');
    await client.createTenant({ name: 'twice' });
    const taken = await raw(url, 'POST', '/tenants', { token, body: JSON.stringify({ name: 'twice' }), headers: { 'accept-language': 'de' } });
    assert.match(taken.body.error.message, /^Ein Mandant namens twice existiert bereits/);
  });

  test('no server message names an API path, except the answer to an unknown route', async () => {
    const { url, operatorToken: token } = get();
    const requests: [string, string, string?][] = [
      ['GET', '/servers/nowhere'],
      ['POST', '/servers', JSON.stringify({ name: 'p', plan: 'huge', image: 'tiny' })],
      ['POST', '/servers', JSON.stringify({ name: 'p', plan: 'nano', image: 'windows' })],
      ['POST', '/servers', JSON.stringify({ name: 'p', plan: 'nano', image: 'tiny', sshKeyIds: ['nope'] })],
      ['GET', '/ssh-keys/nope'],
      ['DELETE', '/tokens/tok_00000000000000000000'],
      ['GET', '/operations/op_00000000000000000000'],
    ];
    for (const lang of ['en', 'de']) {
      for (const [method, path, body] of requests) {
        const a = await raw(url, method, path, { token, body, headers: { 'accept-language': lang } });
        assert.ok(a.status >= 400 && a.status < 500, JSON.stringify(a.body));
        assert.doesNotMatch(a.body.error.message, /\/api\/|GET |POST /, a.body.error.message);
      }
    }
  });
});
