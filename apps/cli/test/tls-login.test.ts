/**
 * `kumulus login` against serve's HTTPS listener with its self-signed certificate, over real TLS on loopback:
 * the fingerprint is pinned the way SSH pins a host key, and a wrong or changed certificate is refused.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { engineNames, startTestServer, type TestServer } from '../../server/test/harness.ts';
import { kumulusBin, runCli } from './run-cli.ts';

const run = promisify(execFile);

describe('kumulus login over HTTPS: certificate pinning', { timeout: 180_000 }, () => {
  const names = engineNames();
  let dataDir: string;
  let configDir: string;
  let server: TestServer | undefined;
  let url: string;
  let fingerprint: string;
  let env: Record<string, string>;
  const start = (tlsListen: string) => startTestServer({ dataDir, bridge: names.bridge, nftTable: names.nftTable, network: names.network, tlsListen, keep: true });

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kumulus-cli-tls-'));
    configDir = await mkdtemp(join(tmpdir(), 'kumulus-cli-tls-config-'));
    server = await start('127.0.0.1:0');
    url = server.running.tls!.url;
    fingerprint = server.running.tls!.fingerprint;
    // No KUMULUS_URL / KUMULUS_TOKEN: what login stores is what later commands use.
    env = { KUMULUS_CONFIG: join(configDir, 'config.json'), KUMULUS_LANG: 'en' };
  });
  after(async () => {
    await server?.stop();
    await run('ip', ['link', 'del', names.bridge]).catch(() => {});
    await run('nft', ['delete', 'table', 'inet', names.nftTable]).catch(() => {});
    for (const family of ['inet', 'bridge']) await run('nft', ['delete', 'table', family, `${names.nftTable}_fw`]).catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
    await rm(configDir, { recursive: true, force: true });
  });
  const stored = async () => JSON.parse(await readFile(env.KUMULUS_CONFIG!, 'utf8')) as { url: string; token: string; fingerprints?: Record<string, string> };

  test('without a terminal and without --fingerprint, login refuses and shows the fingerprint to check', async () => {
    const r = await runCli(['login', '--url', url, '--token', server!.operatorToken], { env });
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /\[TLS_UNTRUSTED\]/);
    assert.ok(r.stderr.includes(fingerprint), r.stderr);
    assert.match(r.stderr, /--fingerprint/);
    await assert.rejects(stat(env.KUMULUS_CONFIG!), { code: 'ENOENT' }, 'nothing is stored');
  });

  test('a wrong --fingerprint is refused and nothing is stored', async () => {
    const wrong = fingerprint.replace(/^../, fingerprint.startsWith('00') ? '01' : '00');
    const r = await runCli(['login', '--url', url, '--token', server!.operatorToken, '--fingerprint', wrong], { env });
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /\[TLS_FINGERPRINT_MISMATCH\]/);
    assert.ok(r.stderr.includes(fingerprint) && r.stderr.includes(wrong), r.stderr);
    await assert.rejects(stat(env.KUMULUS_CONFIG!), { code: 'ENOENT' });
    const bad = await runCli(['login', '--url', url, '--token', server!.operatorToken, '--fingerprint', 'AB:CD'], { env });
    assert.equal(bad.code, 2, bad.stderr);
  });

  test('the right --fingerprint is pinned; later commands and a password sign-in use the pin', async () => {
    // Written as openssl prints it without colons and in lower case: the same fingerprint.
    const r = await runCli(['login', '--url', url, '--token', server!.operatorToken, '--fingerprint', fingerprint.replaceAll(':', '').toLowerCase()], { env });
    assert.equal(r.code, 0, r.stderr);
    const config = await stored();
    assert.equal(config.url, url);
    assert.deepEqual(config.fingerprints, { [new URL(url).origin]: fingerprint });
    const plans = await runCli(['plan', 'list', '-o', 'json'], { env });
    assert.equal(plans.code, 0, plans.stderr);
    assert.ok((JSON.parse(plans.stdout) as unknown[]).length > 0);
    // E-mail and password over HTTPS: the session cookie is Secure, and the CLI still carries it.
    const signIn = await runCli(['login', '--email', server!.operatorEmail], { env, input: `${server!.operatorPassword}\n` });
    assert.equal(signIn.code, 0, signIn.stderr);
    assert.notEqual((await stored()).token, server!.operatorToken, 'a token made for this machine');
    assert.equal((await runCli(['plan', 'list'], { env })).code, 0);
  });

  test('scripts without a config file pin with KUMULUS_FINGERPRINT', async () => {
    const scriptEnv = { KUMULUS_CONFIG: join(configDir, 'none.json'), KUMULUS_LANG: 'en', KUMULUS_URL: url, KUMULUS_TOKEN: server!.operatorToken };
    const unpinned = await runCli(['plan', 'list'], { env: scriptEnv });
    assert.equal(unpinned.code, 5, unpinned.stderr);
    assert.match(unpinned.stderr, /\[TLS_UNTRUSTED\].*self-signed.*kumulus login --url/);
    assert.equal((await runCli(['plan', 'list'], { env: { ...scriptEnv, KUMULUS_FINGERPRINT: fingerprint } })).code, 0);
    const bad = await runCli(['plan', 'list'], { env: { ...scriptEnv, KUMULUS_FINGERPRINT: 'nope' } });
    assert.equal(bad.code, 2, bad.stderr);
  });

  test('on a terminal, login shows the fingerprint and pins it once confirmed', async () => {
    const ttyEnv = { ...env, KUMULUS_CONFIG: join(configDir, 'tty.json') };
    // script(1) gives the CLI a pseudo-terminal, so it asks as it would a person.
    const command = `${kumulusBin} login --url ${url} --token ${server!.operatorToken}`;
    const yes = await runScript(command, 'yes\n', ttyEnv);
    assert.equal(yes.code, 0, yes.output);
    assert.ok(yes.output.includes(fingerprint), yes.output);
    assert.match(yes.output, /Trust this certificate and pin it/);
    const config = JSON.parse(await readFile(ttyEnv.KUMULUS_CONFIG, 'utf8')) as { fingerprints: Record<string, string> };
    assert.equal(config.fingerprints[new URL(url).origin], fingerprint);
    const no = await runScript(command, 'no\n', { ...ttyEnv, KUMULUS_CONFIG: join(configDir, 'tty-no.json') });
    assert.equal(no.code, 5, no.output);
    assert.match(no.output, /TLS_NOT_TRUSTED/);
  });

  test('a certificate changed after pinning is refused with how to pin the new one', async () => {
    const port = new URL(url).port;
    await server!.stop();
    server = undefined;
    // The operator puts another certificate in place; serve comes back on the same address.
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '30', '-subj', '/CN=renewed', '-keyout', join(dataDir, 'tls', 'key.pem'), '-out', join(dataDir, 'tls', 'cert.pem')]);
    server = await start(`127.0.0.1:${port}`);
    const renewed = server.running.tls!.fingerprint;
    assert.notEqual(renewed, fingerprint);

    const refused = await runCli(['plan', 'list'], { env });
    assert.equal(refused.code, 5, refused.stderr);
    assert.match(refused.stderr, /\[TLS_CERT_CHANGED\]/);
    assert.ok(refused.stderr.includes(fingerprint) && refused.stderr.includes(renewed), refused.stderr);
    assert.ok(refused.stderr.includes(`kumulus login --url ${url} --fingerprint`), refused.stderr);
    const german = await runCli(['plan', 'list'], { env: { ...env, KUMULUS_LANG: 'de' } });
    assert.match(german.stderr, /hat sich geändert/);
    // login without a new fingerprint keeps refusing: a changed certificate is never taken silently.
    const again = await runCli(['login', '--token', server.operatorToken], { env });
    assert.equal(again.code, 5, again.stderr);
    assert.match(again.stderr, /\[TLS_CERT_CHANGED\]/);
    assert.equal((await stored()).fingerprints?.[new URL(url).origin], fingerprint);

    const repinned = await runCli(['login', '--token', server.operatorToken, '--fingerprint', renewed], { env });
    assert.equal(repinned.code, 0, repinned.stderr);
    assert.equal((await runCli(['plan', 'list'], { env })).code, 0);
  });

  test('a certificate from a CA this machine trusts needs no pin; login drops the old one', async () => {
    const port = new URL(url).port;
    await server!.stop();
    server = undefined;
    // The operator's CA-signed certificate; the client machine trusts the CA (NODE_EXTRA_CA_CERTS).
    const ca = join(configDir, 'ca');
    const tlsDir = join(dataDir, 'tls');
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    await run('openssl', ['req', '-x509', ...ec, '-days', '30', '-subj', '/CN=Kumulus Test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign', '-keyout', `${ca}.key`, '-out', `${ca}.pem`]);
    await run('openssl', ['req', '-new', ...ec, '-subj', '/CN=127.0.0.1', '-keyout', join(tlsDir, 'key.pem'), '-out', `${ca}.csr`]);
    await writeFile(`${ca}.ext`, 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    await run('openssl', ['x509', '-req', '-in', `${ca}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '30', '-extfile', `${ca}.ext`, '-out', join(tlsDir, 'cert.pem')]);
    server = await start(`127.0.0.1:${port}`);
    const caEnv = { ...env, NODE_EXTRA_CA_CERTS: `${ca}.pem` };

    // Later commands stay strict: the pin no longer matches.
    const refused = await runCli(['plan', 'list'], { env: caEnv });
    assert.equal(refused.code, 5, refused.stderr);
    assert.match(refused.stderr, /\[TLS_CERT_CHANGED\]/);
    // login, the user's explicit act, accepts what the CA vouches for and removes the pin.
    const login = await runCli(['login', '--token', server.operatorToken], { env: caEnv });
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stderr, /vouched for by a certificate authority/);
    assert.equal((await stored()).fingerprints, undefined);
    assert.equal((await runCli(['plan', 'list'], { env: caEnv })).code, 0);
    // Without the CA the same certificate is untrusted, and unpinned now.
    const withoutCa = await runCli(['plan', 'list'], { env });
    assert.equal(withoutCa.code, 5, withoutCa.stderr);
    assert.match(withoutCa.stderr, /\[TLS_UNTRUSTED\].*its issuer is unknown here/);
  });
});

/** Runs a command on a pseudo-terminal (script from util-linux) with `input` typed into it. */
async function runScript(command: string, input: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const full = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env };
  return new Promise((resolve, reject) => {
    const child = execFile('script', ['-qec', command, '/dev/null'], { env: full }, (err, stdout, stderr) => {
      if (err && typeof (err as { code?: unknown }).code !== 'number') return reject(err);
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, output: stdout + stderr });
    });
    child.stdin!.end(input);
  });
}
