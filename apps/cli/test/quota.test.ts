/**
 * `kumulus quota` against a real control plane: show and set, in both languages, and a limit below use refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Quotas } from '@kumulus/api';
import { json, runCli } from './run-cli.ts';
import { type CliTestServer, startCliTestServer } from './test-server.ts';

describe('kumulus quota', { timeout: 300_000 }, () => {
  let ts: CliTestServer;
  let tenantId: string;
  before(async () => {
    ts = await startCliTestServer();
    tenantId = (await ts.client.me()).tenant.id;
  });
  after(async () => {
    await ts?.stop();
  });

  test('set changes limits, show lists them in German; a bad value is a usage error', async () => {
    const set = json<Quotas>(await runCli(['quota', 'set', tenantId, '--servers', '7', '--volume-gb', '50', '-o', 'json'], { env: ts.env }));
    assert.equal(set.limits.servers, 7);
    assert.equal(set.limits.volumeGb, 50);
    const de = await runCli(['quota', 'show'], { env: { ...ts.env, KUMULUS_LANG: 'de' } });
    assert.equal(de.code, 0, de.stderr);
    assert.match(de.stdout, /KONTINGENT\s+BELEGT\s+GRENZE/);
    assert.match(de.stdout, /Server\s+0\s+7/);
    assert.match(de.stdout, /Volumes \(GB\)\s+0\s+50/);
    const bad = await runCli(['quota', 'set', tenantId, '--servers', 'many'], { env: ts.env });
    assert.equal(bad.code, 2, bad.stderr);
    const reset = json<Quotas>(await runCli(['quota', 'set', tenantId, '--servers', 'default', '-o', 'json'], { env: ts.env }));
    assert.equal(reset.limits.servers, 100);
  });

  test('a limit below what the tenant uses is refused with the field named (exit 4)', async () => {
    await ts.client.createVolume({ name: 'cli-q', sizeGb: 2 });
    const res = await runCli(['quota', 'set', tenantId, '--volume-gb', '1'], { env: ts.env });
    assert.equal(res.code, 4, res.stderr);
    assert.match(res.stderr, /QUOTA_BELOW_USE/);
    assert.match(res.stderr, /volumeGb/);
  });
});
