import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { ApiError } from '@kumulus/api';
import { startTestServer, type TestServer } from '../harness.ts';

let server: TestServer | undefined;
const parent = mkdtempSync(join(tmpdir(), 'kumulus-private-')); // 0700, as mkdtemp makes it
after(async () => {
  await server?.stop();
  rmSync(parent, { recursive: true, force: true });
});

test('a data dir the containers cannot reach is found at start, refuses servers at once, and clears when fixed', async () => {
  server = await startTestServer({ dataDir: join(parent, 'data') });
  const { client, running } = server;

  const [host] = (await client.listHosts()).items;
  assert.equal(host?.health.ok, false);
  assert.deepEqual(host?.health.problems.map((p) => [p.check, p.subject]), [['data-dir', parent]]);
  assert.match(host!.health.problems[0]!.fix, /chmod o\+x/);
  const tiny = (await client.listImages()).items.find((i) => i.name === 'tiny');
  assert.equal(tiny?.status, 'unavailable', 'an image that cannot start here is not called ready');

  await assert.rejects(
    client.createServer({ name: 'web1', plan: 'nano', image: 'tiny' }),
    (e: ApiError) => e.status === 503 && e.code === 'HOST_NOT_READY' && !e.message.includes(parent),
  );
  assert.equal((await client.listServers()).items.length, 0, 'nothing half made');
  assert.deepEqual(await running.engine.compute.list(), []);

  chmodSync(parent, 0o711);
  assert.equal((await client.listHosts()).items[0]?.health.ok, true, 'looking again sees the fix');
  const created = await client.createServer({ name: 'web1', plan: 'nano', image: 'tiny' });
  const op = await client.waitOperation(created.operation.id, 60);
  assert.equal(op.state, 'succeeded', JSON.stringify(op.error));
  assert.equal((await client.listImages()).items.find((i) => i.name === 'tiny')?.status, 'ready');
});
