/**
 * `kumulus ssh-key` end to end, and `server create --ssh-key-id`, against a real control plane on local LXC.
 */
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApiError, type Server, type SshKey } from '@kumulus/api';
import { type CliResult, json, runCli } from './run-cli.ts';
import { type CliTestServer, cleanupServers, startCliTestServer } from './test-server.ts';

/** A fresh ed25519 public key as one OpenSSH line, with the fingerprint `ssh-keygen -l` would print. */
function ed25519Key(comment: string): { line: string; fingerprint: string } {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  // The SSH wire format: each field is a big-endian uint32 length, then the bytes.
  const field = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const blob = Buffer.concat([field(Buffer.from('ssh-ed25519')), field(raw)]);
  const fingerprint = 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
  return { line: `ssh-ed25519 ${blob.toString('base64')} ${comment}`, fingerprint };
}

describe('kumulus ssh-key', { timeout: 300_000 }, () => {
  let ts: CliTestServer;
  const prefix = `cli-key-${randomBytes(3).toString('hex')}`;
  const key = ed25519Key(`${prefix}@laptop`);
  const piped = ed25519Key(`${prefix}@piped`);
  const server = `${prefix}-srv`;
  let keyFile = '';
  let keyId = '';
  const kumulus = (args: string[], input?: string): Promise<CliResult> => runCli(args, { env: ts.env, input });
  const ok = (r: CliResult) => assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);

  before(async () => {
    ts = await startCliTestServer();
    // In the config dir, which ts.stop() removes.
    keyFile = join(ts.configDir, 'id_ed25519.pub');
    await writeFile(keyFile, key.line + '\n');
  });
  after(async () => {
    // Runs also when a test failed half-way: servers first, since they were made with the keys.
    try {
      await cleanupServers(ts, prefix);
      if (ts) await deleteKeys(ts, prefix);
    } finally {
      await ts?.stop();
    }
  });

  test('add reads a .pub file; without --name the comment names the key', async () => {
    const added = json<SshKey>(await kumulus(['ssh-key', 'add', '--file', keyFile, '-o', 'json']));
    assert.match(added.id, /^key_/);
    assert.equal(added.name, `${prefix}@laptop`);
    assert.equal(added.fingerprint, key.fingerprint);
    assert.equal(added.publicKey, key.line);
    keyId = added.id;
  });

  test('add - reads standard input and prints the saved key', async () => {
    const r = await kumulus(['ssh-key', 'add', '--name', `${prefix}-piped`, '-'], piped.line + '\n');
    ok(r);
    assert.match(r.stdout, /^ID:\s+key_/m);
    assert.match(r.stdout, new RegExp(`^Name:\\s+${prefix}-piped$`, 'm'));
    assert.match(r.stdout, new RegExp(`^Fingerprint:\\s+${literal(piped.fingerprint)}$`, 'm'));
  });

  test('list shows id, name, fingerprint and created, as a table and as JSON', async () => {
    const table = await kumulus(['ssh-key', 'list']);
    ok(table);
    assert.match(table.stdout, /^ID\s+NAME\s+FINGERPRINT\s+CREATED$/m);
    assert.match(table.stdout, new RegExp(`^${keyId}\\s+${prefix}@laptop\\s+${literal(key.fingerprint)}\\s+\\d{4}-`, 'm'));
    const list = json<SshKey[]>(await kumulus(['ssh-key', 'list', '-o', 'json']));
    assert.deepEqual(list.map((k) => k.name).sort(), [`${prefix}-piped`, `${prefix}@laptop`]);
  });

  test('the same key again exits 6 with the API code and message', async () => {
    const r = await kumulus(['ssh-key', 'add', '--name', `${prefix}-again`, '--file', keyFile]);
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stderr, /^kumulus: error \[SSH_KEY_EXISTS\]: /);
    // The API's message names the key it is saved as.
    assert.ok(r.stderr.includes(`${prefix}@laptop`) && r.stderr.includes(key.fingerprint), r.stderr);
    assert.equal(r.stdout, '');
  });

  test('a missing file or no source at all is refused before the API', async () => {
    const missing = await kumulus(['ssh-key', 'add', '--file', join(ts.configDir, 'nope.pub')]);
    assert.equal(missing.code, 4, missing.stderr);
    assert.match(missing.stderr, /\[SSH_KEY_FILE_NOT_FOUND\]: .*nope\.pub: no such file/);
    // A private key given by mistake is refused before it is sent anywhere.
    const privateFile = join(ts.configDir, 'id_ed25519');
    await writeFile(privateFile, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
    for (const args of [['ssh-key', 'add', '--file', privateFile], ['server', 'create', '--name', `${prefix}-private`, '--plan', 'nano', '--image', 'tiny', '--ssh-key', privateFile]]) {
      const r = await kumulus(args);
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /\[PRIVATE_KEY_GIVEN\]: .*holds a private key/);
    }
    const none = await kumulus(['ssh-key', 'add']);
    assert.equal(none.code, 2, none.stderr);
    assert.match(none.stderr, /give --file PATH, or -/);
  });

  test('rename gives the key a new name', async () => {
    const r = await kumulus(['ssh-key', 'rename', keyId, `${prefix}-renamed`]);
    ok(r);
    assert.match(r.stdout, new RegExp(`^Name:\\s+${prefix}-renamed$`, 'm'));
    const list = json<SshKey[]>(await kumulus(['ssh-key', 'list', '-o', 'json']));
    assert.equal(list.find((k) => k.id === keyId)?.name, `${prefix}-renamed`);
  });

  test('server create --ssh-key-id puts the saved key into the spec, named by id or name', async () => {
    const create = await kumulus(['server', 'create', '--name', server, '--plan', 'nano', '--image', 'tiny', '--ssh-key-id', keyId, '--ssh-key-id', `${prefix}-renamed`, '--timeout', '240']);
    ok(create);
    assert.match(create.stdout, /Phase:\s+Running/);
    const shown = json<Server>(await kumulus(['server', 'show', server, '-o', 'json']));
    assert.deepEqual(shown.spec.sshKeys, [key.line]);
    ok(await kumulus(['server', 'delete', server]));
  });

  test('server create with an unknown --ssh-key-id exits 4 and creates nothing', async () => {
    const r = await kumulus(['server', 'create', '--name', `${server}-x`, '--plan', 'nano', '--image', 'tiny', '--ssh-key-id', 'key_00000000000000000000']);
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /\[SSH_KEY_NOT_FOUND\]/);
    assert.match(r.stderr, /`kumulus ssh-key list`/, 'the CLI names the command that helps');
    assert.match(r.stderr, /^ {2}--ssh-key-id \(#1\): /m, 'the detail names the option');
    assert.doesNotMatch(r.stderr, /\/api\/|sshKeyIds/);
    const servers = json<Server[]>(await kumulus(['server', 'list', '-o', 'json']));
    assert.equal(servers.find((s) => s.name === `${server}-x`), undefined);
  });

  test('delete removes the key, by name or id; an unknown one exits 3', async () => {
    const r = await kumulus(['ssh-key', 'delete', `${prefix}-renamed`]);
    ok(r);
    assert.equal(r.stdout, `SSH key ${prefix}-renamed (${keyId}) deleted\n`);
    const list = json<SshKey[]>(await kumulus(['ssh-key', 'list', '-o', 'json']));
    assert.deepEqual(list.map((k) => k.name), [`${prefix}-piped`]);
    const deleted = json<SshKey>(await kumulus(['ssh-key', 'delete', list[0]!.id, '-o', 'json']));
    assert.equal(deleted.fingerprint, piped.fingerprint);
    const gone = await kumulus(['ssh-key', 'delete', keyId]);
    assert.equal(gone.code, 3, gone.stderr);
    assert.match(gone.stderr, /\[NOT_FOUND\]/);
    const unknownName = await kumulus(['ssh-key', 'delete', `${prefix}-never-saved`]);
    assert.equal(unknownName.code, 3, unknownName.stderr);
    assert.match(unknownName.stderr, /no SSH key named or with id/);
  });
});

// Deletes the keys this test saved; one that a test already deleted answers 404, which is the goal.
async function deleteKeys(ts: CliTestServer, prefix: string): Promise<void> {
  const keys = (await ts.client.all((q) => ts.client.listSshKeys(q))).filter((k) => k.name.startsWith(prefix));
  for (const k of keys) {
    await ts.client.deleteSshKey(k.id).catch((err) => {
      if (!(err instanceof ApiError && err.status === 404)) throw err;
    });
  }
}

// A string matched as itself inside a RegExp (fingerprints hold + and /).
function literal(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
