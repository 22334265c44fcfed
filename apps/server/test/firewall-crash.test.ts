/**
 * The firewall after kill -9: a control plane killed right after a rule change, with a chain and
 * a set slipped into its table while it was down, comes back to exactly the ruleset the spec
 * compiles to — the new rule in, nothing left over.
 */
import assert from 'node:assert/strict';
import type { ChildProcess, } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { KumulusClient } from '@kumulus/api';
import { run } from '../src/drivers/local/exec.ts';
import { createLocalEngine } from '../src/drivers/local/index.ts';
import { compileFromStore } from '../src/modules/firewall/firewall-reconciler.ts';
import { openStore } from '../src/store/db.ts';
import { engineNames } from './harness.ts';
import { exited, startChild } from './child.ts';

const TOKEN = 'kmt_fw_crash_token_0123456789';


describe('firewall after kill -9', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kumulus-fwcrash-'));
  const names = engineNames();
  const engine = createLocalEngine({ lxcPath: join(dataDir, 'lxc'), bridge: names.bridge, nftTable: names.nftTable });
  const fw = engine.firewall!;
  let child: ChildProcess | undefined;
  after(async () => {
    child?.kill('SIGKILL');
    if (child) await exited(child);
    for (const id of await engine.compute.list()) await engine.compute.destroy(id);
    await engine.network.removeDefault();
    await fw.remove();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the ruleset after restart equals the one compiled from the spec', async () => {
    const opts = { dataDir, listen: '127.0.0.1:0', bridge: names.bridge, nftTable: names.nftTable, network: names.network, bootstrapToken: TOKEN, prepareImages: ['tiny'], firewallResyncMs: 500 };
    let started = await startChild(opts);
    child = started.child;
    let c = new KumulusClient({ baseUrl: started.url, token: TOKEN });
    const store = await openStore(`sqlite:${join(dataDir, 'store', 'kumulus.db')}`);
    const compiled = () => compileFromStore({ db: store.db, firewall: fw, linkOf: engine.network.linkOf, defaultNetwork: { cidr: names.network.cidr, link: names.bridge } });
    const logReaders = async () => (await run('pgrep', ['-f', `nflog:${fw.logGroup}`], { allowFail: true })).stdout.trim().split('\n').filter(Boolean);
    const converged = async () => {
      for (let i = 0; i < 300; i++) {
        const want = await compiled();
        if ((await fw.appliedHash()) === want.hash) return want;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the ruleset did not converge');
    };
    try {
      for (const name of ['app1', 'app2']) await c.createServer({ name, plan: 'nano', image: 'tiny', start: false, labels: { role: 'app' } });
      await c.createFirewall({ name: 'apps', inbound: [{ action: 'accept', protocol: 'tcp', ports: ['22'], peers: [{ server: 'app2' }] }], applyTo: [{ type: 'label_selector', selector: 'role=app' }] });
      await converged();

      await c.updateFirewall('apps', { inbound: [{ action: 'accept', protocol: 'udp', ports: ['5000-5010'] }] });
      const first = await logReaders();
      assert.equal(first.length, 1, 'the control plane reads its firewall log');
      child.kill('SIGKILL');
      await exited(child);
      // What someone (or a crashed predecessor) left in our table while we were down.
      await run('nft', ['add', 'chain', 'inet', fw.table, 'stray']);
      await run('nft', ['add', 'set', 'inet', fw.table, 'stray_set', '{ type ipv4_addr; }']);

      started = await startChild(opts);
      child = started.child;
      c = new KumulusClient({ baseUrl: started.url, token: TOKEN });
      const want = await converged();
      assert.match(want.text, /udp dport \{ 5000-5010 \}/, 'the change made before the kill is in the spec');
      const kernel = await fw.ruleset();
      assert.doesNotMatch(kernel, /stray/, 'nothing left over');
      assert.match(kernel, /udp dport 5000-5010/);
      // The killed process's log reader died with it (it would hold the nflog group): one reader is left.
      const readers = await logReaders();
      assert.ok(!readers.some((pid) => first.includes(pid)), `the killed process's reader ${first.join(' ')} is gone`);
      assert.equal(readers.length, 1, `one log reader for the group: ${readers.join(' ')}`);
      // Applying the compiled text afresh gives the very listing the kernel has: nothing missing either.
      await fw.apply(want.text);
      assert.equal(await fw.ruleset(), kernel);
    } finally {
      await store.close();
    }
  });
});
