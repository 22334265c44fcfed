import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv } from 'ajv';
import { addFormats } from '../../src/http/validation.ts';
import { describeEachStore } from '../stores.ts';

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<number, { content: { 'application/json': { schema: object } } }> }>>;
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
