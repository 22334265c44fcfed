import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv } from 'ajv';
import { addFormats } from '../../src/http/validation.ts';
import { newSshPublicKey } from '../ssh-key.ts';
import { describeEachStore, raw } from '../stores.ts';

type Response = { description: string; content: { 'application/json': { schema: object } }; 'x-error-codes'?: string[] };
type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, Response> }>>;
  components: { schemas: Record<string, object> };
};


describeEachStore('OpenAPI document', (get) => {
  test('is a valid OpenAPI 3.1 document that lists every route', async () => {
    const doc = (await (await fetch(`${get().url}/api/v1/openapi.json`)).json()) as Doc;
    const result = await new Validator().validate(doc as never);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 1));
    assert.equal(doc.openapi, '3.1.0');
    for (const path of ['/api/v1/servers', '/api/v1/servers/{id}', '/api/v1/servers/{id}/actions/{action}', '/api/v1/plans', '/api/v1/images', '/api/v1/operations/{id}/wait', '/api/v1/tenants', '/api/v1/users', '/api/v1/tokens']) {
      assert.ok(doc.paths[path], `${path} is documented`);
    }
  });

  test("Redocly's linter with its recommended rules finds nothing to complain about", async () => {
    const source = await (await fetch(`${get().url}/api/v1/openapi.json`)).text();
    // The one rule turned off: info-license asks for a license, and Kumulus has not chosen one yet;
    // that is its owner's decision, not something to make up in an API document.
    const config = await createConfig({ extends: ['recommended'], rules: { 'info-license': 'off' } });
    const problems = await lintFromString({ source, absoluteRef: 'openapi.json', config });
    const lines = problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location.map((l) => l.pointer).join(', ')}`);
    assert.deepEqual(lines, [], lines.join('\n'));
  });

  test('every operation lists the error answers it gives, with the Error schema and their codes', async () => {
    const doc = (await (await fetch(`${get().url}/api/v1/openapi.json`)).json()) as Doc;
    let operations = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        operations++;
        const where = `${method.toUpperCase()} ${path}`;
        const errors = Object.entries(op.responses).filter(([status]) => status === 'default' || Number(status) >= 400);
        assert.ok(errors.some(([status]) => status.startsWith('4')), `${where} declares a 4xx answer`);
        for (const [status, r] of errors) {
          assert.deepEqual(r.content['application/json'].schema, { $ref: '#/components/schemas/Error' }, `${where} ${status} uses the Error schema`);
          assert.ok(r['x-error-codes']?.length, `${where} ${status} names its codes`);
          for (const code of r['x-error-codes'] ?? []) assert.match(r.description, new RegExp(`\`${code}\``), `${where} ${status} explains ${code}`);
        }
        const codes = (status: string) => op.responses[status]?.['x-error-codes'] ?? [];
        if (op.security?.length !== 0) assert.ok(codes('401').includes('UNAUTHENTICATED'), `${where} needs a principal: 401`);
        if (path.includes('{')) assert.ok(codes('404').length > 0, `${where} has a path parameter: 404`);
        if (method !== 'get') assert.ok(codes('400').includes('INVALID_JSON') && codes('400').includes('JSON_TOO_DEEP'), `${where} reads a body: 400`);
      }
    }
    assert.ok(operations >= 27, `${operations} operations`);
    const create = doc.paths['/api/v1/servers']!.post!.responses;
    assert.deepEqual(create['422']!['x-error-codes']!.sort(), ['IDEMPOTENCY_KEY_REUSED', 'IMAGE_NOT_FOUND', 'INVALID_SSH_KEY', 'PLAN_NOT_FOUND', 'SSH_KEY_NOT_FOUND', 'UNSUPPORTED_KIND', 'WEAK_PASSWORD']);
    assert.deepEqual(doc.paths['/api/v1/servers/{id}']!.get!.responses['404']!['x-error-codes'], ['SERVER_NOT_FOUND']);
    assert.deepEqual(doc.paths['/api/v1/auth/login']!.post!.responses['429']!['x-error-codes'], ['ACCOUNT_LOCKED']);
  });

  test('the error answers the API really gives are the ones the document lists', async () => {
    const { url, operatorToken: token, client } = get();
    const doc = (await (await fetch(`${url}/api/v1/openapi.json`)).json()) as Doc;
    const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
    const errorSchema = doc.components.schemas.Error!;
    const key = await client.createSshKey({ name: 'documented', publicKey: newSshPublicKey() });
    await client.createServer({ name: 'documented', plan: 'nano', image: 'tiny', start: false }).then((c) => client.waitOperation(c.operation.id, 60));
    const cases: [string, string, string, { token?: string; body?: string; headers?: Record<string, string> }][] = [
      ['/api/v1/servers', 'get', '/servers', {}],
      ['/api/v1/servers', 'get', '/servers?limit=0', { token }],
      ['/api/v1/servers', 'post', '/servers', { token, body: '{' }],
      ['/api/v1/servers', 'post', '/servers', { token, body: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]' }],
      ['/api/v1/servers', 'post', '/servers', { token, body: JSON.stringify({ name: 'x', plan: 'huge', image: 'tiny' }) }],
      ['/api/v1/servers', 'post', '/servers', { token, body: JSON.stringify({ name: 'documented', plan: 'nano', image: 'tiny' }) }],
      ['/api/v1/servers', 'post', '/servers', { token, body: 'x=1', headers: { 'content-type': 'text/plain' } }],
      ['/api/v1/servers/{id}', 'get', '/servers/nowhere', { token }],
      ['/api/v1/servers/{id}/actions/{action}', 'post', '/servers/documented/actions/explode', { token }],
      ['/api/v1/ssh-keys', 'post', '/ssh-keys', { token, body: JSON.stringify({ publicKey: key.publicKey }) }],
      ['/api/v1/ssh-keys/{id}', 'patch', `/ssh-keys/${key.id}`, { token, body: JSON.stringify({ name: '' }) }],
      ['/api/v1/ssh-keys/{id}', 'delete', '/ssh-keys/nothing', { token }],
      ['/api/v1/tokens/{id}', 'delete', '/tokens/tok_00000000000000000000', { token }],
      ['/api/v1/operations/{id}/wait', 'get', '/operations/op_00000000000000000000/wait', { token }],
      ['/api/v1/auth/login', 'post', '/auth/login', { body: JSON.stringify({ email: 'no@body.test', password: 'wrong' }) }],
    ];
    for (const [path, method, actual, init] of cases) {
      const res = await raw(url, method.toUpperCase(), actual, init);
      const documented = doc.paths[path]?.[method]?.responses[String(res.status)]?.['x-error-codes'] ?? [];
      assert.ok(documented.includes(res.body.error.code), `${method} ${actual} answered ${res.status} ${res.body.error.code}, documented: ${documented.join(', ') || 'nothing'}`);
      assert.ok(ajv.validate(errorSchema, res.body), ajv.errorsText());
    }
    await client.deleteSshKey(key.id);
    await client.waitOperation((await client.deleteServer('documented')).id, 60);
  });

  test('real answers match the schemas the document promises', async () => {
    const { url, client } = get();
    const doc = (await (await fetch(`${url}/api/v1/openapi.json`)).json()) as Doc;
    const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
    const check = (path: string, method: string, status: number, body: unknown) => {
      const schema = doc.paths[path]?.[method]?.responses[status]?.content['application/json'].schema;
      assert.ok(schema, `${method} ${path} ${status} is documented`);
      const ok = ajv.validate(schema, body);
      assert.ok(ok, `${method} ${path} ${status}: ${ajv.errorsText()}`);
    };
    const created = await client.createServer({ name: 'schema', plan: 'nano', image: 'tiny', start: false });
    check('/api/v1/servers', 'post', 202, created);
    check('/api/v1/servers', 'get', 200, await client.listServers());
    check('/api/v1/servers/{id}', 'get', 200, await client.getServer(created.server.id));
    check('/api/v1/plans', 'get', 200, await client.listPlans());
    check('/api/v1/images', 'get', 200, await client.listImages());
    check('/api/v1/operations/{id}/wait', 'get', 200, await client.waitOperation(created.operation.id, 60));
    check('/api/v1/auth/me', 'get', 200, await client.me());
    check('/api/v1/hosts', 'get', 200, await client.listHosts());
    await client.waitOperation((await client.deleteServer(created.server.id)).id, 60);
  });
});
