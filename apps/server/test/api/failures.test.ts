import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { KumulusClient } from '@kumulus/api';
import { createLocalEngine } from '../../src/drivers/local/index.ts';
import { engineNames, startTestServer, type TestServer } from '../harness.ts';
import { raw } from '../stores.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

let server: TestServer | undefined;
after(() => server?.stop());

/** A member of the operator's tenant: sees the tenant's operations, but is no operator. */
async function memberClient(s: TestServer): Promise<KumulusClient> {
  await s.client.createUser({ email: 'member@kumulus.test', password: 'Member-Password-123', role: 'member' });
  const login = await fetch(`${s.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'member@kumulus.test', password: 'Member-Password-123' }) });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const token = await raw(s.url, 'POST', '/tokens', { body: '{"name":"m"}', headers: { cookie, origin: s.url } });
  return new KumulusClient({ baseUrl: s.url, token: token.body.secret });
}

test('a config LXC cannot load fails the operation at once, in plain words for the tenant and with the details for the operator', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kumulus-test-'));
  const names = engineNames();
  const real = createLocalEngine({ lxcPath: join(dataDir, 'lxc'), bridge: names.bridge, nftTable: names.nftTable });
  // Counting the real driver's failed reads tells a failure that ended at once from one retried.
  let failedReads = 0;
  const engine = {
    ...real,
    compute: {
      ...real.compute,
      inspect: (id: string) =>
        real.compute.inspect(id).catch((e: unknown) => {
          failedReads++;
          throw e;
        }),
    },
  };
  server = await startTestServer({ dataDir, engine, bridge: names.bridge, nftTable: names.nftTable });
  const { client } = server;
  const member = await memberClient(server);
  const created = await member.createServer({ name: 'broken', plan: 'nano', image: 'tiny', start: false });
  assert.equal((await member.waitOperation(created.operation.id, 60)).state, 'succeeded');

  // Behind our back the config gains an include that does not exist, as on a host without lxc-templates.
  appendFileSync(join(dataDir, 'lxc', created.server.id, 'config'), 'lxc.include = /usr/share/lxc/config/kumulus-missing.conf\n');
  const start = await member.serverAction(created.server.id, 'start');
  const op = await member.waitOperation(start.id, 60);
  assert.equal(op.state, 'failed');
  assert.equal(op.error?.code, 'ENGINE_ERROR');
  assert.equal(failedReads, 1, 'retrying cannot fix a config that does not load: no second try');
  assert.doesNotMatch(JSON.stringify(op), /lxc|\/usr\/share|\/tmp|srv_\w+ exited/i, 'no host paths or tool output for the tenant');
  assert.equal(op.error?.detail, undefined);
  const s = await member.getServer(created.server.id);
  assert.equal(s.status.phase, 'Failed');
  assert.doesNotMatch(JSON.stringify(s.status), /lxc-info|\/tmp\//);

  const seen = await client.getOperation(start.id);
  assert.match(seen.error?.detail ?? '', /Failed to load config/, 'the operator sees what LXC said');

  // A delete still goes through.
  assert.equal((await member.waitOperation((await member.deleteServer(created.server.id)).id, 60)).state, 'succeeded');
});
