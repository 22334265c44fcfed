/**
 * `kumulus monitor` end to end against a real control plane: a TCP monitor on a real loopback
 * listener and one on a closed port, listed with their state and uptime, shown, its history, paused,
 * resumed, a bad one refused with the API's code (in German too), deleted.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { Monitor } from '@kumulus/api';
import { type CliResult, json, runCli } from './run-cli.ts';
import { type CliTestServer, startCliTestServer } from './test-server.ts';

const listener = createServer((s) => s.end());
await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
const openPort = (listener.address() as { port: number }).port;
const probe = createServer();
await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
const closedPort = (probe.address() as { port: number }).port;
await new Promise<void>((r) => probe.close(() => r()));
after(() => new Promise<void>((r) => listener.close(() => r())));

describe('kumulus monitor', { timeout: 300_000 }, () => {
  let ts: CliTestServer;
  const kumulus = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => runCli(args, { env: { ...ts.env, ...env } });
  const ok = (r: CliResult) => assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  /** Waits until the monitor has a verdict. */
  const checked = async (name: string): Promise<Monitor> => {
    for (;;) {
      const r = await kumulus(['monitor', 'show', name, '-o', 'json']);
      ok(r);
      const m = json<Monitor>(r);
      if (m.status.lastCheckedAt) return m;
      await sleep(200);
    }
  };

  before(async () => {
    ts = await startCliTestServer();
  });
  after(async () => {
    await ts?.stop();
  });

  test('create, list, show, history, pause, resume, refuse, delete', async () => {
    ok(await kumulus(['monitor', 'create', '--name', 'cli-open', '--type', 'tcp', '--host', '127.0.0.1', '--port', String(openPort), '--retries', '1', '--email', 'ops@kumulus.test']));
    ok(await kumulus(['monitor', 'create', '--name', 'cli-closed', '--type', 'tcp', '--host', '127.0.0.1', '--port', String(closedPort)]));
    assert.equal((await checked('cli-open')).status.state, 'up');
    assert.equal((await checked('cli-closed')).status.state, 'down');

    const listed = await kumulus(['monitor', 'list']);
    ok(listed);
    assert.match(listed.stdout, new RegExp(`cli-open\\s+tcp\\s+127\\.0\\.0\\.1:${openPort}\\s+up\\s+100\\.00 %\\s+100\\.00 %\\s+port ${openPort} accepted the connection`));
    assert.match(listed.stdout, new RegExp(`cli-closed\\s+tcp\\s+127\\.0\\.0\\.1:${closedPort}\\s+down\\s+0\\.00 %`));
    const shown = await kumulus(['monitor', 'show', 'cli-open'], { KUMULUS_LANG: 'de' });
    ok(shown);
    assert.match(shown.stdout, /Zustand:\s+erreichbar/);
    assert.match(shown.stdout, /E-Mail an:\s+ops@kumulus\.test/);
    const history = await kumulus(['monitor', 'history', 'cli-closed']);
    ok(history);
    assert.match(history.stdout, new RegExp(`failed\\s+–\\s+port ${closedPort}: ECONNREFUSED`));

    const paused = await kumulus(['monitor', 'pause', 'cli-open', '-o', 'json']);
    ok(paused);
    assert.equal(json<Monitor>(paused).status.state, 'paused');
    const resumed = await kumulus(['monitor', 'resume', 'cli-open', '-o', 'json']);
    ok(resumed);
    assert.equal(json<Monitor>(resumed).status.state, 'pending');

    const bad = await kumulus(['monitor', 'create', '--name', 'cli-bad', '--type', 'tcp', '--host', '127.0.0.1'], { KUMULUS_LANG: 'de' });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /MONITOR_TARGET_INVALID/);
    assert.match(bad.stderr, /Ein tcp-Monitor kann das nicht prüfen/);
    const badType = await kumulus(['monitor', 'create', '--name', 'cli-bad', '--type', 'dns', '--host', 'x']);
    assert.equal(badType.code, 2);
    assert.match(badType.stderr, /http, tcp, ping or tls/);

    for (const name of ['cli-open', 'cli-closed']) {
      const del = await kumulus(['monitor', 'delete', name]);
      ok(del);
      assert.match(del.stdout, new RegExp(`monitor ${name} deleted`));
    }
    const none = await kumulus(['monitor', 'list', '-o', 'json']);
    ok(none);
    assert.deepEqual(json<Monitor[]>(none), []);
  });
});
