// An operator registers a Proxmox VE cluster through `/api/v1/clusters` (the emulator, every request checked
// against the official schema): the connection is checked first and a failed check says what is wrong (privileges
// by name), the nodes are discovered, the secret is sealed; from the next start the cluster is the engine, and a
// node marked for storage gets no servers. On SQLite and on PostgreSQL.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApiError, clusterApi, KumulusClient } from '@kumulus/api';
import { DEFAULT_TOKEN, PveEmulator } from '@kumulus/pve-emulator';
import { createLocalEngine } from '../../src/drivers/local/index.ts';
import { ownerOf } from '../../src/drivers/proxmox/guests.ts';
import { serve } from '../../src/serve.ts';
import { createPgDatabase, engineNames, startTestServer } from '../harness.ts';

const weak = { id: 'weak@pve!kumulus', secret: 'weak-secret-0123456789', privileges: { '/': ['VM.Audit', 'Sys.Audit', 'VM.Allocate'] } };

for (const store of ['sqlite', 'postgres'] as const) {
  describe(`clusters registered through the API (${store})`, () => {
    let emu: PveEmulator;
    let url = '';
    let fingerprint = '';
    const dirs: string[] = [];
    before(async () => {
      emu = new PveEmulator({ nodes: 2, taskMs: 10, tokens: [DEFAULT_TOKEN, weak] });
      ({ url, fingerprint } = await emu.listen());
    });
    after(async () => {
      await emu?.close();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    test('refused with the reason, registered with its nodes, then driven from the next start with node roles', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'kumulus-clusters-'));
      dirs.push(dataDir);
      const pg = store === 'postgres' ? await createPgDatabase() : null;
      const names = engineNames();
      const local = createLocalEngine({ lxcPath: join(dataDir, 'lxc'), bridge: names.bridge, nftTable: names.nftTable });
      const first = await startTestServer({ engine: local, dataDir, keep: true, ...(pg ? { storeUrl: pg.url } : {}) });
      let second: Awaited<ReturnType<typeof serve>> | undefined;
      try {
        const api = clusterApi(first.client);
        const good = { name: 'lab', url, tokenId: DEFAULT_TOKEN.id, tokenSecret: DEFAULT_TOKEN.secret, fingerprint };
        const refused = async (body: object, status: number, code: string, field: string | null) => {
          const err = await api.register({ ...good, ...body }).then(
            () => assert.fail(`registered with ${JSON.stringify(body)}`),
            (e: unknown) => e,
          );
          assert.ok(err instanceof ApiError, String(err));
          assert.equal(err.status, status, err.message);
          assert.equal(err.code, code);
          if (field) assert.ok(err.details.some((d) => d.field === field), JSON.stringify(err.details));
          return err;
        };
        const missing = await refused({ tokenId: weak.id, tokenSecret: weak.secret }, 422, 'PROXMOX_PRIVILEGES_MISSING', 'tokenId');
        assert.match(missing.message, /VM\.PowerMgmt/);
        assert.match(missing.message, /VM\.Config\.Disk/);
        assert.doesNotMatch(missing.message, /VM\.Audit/, 'a privilege held is not named');
        await refused({ tokenSecret: 'wrong-secret' }, 422, 'PROXMOX_TOKEN_REFUSED', 'tokenSecret');
        await refused({ fingerprint: 'not-a-fingerprint-'.repeat(4) }, 400, 'VALIDATION_FAILED', 'fingerprint');
        const pinned = await refused({ fingerprint: `${'AB:'.repeat(31)}AB` }, 502, 'PROXMOX_UNREACHABLE', 'url');
        assert.match(pinned.message, /pinned/);
        await refused({ url: 'http://plain.example:8006' }, 400, 'VALIDATION_FAILED', 'url');
        assert.deepEqual(await api.list(), [], 'nothing stored by a refused registration');

        const made = await api.register(good);
        assert.equal(made.name, 'lab');
        assert.equal(made.active, false, 'this process runs on the local host until the next start');
        assert.equal(made.health.ok, true);
        assert.deepEqual(made.nodes.map((n) => [n.name, n.online, n.role]), [['pve1', true, 'compute'], ['pve2', true, 'compute']]);
        assert.equal(made.nodes[0]!.cpus, 16);
        assert.ok(!JSON.stringify(made).includes(DEFAULT_TOKEN.secret), 'the secret is never answered');
        await refused({ name: 'other' }, 409, 'CLUSTER_EXISTS', null);
        if (store === 'sqlite') assert.equal(readFileSync(join(dataDir, 'store', 'kumulus.db')).includes(Buffer.from(DEFAULT_TOKEN.secret)), false, 'sealed at rest');
        else {
          const row = await first.running.store.db.selectFrom('proxmox_clusters').selectAll().executeTakeFirstOrThrow();
          assert.ok(!row.token_secret_sealed.includes(DEFAULT_TOKEN.secret));
        }

        // A node gone is seen by the next check; it comes back with the role it had.
        emu.state.nodes.get('pve2')!.online = false;
        assert.deepEqual((await api.check('lab')).nodes.map((n) => n.online), [true, false]);
        emu.state.nodes.get('pve2')!.online = true;
        assert.equal((await api.updateNode(made.id, 'pve1', { role: 'storage', labels: { rack: 'a1' } })).nodes[0]!.role, 'storage');
        assert.deepEqual((await api.check(made.id)).nodes.map((n) => [n.name, n.online, n.role, n.labels]), [['pve1', true, 'storage', { rack: 'a1' }], ['pve2', true, 'compute', {}]]);
        await assert.rejects(api.updateNode(made.id, 'pve9', { role: 'edge' }), (e: ApiError) => e.status === 404 && e.code === 'CLUSTER_NODE_NOT_FOUND');
        await first.stop();

        // The next start drives the cluster: the storage node gets no server, and the cluster cannot be removed under it.
        second = await serve({ dataDir, listen: '127.0.0.1:0', prepareImages: ['debian-12'], sweepMs: 2000, requireOperatorTwoFactor: false, ...(pg ? { storeUrl: pg.url } : {}) });
        assert.equal(second.engine.name, 'proxmox');
        const client = new KumulusClient({ baseUrl: second.url, token: first.operatorToken });
        const again = clusterApi(client);
        assert.equal((await again.get('lab')).active, true);
        for (const n of ['a', 'b']) {
          const created = await client.createServer({ name: `placed-${n}`, plan: 'nano', image: 'debian-12', start: true });
          assert.equal((await client.waitOperation(created.operation.id, 60)).state, 'succeeded');
          const guests = [...emu.state.guests.values()].filter((g) => ownerOf(g.config.tags) === created.server.id);
          assert.deepEqual(guests.map((g) => g.node), ['pve2'], 'placed on the compute node, once');
        }
        await assert.rejects(again.delete('lab'), (e: ApiError) => e.status === 409 && e.code === 'CLUSTER_IN_USE');
        // A role set now applies at once: with both nodes for storage, a new server finds no place.
        await again.updateNode('lab', 'pve2', { role: 'edge' });
        const blocked = await client.createServer({ name: 'placed-c', plan: 'nano', image: 'debian-12', start: true });
        const op = await client.waitOperation(blocked.operation.id, 60);
        assert.equal(op.state, 'failed');
        assert.match(JSON.stringify(op.error), /no online compute node/);
        for (const s of (await client.listServers()).items) assert.equal((await client.waitOperation((await client.deleteServer(s.id)).id, 60)).state, 'succeeded');
        await again.delete('lab');
        assert.deepEqual(await again.list(), []);
      } finally {
        await first.stop().catch(() => {});
        await second?.close();
        await local.network.removeDefault();
        await local.firewall?.remove();
        await pg?.drop();
      }
    });
  });
}
