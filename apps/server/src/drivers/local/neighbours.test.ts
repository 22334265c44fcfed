/**
 * An address moving from a destroyed instance to a new one with another MAC: the host's
 * neighbour entry for it goes with the old instance, and the new one is reachable by TCP at
 * once, even when an entry with the old MAC was left behind (a crash between the two).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { InstanceSpec } from '../types.ts';
import { run } from './exec.ts';
import { lxcAttach, lxcInfo } from './lxc.ts';
import { type LocalTestEngine, makeLocalTestEngine } from './test-harness.ts';

describe('neighbour entries when an address is reused', () => {
  let t: LocalTestEngine;
  let link = '';
  let image = '';
  before(async () => {
    t = await makeLocalTestEngine();
    link = await t.engine.network.ensureDefault(t.net);
    image = await t.engine.images.prepare('tiny');
  });
  after(async () => {
    await t?.cleanup();
  });

  const ip = () => `${t.net.prefix}.9`;
  const spec = (tag: string, mac: string, host = 9): InstanceSpec => {
    const id = `srv_n${process.pid.toString(36)}${tag}${Date.now().toString(36)}`;
    return {
      id,
      kind: 'container',
      hostname: `reuse-${tag}`,
      image,
      vcpus: 1,
      memoryMb: 128,
      diskGb: 0,
      sshKeys: [],
      nics: [{ id: `nic_${id}`, link, mac, ipv4: `${t.net.prefix}.${host}/24`, gateway: t.net.gateway }],
    };
  };
  const neighbour = async () => (await run('ip', ['neigh', 'show', ip(), 'dev', link])).stdout.trim();
  /** Starts the instance and a listener in it that answers every connection with the host name. */
  const up = async (sp: InstanceSpec) => {
    await t.engine.compute.create(sp);
    await t.engine.compute.start(sp.id);
    const r = await lxcAttach(t.lxcPath, sp.id, ['/bin/sh', '-c', 'while true; do nc -l -p 7777 -e /bin/hostname; done </dev/null >/dev/null 2>&1 &']);
    assert.equal(r.code, 0, r.stderr);
    // Wait for the listener from the host's side of /proc, which sends no packet to the guest:
    // the tries below then measure the network, not the shell starting nc.
    const pid = (await lxcInfo(t.lxcPath, sp.id))?.pid;
    for (let i = 0; i < 100 && !(await listening(pid ?? 0, 7777)); i++) await sleep(50);
    assert.ok(await listening(pid ?? 0, 7777), 'the guest listens on 7777');
  };

  test('destroy drops the entry, start writes the new MAC, and TCP answers within a few tries', async () => {
    // A bridge whose last port goes loses its carrier, and the kernel then flushes all its
    // neighbour entries by itself; a host in use has other servers on it, and so has this one.
    await up(spec('x', '02:00:0a:f1:cc:03', 8));
    const a = spec('a', '02:00:0a:f1:aa:01');
    await up(a);
    assert.equal(await answer(ip(), 7777, 10), 'reuse-a');
    assert.match(await neighbour(), /lladdr 02:00:0a:f1:aa:01/, 'the host has learned the first MAC');
    await t.engine.compute.destroy(a.id);
    assert.doesNotMatch(await neighbour(), /lladdr/, 'no entry keeps the gone MAC');

    // As if a crash had left the old entry behind: start must still put the new MAC in place.
    await run('ip', ['neigh', 'replace', ip(), 'lladdr', '02:00:0a:f1:aa:01', 'dev', link, 'nud', 'stale']);
    const b = spec('b', '02:00:0a:f1:bb:02');
    await up(b);
    assert.match(await neighbour(), /lladdr 02:00:0a:f1:bb:02/, 'start announced the new MAC');
    // A stale entry costs at least three unicast probes (3 s) before ARP asks again; two tries
    // one second apart cannot wait that out, so without the announcement this fails.
    assert.equal(await answer(ip(), 7777, 2), 'reuse-b');
    await t.engine.compute.destroy(b.id);
    assert.doesNotMatch(await neighbour(), /lladdr/);
  });
});

/**
 * Connects up to `tries` times, one second apart (a refusal while the guest's listener is
 * starting comes back at once), and answers what the peer sends before closing.
 */
async function answer(host: string, port: number, tries: number): Promise<string> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    const next = sleep(1000);
    try {
      return (await tcpRead(host, port)).trim();
    } catch (e) {
      last = e;
    }
    await next;
  }
  throw new Error(`${host}:${port} did not answer in ${tries} tries: ${last}`);
}

/** True when a socket in the network namespace of `pid` listens on TCP `port` (state 0A), over IPv4 or IPv6. */
async function listening(pid: number, port: number): Promise<boolean> {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  // busybox nc listens on :: when the guest has IPv6, so both tables count.
  const table = (await Promise.all(['tcp', 'tcp6'].map((f) => readFile(`/proc/${pid}/net/${f}`, 'utf8').catch(() => '')))).join('\n');
  return table.split('\n').some((l) => l.trim().split(/\s+/)[1]?.endsWith(`:${hex}`) && l.trim().split(/\s+/)[3] === '0A');
}

function tcpRead(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const s = connect({ host, port, timeout: 1000 });
    s.setEncoding('utf8').on('data', (d: string) => {
      data += d;
    });
    s.on('end', () => resolve(data)).on('timeout', () => s.destroy(new Error('timeout'))).on('error', reject);
  });
}
