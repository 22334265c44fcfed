import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSshPublicKey } from '../ssh-key.ts';
import { describeEachStore, raw } from '../stores.ts';

const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

describeEachStore('hostile and body-less requests', (get) => {
  test('a request without a body is accepted with Content-Type: application/json, as many HTTP clients send it', async () => {
    const { url, operatorToken: token, client } = get();
    const json = { 'content-type': 'application/json' };
    const key = await client.createSshKey({ name: 'bodiless', publicKey: newSshPublicKey('bodiless@test') });
    const del = await raw(url, 'DELETE', `/ssh-keys/${key.id}`, { token, headers: json });
    assert.equal(del.status, 204, JSON.stringify(del.body));
    assert.equal((await raw(url, 'GET', `/ssh-keys/${key.id}`, { token })).status, 404, 'the key is gone');

    const { server, operation } = await client.createServer({ name: 'bodiless', plan: 'nano', image: 'tiny', start: false });
    await client.waitOperation(operation.id, 60);
    // A body-less POST, with the header and with a charset, and with only whitespace.
    const start = await raw(url, 'POST', `/servers/${server.id}/actions/start`, { token, headers: { 'content-type': 'application/json; charset=utf-8' } });
    assert.equal(start.status, 202, JSON.stringify(start.body));
    await client.waitOperation(start.body.id, 60);
    const stop = await raw(url, 'POST', `/servers/${server.id}/actions/stop`, { token, body: ' \n', headers: { 'idempotency-key': 'bodiless-stop' } });
    assert.equal(stop.status, 202, JSON.stringify(stop.body));
    await client.waitOperation(stop.body.id, 60);
    // Any content type is fine when there is nothing in it.
    const gone = await raw(url, 'DELETE', `/servers/${server.id}`, { token, headers: { 'content-type': 'text/plain' } });
    assert.equal(gone.status, 202, JSON.stringify(gone.body));
    await client.waitOperation(gone.body.id, 60);

    // A route that needs a body still says so, as a validation error rather than a JSON one.
    const create = await raw(url, 'POST', '/servers', { token, headers: json });
    assert.deepEqual([create.status, create.body.error.code], [400, 'VALIDATION_FAILED']);
    assert.deepEqual(create.body.error.details.map((d: { field: string }) => d.field), ['name', 'plan', 'image'], 'each missing field is named');
    const text = await raw(url, 'POST', '/servers', { token, body: 'name=x', headers: { 'content-type': 'text/plain' } });
    assert.deepEqual([text.status, text.body.error.code], [415, 'UNSUPPORTED_MEDIA_TYPE']);
  });

  test('deeply nested JSON answers 400 JSON_TOO_DEEP on every route, with and without Idempotency-Key', async () => {
    const { url, operatorToken: token } = get();
    const routes: [string, string][] = [
      ['POST', '/auth/logout'],
      ['POST', '/auth/login'],
      ['POST', '/servers'],
      ['POST', '/servers/nobody/actions/start'],
      ['DELETE', '/servers/nobody'],
      ['POST', '/ssh-keys'],
      ['PATCH', '/ssh-keys/nobody'],
      ['POST', '/tokens'],
      ['POST', '/tenants'],
      ['POST', '/plans'],
    ];
    let n = 0;
    for (const [method, path] of routes) {
      for (const body of [deepArray(4400), deepObject(4400), deepArray(100_000), `{"x":${deepArray(33)}}`]) {
        for (const idem of [false, true]) {
          const headers: Record<string, string> = idem ? { 'idempotency-key': `deep-${n++}` } : {};
          const res = await raw(url, method, path, { token, body, headers });
          const what = `${method} ${path} depth ${body.length / 2}${idem ? ' with Idempotency-Key' : ''}`;
          assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.body)}`);
          assert.equal(res.body.error.code, 'JSON_TOO_DEEP', what);
          assert.match(res.body.error.message, /32/);
        }
      }
    }
    // Just inside the bound is read (and here refused as a body the route does not take).
    const ok = await raw(url, 'POST', '/servers', { token, body: deepArray(32), headers: { 'idempotency-key': 'deep-ok' } });
    assert.deepEqual([ok.status, ok.body.error.code], [400, 'VALIDATION_FAILED']);
    // Brackets inside strings are text, not nesting.
    const inString = await raw(url, 'POST', '/ssh-keys', { token, body: JSON.stringify({ name: '['.repeat(50), publicKey: '{'.repeat(5000) }) });
    assert.equal(inString.status, 422, JSON.stringify(inString.body));
  });

  test('no malformed request gets a 5xx', async () => {
    const { url, operatorToken: token } = get();
    const bodies = ['', 'null', '[]', '"text"', '42', '{', '{"__proto__": {"x": 1}}', '{"constructor": {"prototype": {"x": 1}}}', '{"name": "\\ud800"}', `{"name": 1e999999}`, '\u0000', '{"a":'.repeat(20)];
    const paths: [string, string][] = [
      ['POST', '/auth/logout'],
      ['POST', '/servers'],
      ['POST', '/servers/x/actions/reboot'],
      ['POST', '/ssh-keys'],
      ['PATCH', '/ssh-keys/x'],
      ['POST', '/tokens'],
      ['DELETE', '/tokens/x'],
    ];
    let n = 0;
    for (const [method, path] of paths) {
      for (const body of bodies) {
        for (const idem of [false, true]) {
          const headers: Record<string, string> = idem ? { 'idempotency-key': `bad-${n++}` } : {};
          const res = await raw(url, method, path, { token, body, headers });
          assert.ok(res.status < 500, `${method} ${path} ${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body)}`);
          if (res.status >= 400) assert.match(res.body.error.code, /^[A-Z_]+$/);
        }
      }
    }
    const odd: [string, string, Record<string, string>][] = [
      ['GET', '/servers/%zz', {}],
      ['GET', '/servers?limit=1e9999', {}],
      ['GET', '/servers?cursor=%00%ff', {}],
      ['POST', '/servers', { 'idempotency-key': 'k'.repeat(300) }],
      ['POST', '/servers', { 'content-type': 'application/json; charset=latin-7' }],
      ['POST', '/servers', { 'content-type': '' }],
    ];
    for (const [method, path, headers] of odd) {
      const res = await raw(url, method, path, { token, body: method === 'GET' ? undefined : '{}', headers });
      assert.ok(res.status >= 400 && res.status < 500, `${method} ${path} ${JSON.stringify(headers)} → ${res.status} ${JSON.stringify(res.body)}`);
    }
  });
});
