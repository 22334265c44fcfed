import assert from 'node:assert/strict';
import { readdirSync, statSync, openSync, writeSync, closeSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { backupApi } from '@kumulus/api';
import { SMTPServer } from 'smtp-server';
import { lxcAttach } from '../../src/drivers/local/lxc.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { raw, STORES } from '../stores.ts';

const mails: { notice: string; subject: string }[] = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, _session, callback) {
    let data = '';
    stream.on('data', (c: Buffer) => {
      data += c.toString('utf8');
    });
    stream.on('end', () => {
      mails.push({ notice: /^X-Kumulus-Notice: (\S+)/im.exec(data)?.[1] ?? '', subject: /^Subject: (.*)$/im.exec(data)?.[1] ?? '' });
      callback();
    });
  },
});
const hooks: { event: string; data: Record<string, unknown> }[] = [];
const web: HttpServer = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => {
    body += c.toString('utf8');
  });
  req.on('end', () => {
    hooks.push(JSON.parse(body));
    res.end();
  });
});
before(async () => {
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', () => r()));
});
after(async () => {
  await new Promise<void>((r) => smtp.close(() => r()));
  await new Promise<void>((r) => web.close(() => r()));
});

/** Every file under `dir`. */
const filesUnder = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));

for (const store of STORES)
  describe(`backup verification by a restore [${store}]`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer({
        store,
        webhooksAllowPrivateUrls: true,
        smtp: { url: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}/?ignoreTLS=true`, from: 'Kumulus <backup@kumulus.test>' },
        // Backups run for minutes on a loaded machine: dunning must not suspend the test tenant meanwhile.
        dunning: { everyMs: 24 * 3_600_000 },
      });
    });
    after(() => s?.stop());

    const sh = async (server: string, script: string) => {
      const r = await lxcAttach(join(s.dataDir, 'lxc'), server, ['sh', '-c', script]);
      assert.equal(r.code, 0, `${script}: ${r.stderr}`);
      return r.stdout.trim();
    };
    const settle = async (opId: string, seconds: number) => {
      for (let left = seconds; ; left -= 120) {
        const op = await s.client.waitOperation(opId, Math.min(120, left));
        if (op.state === 'succeeded' || op.state === 'failed' || left <= 120) return op;
      }
    };
    const throwaways = async () => (await s.running.engine.compute.list()).filter((id) => id.startsWith('srv_vfy'));

    test('a backup in suspend mode is restored into a throwaway server without network, booted, checked and destroyed; a corrupted one fails its verification and raises an alert in the app, by webhook and by e-mail', async () => {
      const { client, url, operatorToken: token, dataDir } = s;
      const api = backupApi(client);
      const targetDir = join(dataDir, 'verify-target');
      await api.createTarget({ name: 'local', kind: 'dir', path: targetDir, default: true });
      await client.createWebhook({ url: `http://127.0.0.1:${(web.address() as AddressInfo).port}/hook`, events: ['backup.verification_failed', 'backup.failed'] });
      const srv = await client.createServer({ name: 'vfy-srv', plan: 'nano', image: 'tiny' });
      assert.equal((await client.waitOperation(srv.operation.id, 90)).state, 'succeeded');
      const id = srv.server.id;
      await sh(id, 'head -c 1048576 /dev/urandom > /root/data && sync');

      const made = await api.create(id, { mode: 'suspend' });
      assert.equal(made.backup.mode, 'suspend');
      const op = await settle(made.operation.id, 1500);
      assert.equal(op.state, 'succeeded', JSON.stringify(op.error));
      const b = await api.get(made.backup.id);
      assert.equal(b.status.verification.state, 'good', b.status.verification.detail);
      assert.equal(b.status.verification.booted, true);
      assert.match(b.status.verification.detail, /throwaway server without network/);
      assert.match(b.status.verification.detail, /SHA-256 matched/);
      assert.match(b.status.verification.detail, /booted: init \S+ up/);
      assert.deepEqual(b.spec.source, { plan: 'nano', image: 'tiny' });
      assert.equal(await sh(id, 'echo alive'), 'alive', 'the guest runs on after its suspend');
      assert.equal((await client.getServer(id)).status.phase, 'Running');
      assert.deepEqual(await throwaways(), [], 'the throwaway server is destroyed');
      assert.deepEqual(await s.running.engine.storage.listSnapshots({ kind: 'server', id: `srv_vfy${b.id.slice(4)}` }), []);
      assert.deepEqual(await s.running.engine.storage.listSnapshots({ kind: 'server', id }), [], 'no storage snapshot is left');

      // Damage every data pack in the repository (restic keeps no copy of data packs in its cache).
      const packs = filesUnder(join(targetDir, b.tenantId, 'data')).filter((f) => statSync(f).size > 256 * 1024);
      assert.ok(packs.length > 0, 'the repository holds data packs');
      for (const f of packs) {
        const fd = openSync(f, 'r+');
        writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, Math.floor(statSync(f).size / 2));
        closeSync(fd);
      }
      const again = await api.verify(b.id);
      assert.equal(again.kind, 'backup.verify');
      assert.equal((await settle(again.id, 1500)).state, 'succeeded');
      const bad = await api.get(b.id);
      assert.equal(bad.status.verification.state, 'bad', bad.status.verification.detail);
      assert.equal(bad.status.verification.booted, false);
      assert.equal(bad.status.phase, 'Ready');
      assert.equal(bad.status.message, 'verification failed');
      assert.deepEqual(await throwaways(), [], 'no throwaway server is left after a failed verification either');

      const notices = await raw(url, 'GET', '/notices', { token, headers: { 'accept-language': 'de' } });
      const notice = notices.body.items.find((n: { kind: string }) => n.kind === 'backup-verification-failed');
      assert.ok(notice, JSON.stringify(notices.body));
      assert.match(notice.message, /schlug fehl: .*integrity check/);
      assert.doesNotMatch(notice.message, /restic|blob|\//, 'the tenant reads plain words, no tool output or paths');
      assert.match(bad.status.verification.detail, /integrity check/);
      for (let i = 0; i < 120 && !(hooks.some((h) => h.event === 'backup.verification_failed') && mails.some((m) => m.notice === 'backup-verification-failed')); i++) await sleep(250);
      const hook = hooks.find((h) => h.event === 'backup.verification_failed');
      assert.ok(hook, JSON.stringify(hooks));
      assert.equal((hook.data.backup as { id: string }).id, b.id);
      assert.ok(mails.some((m) => m.notice === 'backup-verification-failed' && /vfy-srv/.test(m.subject)), JSON.stringify(mails));

      // A busy or unknown backup is refused plainly.
      const unknown = await raw(url, 'POST', '/backups/bkp_00000000000000000000000000/actions/verify', { token, body: '{}' });
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.error.code, 'BACKUP_NOT_FOUND');
      hooks.length = 0;
      mails.length = 0;
      await client.waitOperation((await client.deleteServer(id)).id, 90);
    });
  });
