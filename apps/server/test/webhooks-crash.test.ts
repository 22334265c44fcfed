/**
 * Webhook deliveries survive SIGKILL: events recorded while the receiver is down are still
 * pending when the control plane is killed, and after a restart they arrive, once each, in order.
 */
import assert from 'node:assert/strict';
import type { ChildProcess, } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { KumulusClient } from '@kumulus/api';
import { createLocalEngine } from '../src/drivers/local/index.ts';
import { engineNames } from './harness.ts';
import { exited, startChild } from './child.ts';

const TOKEN = 'kmt_webhook_crash_token_0123456789';


const dataDir = mkdtempSync(join(tmpdir(), 'kumulus-whcrash-'));
const names = engineNames();
const engine = createLocalEngine({ lxcPath: join(dataDir, 'lxc'), bridge: names.bridge, nftTable: names.nftTable });
let child: ChildProcess | undefined;
let up = false;
const accepted: string[] = [];
const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (up) accepted.push(String(req.headers['x-kumulus-delivery']));
    res.statusCode = up ? 200 : 503;
    res.end();
  });
});

after(async () => {
  child?.kill('SIGKILL');
  if (child) await exited(child);
  for (const id of await engine.compute.list()) await engine.compute.destroy(id);
  await engine.network.removeDefault();
  await engine.firewall?.remove();
  await new Promise<void>((r) => receiver.close(() => r()));
  rmSync(dataDir, { recursive: true, force: true });
});

test('pending deliveries survive SIGKILL and arrive in order after the restart', async () => {
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const port = (receiver.address() as { port: number }).port;
  const opts = { dataDir, listen: '127.0.0.1:0', bridge: names.bridge, nftTable: names.nftTable, network: names.network, bootstrapToken: TOKEN, prepareImages: ['tiny'], sweepMs: 2000, webhooksAllowPrivateUrls: true, webhookDelivery: { baseDelayMs: 100, maxDelayMs: 300, maxAttempts: 1000 } };
  let run = await startChild(opts);
  child = run.child;
  let client = new KumulusClient({ baseUrl: run.url, token: TOKEN });
  const { webhook } = await client.createWebhook({ url: `http://127.0.0.1:${port}/`, events: ['server.created', 'server.started', 'server.stopped'] });
  const s = await client.createServer({ name: 'crashhook', plan: 'nano', image: 'tiny' });
  await client.waitOperation(s.operation.id, 60);
  await client.waitOperation((await client.serverAction(s.server.id, 'stop')).id, 60);
  let log = await client.listWebhookDeliveries(webhook.id);
  assert.deepEqual(log.items.map((d) => d.state), ['pending', 'pending', 'pending'], 'the receiver is down: nothing delivered yet');
  child.kill('SIGKILL');
  await exited(child);

  up = true;
  run = await startChild(opts);
  child = run.child;
  client = new KumulusClient({ baseUrl: run.url, token: TOKEN });
  log = await client.listWebhookDeliveries(webhook.id);
  while (log.items.some((d) => d.state === 'pending')) {
    await new Promise((r) => setTimeout(r, 100));
    log = await client.listWebhookDeliveries(webhook.id);
  }
  assert.deepEqual(log.items.map((d) => d.event), ['server.created', 'server.started', 'server.stopped']);
  assert.deepEqual(accepted, log.items.map((d) => d.id), 'each once, in order');
  assert.ok(log.items.every((d) => d.state === 'delivered'));
  // Only the first was tried while the receiver was down: the others waited their turn.
  assert.ok(log.items[0]!.attempts > 1, `first delivery attempts: ${log.items[0]!.attempts}`);
  await client.waitOperation((await client.deleteServer(s.server.id)).id, 60);
});
