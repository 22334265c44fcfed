import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { KumulusClient, type Operation } from '@kumulus/api';
import { createLocalEngine } from '../src/drivers/local/index.ts';
import { createPgDatabase, engineNames } from './harness.ts';
import { exited, startChild } from './child.ts';
import { STORES } from './stores.ts';

const TOKEN = 'kmt_crash_test_token_0123456789';



async function waitAll(client: KumulusClient, ops: Operation[]) {
  return Promise.all(ops.map((o) => client.waitOperation(o.id, 90)));
}

for (const store of STORES) {
  describe(`crash and restart [${store}]`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kumulus-crash-'));
    const names = engineNames();
    const engine = createLocalEngine({ lxcPath: join(dataDir, 'lxc'), bridge: names.bridge, nftTable: names.nftTable });
    let child: ChildProcess | undefined;
    let dropDb: (() => Promise<void>) | undefined;
    let opts: object = {};

    after(async () => {
      child?.kill('SIGKILL');
      if (child) await exited(child);
      for (const id of await engine.compute.list()) await engine.compute.destroy(id);
      await engine.network.removeDefault();
      await engine.firewall?.remove();
      await dropDb?.();
      rmSync(dataDir, { recursive: true, force: true });
    });

    test('SIGKILL during creates and deletes: everything converges, nothing is left or doubled', async () => {
      const db = store === 'postgres' ? await createPgDatabase() : null;
      dropDb = db?.drop;
      opts = { dataDir, listen: '127.0.0.1:0', bridge: names.bridge, nftTable: names.nftTable, network: names.network, bootstrapToken: TOKEN, prepareImages: ['tiny'], sweepMs: 2000, ...(db ? { storeUrl: db.url } : {}) };
      let run = await startChild(opts);
      child = run.child;
      let client = new KumulusClient({ baseUrl: run.url, token: TOKEN });
      const created = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => client.createServer({ name: `crash${i}`, plan: 'nano', image: 'tiny' })));
      await new Promise((r) => setTimeout(r, 400)); // some creates are half way now
      child.kill('SIGKILL');
      await exited(child);

      run = await startChild(opts);
      child = run.child;
      client = new KumulusClient({ baseUrl: run.url, token: TOKEN });
      const ops = await waitAll(client, created.map((c) => c.operation));
      assert.deepEqual(ops.map((o) => o.state), ops.map(() => 'succeeded'), JSON.stringify(ops.map((o) => o.error)));
      const servers = await client.all((q) => client.listServers(q));
      assert.equal(servers.length, 6, 'no server was lost or doubled');
      assert.ok(servers.every((s) => s.status.phase === 'Running'));
      assert.deepEqual((await engine.compute.list()).sort(), servers.map((s) => s.id).sort(), 'exactly one container per server');
      const ips = servers.map((s) => s.spec.nics[0]!.ipv4);
      assert.equal(new Set(ips).size, ips.length, 'no address was handed out twice');

      const deletes = await Promise.all(servers.map((s) => client.deleteServer(s.id)));
      await new Promise((r) => setTimeout(r, 300));
      child.kill('SIGKILL');
      await exited(child);

      run = await startChild(opts);
      child = run.child;
      client = new KumulusClient({ baseUrl: run.url, token: TOKEN });
      const dels = await waitAll(client, deletes);
      assert.ok(dels.every((o) => o.state === 'succeeded'), JSON.stringify(dels.map((o) => o.error)));
      assert.equal((await client.listServers()).items.length, 0);
      assert.deepEqual(await engine.compute.list(), [], 'no container is left');
      const ports = execFileSync('ip', ['-o', 'link', 'show', 'master', names.bridge], { encoding: 'utf8' }).trim();
      assert.equal(ports, '', 'no veth is left on the bridge');
      const lxcLeft = existsSync(join(dataDir, 'lxc')) ? execFileSync('lxc-ls', ['-P', join(dataDir, 'lxc')], { encoding: 'utf8' }).trim() : '';
      assert.equal(lxcLeft, '', 'no container directory is left');
    });

    test('SIGTERM drains the work under way and exits cleanly; a restart finishes the rest', async () => {
      if (child && child.exitCode === null) {
        child.kill('SIGTERM'); // the previous test's control plane
        await exited(child);
      }
      const run = await startChild(opts);
      child = run.child;
      let client = new KumulusClient({ baseUrl: run.url, token: TOKEN });
      const created = await Promise.all([0, 1, 2].map((i) => client.createServer({ name: `term${i}`, plan: 'nano', image: 'tiny' })));
      child.kill('SIGTERM');
      assert.equal(await exited(child), 0, 'exit code 0 after draining');
      assert.ok(!existsSync(join(dataDir, 'kumulus.pid')) || readFileSync(join(dataDir, 'kumulus.pid'), 'utf8') === '', 'the data dir lock is released');

      const again = await startChild(opts);
      child = again.child;
      client = new KumulusClient({ baseUrl: again.url, token: TOKEN });
      const ops = await waitAll(client, created.map((c) => c.operation));
      assert.ok(ops.every((o) => o.state === 'succeeded'), JSON.stringify(ops.map((o) => o.error)));
      const servers = await client.all((q) => client.listServers(q));
      assert.deepEqual((await engine.compute.list()).sort(), servers.map((s) => s.id).sort());
      await waitAll(client, await Promise.all(servers.map((s) => client.deleteServer(s.id))));
      assert.deepEqual(await engine.compute.list(), []);
    });
  });
}
