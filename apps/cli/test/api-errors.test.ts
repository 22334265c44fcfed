/**
 * The CLI's answers to bad input against a real server: the API's code and message, and a trustworthy exit code.
 */
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { Me } from '@kumulus/api';
import { json, runCli } from './run-cli.ts';
import { type CliTestServer, cleanupServers, startCliTestServer } from './test-server.ts';

describe('kumulus against a real server: bad input and sign-in', { timeout: 120_000 }, () => {
  let ts: CliTestServer;
  before(async () => {
    ts = await startCliTestServer();
  });
  after(async () => {
    await cleanupServers(ts, 'cli-');
    await ts?.stop();
  });

  test('an unknown plan exits 4 with the API code and message', async () => {
    const r = await runCli(['server', 'create', '--name', 'cli-noplan', '--plan', 'no-such-plan', '--image', 'tiny'], { env: ts.env });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /^kumulus: error \[[A-Z_]+\]: .*no-such-plan/m);
    const j = await runCli(['server', 'create', '--name', 'cli-noplan', '--plan', 'no-such-plan', '--image', 'tiny', '-o', 'json'], { env: ts.env });
    assert.equal(j.code, 4);
    const body = JSON.parse(j.stderr) as { error: { code: string; message: string } };
    assert.match(body.error.code, /^[A-Z_]+$/);
    assert.match(body.error.message, /no-such-plan/);
    assert.match(r.stderr, /`kumulus plan list`/, 'the CLI names the command that lists plans');
  });

  test('plan and image are taken by the ids that plan list and image list show', async () => {
    const plans = json<{ id: string; name: string }[]>(await runCli(['plan', 'list', '-o', 'json'], { env: ts.env }));
    const images = json<{ id: string; name: string }[]>(await runCli(['image', 'list', '-o', 'json'], { env: ts.env }));
    const plan = plans.find((p) => p.name === ts.plan)!;
    const image = images.find((i) => i.name === 'tiny')!;
    const r = await runCli(['server', 'create', '--name', 'cli-by-id', '--plan', plan.id, '--image', image.id, '--no-start', '--no-wait', '-o', 'json'], { env: ts.env });
    assert.equal(r.code, 0, r.stderr);
    const { server } = json<{ server: { spec: { plan: string; image: string } } }>(r);
    assert.deepEqual([server.spec.plan, server.spec.image], [ts.plan, 'tiny']);
  });

  test('errors speak of options and commands, never of API paths or fields, in English and German', async () => {
    const failing: string[][] = [
      ['server', 'create', '--name', 'cli-words', '--plan', 'no-such-plan', '--image', 'tiny'],
      ['server', 'create', '--name', 'cli-words', '--plan', ts.plan, '--image', 'no-such-image'],
      ['server', 'create', '--name', 'cli-words', '--plan', ts.plan, '--image', 'tiny', '--ssh-key-id', 'no such key'],
      ['server', 'create', '--name', 'Not A Name!', '--plan', 'Bad Plan', '--image', 'tiny'],
      ['server', 'create', '--name', 'cli-words', '--plan', ts.plan, '--image', 'tiny', '--password', 'short'],
      ['server', 'show', 'cli-never-was'],
      ['operation', 'show', 'op_00000000000000000000'],
      ['ssh-key', 'delete', 'no such key'],
    ];
    for (const lang of ['en', 'de']) {
      for (const args of failing) {
        const r = await runCli(args, { env: { ...ts.env, KUMULUS_LANG: lang } });
        assert.ok(r.code !== 0 && r.code !== 1, `${args.join(' ')} exits with a specific code: ${r.code} ${r.stderr}`);
        assert.doesNotMatch(r.stderr, /\/api\/|\b(GET|POST|DELETE) |\bdetails\b|sshKeyIds|\(body\)/, `${lang}: ${args.join(' ')}: ${r.stderr}`);
        if (lang === 'de') assert.doesNotMatch(r.stderr, /\b(must|is required|There is no|Choose)\b/, `German throughout: ${r.stderr}`);
      }
    }
    const invalid = await runCli(failing[3]!, { env: ts.env });
    assert.match(invalid.stderr, /\[VALIDATION_FAILED\]: invalid input; correct the options below/);
    assert.match(invalid.stderr, /^ {2}--name: use lower-case letters/m);
    assert.match(invalid.stderr, /^ {2}--plan: give a name \(lower-case letters, digits and dashes\) or an id \(plan_…\)/m);
    const de = await runCli(failing[3]!, { env: { ...ts.env, KUMULUS_LANG: 'de' } });
    assert.match(de.stderr, /\[VALIDATION_FAILED\]: ungültige Eingabe; korrigieren Sie die unten genannten Optionen/);
    assert.match(de.stderr, /^ {2}--name: verwenden Sie Kleinbuchstaben/m);
    const badToken = await runCli(['server', 'list'], { env: { ...ts.env, KUMULUS_TOKEN: 'kmt_not-a-real-token' } });
    assert.match(badToken.stderr, /`kumulus login`/);
  });

  test('an invalid name exits 4 and says which field', async () => {
    const r = await runCli(['server', 'create', '--name', 'Not A Name!', '--plan', ts.plan, '--image', 'tiny'], { env: ts.env });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /^ {2}--name: /m);
  });

  test('an unknown server exits 3, by name and by id', async () => {
    const byName = await runCli(['server', 'show', 'cli-never-was'], { env: ts.env });
    assert.equal(byName.code, 3);
    assert.match(byName.stderr, /\[SERVER_NOT_FOUND\].*cli-never-was/);
    const byId = await runCli(['server', 'stop', 'srv_00000000000000000000'], { env: ts.env });
    assert.equal(byId.code, 3);
    assert.match(byId.stderr, /\[SERVER_NOT_FOUND\]/);
  });

  test('a bad token exits 5', async () => {
    const r = await runCli(['server', 'list'], { env: { ...ts.env, KUMULUS_TOKEN: 'kmt_not-a-real-token' } });
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /^kumulus: error \[[A-Z_]+\]: /);
  });

  test('errors come in German with KUMULUS_LANG=de, from the CLI and from the API', async () => {
    const r = await runCli(['server', 'show', 'cli-never-was'], { env: { ...ts.env, KUMULUS_LANG: 'de' } });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /^kumulus: Fehler \[SERVER_NOT_FOUND\]: kein Server/);
    const api = await runCli(['server', 'create', '--name', 'cli-de', '--plan', 'no-such-plan', '--image', 'tiny'], {
      env: { ...ts.env, KUMULUS_LANG: 'de' },
    });
    assert.equal(api.code, 4);
    assert.match(api.stderr, /^kumulus: Fehler \[PLAN_NOT_FOUND\]: /);
    assert.doesNotMatch(api.stderr, /There is no/, 'the API answered in English');
  });

  test('a name that is taken exits 6 (conflict)', async () => {
    const args = ['server', 'create', '--name', 'cli-twice', '--plan', ts.plan, '--image', 'tiny', '--no-start'];
    assert.equal((await runCli(args, { env: ts.env })).code, 0);
    const again = await runCli(args, { env: ts.env });
    assert.equal(again.code, 6, again.stderr);
    assert.match(again.stderr, /\[NAME_TAKEN\]/);
  });

  test('plan list and image list show what the server offers', async () => {
    const plans = json<{ name: string }[]>(await runCli(['plan', 'list', '-o', 'json'], { env: ts.env }));
    assert.ok(plans.some((p) => p.name === ts.plan));
    const images = await runCli(['image', 'list'], { env: ts.env });
    assert.equal(images.code, 0);
    assert.match(images.stdout, /^tiny\s/m);
  });

  test('login --token checks the token and stores it with mode 0600', async () => {
    const env = { KUMULUS_CONFIG: ts.env.KUMULUS_CONFIG!, KUMULUS_LANG: 'en' };
    const r = await runCli(['login', '--url', ts.url, '--token', ts.operatorToken, '-o', 'json'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(json<Me>(r).user.email);
    assert.equal((await stat(env.KUMULUS_CONFIG)).mode & 0o777, 0o600);
    // The stored login works without any KUMULUS_URL / KUMULUS_TOKEN.
    assert.equal((await runCli(['server', 'list'], { env })).code, 0);
    const bad = await runCli(['login', '--url', ts.url, '--token', 'kmt_wrong'], { env });
    assert.equal(bad.code, 5);
  });

  test('login with e-mail and password makes a token of its own', async () => {
    const email = `cli-${Date.now()}@example.com`;
    const password = 'Correct-Horse-Battery-Staple-42';
    await ts.client.createUser({ email, password, role: 'member' });
    const env = { KUMULUS_CONFIG: `${ts.configDir}/password-login.json`, KUMULUS_LANG: 'en' };
    const r = await runCli(['login', '--url', ts.url, '--email', email], { env, input: `${password}\n` });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`as ${email}`));
    assert.equal((await runCli(['server', 'list'], { env })).code, 0);
    const wrong = await runCli(['login', '--url', ts.url, '--email', email], { env, input: 'wrong-password\n' });
    assert.equal(wrong.code, 5, wrong.stderr);
  });
});
