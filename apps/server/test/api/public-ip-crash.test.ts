/**
 * A control plane killed with SIGKILL right after public IPs moved converges once restarted:
 * the address taken off the server answers no more and has no route or proxy entry left, the
 * one just assigned answers from the upstream router's namespace. Namespace, veth, containers
 * and bridge made here are removed after, also when the test fails.
 */
import assert from 'node:assert/strict';
import type { ChildProcess, } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { KumulusClient, publicIpApi } from '@kumulus/api';
import { run } from '../../src/drivers/local/exec.ts';
import { createLocalEngine } from '../../src/drivers/local/index.ts';
import { ROUTE_PROTO } from '../../src/drivers/local/public-ip.ts';
import { engineNames } from '../harness.ts';
import { exited, startChild } from '../child.ts';

const TOKEN = 'kmt_pip_crash_token_0123456789';
const tag = randomBytes(3).toString('hex');
const ns = `kmt-uc-${tag}`;
const uplink = `kmc${tag}`;
const router = `kmq${tag}`;
const net = `198.18.${Number.parseInt(tag.slice(0, 2), 16)}`; // RFC 2544 benchmarking range, public to the checks


describe('public IPs after SIGKILL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kumulus-pipcrash-'));
  const names = engineNames();
  const engine = createLocalEngine({ lxcPath: join(dataDir, 'lxc'), bridge: names.bridge, nftTable: names.nftTable });
  let child: ChildProcess | undefined;

  before(async () => {
    await run('ip', ['netns', 'add', ns]);
    await run('ip', ['link', 'add', uplink, 'type', 'veth', 'peer', 'name', router, 'netns', ns]);
    await run('ip', ['addr', 'add', `${net}.254/24`, 'dev', uplink]);
    await run('ip', ['link', 'set', uplink, 'up']);
    await run('ip', ['-n', ns, 'addr', 'add', `${net}.1/24`, 'dev', router]);
    await run('ip', ['-n', ns, 'link', 'set', router, 'up']);
  });
  after(async () => {
    child?.kill('SIGKILL');
    if (child) await exited(child);
    for (const id of await engine.compute.list()) await engine.compute.destroy(id);
    await engine.network.removeDefault();
    await engine.firewall?.remove();
    await run('ip', ['netns', 'del', ns], { allowFail: true });
    await run('ip', ['link', 'del', uplink], { allowFail: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  const pings = async (address: string) => (await run('ip', ['netns', 'exec', ns, 'busybox', 'ping', '-c', '1', '-W', '1', address], { allowFail: true })).code === 0;
  const routed = async (address: string) => (await run('ip', ['-4', 'route', 'show', 'proto', ROUTE_PROTO, `${address}/32`])).stdout.trim() !== '';
  const proxied = async (address: string) => (await run('ip', ['-4', 'neigh', 'show', 'proxy', 'dev', uplink])).stdout.includes(address);
  const eventually = async (probe: () => Promise<boolean>) => {
    for (let i = 0; i < 30; i++) {
      if (await probe()) return true;
      await sleep(1000);
    }
    return probe();
  };

  test('an address moved just before the kill ends up where the store says', async () => {
    const opts = { dataDir, listen: '127.0.0.1:0', bridge: names.bridge, nftTable: names.nftTable, network: names.network, bootstrapToken: TOKEN, prepareImages: ['tiny'], sweepMs: 1000 };
    let started = await startChild(opts);
    child = started.child;
    let client = new KumulusClient({ baseUrl: started.url, token: TOKEN });
    let api = publicIpApi(client);
    await api.createPool({ name: 'up', range: `${net}.32/29`, uplink, cooldownSeconds: 0 });
    const made = await client.createServer({ name: 'crash-web', plan: 'nano', image: 'tiny' });
    assert.equal((await client.waitOperation(made.operation.id, 60)).state, 'succeeded');
    const first = await api.allocate({ name: 'first', server: made.server.id });
    const second = await api.allocate({ name: 'second' });
    assert.ok(await eventually(() => pings(first.address)), 'the first address answers');

    await api.unassign(first.id);
    await api.assign(second.id, made.server.id);
    child.kill('SIGKILL');
    await exited(child);

    started = await startChild(opts);
    child = started.child;
    client = new KumulusClient({ baseUrl: started.url, token: TOKEN });
    api = publicIpApi(client);
    assert.ok(await eventually(() => pings(second.address)), 'the second address answers after the restart');
    assert.ok(await eventually(async () => !(await routed(first.address)) && !(await proxied(first.address)) && !(await pings(first.address))), 'the first has nothing left');
    await api.unassign(second.id);
    assert.ok(await eventually(async () => !(await routed(second.address)) && !(await proxied(second.address))), 'unassigned, nothing is left');
    await client.waitOperation((await client.deleteServer(made.server.id)).id, 60);
  });
});
