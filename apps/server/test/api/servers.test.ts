import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiError, Operation } from '@kumulus/api';
import { describeEachStore, raw } from '../stores.ts';

const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGb8zZ3j3a7sNq1oQh2b3m8uMt8s5b8d0d3lVq9pYk7Z test@kumulus';

describeEachStore('servers API', (get) => {
  test('a container server goes Pending → Running, stops, starts, reboots and is deleted', async () => {
    const { client, running } = get();
    const created = await client.createServer({ name: 'web1', plan: 'nano', image: 'tiny', password: 'Correct-Horse-9!', sshKeys: [ED25519] });
    assert.equal(created.server.status.phase, 'Pending');
    assert.equal(created.operation.kind, 'server.create');
    assert.match(created.server.spec.nics[0]!.ipv4, /^10\.\d+\.\d+\.\d+\/24$/);
    assert.equal((await client.waitOperation(created.operation.id, 60)).state, 'succeeded');
    const id = created.server.id;
    let s = await client.getServer(id);
    assert.equal(s.status.phase, 'Running');
    assert.equal(s.status.observedGeneration, s.generation);
    assert.equal((await running.engine.compute.inspect(id))?.state, 'running');
    assert.equal((await client.getServer('web1')).id, id, 'a server is found by name too');

    for (const [action, phase, state] of [['stop', 'Stopped', 'stopped'], ['start', 'Running', 'running'], ['reboot', 'Running', 'running']] as const) {
      const op = await client.waitOperation((await client.serverAction(id, action)).id, 60);
      assert.equal(op.state, 'succeeded', `${action}: ${JSON.stringify(op.error)}`);
      s = await client.getServer(id);
      assert.equal(s.status.phase, phase);
      assert.equal((await running.engine.compute.inspect(id))?.state, state);
    }

    const del = await client.waitOperation((await client.deleteServer(id)).id, 60);
    assert.equal(del.state, 'succeeded');
    await assert.rejects(client.getServer(id), (e: ApiError) => e.status === 404 && e.code === 'SERVER_NOT_FOUND');
    assert.equal(await running.engine.compute.inspect(id), null, 'the container is gone');
  });

  test('bad input answers 4xx with a stable code and leaves nothing behind', async () => {
    const { url, operatorToken: token, client, running } = get();
    const before = { servers: (await client.listServers()).items.length, engine: (await running.engine.compute.list()).length };
    const cases: [string, number, string][] = [
      ['{"name": "x",', 400, 'INVALID_JSON'],
      ['{"name": 5, "plan": "nano", "image": "tiny"}', 400, 'VALIDATION_FAILED'],
      ['{"name": "ok", "plan": "nano", "image": "tiny", "color": "red"}', 400, 'VALIDATION_FAILED'],
      [JSON.stringify({ name: 'a'.repeat(64), plan: 'nano', image: 'tiny' }), 400, 'VALIDATION_FAILED'],
      [JSON.stringify({ name: 'Bad_Name', plan: 'nano', image: 'tiny' }), 400, 'VALIDATION_FAILED'],
      [JSON.stringify({ name: 'ok', plan: 'huge', image: 'tiny' }), 422, 'PLAN_NOT_FOUND'],
      [JSON.stringify({ name: 'ok', plan: 'nano', image: 'windows' }), 422, 'IMAGE_NOT_FOUND'],
      [JSON.stringify({ name: 'ok', plan: 'nano', image: 'tiny', sshKeys: ['ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ'] }), 422, 'INVALID_SSH_KEY'],
      [JSON.stringify({ name: 'ok', plan: 'nano', image: 'tiny', sshKeys: ['not a key at all'] }), 422, 'INVALID_SSH_KEY'],
      [JSON.stringify({ name: 'ok', plan: 'nano', image: 'tiny', password: 'secret' }), 422, 'WEAK_PASSWORD'],
      [JSON.stringify({ name: 'ok', plan: 'nano', image: 'tiny', password: 'aaaaaaaaaaaaaaaa' }), 422, 'WEAK_PASSWORD'],
      [JSON.stringify({ name: 'ok', plan: 'nano', image: 'tiny', hostname: '-bad-' }), 400, 'VALIDATION_FAILED'],
      // The local engine runs VMs too: a kind that does not fit the image is refused at the image.
      [JSON.stringify({ name: 'ok', plan: 'nano', image: 'tiny', kind: 'vm' }), 400, 'VALIDATION_FAILED'],
      [JSON.stringify({ name: 'ok', plan: 'nano', image: 'debian-12-vm' }), 400, 'VALIDATION_FAILED'],
    ];
    for (const [body, status, code] of cases) {
      const res = await raw(url, 'POST', '/servers', { token, body });
      assert.equal(res.status, status, `${body} → ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, code, body);
      assert.ok(res.body.error.message.length > 20, 'the message says what to fix');
      assert.match(res.body.error.requestId, /^req_/);
    }
    const big = await raw(url, 'POST', '/servers', { token, body: JSON.stringify({ name: 'ok', plan: 'nano', image: 'tiny', sshKeys: ['x'.repeat(2_000_000)] }) });
    assert.equal(big.status, 413);
    assert.equal(big.body.error.code, 'PAYLOAD_TOO_LARGE');

    // A duplicate name is refused and the first server stays untouched.
    const first = await client.createServer({ name: 'dup', plan: 'nano', image: 'tiny', start: false });
    const dup = await raw(url, 'POST', '/servers', { token, body: JSON.stringify({ name: 'dup', plan: 'nano', image: 'tiny' }) });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error.code, 'NAME_TAKEN');
    await client.waitOperation(first.operation.id, 60);
    await client.waitOperation((await client.deleteServer(first.server.id)).id, 60);

    assert.equal((await client.listServers()).items.length, before.servers, 'no server row was left behind');
    assert.equal((await running.engine.compute.list()).length, before.engine, 'no container was left behind');
  });

  test('messages follow Accept-Language, and unknown routes and tokens answer cleanly', async () => {
    const { url, operatorToken: token } = get();
    const de = await raw(url, 'POST', '/servers', { token, body: JSON.stringify({ name: 'ok', plan: 'huge', image: 'tiny' }), headers: { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' } });
    assert.match(de.body.error.message, /Es gibt keinen Tarif mit dem Namen oder der ID huge/);
    const en = await raw(url, 'POST', '/servers', { token, body: JSON.stringify({ name: 'ok', plan: 'huge', image: 'tiny' }) });
    assert.match(en.body.error.message, /There is no plan with name or id huge/);
    assert.equal((await raw(url, 'GET', '/nothing-here', { token })).body.error.code, 'ROUTE_NOT_FOUND');
    const anon = await raw(url, 'GET', '/servers');
    assert.equal(anon.status, 401);
    assert.equal(anon.body.error.code, 'UNAUTHENTICATED');
    assert.equal((await raw(url, 'GET', '/servers', { token: 'kmt_wrong' })).status, 401);
    // Authentication comes before validation: a stranger learns nothing from field errors.
    assert.equal((await raw(url, 'POST', '/servers', { body: '{}' })).status, 401);
  });

  test('Idempotency-Key: the same request answers the same, another body is refused', async () => {
    const { url, operatorToken: token, client } = get();
    const body = JSON.stringify({ name: 'idem', plan: 'nano', image: 'tiny', start: false });
    const headers = { 'idempotency-key': 'key-1' };
    const a = await raw(url, 'POST', '/servers', { token, body, headers });
    const b = await raw(url, 'POST', '/servers', { token, body, headers });
    assert.equal(a.status, 202);
    assert.equal(b.status, 202);
    assert.equal(b.headers.get('idempotent-replayed'), 'true');
    assert.equal(b.body.server.id, a.body.server.id);
    const other = await raw(url, 'POST', '/servers', { token, body: JSON.stringify({ name: 'idem2', plan: 'nano', image: 'tiny' }), headers });
    assert.equal(other.status, 422);
    assert.equal(other.body.error.code, 'IDEMPOTENCY_KEY_REUSED');
    assert.equal((await client.listServers()).items.filter((s) => s.name.startsWith('idem')).length, 1);
    await client.waitOperation(a.body.operation.id, 60);
    await client.waitOperation((await client.deleteServer(a.body.server.id)).id, 60);
  });

  test('lists page with a cursor', async () => {
    const { client } = get();
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await client.createServer({ name: `page${i}`, plan: 'nano', image: 'tiny', start: false }));
    const first = await client.listServers({ limit: 2 });
    assert.equal(first.items.length, 2);
    assert.ok(first.nextCursor);
    const all = await client.all((q) => client.listServers({ ...q, limit: 2 }));
    assert.deepEqual(all.map((s) => s.name).filter((n) => n.startsWith('page')), ['page0', 'page1', 'page2', 'page3', 'page4']);
    const newest = await client.all((q) => client.listServers({ ...q, limit: 2, order: 'desc' }));
    assert.deepEqual(newest.map((s) => s.name).filter((n) => n.startsWith('page')), ['page4', 'page3', 'page2', 'page1', 'page0']);
    const ops = await client.listOperations({ target: made[2]!.server.id });
    assert.deepEqual(ops.items.map((o) => o.id), [made[2]!.operation.id], 'operations filter by target');
    for (const m of made) await client.waitOperation(m.operation.id, 60);
    const deletes: Operation[] = [];
    for (const m of made) deletes.push(await client.deleteServer(m.server.id));
    for (const d of deletes) await client.waitOperation(d.id, 60);
    const byKind = await client.all((q) => client.listOperations({ ...q, kind: 'server.delete' }));
    assert.ok(byKind.length >= deletes.length && byKind.every((o) => o.kind === 'server.delete'), 'operations filter by kind');
    assert.deepEqual(
      byKind.filter((o) => deletes.some((d) => d.id === o.id)).map((o) => o.id).sort(),
      deletes.map((d) => d.id).sort(),
    );
  });

  test('a container stopped or deleted behind our back converges back to the spec', async () => {
    const { client, running } = get();
    const { server, operation } = await client.createServer({ name: 'drift', plan: 'nano', image: 'tiny' });
    await client.waitOperation(operation.id, 60);
    await running.engine.compute.stop(server.id, { force: true });
    await until(async () => (await client.getServer(server.id)).status.conditions.some((c) => c.type === 'Drift' && c.reason === 'Restarted'), 'the drift shows in the conditions');
    assert.equal((await running.engine.compute.inspect(server.id))?.state, 'running', 'restarted after an outside stop');
    await running.engine.compute.destroy(server.id);
    await until(async () => (await client.getServer(server.id)).status.conditions.some((c) => c.reason === 'Recreated'), 'recreated after an outside delete');
    await until(async () => (await client.getServer(server.id)).status.phase === 'Running', 'running again');
    assert.equal((await running.engine.compute.inspect(server.id))?.state, 'running');
    await client.waitOperation((await client.deleteServer(server.id)).id, 60);
  });
});

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`timed out waiting until ${what}`);
}
