/**
 * What the CLI says without any server: help, usage errors (exit 2), no login (exit 5), no API (exit 1).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, test } from 'node:test';
import { json, runCli } from './run-cli.ts';

const env = { KUMULUS_CONFIG: '/nonexistent/kumulus/config.json', KUMULUS_LANG: 'en' };

describe('kumulus without a server', () => {
  test('--help documents every exit code', async () => {
    const r = await runCli(['--help'], { env });
    assert.equal(r.code, 0);
    for (const code of [0, 1, 2, 3, 4, 5, 6, 7, 8]) assert.match(r.stdout, new RegExp(`^  ${code}  \\S`, 'm'));
  });

  test('every command answers --help with exit 0', async () => {
    const commands = [
      ['serve'],
      ['login'],
      ['server'],
      ...['create', 'list', 'show', 'start', 'stop', 'reboot', 'delete'].map((s) => ['server', s]),
      ['plan'],
      ['plan', 'list'],
      ['image', 'list'],
      ['operation'],
      ...['list', 'show', 'wait'].map((s) => ['operation', s]),
      ['ssh-key'],
      ...['list', 'add', 'rename', 'delete'].map((s) => ['ssh-key', s]),
      ['billing'],
      ...['summary', 'ledger'].map((s) => ['billing', s]),
      ['volume'],
      ...['list', 'show', 'create', 'attach', 'detach', 'resize', 'delete'].map((s) => ['volume', s]),
    ];
    for (const c of commands) {
      const r = await runCli([...c, '--help'], { env });
      assert.equal(r.code, 0, `${c.join(' ')} --help: ${r.stderr}`);
      assert.match(r.stdout, /^Usage: kumulus/, c.join(' '));
    }
  });

  test('help and errors speak German by LANG, LC_ALL or KUMULUS_LANG', async () => {
    assert.match((await runCli(['--help'], { env: { ...env, KUMULUS_LANG: '', LANG: 'de_DE.UTF-8' } })).stdout, /^Aufruf:/);
    assert.match((await runCli(['--help'], { env: { ...env, KUMULUS_LANG: '', LANG: 'en_US.UTF-8', LC_ALL: 'de_AT.UTF-8' } })).stdout, /^Aufruf:/);
    const r = await runCli(['server', 'show'], { env: { ...env, KUMULUS_LANG: 'de' } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Fehler \[USAGE\]: Argument SERVER fehlt/);
  });

  test('misuse exits 2 and names what is wrong', async () => {
    const cases: [string[], RegExp][] = [
      [[], /missing command/],
      [['bogus'], /unknown command "bogus"/],
      [['server'], /missing command/],
      [['server', 'explode'], /unknown command "server explode"/],
      [['server', 'create', '--name', 'a', '--image', 'tiny'], /missing option --plan/],
      [['server', 'create', '--name', 'a', '--plan', 'p', '--image', 'i', '--password', 'x', '--password-stdin'], /not both/],
      [['server', 'show'], /missing argument SERVER/],
      [['server', 'show', 'a', 'b'], /unexpected argument "b"/],
      [['server', 'list', '--frobnicate'], /unknown option --frobnicate/],
      [['server', 'list', '--output', 'yaml'], /invalid value for --output/],
      [['operation', 'wait', 'op_x', '--timeout', 'soon'], /invalid value for --timeout/],
      [['serve', '--listen', 'nowhere'], /invalid value for --listen/],
      [['ssh-key', 'add', 'ssh-ed25519'], /give --file PATH, or -/],
      [['ssh-key', 'add', '--file', 'k.pub', '-'], /unexpected argument "-"/],
      [['ssh-key', 'rename', 'key_x'], /missing argument NAME/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, { env });
      assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code} ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.stdout, '', 'nothing on stdout');
    }
  });

  test('not signed in exits 5; an unreachable API exits 1; JSON errors parse', async () => {
    const none = await runCli(['server', 'list'], { env });
    assert.equal(none.code, 5);
    assert.match(none.stderr, /\[NOT_LOGGED_IN\]/);
    const port = await closedPort();
    const down = await runCli(['server', 'list', '-o', 'json'], { env: { ...env, KUMULUS_URL: `http://127.0.0.1:${port}`, KUMULUS_TOKEN: 'kmt_x' } });
    assert.equal(down.code, 1);
    const body = JSON.parse(down.stderr) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'UNREACHABLE');
    assert.match(body.error.message, new RegExp(`127\\.0\\.0\\.1:${port}.*ECONNREFUSED`));
    assert.equal(down.stdout, '');
    assert.throws(() => json(down));
  });
});

// A port that was just free: fetch refuses the classic "closed" ports (1, 9 …) as unsafe before connecting.
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}
