/**
 * A server that gets the address a deleted one just released answers TCP right after it is
 * Running (same MAC, no stale neighbour entry); and with the cool-down on, a just-released
 * address is not handed out at once: the create answers 503 with Retry-After instead.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KumulusClient } from '@kumulus/api';
import { lxcAttach, lxcInfo } from '../../src/drivers/local/lxc.ts';
import { engineNames, startTestServer, type TestServer } from '../harness.ts';
import { raw } from '../stores.ts';

/** A /29 or /30 carved out of the test server's own /24, so parallel files never meet. */
function smallNetwork(prefixLength: 29 | 30) {
  const names = engineNames();
  const base = names.network.cidr.split('/')[0]!.split('.').slice(0, 3).join('.');
  return { names, network: { cidr: `${base}.0/${prefixLength}`, gateway: `${base}.1` } };
}

describe('address reuse with cool-down 0 on a /29', () => {
  let s: TestServer;
  before(async () => {
    const { names, network } = smallNetwork(29);
    s = await startTestServer({ bridge: names.bridge, nftTable: names.nftTable, network, addressCooldownMs: 0 });
  });
  after(async () => {
    await s?.stop();
  });

  const create = async (c: KumulusClient, name: string) => {
    const r = await c.createServer({ name, plan: 'nano', image: 'tiny' });
    assert.equal((await c.waitOperation(r.operation.id, 60)).state, 'succeeded');
    return c.getServer(r.server.id);
  };

  test('the next holder of a released address answers TCP within two tries', async () => {
    const c = s.client;
    // Five servers take every address; the others stay on the bridge, as on a host in use.
    const servers = [];
    for (let i = 1; i <= 5; i++) servers.push(await create(c, `reuse${i}`));
    const last = servers[4]!;
    const addr = last.spec.nics[0]!.ipv4.split('/')[0]!;
    await listen(s, last.id);
    assert.equal(await answer(addr, 2), last.spec.hostname, 'the first holder answers');
    assert.equal((await c.waitOperation((await c.deleteServer(last.id)).id, 60)).state, 'succeeded');

    const next = await create(c, 'reuse6');
    assert.equal(next.spec.nics[0]!.ipv4, last.spec.nics[0]!.ipv4, 'the only free address is the released one');
    assert.equal(next.spec.nics[0]!.mac, last.spec.nics[0]!.mac, 'the MAC stays with the address');
    await listen(s, next.id);
    assert.equal(await answer(addr, 2), next.spec.hostname, 'the new holder answers, not a stale entry');
  });
});

describe('address cool-down on a /30', () => {
  let s: TestServer;
  before(async () => {
    const { names, network } = smallNetwork(30);
    s = await startTestServer({ bridge: names.bridge, nftTable: names.nftTable, network, addressCooldownMs: 600_000 });
  });
  after(async () => {
    await s?.stop();
  });

  test('a just-released address is not handed out again; the create says when to retry', async () => {
    const c = s.client;
    const first = await c.createServer({ name: 'cool1', plan: 'nano', image: 'tiny' });
    assert.equal((await c.waitOperation(first.operation.id, 60)).state, 'succeeded');
    assert.equal((await c.waitOperation((await c.deleteServer(first.server.id)).id, 60)).state, 'succeeded');
    const body = JSON.stringify({ name: 'cool2', plan: 'nano', image: 'tiny' });
    const res = await raw(s.url, 'POST', '/servers', { token: s.operatorToken, body });
    assert.equal(res.status, 503, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'NO_ADDRESS_LEFT');
    const retry = Number(res.headers.get('retry-after'));
    assert.ok(retry > 0 && retry <= 600, `Retry-After ${retry}`);
    assert.equal((await c.listServers()).items.length, 0, 'nothing half made');
  });
});

/** Starts a listener in the guest that answers each connection with its host name, and waits for it. */
async function listen(s: TestServer, id: string): Promise<void> {
  const lxcPath = join(s.dataDir, 'lxc');
  const r = await lxcAttach(lxcPath, id, ['/bin/sh', '-c', 'while true; do nc -l -p 7777 -e /bin/hostname; done </dev/null >/dev/null 2>&1 &']);
  assert.equal(r.code, 0, r.stderr);
  // Read from the host's side of /proc: no packet reaches the guest before the tries below.
  const pid = (await lxcInfo(lxcPath, id))?.pid ?? 0;
  const up = async () => {
    const tables = await Promise.all(['tcp', 'tcp6'].map((f) => readFile(`/proc/${pid}/net/${f}`, 'utf8').catch(() => '')));
    return tables.join('\n').split('\n').some((l) => / [0-9A-F]+:1E61 [0-9A-F]+:0000 0A /.test(l));
  };
  for (let i = 0; i < 100 && !(await up()); i++) await sleep(50);
  assert.ok(await up(), 'the guest listens on 7777');
}

/** Connects to port 7777 up to `tries` times, one second apart, and answers what the peer sends. */
async function answer(host: string, tries: number): Promise<string> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    const next = sleep(1000);
    try {
      return await new Promise<string>((resolve, reject) => {
        let data = '';
        const sock = connect({ host, port: 7777, timeout: 1000 });
        sock.setEncoding('utf8').on('data', (d: string) => {
          data += d;
        });
        sock.on('end', () => resolve(data.trim())).on('timeout', () => sock.destroy(new Error('timeout'))).on('error', reject);
      });
    } catch (e) {
      last = e;
    }
    await next;
  }
  throw new Error(`${host}:7777 did not answer in ${tries} tries: ${last}`);
}
