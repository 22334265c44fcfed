/**
 * `kumulus cluster` against a real control plane and the Proxmox VE emulator (every request checked against the
 * official schema): a token without the privileges is refused with them named (in German), the secret comes from
 * the environment or a file, the nodes are listed, a node's role is set, and the registration is removed.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Cluster } from '@kumulus/api';
import { DEFAULT_TOKEN, PveEmulator } from '@kumulus/pve-emulator';
import { json, runCli } from './run-cli.ts';
import { type CliTestServer, startCliTestServer } from './test-server.ts';

describe('kumulus cluster', { timeout: 300_000 }, () => {
  let ts: CliTestServer;
  let emu: PveEmulator;
  let url = '';
  let fingerprint = '';
  const weak = { id: 'weak@pve!cli', secret: 'weak-secret-0123456789', privileges: { '/': ['VM.Audit', 'Sys.Audit'] } };
  before(async () => {
    emu = new PveEmulator({ nodes: 2, taskMs: 10, tokens: [DEFAULT_TOKEN, weak] });
    ({ url, fingerprint } = await emu.listen());
    ts = await startCliTestServer();
  });
  after(async () => {
    await ts?.stop();
    await emu?.close();
  });

  test('register refuses with what is missing, then lists the nodes; a node role is set; delete removes it', async () => {
    const de = { ...ts.env, KUMULUS_LANG: 'de' };
    const noSecret = await runCli(['cluster', 'register', 'lab', '--url', url, '--token-id', DEFAULT_TOKEN.id, '--fingerprint', fingerprint], { env: ts.env });
    assert.equal(noSecret.code, 2);
    assert.match(noSecret.stderr, /KUMULUS_PROXMOX_TOKEN_SECRET/);

    const refused = await runCli(['cluster', 'register', 'lab', '--url', url, '--token-id', weak.id, '--fingerprint', fingerprint], { env: { ...de, KUMULUS_PROXMOX_TOKEN_SECRET: weak.secret } });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /PROXMOX_PRIVILEGES_MISSING/);
    assert.match(refused.stderr, /fehlen diese Rechte/);
    assert.match(refused.stderr, /VM\.PowerMgmt/);

    const secretFile = join(ts.dataDir, 'pve-secret');
    writeFileSync(secretFile, `${DEFAULT_TOKEN.secret}\n`, { mode: 0o600 });
    const made = await runCli(['cluster', 'register', 'lab', '--url', url, '--token-id', DEFAULT_TOKEN.id, '--token-secret-file', secretFile, '--fingerprint', fingerprint], { env: ts.env });
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /lab\s+https:\/\/127\.0\.0\.1:\d+\s+kumulus@pve!kumulus\s+from next start\s+connection ok\s+pve1\(compute\) pve2\(compute\)/);
    assert.match(made.stdout, /restart kumulus serve/);

    const listed = await runCli(['cluster', 'list'], { env: de });
    assert.match(listed.stdout, /NAME\s+URL\s+TOKEN\s+BETRIEB\s+ZUSTAND\s+KNOTEN/);
    assert.match(listed.stdout, /ab nächstem Start\s+Verbindung in Ordnung/);

    const role = json<Cluster>(await runCli(['cluster', 'node', 'lab', 'pve2', '--role', 'storage', '--label', 'rack=b2', '-o', 'json'], { env: ts.env }));
    assert.deepEqual(role.nodes.map((n) => [n.name, n.role, n.labels]), [['pve1', 'compute', {}], ['pve2', 'storage', { rack: 'b2' }]]);
    const bad = await runCli(['cluster', 'node', 'lab', 'pve2', '--role', 'gpu'], { env: ts.env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /compute, storage, edge/);

    emu.state.nodes.get('pve1')!.online = false;
    const checked = await runCli(['cluster', 'check', 'lab'], { env: ts.env });
    assert.match(checked.stdout, /pve1!\(compute\) pve2\(storage\)/);
    emu.state.nodes.get('pve1')!.online = true;

    assert.equal((await runCli(['cluster', 'delete', 'lab'], { env: ts.env })).code, 0);
    assert.deepEqual(json<Cluster[]>(await runCli(['cluster', 'list', '-o', 'json'], { env: ts.env })), []);
  });
});
