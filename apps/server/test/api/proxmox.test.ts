// `kumulus serve` pointed at a Proxmox VE endpoint (the emulator): the cluster is registered with its token
// secret sealed, checked on start (token, privileges by name), and servers made through the API land on it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { KumulusClient } from '@kumulus/api';
import { DEFAULT_TOKEN, PveEmulator } from '@kumulus/pve-emulator';
import { ownerOf } from '../../src/drivers/proxmox/guests.ts';
import { DomainError } from '../../src/lib/errors.ts';
import { serve } from '../../src/serve.ts';

const operatorToken = 'kmt_test_operator_token_0123456789';

describe('serve with a Proxmox VE cluster', () => {
  let emu: PveEmulator;
  let url = '';
  let fingerprint = '';
  const dirs: string[] = [];
  const dataDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'kumulus-pve-'));
    dirs.push(d);
    return d;
  };
  const weak = { id: 'weak@pve!kumulus', secret: 'weak-secret-0123456789', privileges: { '/': ['VM.Audit', 'Sys.Audit', 'VM.Allocate'] } };
  before(async () => {
    emu = new PveEmulator({ nodes: 2, taskMs: 10, tokens: [DEFAULT_TOKEN, weak] });
    ({ url, fingerprint } = await emu.listen());
  });
  after(async () => {
    await emu?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const base = (dir: string) => ({ dataDir: dir, listen: '127.0.0.1:0', prepareImages: ['debian-12'], sweepMs: 2000, bootstrapToken: operatorToken });

  test('a server made through the API runs on the cluster; restarted without flags, the registered cluster is used', async () => {
    const dir = dataDir();
    let running = await serve({ ...base(dir), proxmox: { url, tokenId: DEFAULT_TOKEN.id, tokenSecret: DEFAULT_TOKEN.secret, fingerprint, watchMs: 500 } });
    try {
      assert.equal(running.engine.name, 'proxmox');
      const client = new KumulusClient({ baseUrl: running.url, token: operatorToken });
      const created = await client.createServer({ name: 'on-pve', plan: 'nano', image: 'debian-12', start: true });
      assert.equal((await client.waitOperation(created.operation.id, 60)).state, 'succeeded');
      const guests = [...emu.state.guests.values()].filter((g) => ownerOf(g.config.tags) === created.server.id);
      assert.equal(guests.length, 1, 'one guest, tagged with the server id');
      assert.equal(guests[0]!.status, 'running');
      assert.equal((await client.getServer(created.server.id)).status.phase, 'Running');
      // The secret is sealed in the store: neither the database file nor a dump holds it.
      const db = readFileSync(join(dir, 'store', 'kumulus.db'));
      assert.equal(db.includes(Buffer.from(DEFAULT_TOKEN.secret)), false);
      await running.close();
      running = await serve(base(dir));
      assert.equal(running.engine.name, 'proxmox', 'the registered cluster is used again');
      const again = new KumulusClient({ baseUrl: running.url, token: operatorToken });
      assert.equal((await again.waitOperation((await again.deleteServer(created.server.id)).id, 60)).state, 'succeeded');
      assert.equal([...emu.state.guests.values()].filter((g) => ownerOf(g.config.tags) === created.server.id).length, 0);
    } finally {
      await running.close();
    }
  });

  test('a wrong token secret or a token without the privileges stops serve with what is wrong', async () => {
    await assert.rejects(serve({ ...base(dataDir()), proxmox: { url, tokenId: DEFAULT_TOKEN.id, tokenSecret: 'wrong', fingerprint } }), (err: unknown) => err instanceof DomainError && err.code === 'PROXMOX_TOKEN_REFUSED');
    await assert.rejects(serve({ ...base(dataDir()), proxmox: { url, tokenId: weak.id, tokenSecret: weak.secret, fingerprint } }), (err: unknown) => {
      assert.ok(err instanceof DomainError && err.code === 'PROXMOX_PRIVILEGES_MISSING');
      assert.match(String(err.params.privileges), /VM\.PowerMgmt/);
      assert.doesNotMatch(String(err.params.privileges), /VM\.Audit/);
      return true;
    });
    const other = 'AA:'.repeat(31) + 'AA';
    await assert.rejects(serve({ ...base(dataDir()), proxmox: { url, tokenId: DEFAULT_TOKEN.id, tokenSecret: DEFAULT_TOKEN.secret, fingerprint: other } }), (err: unknown) => err instanceof DomainError && err.code === 'PROXMOX_UNREACHABLE' && /pinned/.test(String(err.params.reason)));
  });
});
